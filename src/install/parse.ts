import { loadConfigFile, parseConfigBytes } from "../config/parse.ts";
import type { ConfigError, ConfigFile, ConfigWarning, EnvConfig } from "../config/types.ts";
import { err, ok, type Result } from "../util/result.ts";
import type { FoundEnv } from "./find.ts";

/** An env config parsed and ready to build. */
export interface EnvToBuild extends FoundEnv {
  config: EnvConfig;
}

/**
 * Parse every config that needs building (and the packs' root files) before anything is built,
 * so one broken file stops the run with the cache untouched.
 */
export function loadEnvs(envs: FoundEnv[], roots: ConfigFile[]): Result<{ envs: EnvToBuild[]; warnings: ConfigWarning[] }, ConfigError> {
  const warnings: ConfigWarning[] = [];
  for (const root of roots) {
    const loaded = loadConfigFile(root.path, "root");
    if (loaded.isErr()) return err(loaded.error);
    warnings.push(...loaded.value.warnings);
  }
  const ready: EnvToBuild[] = [];
  for (const env of envs) {
    // Parse the very bytes that were hashed.
    const loaded = parseConfigBytes(env.bytes, env.file.path, "env");
    if (loaded.isErr()) return err(loaded.error);
    warnings.push(...loaded.value.warnings);
    if (loaded.value.role === "env") ready.push({ ...env, config: loaded.value.config });
  }
  return ok({ envs: ready, warnings });
}
