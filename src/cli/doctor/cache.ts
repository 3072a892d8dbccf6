import fs from "node:fs";
import path from "node:path";
import { homeDir, hostOs } from "../../util/platform.ts";
import { formatBytes } from "../format.ts";
import type { Check } from "./check.ts";

const LOW_SPACE_BYTES = 20 * 1024 ** 3;

/** The nearest folder of `p` that exists (the cache root may not yet). */
function existingAncestor(p: string): string {
  let cur = path.resolve(p);
  while (!fs.existsSync(cur) && path.dirname(cur) !== cur) cur = path.dirname(cur);
  return cur;
}

/** pixi's package cache: PIXI_CACHE_DIR or RATTLER_CACHE_DIR, else rattler's per-OS default (https://pixi.sh/latest/reference/environment_variables/). */
export function pixiCacheDir(env: Record<string, string | undefined> = process.env): string {
  const set = env.PIXI_CACHE_DIR || env.RATTLER_CACHE_DIR;
  if (set) return path.resolve(set);
  switch (hostOs()) {
    case "windows":
      return path.join(env.LOCALAPPDATA ?? path.join(homeDir(), "AppData", "Local"), "rattler", "cache");
    case "darwin":
      return path.join(homeDir(), "Library", "Caches", "rattler", "cache");
    case "linux":
      return path.join(env.XDG_CACHE_HOME || path.join(homeDir(), ".cache"), "rattler", "cache");
  }
}

export function cacheChecks(root: string, envBytes: number): Check[] {
  const checks: Check[] = [];
  const at = existingAncestor(root);
  try {
    fs.accessSync(at, fs.constants.W_OK);
    checks.push({ group: "cache", name: "root", status: "ok", summary: `${root}${at === root ? "" : " (created by the first install)"}` });
  } catch {
    checks.push({ group: "cache", name: "root", status: "fail", summary: `${at} is not writable`, fix: "choose a cache root you can write: --root DIR or COMFY_ENV_ROOT" });
  }
  const fsStat = fs.statfsSync(at);
  const free = fsStat.bavail * fsStat.bsize;
  checks.push({
    group: "cache",
    name: "free space",
    status: free < LOW_SPACE_BYTES ? "warn" : "ok",
    summary: `${formatBytes(free)} free on the cache root's file system`,
    ...(free < LOW_SPACE_BYTES ? { fix: "a CUDA torch env takes 5-10 GB: free space, run `comfy-env gc`, or move the root (COMFY_ENV_ROOT)" } : {}),
    details: { freeBytes: free },
  });
  const pixiCache = pixiCacheDir();
  const same = fs.statSync(at).dev === fs.statSync(existingAncestor(pixiCache)).dev;
  checks.push(
    same
      ? { group: "cache", name: "hardlinks", status: "ok", summary: `pixi's package cache ${pixiCache} is on the same file system: envs share package files`, details: { pixiCache, sameFileSystem: true } }
      : {
          group: "cache",
          name: "hardlinks",
          status: "warn",
          summary: `pixi's package cache ${pixiCache} is on another file system than ${root}: every env holds its own copy of each package (the ${formatBytes(envBytes)} of envs now are all copies)`,
          fix: `put pixi's cache beside the envs: export PIXI_CACHE_DIR=${path.join(root, ".pixi-cache")} (or move the root next to it with COMFY_ENV_ROOT)`,
          details: { pixiCache, sameFileSystem: false },
        },
  );
  return checks;
}

/**
 * Whether the cache root is on ComfyUI's drive: the envs fill the root's drive, and install puts
 * the default root on ComfyUI's drive (cache/root.ts) so that a small system drive is not filled.
 */
export function comfyuiDriveCheck(root: string, comfyui: string): Check {
  const same = fs.statSync(existingAncestor(root)).dev === fs.statSync(comfyui).dev;
  return same
    ? { group: "cache", name: "drive", status: "ok", summary: `the cache root is on ComfyUI's drive`, details: { comfyui, sameDrive: true } }
    : {
        group: "cache",
        name: "drive",
        status: "warn",
        summary: `the cache root ${root} is on another drive than ComfyUI (${comfyui}): the envs (5-10 GB each with CUDA torch) fill that drive, not ComfyUI's`,
        fix: `if that is not what you want, choose a root on ComfyUI's drive: --root DIR or COMFY_ENV_ROOT (then rerun comfy-env install)`,
        details: { comfyui, sameDrive: false },
      };
}
