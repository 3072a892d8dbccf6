import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

export interface TestServer {
  /** For startIndexServer: http://127.0.0.1:PORT/simple/ ; for startStaticServer: http://127.0.0.1:PORT/ */
  url: string;
  /** Every request path (decoded pathname), in arrival order. */
  requests: string[];
  stop(): Promise<void>;
}

/** PEP 503 name normalisation. */
export function normalizeName(name: string): string {
  return name.replace(/[-_.]+/g, "-").toLowerCase();
}

interface WheelFile {
  file: string;
  sha256: string;
}

const shaCache = new Map<string, { mtimeMs: number; size: number; sha256: string }>();

async function sha256Of(file: string): Promise<string> {
  const st = await stat(file);
  const hit = shaCache.get(file);
  if (hit && hit.mtimeMs === st.mtimeMs && hit.size === st.size) return hit.sha256;
  const sha256 = createHash("sha256").update(await Bun.file(file).bytes()).digest("hex");
  shaCache.set(file, { mtimeMs: st.mtimeMs, size: st.size, sha256 });
  return sha256;
}

/** Projects in wheelDir, read per request so tests may add wheels while the server runs. */
async function projects(wheelDir: string): Promise<Map<string, WheelFile[]>> {
  const out = new Map<string, WheelFile[]>();
  for (const file of (await readdir(wheelDir)).sort()) {
    if (!file.endsWith(".whl")) continue;
    const name = normalizeName(file.split("-")[0] ?? "");
    const list = out.get(name) ?? [];
    list.push({ file, sha256: await sha256Of(path.join(wheelDir, file)) });
    out.set(name, list);
  }
  return out;
}

function htmlPage(title: string, links: string[]): Response {
  const body = `<!DOCTYPE html>\n<html><head><meta name="pypi:repository-version" content="1.0"><title>${title}</title></head><body>\n${links.join("<br/>\n")}\n</body></html>\n`;
  return new Response(body, { headers: { "content-type": "text/html; charset=utf-8" } });
}

/** A file under root, 404 when missing, 403 when the path escapes root. */
async function serveFile(root: string, rel: string): Promise<Response> {
  const full = path.resolve(root, "." + path.sep + rel);
  if (full !== root && !full.startsWith(root + path.sep)) return new Response("forbidden", { status: 403 });
  const st = await stat(full).catch(() => undefined);
  return st?.isFile() ? new Response(Bun.file(full)) : new Response("not found", { status: 404 });
}

/** A PEP 503 simple index of the .whl files in wheelDir on 127.0.0.1 (random port). */
export async function startIndexServer(wheelDir: string): Promise<TestServer> {
  const root = path.resolve(wheelDir);
  const requests: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const pathname = decodeURIComponent(new URL(req.url).pathname);
      requests.push(pathname);
      if (pathname === "/simple" || pathname === "/simple/") {
        const names = [...(await projects(root)).keys()];
        return htmlPage("Simple index", names.map((n) => `<a href="${n}/">${n}</a>`));
      }
      const project = /^\/simple\/([^/]+)\/?$/.exec(pathname);
      if (project) {
        const asked = project[1] ?? "";
        const name = normalizeName(asked);
        if (asked !== name || !pathname.endsWith("/")) {
          return Response.redirect(`/simple/${name}/`, 301);
        }
        const files = (await projects(root)).get(name);
        if (!files) return new Response("not found", { status: 404 });
        return htmlPage(
          `Links for ${name}`,
          files.map((f) => `<a href="../../files/${encodeURIComponent(f.file)}#sha256=${f.sha256}">${f.file}</a>`),
        );
      }
      const file = /^\/files\/([^/]+)$/.exec(pathname);
      if (file) return serveFile(root, file[1] ?? "");
      return new Response("not found", { status: 404 });
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}/simple/`,
    requests,
    stop: () => server.stop(true),
  };
}

/** Plain file server over dir on 127.0.0.1 (random port): GET /a/b.whl → dir/a/b.whl, else 404. */
export async function startStaticServer(dir: string): Promise<TestServer> {
  const root = path.resolve(dir);
  const requests: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const pathname = decodeURIComponent(new URL(req.url).pathname);
      requests.push(pathname);
      return serveFile(root, pathname);
    },
  });
  return { url: `http://127.0.0.1:${server.port}/`, requests, stop: () => server.stop(true) };
}
