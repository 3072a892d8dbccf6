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
  return interpret(new TextDecoder().decode(bytes), bytes, file, role);
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
