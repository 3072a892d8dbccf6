import { err, ok, type Result } from "../util/result.ts";

/** A wheel file name split per PEP 427, with its dotted tag sets expanded (docs/reference.md §2.2). */
export interface WheelFilename {
  dist: string;
  /** Full version, local label included ("0.4.0+cu128torch2.8"). */
  version: string;
  /** Version without the local label ("0.4.0"). */
  publicVersion: string;
  /** The part after "+", or "" when there is none. */
  local: string;
  build?: string;
  pythonTags: string[];
  abiTags: string[];
  platformTags: string[];
}

export type BadWheelFilename = { kind: "bad-wheel-filename"; filename: string };

export function parseWheelFilename(filename: string): Result<WheelFilename, BadWheelFilename> {
  const bad = err<never, BadWheelFilename>({ kind: "bad-wheel-filename", filename });
  if (!filename.endsWith(".whl")) return bad;
  // Index links may percent-encode "+" as %2B.
  let name: string;
  try {
    name = decodeURIComponent(filename.slice(0, -4));
  } catch {
    return bad;
  }
  const parts = name.split("-");
  if (parts.length !== 5 && parts.length !== 6) return bad;
  const [dist, version] = parts as [string, string];
  const build = parts.length === 6 ? parts[2] : undefined;
  const [py, abi, plat] = parts.slice(-3) as [string, string, string];
  if (!dist || !version || !py || !abi || !plat) return bad;
  const plus = version.indexOf("+");
  return ok({
    dist,
    version,
    publicVersion: plus === -1 ? version : version.slice(0, plus),
    local: plus === -1 ? "" : version.slice(plus + 1),
    build,
    pythonTags: py.split("."),
    abiTags: abi.split("."),
    platformTags: plat.split("."),
  });
}

export { normalizeName } from "../util/pep503.ts";

export interface MajorMinor {
  major: number;
  minor: number;
}

/** "12.8" / "12.8.1" → {12, 8}; undefined when not numeric. */
export function parseMajorMinor(v: string): MajorMinor | undefined {
  const m = /^(\d+)(?:\.(\d+))?(?:\.\d+)*$/.exec(v.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2] ?? 0) };
}

/** "128" → 12.8, "118" → 11.8, "130" → 13.0, "92" → 9.2; "12.8" is accepted too. */
function parseCudaDigits(s: string): MajorMinor | undefined {
  if (s.includes(".")) return parseMajorMinor(s);
  if (s.length < 2) return undefined;
  return { major: Number(s.slice(0, -1)), minor: Number(s.slice(-1)) };
}

export interface CudaBuild {
  cuda: MajorMinor;
  torch: MajorMinor;
}

/**
 * The CUDA and torch a local label names. The index uses `cu128torch2.8`; PyG-style wheels use
 * `pt28cu128` (torch major is one digit, the rest is the minor: `pt210` = 2.10).
 */
export function parseCudaLabel(local: string): CudaBuild | undefined {
  const label = local.toLowerCase();
  const a = /^cu(\d+(?:\.\d+)?)torch(\d+)\.(\d+)$/.exec(label);
  if (a) {
    const cuda = parseCudaDigits(a[1] ?? "");
    return cuda && { cuda, torch: { major: Number(a[2]), minor: Number(a[3]) } };
  }
  const b = /^pt(\d)(\d+)cu(\d+)$/.exec(label);
  if (b) {
    const cuda = parseCudaDigits(b[3] ?? "");
    return cuda && { cuda, torch: { major: Number(b[1]), minor: Number(b[2]) } };
  }
  return undefined;
}

/** {12, 8} → "cu128" (the index's spelling). */
export function cudaTag(v: MajorMinor): string {
  return `cu${v.major}${v.minor}`;
}
