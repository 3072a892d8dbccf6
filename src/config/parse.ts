// Entry points of the config layer: file bytes → typed config plus warnings, or one error.
import fs from "node:fs";
import { err, messageOf, ok, type Result } from "../util/result.ts";
import { readEnvConfig } from "./env-config.ts";
import { FileIssues } from "./file-issues.ts";
import { readRootConfig } from "./root-config.ts";
import { normalizeSource, parseToml } from "./toml-text.ts";
import type { ConfigError, ConfigRole, LoadedConfig } from "./types.ts";
import { roleFromFileName } from "./names.ts";

export { ENV_FILE_NAME, ROOT_FILE_NAME, roleFromFileName } from "./names.ts";

/** Reads and interprets one config file; `role` defaults to the one its name gives. */
export function loadConfigFile(file: string, role: ConfigRole = roleFromFileName(file)): Result<LoadedConfig, ConfigError> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(file));
  } catch (e) {
    return err({ kind: "read-failed", file, message: messageOf(e) });
  }
  return parseConfigBytes(bytes, file, role);
}

/** Interprets a config file's bytes, which must be UTF-8 (TOML is): anything else is an error at its line. */
export function parseConfigBytes(bytes: Uint8Array, file: string, role: ConfigRole): Result<LoadedConfig, ConfigError> {
  const text = decodeUtf8(bytes, file);
  return text.isErr() ? err(text.error) : interpret(text.value, bytes, file, role);
}

/** Strict UTF-8; the error names the line and column of the first byte that is not. */
function decodeUtf8(bytes: Uint8Array, file: string): Result<string, ConfigError> {
  try {
    return ok(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    // Configs are small: feed bytes one at a time until the decoder refuses one.
    const d = new TextDecoder("utf-8", { fatal: true });
    let at = 0;
    try {
      for (; at < bytes.length; at++) d.decode(bytes.subarray(at, at + 1), { stream: true });
      d.decode();
    } catch {}
    const before = bytes.subarray(0, at);
    const line = before.filter((b) => b === 0x0a).length + 1;
    const column = at - before.lastIndexOf(0x0a);
    const byte = (bytes[at] ?? 0).toString(16).padStart(2, "0");
    return err({ kind: "toml-syntax", file, line, column, message: `invalid UTF-8 (byte 0x${byte}): a config file must be UTF-8 text` });
  }
}

/** Interprets config text as if read from `file` (bytes = its UTF-8 encoding). */
export function parseConfigText(text: string, file: string, role: ConfigRole): Result<LoadedConfig, ConfigError> {
  return interpret(text, new TextEncoder().encode(text), file, role);
}

function interpret(text: string, bytes: Uint8Array, file: string, role: ConfigRole): Result<LoadedConfig, ConfigError> {
  const source = normalizeSource(text);
  const doc = parseToml(source, file);
  if (doc.isErr()) return err(doc.error);
  const issues = new FileIssues(file, source);
  if (role === "root") {
    return readRootConfig(doc.value, issues).andThen((config) => ok({ role, config, bytes, warnings: issues.warnings }));
  }
  return readEnvConfig(doc.value, issues).andThen((config) => ok({ role, config, bytes, warnings: issues.warnings }));
}
