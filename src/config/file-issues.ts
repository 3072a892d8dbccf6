// Collects what a config file says wrong, with the line of each key: warnings pile up,
// errors are built here so every one names the file, line and key the same way.
import type { z } from "zod";
import { err, ok, type Result } from "../util/result.ts";
import { lineOfKey, scanKeyLines, type KeyLine } from "./locate.ts";
import { isTable } from "./toml-text.ts";
import type { ConfigError, ConfigWarning, TomlValue } from "./types.ts";

export type KeyPath = readonly (string | number)[];

export class FileIssues {
  readonly warnings: ConfigWarning[] = [];
  private readonly lines: KeyLine[];

  constructor(
    readonly file: string,
    readonly source: string,
  ) {
    this.lines = scanKeyLines(source);
  }

  lineOf(path: KeyPath): number | undefined {
    return lineOfKey(this.lines, path);
  }

  warn(path: KeyPath, message: string): void {
    this.warnings.push(withLine({ file: this.file, key: dotted(path), message }, this.lineOf(path)));
  }

  invalid(path: KeyPath, message: string, hint?: string): ConfigError {
    const e: ConfigError = { kind: "invalid-value", file: this.file, key: dotted(path), message };
    const line = this.lineOf(path);
    if (line !== undefined) e.line = line;
    if (hint !== undefined) e.hint = hint;
    return e;
  }

  /**
   * Checks `value` (found at `at`) against a zod schema; the first issue becomes an
   * `invalid-value` at the deepest key zod names (`inner`: that key below `at`). Schemas word their messages so they read
   * after the key ("must be a table, not a number").
   */
  check<T>(schema: z.ZodType<T>, value: unknown, at: KeyPath, hint?: (key: string, inner: KeyPath) => string): Result<T, ConfigError> {
    const r = schema.safeParse(value);
    if (r.success) return ok(r.data);
    const issue = r.error.issues[0];
    const inner = (issue?.path ?? []).map((p) => (typeof p === "symbol" ? String(p.description) : p));
    const path = [...at, ...inner];
    const key = dotted(path);
    return err(this.invalid(path, `${key} ${issue?.message ?? "is not valid"}`, hint?.(key, inner)));
  }
}

function withLine(w: ConfigWarning, line: number | undefined): ConfigWarning {
  if (line !== undefined) w.line = line;
  return w;
}

/** `["target", "linux-64", "dependencies"]` → `target.linux-64.dependencies`. */
export function dotted(path: KeyPath): string {
  return path.map(String).join(".");
}

/** How a key is named in messages: `[apt]` for a table, `name` for a plain value. */
export function label(path: KeyPath, value: TomlValue): string {
  return isTable(value) ? `[${dotted(path)}]` : dotted(path);
}

/** Short description of a TOML value for messages: `a number (3.1)`, `an array`. */
export function describeValue(v: unknown): string {
  if (Array.isArray(v)) return "an array";
  if (v instanceof Date) return "a date";
  if (typeof v === "string") return `a string (${JSON.stringify(v)})`;
  if (typeof v === "number") return `a number (${v})`;
  if (typeof v === "boolean") return `a boolean (${v})`;
  if (typeof v === "object" && v !== null) return "a table";
  return typeof v;
}
