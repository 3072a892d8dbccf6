import fs from "node:fs";
import path from "node:path";
import { normalizeWin32, pathKey } from "./compare.ts";
import { MAX_PATH_CHARS } from "./long-paths.ts";
import type { Linker } from "./types.ts";

export const windowsLinker: Linker = {
  kind: "junction",
  create(target, link) {
    // Junction targets must be absolute with backslashes.
    fs.symlinkSync(normalizeWin32(path.win32.resolve(target)), link, "junction");
  },
  read(link) {
    try {
      return normalizeWin32(fs.readlinkSync(link));
    } catch {
      return undefined;
    }
  },
  pointsAt(link, target) {
    const current = this.read(link);
    return current !== undefined && pathKey(current, "windows") === pathKey(path.win32.resolve(target), "windows");
  },
  remove(link) {
    // rmdir on a junction removes the reparse point only (RemoveDirectoryW never recurses).
    fs.rmdirSync(link);
  },
  pathLimit() {
    longPaths ??= longPathsEnabled();
    return longPaths ? undefined : MAX_PATH_CHARS;
  },
};

let longPaths: boolean | undefined;

/** `LongPathsEnabled` = 1 in HKLM\SYSTEM\CurrentControlSet\Control\FileSystem (Windows 10 1607+); unreadable counts as off. */
export function longPathsEnabled(): boolean {
  try {
    const r = Bun.spawnSync(["reg", "query", "HKLM\\SYSTEM\\CurrentControlSet\\Control\\FileSystem", "/v", "LongPathsEnabled"], { stdout: "pipe", stderr: "ignore" });
    return r.exitCode === 0 && parseLongPathsEnabled(r.stdout.toString());
  } catch {
    return false;
  }
}

/** `reg query` prints `    LongPathsEnabled    REG_DWORD    0x1`. */
export function parseLongPathsEnabled(regOutput: string): boolean {
  return /LongPathsEnabled\s+REG_DWORD\s+0x0*1\b/i.test(regOutput);
}
