import fs from "node:fs";
import path from "node:path";
import { ENV_FILE_NAME } from "../config/names.ts";
import { err, ok, type Result } from "../util/result.ts";
import type { EnvVars } from "./isolation.ts";

export type ConfigVarsError = { kind: "config-unreadable"; file: string; message: string };

/**
 * The `[env_vars]` of `<nodeDir>/comfy-env.toml` (values already strings); none when the folder
 * has no config. The parser loads only here, when a worker starts, so `supervise` starts fast.
 */
export async function configEnvVars(nodeDir: string): Promise<Result<EnvVars, ConfigVarsError>> {
  const file = path.join(nodeDir, ENV_FILE_NAME);
  if (!fs.existsSync(file)) return ok({});
  const { loadConfigFile } = await import("../config/parse.ts");
  const loaded = loadConfigFile(file, "env");
  if (loaded.isErr()) {
    const e = loaded.error;
    return err({ kind: "config-unreadable", file, message: "message" in e ? e.message : e.kind });
  }
  return ok(loaded.value.role === "env" ? { ...loaded.value.config.envVars } : {});
}
