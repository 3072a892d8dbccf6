/** Compute capability → architecture name (docs/reference.md §3.3). */

export interface ComputeCapability {
  major: number;
  minor: number;
}

/** "8.6" → {8,6}; also the dotless "86" some tools print. */
export function parseComputeCapability(text: string): ComputeCapability | null {
  const s = text.trim();
  const dotted = /^(\d+)\.(\d+)$/.exec(s);
  if (dotted) return { major: Number(dotted[1]), minor: Number(dotted[2]) };
  const bare = /^(\d+)(\d)$/.exec(s);
  if (bare) return { major: Number(bare[1]), minor: Number(bare[2]) };
  return null;
}

export function formatComputeCapability(cc: ComputeCapability): string {
  return `${cc.major}.${cc.minor}`;
}

/** Architecture by major (and minor where a major spans two); null for unknown or future majors. */
export function architectureOf(cc: ComputeCapability): string | null {
  switch (cc.major) {
    case 3:
      return "Kepler";
    case 5:
      return "Maxwell";
    case 6:
      return "Pascal";
    case 7:
      return cc.minor >= 5 ? "Turing" : "Volta";
    case 8:
      return cc.minor >= 9 ? "Ada Lovelace" : "Ampere";
    case 9:
      return "Hopper";
    // 10.x datacenter, 11.0 Thor, 12.x consumer/workstation.
    case 10:
    case 11:
    case 12:
      return "Blackwell";
    default:
      return null;
  }
}

export function architectureOfText(cc: string | null): string | null {
  if (cc === null) return null;
  const parsed = parseComputeCapability(cc);
  return parsed ? architectureOf(parsed) : null;
}

/** Older than Turing (7.5): the cu128 torch builds carry no kernels for these (docs/reference.md §3.3). */
export function isPreTuring(cc: ComputeCapability): boolean {
  return cc.major < 7 || (cc.major === 7 && cc.minor < 5);
}
