// Maps dotted key paths back to 1-based lines of the TOML source, so config errors and
// warnings can point into the user's file. @iarna/toml keeps no positions, so this is a
// small scanner over the text: it follows `[table]` / `[[array]]` headers and `key =` lines
// (dotted and quoted keys), array elements and inline-table keys, and steps over multi-line
// arrays and strings.

export interface KeyLine {
  /** Full key path of the header or key (array-of-tables entries get their index). */
  path: string[];
  line: number;
}

/** Every table header and `key = value` line of `source`, in file order. */
export function scanKeyLines(source: string): KeyLine[] {
  return new Scanner(source).run();
}

/**
 * Line of `path` in `lines`: the line that defines it exactly (`cuda.packages.2` → that array
 * element); else the first line inside it (`target` → `[target.linux-64.dependencies]`);
 * else the deepest line that holds it.
 */
export function lineOfKey(lines: readonly KeyLine[], path: readonly (string | number)[]): number | undefined {
  const want = path.map(String);
  const exact = lines.find((l) => sameStart(l.path, want) && l.path.length === want.length);
  if (exact) return exact.line;
  const inside = lines.find((l) => l.path.length > want.length && sameStart(l.path, want));
  if (inside) return inside.line;
  let best: KeyLine | undefined;
  for (const l of lines) {
    if (l.path.length < want.length && sameStart(want, l.path) && (!best || l.path.length > best.path.length)) best = l;
  }
  return best?.line;
}

/** Convenience for one lookup: scan, then find. */
export function locateKey(source: string, path: readonly (string | number)[]): number | undefined {
  return lineOfKey(scanKeyLines(source), path);
}

