import type { ConfigError, ConfigWarning } from "../../config/types.ts";
import type { RenderedError } from "./types.ts";

function where(file: string, line?: number, column?: number): string {
  if (line === undefined) return file;
  return column === undefined ? `${file}:${line}` : `${file}:${line}:${column}`;
}

export function renderConfigError(e: ConfigError): RenderedError {
  switch (e.kind) {
    case "read-failed":
      return { message: `cannot read ${e.file}: ${e.message}`, file: e.file };
    case "toml-syntax":
      return {
        message: `${where(e.file, e.line, e.column)}: invalid TOML: ${e.message}`,
        hints: ["fix the line above; nothing was built and the cache is untouched"],
        file: e.file,
        line: e.line,
      };
    case "invalid-value":
      return {
        message: `${where(e.file, e.line)}: \`${e.key}\`: ${e.message}`,
        hints: e.hint ? [e.hint] : undefined,
        file: e.file,
        line: e.line,
      };
    case "no-config":
      return {
        message: `no comfy-env.toml found in ${e.dir}`,
        hints: ["a node folder that needs its own environment holds a comfy-env.toml; run this on a node pack folder"],
      };
  }
}

export function renderConfigWarning(w: ConfigWarning): string {
  return `${where(w.file, w.line)}: \`${w.key}\`: ${w.message}`;
}
