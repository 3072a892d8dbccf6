import { compare as compareVersions, valid as validVersion } from "@renovatebot/pep440";
import { err, ok, type Result } from "../util/result.ts";
import { cudaTag, normalizeName, parseCudaLabel, parseMajorMinor, parseWheelFilename, type CudaBuild, type MajorMinor } from "./filename.ts";
import { bestTagMatch, platformOfTag, platformRank, tagNeeds, type PlatformLimits, type TagMatch } from "./tags.ts";
import type { IndexWheel, WheelCombo, WheelsError, WheelQuery } from "./types.ts";

export type WheelChoiceError = Extract<WheelsError, { kind: "bad-wheel-query" | "no-matching-wheel" }>;

/** How many builds a no-match error lists. */
const NEAREST_LIMIT = 6;

interface Parsed {
  filename: string;
  url: string;
  version: string;
  build: CudaBuild;
  pythonTags: string[];
  platforms: string[];
}

interface Fit extends Parsed {
  match: TagMatch;
}

/** A PEP 508 project name (never empty, no `/`); with `..` refused too, it is safe in a page URL. */
const PROJECT_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;

interface ParsedQuery {
  cuda: MajorMinor;
  torch: MajorMinor;
  python: MajorMinor;
  limits: PlatformLimits;
}

/** The query's versions as numbers, or which field is malformed. */
export function parseWheelQuery(q: WheelQuery): Result<ParsedQuery, WheelChoiceError> {
  if (!PROJECT_NAME.test(q.pkg) || q.pkg.includes("..")) return err({ kind: "bad-wheel-query", field: "pkg", value: q.pkg });
  const cuda = parseMajorMinor(q.cuda);
  if (!cuda) return err({ kind: "bad-wheel-query", field: "cuda", value: q.cuda });
  const torch = parseMajorMinor(q.torch);
  if (!torch) return err({ kind: "bad-wheel-query", field: "torch", value: q.torch });
  const python = parseMajorMinor(q.python);
  if (!python) return err({ kind: "bad-wheel-query", field: "python", value: q.python });
  const limits: PlatformLimits = {};
  for (const field of ["glibc", "macos"] as const) {
    const text = q[field];
    if (text === undefined) continue;
    const v = parseMajorMinor(text);
    if (!v) return err({ kind: "bad-wheel-query", field, value: text });
    limits[field] = v;
  }
  return ok({ cuda, torch, python, limits });
}

/** CUDA wheels of this package among the links; anything else on the page is ignored. */
function parseCandidates(pkg: string, candidates: readonly { filename: string; url: string }[]): Parsed[] {
  const want = normalizeName(pkg);
  const out: Parsed[] = [];
  for (const c of candidates) {
    const w = parseWheelFilename(c.filename);
    // A version PEP 440 cannot read cannot be ordered (nor installed by pip): skip it.
    if (w.isErr() || normalizeName(w.value.dist) !== want || validVersion(w.value.version) === null) continue;
    const build = parseCudaLabel(w.value.local);
    if (!build) continue;
    out.push({
      filename: c.filename,
      url: c.url,
      version: w.value.version,
      build,
      pythonTags: w.value.pythonTags,
      platforms: [...new Set(w.value.platformTags.map((t) => platformOfTag(t) ?? t))],
    });
  }
  return out;
}

const key = (v: MajorMinor) => v.major * 1000 + v.minor;
/** The version without its local label, which names the CUDA/torch build rather than a release. */
const publicOf = (version: string) => version.split("+")[0] ?? version;

/**
 * The best wheel for the query: torch major.minor equal; CUDA of the same major and a minor no
 * newer than the query's; a Python and platform tag that fit. Among those: the highest package
 * version, then the closest CUDA (exact before an older minor), then the most specific Python
 * tag (cp311-cp311 over abi3), then the most specific platform (manylinux over linux_).
 */
