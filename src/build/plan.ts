import path from "node:path";
import { discoverPack } from "../config/discover.ts";
import { loadConfigFile } from "../config/parse.ts";
import type { ConfigError, ConfigWarning } from "../config/types.ts";
import { err, ok, type Result } from "../util/result.ts";
import type { EnvToBuild } from "./env.ts";

export interface PackPlan {
  packDir: string;
  envs: EnvToBuild[];
  warnings: ConfigWarning[];
}

/**
 * Read every config of the given packs before anything is built, so one broken file stops the
 * run with the cache untouched.
 */
export function planPacks(packDirs: string[]): Result<PackPlan[], ConfigError> {
  const plans: PackPlan[] = [];
  for (const raw of packDirs) {
    const packDir = path.resolve(raw);
    const files = discoverPack(packDir);
    if (files.isErr()) return err(files.error);
    const plan: PackPlan = { packDir, envs: [], warnings: [] };
    for (const file of files.value) {
      const loaded = loadConfigFile(file.path, file.role);
      if (loaded.isErr()) return err(loaded.error);
      plan.warnings.push(...loaded.value.warnings);
      if (loaded.value.role !== "env") continue;
      const rel = path.relative(packDir, file.dir).split(path.sep).join("/");
      plan.envs.push({
        file,
        config: loaded.value.config,
        bytes: loaded.value.bytes,
        label: rel ? `${path.basename(packDir)}/${rel}` : path.basename(packDir),
      });
    }
    plans.push(plan);
  }
  return ok(plans);
}
