// Whether two paths name the same folder, by the rules of the OS that owns them: a link target
// written as `c:\CE\_env_x` is the build at `C:/ce/_env_x`, and so is one reached through a
// junction or symlink on the way.
import fs from "node:fs";
import path from "node:path";
import { hostOs, type OsFamily } from "../util/platform.ts";

/** A Windows path with backslashes, without the `\\?\` prefix or a trailing separator (readlink of a junction adds one, libuv). */
export function normalizeWin32(p: string): string {
  let s = path.win32.normalize(p.replace(/^\\\\\?\\/, ""));
  while (s.length > 3 && s.endsWith("\\")) s = s.slice(0, -1);
  return s;
}

/**
 * `p` in the form its OS compares paths: NTFS and default (case-insensitive) APFS/HFS+ volumes
 * ignore case; APFS also ignores Unicode normalization. Linux compares bytes.
 */
export function pathKey(p: string, os: OsFamily): string {
  switch (os) {
    case "windows":
      return normalizeWin32(p).toLowerCase();
    case "darwin":
      return path.posix.normalize(p).replace(/(.)\/+$/, "$1").normalize("NFC").toLowerCase();
    case "linux":
      return path.posix.normalize(p).replace(/(.)\/+$/, "$1");
  }
}

/** The real path (junctions and symlinks resolved), or the path itself when it does not exist. */
export function realOrSelf(p: string): string {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return p;
  }
}

/** Whether `a` and `b` are one folder: both resolved through links, then compared as `os` does. */
export function sameLocation(a: string, b: string, os: OsFamily = hostOs(), real: (p: string) => string = realOrSelf): boolean {
  return pathKey(real(a), os) === pathKey(real(b), os);
}
