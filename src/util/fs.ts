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

/**
 * Remove a file or tree. fs.rmSync uses lstat, so a link inside the tree is removed as a link
 * and its target (a shared environment, a user's folder) is never descended into.
 */
export function removeTree(p: string): Result<void, FsError> {
  return tryFs("remove", p, () => fs.rmSync(p, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));
}

export function ensureDir(p: string): Result<void, FsError> {
  return tryFs("mkdir", p, () => {
    fs.mkdirSync(p, { recursive: true });
  });
}

/** Write through a temp file and rename, so readers never see a half-written file. */
export function writeFileAtomic(p: string, data: string | Uint8Array): Result<void, FsError> {
  const tmp = path.join(path.dirname(p), `.${path.basename(p)}.${process.pid}.${Date.now()}.tmp`);
  return tryFs("write", p, () => {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, p);
  });
}

export function readText(p: string): Result<string, FsError> {
  return tryFs("read", p, () => fs.readFileSync(p, "utf8"));
}

/** Total bytes of a tree, counting links as links (never following them). */
export function treeSize(p: string): number {
  const st = lstatOrUndefined(p);
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let total = 0;
  let names: string[] = [];
  try {
    names = fs.readdirSync(p);
  } catch {
    return 0;
  }
  for (const n of names) total += treeSize(path.join(p, n));
  return total;
}
