import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readEnv } from "../util/env.ts";
import { namesIn } from "../util/fs.ts";
import { codeOf, err, ok, type Result, messageOf } from "../util/result.ts";

/**
 * Where this user's runtime folder may be: what the OS tells us, injectable so tests can play
 * another user (`uid`) without being root.
 */
export interface RuntimeEnv {
  tmp: string;
  /**
   * `XDG_RUNTIME_DIR`: the per-user folder systemd/logind makes, which must be owned by the user
   * with mode 0700 (https://specifications.freedesktop.org/basedir-spec/latest/).
   */
  xdg: string | undefined;
  /** Our uid; undefined on Windows, where the temp folder is already per user. */
  uid: number | undefined;
  user: string;
}

export function processRuntimeEnv(): RuntimeEnv {
  return { tmp: os.tmpdir(), xdg: readEnv("XDG_RUNTIME_DIR"), uid: typeof process.getuid === "function" ? process.getuid() : undefined, user: os.userInfo().username };
}

/** A folder we will not use, and why (shown to the user, never silently skipped). */
export type RuntimeDirError = { kind: "runtime-dir"; path: string; message: string };

function refused(p: string, message: string): RuntimeDirError {
  return { kind: "runtime-dir", path: p, message };
}

/**
 * Whether `dir` is a private folder of ours: a real folder (no symlink), owned by `uid`, no
 * access for group or others. Another user's folder is refused and never chmodded (as root a
 * chmod would succeed and hand that user our sockets); a folder of ours that is too open is
 * closed.
 */
function checkPrivate(dir: string, uid: number | undefined, fix: boolean): Result<void, RuntimeDirError> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(dir);
  } catch (e) {
    return err(refused(dir, messageOf(e)));
  }
  if (st.isSymbolicLink()) return err(refused(dir, "it is a symbolic link (another user may point it anywhere)"));
  if (!st.isDirectory()) return err(refused(dir, "it is not a folder"));
  if (uid === undefined) return ok(undefined);
  if (st.uid !== uid) return err(refused(dir, `it is owned by uid ${st.uid}, not by this user (uid ${uid}); another user made it first`));
  if ((st.mode & 0o077) !== 0) {
    if (!fix) return err(refused(dir, `its mode is ${(st.mode & 0o777).toString(8)}, not 700`));
    try {
      fs.chmodSync(dir, 0o700);
    } catch (e) {
      return err(refused(dir, `cannot make it private: ${messageOf(e)}`));
    }
  }
  return ok(undefined);
}

/** `dir` created 0700 unless it exists, then checked: ours and private. */
function privateDir(dir: string, uid: number | undefined): Result<string, RuntimeDirError> {
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (e) {
    if (codeOf(e) !== "EEXIST") return err(refused(dir, messageOf(e)));
  }
  return checkPrivate(dir, uid, true).map(() => dir);
}

function who(env: RuntimeEnv): string {
  return env.uid !== undefined ? String(env.uid) : env.user;
}

function tmpBase(env: RuntimeEnv): string {
  return path.join(env.tmp, `comfy-env-${who(env)}`);
}

/** The fixed names a runtime base may have, most preferred first (`ps` reads them all). */
function fixedBases(env: RuntimeEnv): string[] {
  const xdg = env.xdg && path.isAbsolute(env.xdg) ? [path.join(env.xdg, "comfy-env")] : [];
  return [...xdg, tmpBase(env)];
}

export interface RuntimeBase {
  base: string;
  /** Folders passed over on the way, with why: the supervisor says so on ComfyUI's console. */
  passedOver: RuntimeDirError[];
}

/**
 * This user's runtime folder (0700): `$XDG_RUNTIME_DIR/comfy-env` where XDG_RUNTIME_DIR is a
 * private folder of ours, else `<tmp>/comfy-env-<uid>`, else (that name taken by someone else)
 * a fresh folder with a random name beside it. Kept short: Unix socket paths are limited to
 * ~104 bytes on macOS.
 */
export function resolveRuntimeBase(env: RuntimeEnv = processRuntimeEnv()): Result<RuntimeBase, RuntimeDirError[]> {
  const passedOver: RuntimeDirError[] = [];
  const candidates = [tmpBase(env)];
  if (env.xdg !== undefined) {
    const xdgOk = path.isAbsolute(env.xdg) ? checkPrivate(env.xdg, env.uid, false) : err(refused(env.xdg, "XDG_RUNTIME_DIR is not an absolute path"));
    if (xdgOk.isOk()) candidates.unshift(path.join(env.xdg, "comfy-env"));
    else passedOver.push(xdgOk.error);
  }
  for (const b of candidates) {
    const r = privateDir(b, env.uid);
    if (r.isOk()) return ok({ base: r.value, passedOver });
    passedOver.push(r.error);
  }
  try {
    // mkdtemp creates the folder exclusively, 0700, under a name nobody could have taken before.
    return ok({ base: fs.mkdtempSync(path.join(env.tmp, `comfy-env-${who(env)}-`)), passedOver });
  } catch (e) {
    return err([...passedOver, refused(env.tmp, `cannot create a private folder in it: ${messageOf(e)}`)]);
  }
}

/** Every runtime base of this user that exists and is private: where `ps` finds supervisors. */
export function existingRuntimeBases(env: RuntimeEnv = processRuntimeEnv()): string[] {
  const prefix = `comfy-env-${who(env)}-`;
  const fresh = namesIn(env.tmp)
    .filter((n) => n.startsWith(prefix))
    .map((n) => path.join(env.tmp, n));
  return [...fixedBases(env), ...fresh].filter((b) => checkPrivate(b, env.uid, false).isOk());
}

export interface RuntimeDirs {
  base: string;
  /** Supervisor state files, one per live supervisor: `<pid>.json`. */
  state: string;
  logs: string;
  /** This supervisor's private folder (sockets, worker files); removed when it exits. */
  private: string;
}

export function stateDir(base: string): string {
  return path.join(base, "supervisors");
}

/** The worker logs of a runtime base (one per folder and ComfyUI process key). */
export function logsDir(base: string): string {
  return path.join(base, "logs");
}

/** A supervisor's private folder is `s<pid>-<random>`: the pid lets the next one clean it after a SIGKILL. */
export const PRIVATE_DIR_RE = /^s(\d+)-[0-9a-f]+$/;

export function createRuntimeDirs(base: string, pid: number, uid: number | undefined = processRuntimeEnv().uid): Result<RuntimeDirs, RuntimeDirError> {
  const dirs = { base, state: stateDir(base), logs: logsDir(base), private: path.join(base, `s${pid}-${crypto.randomBytes(3).toString("hex")}`) };
  for (const d of [dirs.base, dirs.state, dirs.logs, dirs.private]) {
    const r = privateDir(d, uid);
    if (r.isErr()) return err(r.error);
  }
  return ok(dirs);
}
