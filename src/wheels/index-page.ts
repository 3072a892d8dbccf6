/** A wheel link found on an index page. */
export interface WheelLink {
  filename: string;
  /** Absolute URL (relative hrefs resolved against the page), fragment kept (#sha256=...). */
  url: string;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ent: string) => {
    if (ent[0] === "#") {
      const code = ent[1] === "x" || ent[1] === "X" ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10);
      return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ent.toLowerCase()] ?? whole;
  });
}

/**
 * The `.whl` links of a PEP 503-style simple page (the cuda-wheels pages are that shape). The
 * file a link means is its text when that names a wheel, as PEP 503 has it, else the last part
 * of its href; the href is always the URL. (Some real pages link a text to another file.)
 */
export function parseWheelLinks(html: string, pageUrl: string): WheelLink[] {
  const links: WheelLink[] = [];
  const seen = new Set<string>();
  for (const m of html.matchAll(/<a\s[^>]*?href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>([\s\S]*?)<\/a\s*>/gi)) {
    const href = decodeEntities(m[1] ?? m[2] ?? m[3] ?? "");
    let url: URL;
    try {
      url = new URL(href, pageUrl);
    } catch {
      continue;
    }
    const text = decodeEntities((m[4] ?? "").replace(/<[^>]*>/g, "")).trim();
    const filename = /^[^\s/\\]+\.whl$/.test(text) ? text : fileOfHref(url);
    const id = `${filename}\0${url.href}`;
    if (filename === undefined || !filename.endsWith(".whl") || seen.has(id)) continue;
    seen.add(id);
    links.push({ filename, url: url.href });
  }
  return links;
}

function fileOfHref(url: URL): string | undefined {
  try {
    return decodeURIComponent(url.pathname.split("/").pop() ?? "");
  } catch {
    return undefined;
  }
}

/** Page names tried for a package, in order: as written, `-` → `_`, `_` → `-`, then PEP 503 form. */
export function nameVariants(pkg: string): string[] {
  const normalized = pkg.replace(/[-_.]+/g, "-").toLowerCase();
  return [...new Set([pkg, pkg.replace(/-/g, "_"), pkg.replace(/_/g, "-"), normalized])];
}
