// The one place that calls @iarna/toml: it throws on bad input, so wrap it here and hand out
// plain data (its tables have null prototypes and symbol tags, and huge ints come as BigInt).
import TOML from "@iarna/toml";
import { err, ok, type Result } from "../util/result.ts";
import type { ConfigError, TomlTable, TomlValue } from "./types.ts";

/** Source text as the scanners see it: BOM dropped, CRLF folded to LF (same line numbers). */
export function normalizeSource(text: string): string {
  // @iarna/toml rejects a CR at the end of a comment line, which real CRLF files have (tomllib reads them).
  return text.replace(/^\uFEFF/, "").replace(/\r\n/g, "\n");
}

/** Parses normalized TOML text; syntax errors become `toml-syntax` with 1-based line and column. */
export function parseToml(source: string, file: string): Result<TomlTable, ConfigError> {
  try {
    return ok(toPlainTable(TOML.parse(source) as unknown as Record<string, unknown>));
  } catch (e) {
    return err(syntaxError(e, file));
  }
}

function syntaxError(e: unknown, file: string): ConfigError {
  const raw = e instanceof Error ? e.message : String(e);
  // The first line reads "<what> at row R, col C, pos P:"; the position is reported separately.
  const message = (raw.split("\n")[0] ?? raw).replace(/ at row \d+, col \d+, pos \d+:?$/, "").trim();
  const pos = e as { line?: unknown; col?: unknown };
  const line = typeof pos.line === "number" ? pos.line + 1 : 1;
  const column = typeof pos.col === "number" ? pos.col + 1 : 1;
  return { kind: "toml-syntax", file, line, column, message };
}

function toPlainTable(t: Record<string, unknown>): TomlTable {
  // fromEntries defines own properties, so a key named `__proto__` stays a plain key.
  return Object.fromEntries(Object.keys(t).map((k) => [k, toPlain(t[k])]));
}

function toPlain(v: unknown): TomlValue {
  if (Array.isArray(v)) return v.map(toPlain);
  if (typeof v === "bigint") return Number(v);
  if (v instanceof Date) return v;
  if (typeof v === "object" && v !== null) return toPlainTable(v as Record<string, unknown>);
  return v as TomlValue;
}

/** A TOML table (not an array, not a date). */
export function isTable(v: unknown): v is TomlTable {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
