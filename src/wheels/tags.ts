import type { PixiPlatform } from "../util/platform.ts";
import type { WheelFilename } from "./filename.ts";

/**
 * Tag compatibility as pip/uv decide it (docs/reference.md §2.2), reduced to what comfy-env needs:
 * a rank per tag (higher = more specific), or 0 when the wheel cannot be installed.
 */

/** cp311-cp311 (4) > cp3X-abi3 with X ≤ 11 (3) > cp311-none (2) > py3/py31X-none (1). */
export function pythonRank(pyTag: string, abiTag: string, python: { major: number; minor: number }): number {
  const m = /^(cp|py)(\d)(\d*)$/.exec(pyTag);
  if (!m) return 0; // pp310, cp313t and other interpreters
  const [, impl, majorText, minorText] = m;
  if (Number(majorText) !== python.major) return 0;
  const minor = minorText === "" ? undefined : Number(minorText);
  if (impl === "cp") {
    if (minor === undefined) return 0;
    if (abiTag === pyTag && minor === python.minor) return 4;
    if (abiTag === "abi3" && minor <= python.minor) return 3;
    if (abiTag === "none" && minor === python.minor) return 2;
    return 0;
  }
  if (abiTag !== "none") return 0;
  return minor === undefined || minor <= python.minor ? 1 : 0;
}

/** What the target system offers: wheels whose platform tag needs more are not loadable there. */
export interface PlatformLimits {
  /** glibc of a Linux target ("2.31"). */
  glibc?: { major: number; minor: number };
  /** macOS version of a macOS target ("14.0"). */
  macos?: { major: number; minor: number };
}

/** Legacy manylinux names and the glibc each one means (PEP 600). */
const LEGACY_MANYLINUX: Record<string, [number, number]> = { "1": [2, 5], "2010": [2, 12], "2014": [2, 17] };

/** The glibc a manylinux tag needs or the macOS a macosx tag needs; undefined for other tags. */
export function tagNeeds(tag: string): { glibc: { major: number; minor: number } } | { macos: { major: number; minor: number } } | undefined {
  const ml = /^manylinux(?:_(\d+)_(\d+)|(1|2010|2014))_/.exec(tag);
  if (ml) {
    const [major, minor] = ml[3] !== undefined ? (LEGACY_MANYLINUX[ml[3]] ?? [0, 0]) : [Number(ml[1]), Number(ml[2])];
    return { glibc: { major, minor } };
  }
  const mac = /^macosx_(\d+)_(\d+)_/.exec(tag);
  return mac ? { macos: { major: Number(mac[1]), minor: Number(mac[2]) } } : undefined;
}

const newer = (a: { major: number; minor: number }, b: { major: number; minor: number }) => a.major > b.major || (a.major === b.major && a.minor > b.minor);

/** Whether the target's glibc / macOS can load a wheel with this platform tag (no limit: yes). */
export function withinLimits(tag: string, limits: PlatformLimits): boolean {
  const needs = tagNeeds(tag);
  if (needs === undefined) return true;
  if ("glibc" in needs) return limits.glibc === undefined || !newer(needs.glibc, limits.glibc);
  return limits.macos === undefined || !newer(needs.macos, limits.macos);
}

const ARCH: Record<PixiPlatform, string> = {
  "linux-64": "x86_64",
  "linux-aarch64": "aarch64",
  "osx-64": "x86_64",
  "osx-arm64": "arm64",
  "win-64": "amd64",
};

/**
 * manylinux (3) > linux_<arch> (2, unportable but what private indexes publish) > any (1);
 * macOS: the exact arch (3) > universal2 (2); Windows: win_amd64 (3).
 */
export function platformRank(tag: string, platform: PixiPlatform): number {
  if (tag === "any") return 1;
  const arch = ARCH[platform];
  switch (platform) {
    case "linux-64":
    case "linux-aarch64": {
      if (/^manylinux(?:1|2010|2014|_\d+_\d+)_(.+)$/.exec(tag)?.[1] === arch) return 3;
      return tag === `linux_${arch}` ? 2 : 0;
    }
    case "osx-64":
    case "osx-arm64": {
      const m = /^macosx_\d+_\d+_(.+)$/.exec(tag);
      if (!m) return 0;
      if (m[1] === arch) return 3;
      if (m[1] === "universal2") return 2;
      return platform === "osx-64" && (m[1] === "intel" || m[1] === "universal") ? 2 : 0;
    }
    case "win-64":
      return tag === "win_amd64" ? 3 : 0;
  }
}

/** The pixi platform a wheel platform tag installs on, for "the index has ..." listings. */
export function platformOfTag(tag: string): PixiPlatform | undefined {
  for (const p of Object.keys(ARCH) as PixiPlatform[]) if (platformRank(tag, p) >= 2) return p;
  return undefined;
}

export interface TagMatch {
  python: number;
  platform: number;
  /** The winning tag, e.g. "cp311-cp311-manylinux_2_34_x86_64". */
  tag: string;
}

/**
 * Best (python, platform) ranks over the wheel's expanded tag set, or undefined when none fits;
 * a platform tag needing a newer glibc or macOS than `limits` gives does not fit.
 */
export function bestTagMatch(w: WheelFilename, python: { major: number; minor: number }, platform: PixiPlatform, limits: PlatformLimits = {}): TagMatch | undefined {
  let best: TagMatch | undefined;
  for (const py of w.pythonTags) {
    for (const abi of w.abiTags) {
      const pr = pythonRank(py, abi, python);
      if (pr === 0) continue;
      for (const plat of w.platformTags) {
        const pl = platformRank(plat, platform);
        if (pl === 0 || !withinLimits(plat, limits)) continue;
        if (!best || pr > best.python || (pr === best.python && pl > best.platform)) best = { python: pr, platform: pl, tag: `${py}-${abi}-${plat}` };
      }
    }
  }
  return best;
}
