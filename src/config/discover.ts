// Finds the config files of a node pack, and the packs of a ComfyUI install that have any.
import fs from "node:fs";
import path from "node:path";
import { err, messageOf, ok, type Result } from "../util/result.ts";
import { ENV_FILE_NAME, ROOT_FILE_NAME } from "./names.ts";
import type { ConfigError, ConfigFile } from "./types.ts";

/** Folders under nodes/ never searched: VCS/tool dirs, `_env_*` links, caches. */
function skipDir(name: string): boolean {
  return name.startsWith(".") || name.startsWith("_") || name === "node_modules" || name === "__pycache__";
}

/** The folder of a pack holding its node folders; install, like the Python comfy-env, looks only there. */
const NODES_DIR = "nodes";

/** The pack a config folder found by discoverPack belongs to: the folder itself, or the one above `nodes/` or `nodes/<sub>/`. */
export function packDirOfConfigDir(configDir: string): string {
  const dir = path.resolve(configDir);
  if (path.basename(dir) === NODES_DIR) return path.dirname(dir);
  if (path.basename(path.dirname(dir)) === NODES_DIR) return path.dirname(path.dirname(dir));
  return dir;
}

/**
 * The configs of the pack at `packDir`, only where a pack's configs can be: its
 * `comfy-env-root.toml` (role root) and `comfy-env.toml` at the pack root, then
 * `nodes/comfy-env.toml` and `nodes/<sub>/comfy-env.toml` for each sub-folder in sorted order
 * (role env). Nothing deeper is read, so a folder that is not a pack (a user profile, a drive
 * root) costs three directory reads, and a pack's vendored or test trees are never taken for
 * envs. Symlinked folders are not followed.
 */
export function discoverPack(packDir: string): Result<ConfigFile[], ConfigError> {
  const root = path.resolve(packDir);
  const top = readDir(root);
  if (top.isErr()) return err(top.error);
  const found: ConfigFile[] = [];
  if (hasFile(top.value, ROOT_FILE_NAME)) found.push({ path: path.join(root, ROOT_FILE_NAME), dir: root, role: "root" });
  addEnv(root, top.value, found);
  if (top.value.some((e) => e.name === NODES_DIR && e.isDirectory())) {
    const nodes = path.join(root, NODES_DIR);
    const entries = readDir(nodes);
    if (entries.isErr()) return err(entries.error);
    addEnv(nodes, entries.value, found);
    for (const e of entries.value) {
      if (!e.isDirectory() || skipDir(e.name)) continue;
      const sub = path.join(nodes, e.name);
      const inner = readDir(sub);
      if (inner.isErr()) return err(inner.error);
      addEnv(sub, inner.value, found);
    }
  }
  if (found.length === 0) return err({ kind: "no-config", dir: root });
  return ok(found);
}

function hasFile(entries: fs.Dirent[], name: string): boolean {
  return entries.some((e) => e.name === name && e.isFile());
}

function addEnv(dir: string, entries: fs.Dirent[], found: ConfigFile[]): void {
  if (hasFile(entries, ENV_FILE_NAME)) found.push({ path: path.join(dir, ENV_FILE_NAME), dir, role: "env" });
}

/** Entries sorted by name (code-unit order, the same on every OS and locale). */
function readDir(dir: string): Result<fs.Dirent[], ConfigError> {
  try {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    return ok(entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)));
  } catch (e) {
    return err({ kind: "read-failed", file: dir, message: messageOf(e) });
  }
}

/**
 * Pack folders under `<comfyuiDir>/custom_nodes` that hold a comfy-env config, sorted.
 * Skips files, names starting with `.` or `_`, and disabled packs (`*.disabled`, `*._disabled`).
 * A symlinked pack folder counts (people link packs they develop); a pack whose folders
 * cannot be read is kept, so installing it reports why.
 */
export function listPacks(comfyuiDir: string): Result<string[], ConfigError> {
  const nodesDir = path.resolve(comfyuiDir, "custom_nodes");
  const entries = readDir(nodesDir);
  if (entries.isErr()) return err(entries.error);
  const packs: string[] = [];
  for (const e of entries.value) {
    if (e.name.startsWith(".") || e.name.startsWith("_") || e.name.endsWith(".disabled") || e.name.endsWith("._disabled")) continue;
    const dir = path.join(nodesDir, e.name);
    if (!isDirectory(dir)) continue;
    const configs = discoverPack(dir);
    if (configs.isOk() || configs.error.kind !== "no-config") packs.push(dir);
  }
  return ok(packs);
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false; // a dangling link is not a pack
  }
}
