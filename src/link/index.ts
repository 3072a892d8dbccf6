import { hostOs } from "../util/platform.ts";
import { codeOf, err, ok, type Result, messageOf } from "../util/result.ts";
import { checkPathLength, longestRelPath } from "./long-paths.ts";
import { lstatOrUndefined } from "../util/fs.ts";
import { posixLinker } from "./posix.ts";
import { windowsLinker } from "./windows.ts";
import type { LinkError, Linker } from "./types.ts";

export type { LinkError, Linker } from "./types.ts";

/** The linker of this OS, chosen once. */
export const hostLinker: Linker = hostOs() === "windows" ? windowsLinker : posixLinker;

/**
 * Make `link` point at `target`. An existing link elsewhere (a stale build) is replaced; only
 * the link is removed, never its target. A real file or folder in the way is an error, and so
 * (before anything changes) is an env whose deepest file the OS could not open through the link.
 */
export function ensureLink(target: string, link: string, linker: Linker = hostLinker): Result<"created" | "kept" | "replaced", LinkError> {
  const st = lstatOrUndefined(link);
  let outcome: "created" | "replaced" = "created";
  if (st) {
    if (linker.read(link) === undefined) return err({ kind: "link-blocked", link, target });
    if (linker.pointsAt(link, target)) return ok("kept");
  }
  const limit = linker.pathLimit();
  if (limit !== undefined) {
    const fits = checkPathLength(link, target, longestRelPath(target), limit);
    if (fits.isErr()) return err(fits.error);
  }
  if (st) {
    try {
      linker.remove(link);
    } catch (e) {
      return err({ kind: "link-failed", link, target, code: codeOf(e), message: messageOf(e) });
    }
    outcome = "replaced";
  }
  try {
    linker.create(target, link);
  } catch (e) {
    return err({ kind: "link-failed", link, target, code: codeOf(e), message: messageOf(e) });
  }
  return ok(outcome);
}

/** Where a link points, or undefined if `link` is not one. */
export function readLink(link: string, linker: Linker = hostLinker): string | undefined {
  return linker.read(link);
}

/** Remove `link` if it is a link (never a real file or folder, never what it points at). */
export function removeLink(link: string, linker: Linker = hostLinker): Result<boolean, LinkError> {
  const target = linker.read(link);
  if (target === undefined) return ok(false);
  try {
    linker.remove(link);
    return ok(true);
  } catch (e) {
    return err({ kind: "link-failed", link, target, message: messageOf(e) });
  }
}
