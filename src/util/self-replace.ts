// The running comfy-env executable: whether it is one (compiled) and where, and swapping it
// for a new file next to it so that a crash or power cut at any point leaves one complete
// executable at the original path.
import fs from "node:fs";
import { hostOs, type OsFamily } from "./platform.ts";
import { codeOf, err, messageOf, ok, type Result } from "./result.ts";

export type ReplaceError = { kind: "replace-failed"; path: string; code?: string; message: string };

/** Where Windows' running exe is moved to; removed by the next update (a running exe cannot be deleted). */
export function asideName(exe: string): string {
  return `${exe}.old`;
}

function failed(p: string, e: unknown): Result<never, ReplaceError> {
  return err({ kind: "replace-failed", path: p, code: codeOf(e), message: messageOf(e) });
}

/**
 * Put `fresh` (a verified file in the same folder) at `exe`. POSIX renames over the running
 * file in one step (the running process keeps its inode). Windows cannot replace a running
 * exe but can rename it, so it moves aside first and is moved back if the second rename fails.
 */
export function replaceExecutable(exe: string, fresh: string, os: OsFamily = hostOs()): Result<void, ReplaceError> {
  if (os !== "windows") {
    try {
      fs.renameSync(fresh, exe);
      return ok(undefined);
    } catch (e) {
      return failed(exe, e);
    }
  }
  const aside = asideName(exe);
  try {
    fs.rmSync(aside, { force: true });
  } catch {
    // Still running from the previous update: renaming over it fails below with a clear error.
  }
  try {
    fs.renameSync(exe, aside);
  } catch (e) {
    return failed(exe, e);
  }
  try {
    fs.renameSync(fresh, exe);
    return ok(undefined);
  } catch (e) {
    try {
      fs.renameSync(aside, exe);
    } catch {
      // Nothing better to do: the error below names the path, and the old exe is at `aside`.
    }
    return failed(exe, e);
  }
}

/** Inside a `bun build --compile` executable the entry point lives in Bun's virtual file system. */
export function isCompiled(main: string = Bun.main): boolean {
  return main.startsWith("/$bunfs/") || /^B:[\\/]~BUN[\\/]/.test(main) || main.startsWith("file:///B:/~BUN/");
}

/** The running executable's file, through any symlink (~/.local/bin/comfy-env → the real file). */
export function runningExecutable(): string {
  try {
    return fs.realpathSync(process.execPath);
  } catch {
    return process.execPath;
  }
}
