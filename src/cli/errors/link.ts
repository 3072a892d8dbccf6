import type { LinkError } from "../../link/index.ts";
import { ENABLE_LONG_PATHS } from "../../link/long-paths.ts";
import type { RenderedError } from "./types.ts";

const RERUN = "then rerun comfy-env install: the finished build is kept, only the link is made";

/** Why creating a link failed, from its error code, in the user's terms. */
function why(e: Extract<LinkError, { kind: "link-failed" }>): string | undefined {
  switch (e.code) {
    case "ENOTSUP":
    case "EOPNOTSUPP":
    case "EINVAL":
    case "ENOSYS":
      return "the node folder's file system cannot hold junctions or symlinks (FAT32/exFAT, a network share, some sync folders, or wine)";
    case "EPERM":
    case "EACCES":
      return "no permission to create it in the node folder";
    case "EROFS":
      return "the node folder is on a read-only file system";
    default:
      return undefined;
  }
}

/**
 * A link error happens after the build is done: every message says so, then why the link
 * could not be made and what fixes it.
 */
export function renderLinkError(e: LinkError): RenderedError {
  const built = `the environment is built (${e.target})`;
  switch (e.kind) {
    case "link-blocked":
      return { message: `${built}, but ${e.link} exists and is not a link`, hints: [`move that folder away (comfy-env only replaces links it made), ${RERUN}`] };
    case "link-failed": {
      const reason = why(e);
      return {
        message: `${built}, but linking it failed: cannot link ${e.link} → ${e.target}`,
        causes: [...(reason ? [reason] : []), e.message],
        hints: [
          reason?.startsWith("the node folder's file system")
            ? `move ComfyUI to a local NTFS (Windows) or ext4/APFS drive, ${RERUN}`
            : reason === undefined
              ? `fix the cause above, ${RERUN}`
              : `fix the folder's permissions, ${RERUN}`,
        ],
      };
    }
    case "path-too-long":
      return {
        message: `${built}, but not linked: its longest file would be ${e.length} characters long ${e.through === "link" ? `through ${e.link}` : "in the cache"}, over Windows' limit of ${e.limit}`,
        causes: [e.path],
        hints: [
          `enable long paths (as administrator): ${ENABLE_LONG_PATHS}`,
          e.through === "link" ? "or move ComfyUI to a shorter folder (C:\\ComfyUI)" : "or choose a shorter cache root: --root C:\\ce or COMFY_ENV_ROOT",
          RERUN,
        ],
      };
  }
}
