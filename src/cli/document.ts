import type { RenderedError } from "./errors/types.ts";

/**
 * Version of the --json envelope and of every command's keys (docs/json.md). A launcher checks
 * it; it goes up when a key is removed or changes meaning, not when one is added.
 */
export const JSON_SCHEMA = 1;

/** The envelope every command's document shares: schema, command, ok, exitCode, then the command's own keys. */
export function envelope(command: string, body: Record<string, unknown>, exitCode: number): Record<string, unknown> {
  return { schema: JSON_SCHEMA, command, ok: exitCode === 0, exitCode, ...body };
}

/** The `error` object of a failed command's document. */
export interface ErrorDoc {
  kind: string;
  message: string;
  causes: string[];
  hints: string[];
  file?: string;
  line?: number;
}

export function errorDoc(r: RenderedError, kind: string): ErrorDoc {
  return {
    kind,
    message: r.message,
    causes: r.causes ?? [],
    hints: r.hints ?? [],
    ...(r.file !== undefined ? { file: r.file } : {}),
    ...(r.line !== undefined ? { line: r.line } : {}),
  };
}
