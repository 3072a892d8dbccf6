/**
 * Order two public versions ("0.7.9", "1.5.3.post1") segment by segment: numbers numerically,
 * a missing segment as 0, and a non-numeric segment below any number (so "1.0rc1" < "1.0").
 */
export function compareVersions(a: string, b: string): number {
  const sa = a.split(/[.+-]/);
  const sb = b.split(/[.+-]/);
  for (let i = 0; i < Math.max(sa.length, sb.length); i++) {
    const x = sa[i] ?? "0";
    const y = sb[i] ?? "0";
    const nx = /^\d+$/.test(x) ? Number(x) : undefined;
    const ny = /^\d+$/.test(y) ? Number(y) : undefined;
    if (nx !== undefined && ny !== undefined) {
      if (nx !== ny) return nx - ny;
    } else if (nx !== undefined) return 1;
    else if (ny !== undefined) return -1;
    else if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
