// What a `comfy-env-root.toml` means: pack-level settings, socket types and the node packs
// it needs. Env keys that real packs left in their root file only warn.
import { err, ok, type Result } from "../util/result.ts";
import { label, type FileIssues } from "./file-issues.ts";
import { readNodeReqs } from "./node-reqs.ts";
import { boolSchema, budgetSchema, socketTypesSchema, tableSchema } from "./schemas.ts";
import type { ConfigError, RootConfig, TomlTable, TomlValue } from "./types.ts";

/** `[settings]` keys, each a bool except the VRAM budget (GB). */
export const KNOWN_SETTINGS = ["auto_install", "install_isolated", "isolate", "pool_ipc", "worker_vram_budget"] as const;

/** Keys of an env `comfy-env.toml` that packs also put into their root file. */
const ENV_KEYS = new Set([
  "python",
  "schema",
  "cuda",
  "dependencies",
  "pypi-dependencies",
  "target",
  "env_vars",
  "options",
  "workspace",
  "system-requirements",
  "pypi-options",
  "activation",
  "tasks",
  "host-dependencies",
  "build-dependencies",
  "packages",
  "env",
]);
const SYSTEM_PACKAGES = new Set(["apt", "brew", "system"]);

export function readRootConfig(doc: TomlTable, issues: FileIssues): Result<RootConfig, ConfigError> {
  const cfg: RootConfig = { file: issues.file, settings: {}, types: {}, nodeReqs: [] };
  for (const [key, value] of Object.entries(doc)) {
    const path = [key];
    if (key === "settings") {
      const r = readSettings(value, issues, cfg.settings);
      if (r.isErr()) return err(r.error);
    } else if (key === "types") {
      const r = issues.check(socketTypesSchema, value, path, typesHint);
      if (r.isErr()) return err(r.error);
      Object.assign(cfg.types, r.value);
    } else if (key === "node_reqs" || key === "node_packs") {
      const r = issues.check(tableSchema, value, path, () => `write it as a [${key}] table of Name = "owner/repo" entries`);
      if (r.isErr()) return err(r.error);
      const read = readNodeReqs(key, r.value, issues, cfg.nodeReqs);
      if (read.isErr()) return err(read.error);
    } else {
      const name = label(path, value);
      if (SYSTEM_PACKAGES.has(key)) issues.warn(path, `${name} is not used by comfy-env: install system packages yourself (ignored)`);
      else if (ENV_KEYS.has(key)) issues.warn(path, `${name} belongs in comfy-env.toml; ignored in comfy-env-root.toml`);
      else issues.warn(path, `${name} is not used in comfy-env-root.toml (known: node_packs, node_reqs, settings, types); ignored`);
    }
  }
  return ok(cfg);
}

function readSettings(value: TomlValue, issues: FileIssues, into: RootConfig["settings"]): Result<void, ConfigError> {
  const t = issues.check(tableSchema, value, ["settings"], () => "write it as a [settings] table, e.g. isolate = true");
  if (t.isErr()) return err(t.error);
  for (const [key, v] of Object.entries(t.value)) {
    const path = ["settings", key];
    if (!(KNOWN_SETTINGS as readonly string[]).includes(key)) {
      issues.warn(path, `unrecognized key '${key}' in [settings] (known: ${KNOWN_SETTINGS.join(", ")}); ignored`);
      continue;
    }
    const r =
      key === "worker_vram_budget"
        ? issues.check(budgetSchema, v, path, () => "write worker_vram_budget = 8 (GB; 0 = auto)")
        : issues.check(boolSchema, v, path, () => `write ${key} = true or ${key} = false`);
    if (r.isErr()) return err(r.error);
    into[key] = r.value;
  }
  return ok(undefined);
}

function typesHint(_key: string, inner: readonly (string | number)[]): string {
  if (inner.length === 0) return 'write it as a [types] table, e.g. TRIMESH = "custom"';
  return `use "builtin" for a socket type ComfyUI already moves between processes, "custom" for one your serialization.py handles`;
}
