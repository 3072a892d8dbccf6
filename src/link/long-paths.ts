// Windows' MAX_PATH: without long paths enabled, a path of 260 characters or more (the limit
// counts the terminating NUL) cannot be opened by most programs, so an env whose files sit
// deeper than that through a node folder's junction breaks at import time, far from the cause.
// https://learn.microsoft.com/en-us/windows/win32/fileio/maximum-file-path-limitation
import path from "node:path";
import { err, ok, type Result } from "../util/result.ts";
import { walkTree } from "../util/fs.ts";
import type { LinkError } from "./types.ts";

/** The longest usable path without long paths enabled: MAX_PATH (260) less the NUL. */
export const MAX_PATH_CHARS = 259;

/** What turns long paths on (as administrator; Windows 10 1607 and later). */
export const ENABLE_LONG_PATHS = "reg add HKLM\\SYSTEM\\CurrentControlSet\\Control\\FileSystem /v LongPathsEnabled /t REG_DWORD /d 1 /f";

/** The longest path below `dir`, relative to it with the OS separator ("" for an empty or missing folder). Links are not followed. */
export function longestRelPath(dir: string): string {
  let longest = "";
  walkTree(dir, (_e, _abs, rel) => {
    if (rel.length > longest.length) longest = rel;
  });
  return longest;
}

/**
 * Before linking `link` → `target`: the env's longest file, seen through the link and at its
 * real place in the cache, must fit `limit` characters. The error names the longer offender.
 */
export function checkPathLength(link: string, target: string, rel: string, limit: number, sep = path.sep): Result<void, LinkError> {
  if (rel === "") return ok(undefined);
  const candidates = [
    { through: "link" as const, path: link + sep + rel },
    { through: "build" as const, path: target + sep + rel },
  ].sort((a, b) => b.path.length - a.path.length);
  const worst = candidates[0]!;
  if (worst.path.length <= limit) return ok(undefined);
  return err({ kind: "path-too-long", link, target, path: worst.path, length: worst.path.length, limit, through: worst.through });
}
