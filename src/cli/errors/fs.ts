import type { FsError } from "../../util/fs.ts";
import type { RenderedError } from "./types.ts";

export const DISK_FULL_HINT = "the disk is full: free space on the cache's drive (or choose another with --root / COMFY_ENV_ROOT), then rerun";
// How pixi, rattler and uv word a full disk in their output.
export const DISK_FULL = /No space left on device|os error 28|ENOSPC/i;

export function renderFsError(e: FsError): RenderedError {
  if (e.op === "remove") {
    return { message: `cannot remove ${e.path}: ${e.message}`, hints: ["a program has files under it open (a running ComfyUI, an antivirus scan): close it, then delete that folder or rerun"] };
  }
  return { message: `${e.op} ${e.path} failed: ${e.message}`, hints: e.code === "ENOSPC" ? [DISK_FULL_HINT] : undefined };
}
