import type { CacheError } from "../../cache/errors.ts";
import { formatBytes } from "../format.ts";
import { DISK_FULL, DISK_FULL_HINT } from "./fs.ts";
import type { RenderedError } from "./types.ts";

const WRITABLE_HINT = "check that the cache folder is writable, or choose another with --root / COMFY_ENV_ROOT";

export function renderCacheError(e: CacheError): RenderedError {
  switch (e.kind) {
    case "lock-io":
      return { message: `cannot take the build lock at ${e.path}: ${e.message}`, hints: [DISK_FULL.test(e.message) ? DISK_FULL_HINT : WRITABLE_HINT] };
    case "low-disk-space":
      return {
        message: `only ${formatBytes(e.freeBytes)} free for the cache at ${e.root}; a build needs ${formatBytes(e.neededBytes)}`,
        hints: ["free some space, or put the cache on a drive with room: --root DIR or COMFY_ENV_ROOT (on Windows, the drive ComfyUI is on); COMFY_ENV_MIN_FREE_GB=0 skips this check"],
      };
    case "links-unreadable":
      return {
        message: `cannot read the link records in ${e.path}: ${e.message}`,
        hints: ["gc keeps a build whose links it cannot read: fix the folder's permissions (or remove the build yourself), then rerun"],
      };
    case "link-record-failed":
      return { message: `cannot record the link in ${e.path}: ${e.message}`, hints: [DISK_FULL.test(e.message) ? DISK_FULL_HINT : WRITABLE_HINT] };
  }
}