export function chooseWheel(query: WheelQuery, candidates: readonly { filename: string; url: string }[]): Result<IndexWheel, WheelChoiceError> {
  const q = parseWheelQuery(query);
  if (q.isErr()) return err(q.error);
  const { cuda, torch, python, limits } = q.value;
  const parsed = parseCandidates(query.pkg, candidates);

  const fits: Fit[] = [];
  // The oldest glibc/macOS among wheels that fit in all but that (for the no-match message).
  let needs: MajorMinor | undefined;
  for (const p of parsed) {
    if (key(p.build.torch) !== key(torch)) continue;
    if (p.build.cuda.major !== cuda.major || p.build.cuda.minor > cuda.minor) continue;
    const w = parseWheelFilename(p.filename);
    if (w.isErr()) continue;
    const match = bestTagMatch(w.value, python, query.platform, limits);
    if (match) fits.push({ ...p, match });
    else if (bestTagMatch(w.value, python, query.platform)) {
      for (const tag of w.value.platformTags) {
        const n = platformRank(tag, query.platform) > 0 ? tagNeeds(tag) : undefined;
        const v = n === undefined ? undefined : "glibc" in n ? n.glibc : n.macos;
        if (v && (needs === undefined || key(v) < key(needs))) needs = v;
      }
    }
  }
  fits.sort(
    (a, b) =>
      compareVersions(publicOf(b.version), publicOf(a.version)) ||
      b.build.cuda.minor - a.build.cuda.minor ||
      b.match.python - a.match.python ||
      b.match.platform - a.match.platform ||
      (a.filename < b.filename ? -1 : a.filename > b.filename ? 1 : 0),
  );
  const best = fits[0];
  if (!best) {
    const e = noMatch(query, parsed, cuda, torch, python);
    if (needs !== undefined && e.kind === "no-matching-wheel") {
      const v = `${needs.major}.${needs.minor}`;
      e.needs = query.platform.startsWith("osx") ? { macos: v } : { glibc: v };
    }
    return err(e);
  }

  const publicVersion = publicOf(best.version);
  const cudaNote =
    key(best.build.cuda) === key(cuda)
      ? "exact CUDA"
      : `CUDA ${best.build.cuda.major}.${best.build.cuda.minor} build, compatible with ${cuda.major}.${cuda.minor} (same major)`;
  return ok({
    source: "index",
    url: best.url,
    filename: best.filename,
    version: best.version,
    reason: `${query.pkg} ${publicVersion} for ${cudaTag(best.build.cuda)} torch${torch.major}.${torch.minor} ${best.match.tag} (${cudaNote}; ${fits.length} of ${parsed.length} CUDA wheels fit)`,
  });
}

function noMatch(query: WheelQuery, parsed: Parsed[], cuda: MajorMinor, torch: MajorMinor, python: MajorMinor): WheelChoiceError {
  const onPlatform = parsed.filter((p) => p.platforms.includes(query.platform));
  const pool = onPlatform.length > 0 ? onPlatform : parsed;
  const combos = new Map<string, { combo: WheelCombo; build: CudaBuild; pythons: Set<string>; platforms: Set<string> }>();
  for (const p of pool) {
    const id = `${cudaTag(p.build.cuda)} ${p.build.torch.major}.${p.build.torch.minor}`;
    let entry = combos.get(id);
    if (!entry) {
      entry = {
        combo: { cuda: cudaTag(p.build.cuda), torch: `${p.build.torch.major}.${p.build.torch.minor}`, pythons: [], platforms: [] },
        build: p.build,
        pythons: new Set(),
        platforms: new Set(),
      };
      combos.set(id, entry);
    }
    for (const t of p.pythonTags) entry.pythons.add(t);
    for (const t of p.platforms) entry.platforms.add(t);
  }
  const wantPy = `cp${python.major}${python.minor}`;
  // Nearest: same torch first, then the closest CUDA, then one that has the wanted Python.
  const distance = (b: CudaBuild) => Math.abs(key(b.torch) - key(torch)) * 1_000_000 + Math.abs(key(b.cuda) - key(cuda));
  const pyKey = (t: string) => Number(/\d+/.exec(t)?.[0] ?? 0);
  const available = [...combos.values()]
    .sort(
      (a, b) =>
        distance(a.build) - distance(b.build) ||
        Number(b.pythons.has(wantPy)) - Number(a.pythons.has(wantPy)) ||
        key(b.build.cuda) - key(a.build.cuda),
    )
    .slice(0, NEAREST_LIMIT)
    .map((e) => ({
      ...e.combo,
      pythons: [...e.pythons].sort((x, y) => pyKey(x) - pyKey(y)),
      platforms: [...e.platforms].sort(),
    }));
  return { kind: "no-matching-wheel", query, available, platformCovered: onPlatform.length > 0 };
}
