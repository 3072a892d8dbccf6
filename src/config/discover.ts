// Finds the config files of a node pack, and the packs of a ComfyUI install that have any.
import fs from "node:fs";
import path from "node:path";
import { err, messageOf, ok, type Result } from "../util/result.ts";
import { ENV_FILE_NAME, ROOT_FILE_NAME } from "./names.ts";
import type { ConfigError, ConfigFile } from "./types.ts";

/** Folders never searched: VCS/tool dirs, `_env_*` links, caches. */
function skipDir(name: string): boolean {
  return name.startsWith(".") || name.startsWith("_") || name === "node_modules" || name === "__pycache__";
}

/**
 * Every `comfy-env.toml` in `packDir` and its sub-folders (role env), plus
 * `comfy-env-root.toml` at the pack root (role root), root file first, then folders
 * depth-first in sorted order. Symlinked folders are not followed.
 */
export function discoverPack(packDir: string): Result<ConfigFile[], ConfigError> {
  const root = path.resolve(packDir);
  const top = readDir(root);
  if (top.isErr()) return err(top.error);
  const found: ConfigFile[] = [];
  const rootFile = top.value.find((e) => e.name === ROOT_FILE_NAME && e.isFile());
  if (rootFile) found.push({ path: path.join(root, ROOT_FILE_NAME), dir: root, role: "root" });
  const walked = walk(root, top.value, found);
  if (walked.isErr()) return err(walked.error);
  if (found.length === 0) return err({ kind: "no-config", dir: root });
  return ok(found);
}

function walk(dir: string, entries: fs.Dirent[], found: ConfigFile[]): Result<void, ConfigError> {
  if (entries.some((e) => e.name === ENV_FILE_NAME && e.isFile())) {
    found.push({ path: path.join(dir, ENV_FILE_NAME), dir, role: "env" });
  }
  for (const e of entries) {
    if (!e.isDirectory() || skipDir(e.name)) continue;
    const sub = path.join(dir, e.name);
    const inner = readDir(sub);
    if (inner.isErr()) return err(inner.error);
    const r = walk(sub, inner.value, found);
    if (r.isErr()) return r;
  }
  return ok(undefined);
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
