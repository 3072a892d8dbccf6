// PEP 440 ordering, simplified to what wheel names on CUDA indexes use.
const WORD_ORDER: Record<string, number> = { dev: 0, a: 1, alpha: 1, b: 2, beta: 2, c: 3, rc: 3, pre: 3, preview: 3, post: 5, rev: 5, r: 5 };
const RELEASE = 4; // where an absent word sits: after pre-releases, before post-releases

function tokens(v: string): (number | string)[] {
  return [...v.toLowerCase().matchAll(/(\d+)|([a-z]+)/g)].map((m) => (m[1] !== undefined ? Number(m[1]) : (m[2] ?? "")));
}

/**
 * Order two public versions: release numbers numerically (a missing one is 0), pre-releases
 * (dev, a, b, rc) below the release, post-releases above it, and a number above any word at the
 * same position ("1.0.1" > "1.0.post1").
 */
export function compareVersions(a: string, b: string): number {
  const ta = tokens(a);
  const tb = tokens(b);
  for (let i = 0; i < Math.max(ta.length, tb.length); i++) {
    const x = ta[i];
    const y = tb[i];
    if (typeof x === "number" && typeof y === "number") {
      if (x !== y) return x - y;
      continue;
    }
    if (typeof x === "number" || typeof y === "number") {
      const other = typeof x === "number" ? y : x;
      const sign = typeof x === "number" ? 1 : -1;
      if (other === undefined) {
        if ((typeof x === "number" ? x : y) !== 0) return sign;
        continue;
      }
      return sign; // a number beats a word
    }
    const wx = x === undefined ? RELEASE : (WORD_ORDER[x] ?? 0);
    const wy = y === undefined ? RELEASE : (WORD_ORDER[y] ?? 0);
    if (wx !== wy) return wx - wy;
  }
  return 0;
}
