import type { TomlTable, TomlValue } from "../config/types.ts";

/**
 * A table written as a `[header]` block. Plain TomlTable values inside it are written as
 * inline tables, so the caller decides which tables get headers (dependency specs stay inline).
 */
export class TomlSection {
  readonly entries = new Map<string, TomlValue | TomlSection>();

  set(key: string, value: TomlValue | TomlSection): this {
    this.entries.set(key, value);
    return this;
  }

  /** The child section `key`, created (appended) when missing. */
  section(key: string): TomlSection {
    const found = this.entries.get(key);
    if (found instanceof TomlSection) return found;
    const created = new TomlSection();
    this.entries.set(key, created);
    return created;
  }
}

/** A plain (inline) table: not an array, date or section. */
export function isTable(v: TomlValue | TomlSection | undefined): v is TomlTable {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof TomlSection);
}

/** A table under a section: one that itself holds tables gets its own header, a flat one stays inline. */
function childOf(v: TomlValue): TomlValue | TomlSection {
  return isTable(v) && Object.values(v).some((x) => isTable(x)) ? sectionOf(v) : v;
}

/**
 * A parsed table as a section, e.g. `[feature.cuda.pypi-dependencies]` under `[feature]`
 * but `env = { A = "1" }` inline in `[activation]`.
 */
export function sectionOf(table: TomlTable): TomlSection {
  const s = new TomlSection();
  for (const [k, v] of Object.entries(table)) s.set(k, childOf(v));
  return s;
}

/**
 * Adds a parsed document's tables to `root` (each top-level table as a section), descending
 * into sections both sides have. On a key both define as a value, `root` keeps its own: what
 * the generator wrote is what pixi must see.
 */
export function mergeInto(root: TomlSection, table: TomlTable): void {
  mergeLevel(root, table, (v) => (isTable(v) ? sectionOf(v) : v));
}

function mergeLevel(target: TomlSection, table: TomlTable, wrap: (v: TomlValue) => TomlValue | TomlSection): void {
  for (const [k, v] of Object.entries(table)) {
    const have = target.entries.get(k);
    if (have === undefined) target.set(k, wrap(v));
    else if (have instanceof TomlSection && isTable(v)) mergeLevel(have, v, childOf);
  }
}

const BARE_KEY = /^[A-Za-z0-9_-]+$/;

export function formatKey(key: string): string {
  return BARE_KEY.test(key) ? key : formatString(key);
}

const ESCAPES: Record<string, string> = { "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\" };

/** A TOML basic string; control characters TOML forbids raw are written as \uXXXX. */
export function formatString(s: string): string {
  const body = s.replace(/[\u0000-\u001f\u007f"\\]/g, (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
  return `"${body}"`;
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return "nan";
  if (n === Infinity) return "inf";
  if (n === -Infinity) return "-inf";
  // String() gives "1.5", "12", "1e+21": all valid TOML numbers.
  return String(n);
}

/** A value on one line: inline tables and arrays, as TOML 1.0 requires for inline forms. */
export function formatValue(v: TomlValue): string {
  if (typeof v === "string") return formatString(v);
  if (typeof v === "number") return formatNumber(v);
  if (typeof v === "boolean") return v ? "true" : "false";
  // @iarna/toml's local date/time objects override toISOString with their TOML form.
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return `[${v.map(formatValue).join(", ")}]`;
  const pairs = Object.entries(v).map(([k, x]) => `${formatKey(k)} = ${formatValue(x)}`);
  return pairs.length === 0 ? "{}" : `{ ${pairs.join(", ")} }`;
}

function leafLines(s: TomlSection): string[] {
  const lines: string[] = [];
  for (const [k, v] of s.entries) if (!(v instanceof TomlSection)) lines.push(`${formatKey(k)} = ${formatValue(v)}`);
  return lines;
}

function renderSection(path: string[], s: TomlSection, blocks: string[]): void {
  const leaves = leafLines(s);
  const subs = [...s.entries].filter((e): e is [string, TomlSection] => e[1] instanceof TomlSection);
  // A header only holding sub-headers is implied by them; an empty table keeps its header.
  if (leaves.length > 0 || subs.length === 0) blocks.push([`[${path.map(formatKey).join(".")}]`, ...leaves].join("\n"));
  for (const [k, sub] of subs) renderSection([...path, k], sub, blocks);
}

/** Comment text safe on one line: TOML forbids control characters (but tab) in comments. */
function commentLine(text: string): string {
  return `# ${text.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, " ")}`;
}

/** The document: comment lines, root keys, then one block per section, blank-line separated. */
export function renderToml(root: TomlSection, comments: string[] = []): string {
  const blocks: string[] = [];
  if (comments.length > 0) blocks.push(comments.map(commentLine).join("\n"));
  const rootLeaves = leafLines(root);
  if (rootLeaves.length > 0) blocks.push(rootLeaves.join("\n"));
  for (const [k, v] of root.entries) if (v instanceof TomlSection) renderSection([k], v, blocks);
  return `${blocks.join("\n\n")}\n`;
}