/** The value text written after `key =` on `line` (comment stripped), e.g. `3.10` for `python = 3.10`. */
export function valueTextAt(source: string, line: number): string | undefined {
  const text = source.split("\n")[line - 1];
  if (text === undefined) return undefined;
  const eq = text.indexOf("=");
  if (eq < 0) return undefined;
  const value = text.slice(eq + 1).replace(/#.*$/, "").trim();
  return value === "" ? undefined : value;
}

/** `longer` starts with every segment of `prefix`. */
function sameStart(longer: readonly string[], prefix: readonly string[]): boolean {
  if (longer.length < prefix.length) return false;
  return prefix.every((seg, i) => longer[i] === seg);
}

const BARE_KEY = /[A-Za-z0-9_-]/;

class Scanner {
  private i = 0;
  private readonly out: KeyLine[] = [];
  private table: string[] = [];
  /** Current index of each `[[array]]` table, keyed by its resolved path. */
  private readonly arrayIndex = new Map<string, number>();
  private readonly lineStarts: number[] = [0];

  constructor(private readonly src: string) {
    for (let k = 0; k < src.length; k++) if (src[k] === "\n") this.lineStarts.push(k + 1);
  }

  run(): KeyLine[] {
    const s = this.src;
    while (this.i < s.length) {
      this.skipBlanks();
      const c = s[this.i];
      if (c === undefined) break;
      if (c === "\n" || c === "\r") this.i++;
      else if (c === "#") this.skipToEol();
      else if (c === "[") this.header();
      else this.keyValue();
    }
    return this.out;
  }

  private header(): void {
    const line = this.lineAt(this.i);
    const isArray = this.src[this.i + 1] === "[";
    this.i += isArray ? 2 : 1;
    const keys = this.readKey();
    this.skipToEol();
    if (!keys) return;
    const path = this.resolveArrays(keys);
    if (isArray) {
      const id = path.join("\u0000");
      const next = (this.arrayIndex.get(id) ?? -1) + 1;
      this.arrayIndex.set(id, next);
      path.push(String(next));
    }
    this.table = path;
    this.out.push({ path, line });
  }

  /** Inserts the current index after every enclosing prefix that names an array of tables. */
  private resolveArrays(keys: string[]): string[] {
    const path: string[] = [];
    keys.forEach((k, n) => {
      path.push(k);
      if (n === keys.length - 1) return;
      const idx = this.arrayIndex.get(path.join("\u0000"));
      if (idx !== undefined) path.push(String(idx));
    });
    return path;
  }

  private keyValue(): void {
    const line = this.lineAt(this.i);
    const keys = this.readKey();
    this.skipBlanks();
    if (!keys || this.src[this.i] !== "=") {
      this.skipToEol();
      return;
    }
    this.i++;
    const path = [...this.table, ...keys];
    this.out.push({ path, line });
    this.skipBlanks();
    this.skipValue(path);
    this.skipToEol();
  }

  /** Reads `a.b."c d".'e'`; undefined when no key is there. */
  private readKey(): string[] | undefined {
    const keys: string[] = [];
    for (;;) {
      this.skipBlanks();
      const c = this.src[this.i];
      let key: string | undefined;
      if (c === '"') key = this.readBasicString();
      else if (c === "'") key = this.readLiteralString();
      else {
        const start = this.i;
        while (this.i < this.src.length && BARE_KEY.test(this.src[this.i]!)) this.i++;
        if (this.i > start) key = this.src.slice(start, this.i);
      }
      if (key === undefined) return undefined;
      keys.push(key);
      this.skipBlanks();
      if (this.src[this.i] !== ".") return keys;
      this.i++;
    }
  }

  /** Skips one value; inside arrays and inline tables, records where each element and key starts. */
  private skipValue(path: string[]): void {
    const s = this.src;
    const c = s[this.i];
    if (c === '"' || c === "'") this.skipString();
    else if (c === "[") this.skipArray(path);
    else if (c === "{") this.skipInlineTable(path);
    else while (this.i < s.length && !",]}\n#".includes(s[this.i]!)) this.i++;
  }

  private skipArray(path: string[]): void {
    const s = this.src;
    this.i++;
    for (let index = 0; this.i < s.length; ) {
      const c = s[this.i]!;
      if (c === "]") {
        this.i++;
        return;
      }
      if (c === "#") this.skipToEol();
      else if (" \t\r\n,".includes(c)) this.i++;
      else {
        const at = [...path, String(index++)];
        this.out.push({ path: at, line: this.lineAt(this.i) });
        const before = this.i;
        this.skipValue(at);
        if (this.i === before) this.i++;
      }
    }
  }

  private skipInlineTable(path: string[]): void {
    const s = this.src;
    this.i++;
    while (this.i < s.length) {
      const c = s[this.i]!;
      if (c === "}" || c === "\n") {
        if (c === "}") this.i++;
        return;
      }
      if (" \t,".includes(c)) {
        this.i++;
        continue;
      }
      const line = this.lineAt(this.i);
      const keys = this.readKey();
      this.skipBlanks();
      if (!keys || s[this.i] !== "=") {
        this.i++;
        continue;
      }
      this.i++;
      this.skipBlanks();
      const at = [...path, ...keys];
      this.out.push({ path: at, line });
      this.skipValue(at);
    }
  }

  private skipString(): void {
    const s = this.src;
    if (s.startsWith('"""', this.i)) this.skipMultiline('"""', true);
    else if (s.startsWith("'''", this.i)) this.skipMultiline("'''", false);
    else if (s[this.i] === '"') this.readBasicString();
    else this.readLiteralString();
  }

  private skipMultiline(quote: string, escapes: boolean): void {
    const s = this.src;
    this.i += 3;
    while (this.i < s.length) {
      if (escapes && s[this.i] === "\\") {
        this.i += 2;
        continue;
      }
      if (s.startsWith(quote, this.i)) {
        this.i += 3;
        // Up to two extra quotes may close the string (`""""` = one quote, then the end).
        while (s[this.i] === quote[0]) this.i++;
        return;
      }
      this.i++;
    }
  }

  /** Reads `"..."` from its opening quote; an escape yields the escaped character (enough for key names). */
  private readBasicString(): string {
    const s = this.src;
    this.i++;
    let out = "";
    while (this.i < s.length && s[this.i] !== '"' && s[this.i] !== "\n") {
      if (s[this.i] === "\\" && this.i + 1 < s.length) {
        out += s[this.i + 1];
        this.i += 2;
        continue;
      }
      out += s[this.i];
      this.i++;
    }
    if (s[this.i] === '"') this.i++;
    return out;
  }

  private readLiteralString(): string {
    const s = this.src;
    const start = ++this.i;
    while (this.i < s.length && s[this.i] !== "'" && s[this.i] !== "\n") this.i++;
    const out = s.slice(start, this.i);
    if (s[this.i] === "'") this.i++;
    return out;
  }

  private skipBlanks(): void {
    while (this.src[this.i] === " " || this.src[this.i] === "\t") this.i++;
  }

  private skipToEol(): void {
    const nl = this.src.indexOf("\n", this.i);
    this.i = nl < 0 ? this.src.length : nl + 1;
  }

  private lineAt(pos: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }
}
