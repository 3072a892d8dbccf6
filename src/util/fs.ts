import fs from "node:fs";
import path from "node:path";
import { err, ok, type Result, codeOf, messageOf } from "./result.ts";

export type FsError = { kind: "fs"; op: string; path: string; code?: string; message: string };

function fsError(op: string, p: string, e: unknown): FsError {
  return { kind: "fs", op, path: p, code: codeOf(e), message: messageOf(e) };
}

/** Run a throwing fs call once, turning its exception into an FsError value. */
export function tryFs<T>(op: string, p: string, fn: () => T): Result<T, FsError> {
  try {
    return ok(fn());
  } catch (e) {
    return err(fsError(op, p, e));
  }
}

export function exists(p: string): boolean {
  return fs.existsSync(p);
}

/** lstat without throwing: undefined when the path does not exist. */
export function lstatOrUndefined(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}

/** The fs calls removeTree makes, injectable so tests can play a file held open by a scanner. */
export interface RemoveOps {
  rm(p: string): void;
  rename(from: string, to: string): void;
  lstat(p: string): fs.Stats | undefined;
  sleep(ms: number): void;
}

const NODE_REMOVE_OPS: RemoveOps = {
  // fs.rmSync uses lstat, so a link inside the tree is removed as a link and its target (a
  // shared environment, a user's folder) is never descended into.
  rm: (p) => fs.rmSync(p, { recursive: true, force: true }),
  rename: (from, to) => fs.renameSync(from, to),
  lstat: lstatOrUndefined,
  sleep: (ms) => Bun.sleepSync(ms),
};

/** 10 tries, the delay doubling from 10 ms: about 5 s in all before a removal is reported as failed. */
const REMOVE_ATTEMPTS = 10;
const REMOVE_FIRST_DELAY_MS = 10;

/**
 * Remove a file or tree, and check it is gone: a delete that reports success but leaves the
 * path is an error too. On Windows an antivirus or indexer briefly holding a file makes
 * deletes fail (EBUSY, EPERM); as uv does, each failure is retried with exponential backoff,
 * and after the first one the tree is renamed aside (`<p>.ce-trash-<pid>`) so its name is free
 * for a new build at once. The error names the path that is still there.
 */
export function removeTree(p: string, ops: RemoveOps = NODE_REMOVE_OPS): Result<void, FsError> {
  let current = p;
  let last: unknown;
  let delay = REMOVE_FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      ops.rm(current);
      last = undefined;
    } catch (e) {
      last = e;
    }
    if (ops.lstat(current) === undefined) return ok(undefined);
    if (attempt === REMOVE_ATTEMPTS) break;
    if (current === p) {
      const aside = `${p}.ce-trash-${process.pid}`;
      try {
        ops.rename(p, aside);
        current = aside;
      } catch {
        // A folder with a file open cannot always be renamed: keep deleting it in place.
      }
    }
    ops.sleep(delay);
    delay *= 2;
  }
  // The message names the path too: callers such as gc print only the message.
  const message = last === undefined ? `${current} is still there after the delete reported success` : messageOf(last);
  return err({ kind: "fs", op: "remove", path: current, code: codeOf(last), message });
}

export function ensureDir(p: string): Result<void, FsError> {
  return tryFs("mkdir", p, () => {
    fs.mkdirSync(p, { recursive: true });
  });
}

/** Write through a temp file and rename, so readers never see a half-written file (`mode`: of a new file, before the umask). */
export function writeFileAtomic(p: string, data: string | Uint8Array, mode?: number): Result<void, FsError> {
  const tmp = path.join(path.dirname(p), `.${path.basename(p)}.${process.pid}.${Date.now()}.tmp`);
  return tryFs("write", p, () => {
    fs.writeFileSync(tmp, data, mode === undefined ? undefined : { mode });
    fs.renameSync(tmp, p);
  });
}

export function readText(p: string): Result<string, FsError> {
  return tryFs("read", p, () => fs.readFileSync(p, "utf8"));
}

/** The names in folder `dir`; none when it is missing or cannot be read (a listing, never an error). */
export function namesIn(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * Every entry below `dir`, depth first, with its absolute path and its path relative to `dir`.
 * Links are visited, never followed; a folder that cannot be read is passed over.
 */
export function walkTree(dir: string, visit: (entry: fs.Dirent, abs: string, rel: string) => void): void {
  const walk = (abs: string, rel: string) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const a = path.join(abs, e.name);
      const r = rel ? rel + path.sep + e.name : e.name;
      visit(e, a, r);
      if (e.isDirectory()) walk(a, r);
    }
  };
  walk(dir, "");
}

/** Total bytes of a tree, counting links as links (never following them). */
export function treeSize(p: string): number {
  const st = lstatOrUndefined(p);
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let total = 0;
  walkTree(p, (e, abs) => {
    if (!e.isDirectory()) total += lstatOrUndefined(abs)?.size ?? 0;
  });
  return total;
}
