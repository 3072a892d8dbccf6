import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { err, ok, type Result, messageOf } from "../util/result.ts";

/**
 * Per-user runtime folder (0700): supervisor state files for `ps`, worker logs, and each
 * supervisor's private folder holding worker sockets and the worker's Python files.
 * Kept short: Unix socket paths are limited to ~104 bytes on macOS.
 */
export function runtimeBase(tmp: string = os.tmpdir()): string {
  const who = typeof process.getuid === "function" ? String(process.getuid()) : os.userInfo().username;
  return path.join(tmp, `comfy-env-${who}`);
}

export interface RuntimeDirs {
  base: string;
  /** Supervisor state files, one per live supervisor: `<pid>.json`. */
  state: string;
  logs: string;
  /** This supervisor's private folder (sockets, worker files); removed when it exits. */
  private: string;
}

export type RuntimeDirError = { kind: "runtime-dir"; path: string; message: string };

function mkdirPrivate(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
}

export function stateDir(base: string): string {
  return path.join(base, "supervisors");
}

export function createRuntimeDirs(base: string, pid: number): Result<RuntimeDirs, RuntimeDirError> {
  const dirs = { base, state: stateDir(base), logs: path.join(base, "logs"), private: path.join(base, `s${pid}-${crypto.randomBytes(3).toString("hex")}`) };
  try {
    for (const d of [dirs.base, dirs.state, dirs.logs, dirs.private]) mkdirPrivate(d);
    // Another user could have made the base folder first: refuse a folder we do not own.
    const st = fs.statSync(dirs.base);
    if (typeof process.getuid === "function" && st.uid !== process.getuid()) return err({ kind: "runtime-dir", path: dirs.base, message: "owned by another user" });
    return ok(dirs);
  } catch (e) {
    return err({ kind: "runtime-dir", path: base, message: messageOf(e) });
  }
}
