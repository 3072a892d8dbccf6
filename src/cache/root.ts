import fs from "node:fs";
import path from "node:path";
import { homeDir, hostOs, type OsFamily } from "../util/platform.ts";
import { readEnv } from "../util/env.ts";
import { findPortableNear } from "../util/portable.ts";
import { err, ok, type Result } from "../util/result.ts";

export type RootError = { kind: "low-disk-space"; root: string; freeBytes: number; neededBytes: number };

/**
 * The default cache root. Unix: `~/.ce`. Windows: `C:/ce`, short because conda environments
 * easily pass MAX_PATH under a user profile; but when the ComfyUI being installed (`anchor`: the
 * portable or the pack) is on another local drive, `<drive>:/ce` on that drive, so pixi's package
 * cache can hardlink into the envs (hardlinks never cross volumes) and a small system drive is
 * not filled. A UNC path has no drive letter and keeps the system drive.
 */
export function defaultRoot(os: OsFamily, home: string, anchor?: string, systemDrive = "C:"): string {
  if (os !== "windows") return path.join(home, ".ce");
  const drive = anchor === undefined ? undefined : /^([A-Za-z]):/.exec(path.win32.resolve(anchor))?.[1];
  const system = systemDrive.replace(/[\\/:]+$/, "").toUpperCase();
  return drive !== undefined && drive.toUpperCase() !== system ? `${drive.toUpperCase()}:/ce` : `${system}:/ce`;
}

/**
 * The cache root: `--root`, then COMFY_ENV_ROOT, then `defaultRoot` for the ComfyUI at `anchor`
 * (install passes the portable or pack; status and gc, given none, use the portable near the
 * current folder or comfy-env.exe, else the current folder, so they find what install built).
 */
export function cacheRoot(flag?: string, env: Record<string, string | undefined> = process.env, anchor?: string): string {
  const chosen = flag ?? readEnv("COMFY_ENV_ROOT", env);
  if (chosen) return path.resolve(chosen);
  const os = hostOs();
  if (os !== "windows") return defaultRoot(os, homeDir());
  const near = anchor ?? findPortableNear(process.cwd())?.portable.root ?? process.cwd();
  return defaultRoot(os, homeDir(), near, env.SystemDrive ?? env.SYSTEMDRIVE);
}

/** Free space a build asks for by default: a CPU torch env is about 1.5 GB, pixi's cache more. */
const DEFAULT_MIN_FREE_GB = 2;

/** Bytes free to this user on the volume of `p` (its nearest existing ancestor), or undefined if unknown. */
export function freeBytes(p: string): number | undefined {
  for (let dir = path.resolve(p); ; dir = path.dirname(dir)) {
    try {
      const s = fs.statfsSync(dir);
      return s.bavail * s.bsize;
    } catch {
      if (path.dirname(dir) === dir) return undefined;
    }
  }
}

/**
 * Refuse to start a build on a volume with less than COMFY_ENV_MIN_FREE_GB (default 2) free:
 * a build that fills the disk fails late, halfway through pixi, and can leave the drive full.
 * `0` turns the check off; a volume whose free space cannot be read is not refused.
 */
export function checkFreeSpace(root: string, env: Record<string, string | undefined> = process.env, free = freeBytes): Result<void, RootError> {
  const gb = Number(readEnv("COMFY_ENV_MIN_FREE_GB", env) ?? DEFAULT_MIN_FREE_GB);
  if (!(gb > 0)) return ok(undefined);
  const neededBytes = gb * 1024 ** 3;
  const have = free(root);
  return have === undefined || have >= neededBytes ? ok(undefined) : err({ kind: "low-disk-space", root, freeBytes: have, neededBytes });
}
