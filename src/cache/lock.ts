import fs from "node:fs";
import os from "node:os";
import type { BuildPaths } from "./layout.ts";
import { err, ok, type Result, codeOf, messageOf } from "../util/result.ts";
import { exists, removeTree, type FsError } from "../util/fs.ts";

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  /** The pixi process the owner started, so a takeover can stop an orphan still writing the env. */
  childPid?: number;
}

export type LockError = { kind: "lock-io"; path: string; message: string };

/** What the caller of acquireBuildLock ends up with. */
export type LockOutcome =
  /** We own the build; call release() when finished (success or failure); a lock left behind is an error. */
  | { kind: "acquired"; release: () => Result<void, FsError>; tookOverFrom?: LockOwner }
  /** Another process finished the build while we waited. */
  | { kind: "done" };

export interface LockOptions {
  /** Give up waiting on a live owner after this long (then its lock counts as stale). */
  timeoutMs: number;
  pollMs?: number;
  /** Called once when we start waiting on another process. */
  onWait?: (owner: LockOwner | undefined) => void;
  host?: string;
}

/** A pid on this host that no longer runs. EPERM means it runs under another user. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return codeOf(e) === "EPERM";
  }
}

function readOwner(p: BuildPaths): LockOwner | undefined {
  try {
    const o = JSON.parse(fs.readFileSync(p.owner, "utf8")) as LockOwner;
    return typeof o.pid === "number" && typeof o.host === "string" ? o : undefined;
  } catch {
    return undefined;
  }
}

function sameOwner(a: LockOwner | undefined, b: LockOwner | undefined): boolean {
  return a !== undefined && b !== undefined && a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt;
}

/**
 * Whether a lock can be taken over now: its owner is a dead process on this host, or it has
 * been held longer than the timeout. An owner file not yet written (the owner is between
 * mkdir and write) is only stale once the lock folder is a few seconds old.
 */
function isStale(p: BuildPaths, owner: LockOwner | undefined, host: string, waitedMs: number, timeoutMs: number): boolean {
  if (waitedMs >= timeoutMs) return true;
  if (owner) return owner.host === host && !pidAlive(owner.pid);
  try {
    return Date.now() - fs.statSync(p.building).mtimeMs > 5000;
  } catch {
    return false;
  }
}

/**
 * Remove a stale lock. A second mkdir (`.building.takeover`) makes sure only one waiter does
 * it, and the owner is re-read under it, so a lock a faster waiter just re-created is never
 * removed by mistake.
 */
function takeOver(p: BuildPaths, seen: LockOwner | undefined): boolean {
  const guard = `${p.building}.takeover`;
  try {
    fs.mkdirSync(guard);
  } catch {
    // Another waiter is taking over; a guard left by a crashed waiter is cleared after 30 s.
    try {
      if (Date.now() - fs.statSync(guard).mtimeMs > 30_000) fs.rmdirSync(guard);
    } catch {}
    return false;
  }
  try {
    const now = readOwner(p);
    if (sameOwner(now, seen) || (seen === undefined && now === undefined)) {
      stopOrphan(now);
      removeTree(p.building);
    }
  } finally {
    fs.rmdirSync(guard);
  }
  return true;
}

/**
 * A builder killed with -9 leaves its pixi running, still writing into the environment the
 * next build is about to recreate. Only a child on this host whose parent is dead is stopped.
 */
function stopOrphan(owner: LockOwner | undefined): void {
  if (!owner?.childPid || owner.host !== os.hostname() || pidAlive(owner.pid)) return;
  try {
    process.kill(owner.childPid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Record the pid of the process doing the build work under this lock. */
export function recordLockChild(p: BuildPaths, childPid: number): void {
  const owner = readOwner(p);
  if (owner) fs.writeFileSync(p.owner, JSON.stringify({ ...owner, childPid }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Take the build lock of one environment: an atomic mkdir of `.building/` inside its build
 * folder. Returns "done" if the build completed while we waited.
 */
export async function acquireBuildLock(p: BuildPaths, opts: LockOptions): Promise<Result<LockOutcome, LockError>> {
  const host = opts.host ?? os.hostname();
  const pollMs = opts.pollMs ?? 250;
  const start = Date.now();
  let waiting = false;
  let tookOverFrom: LockOwner | undefined;
  try {
    fs.mkdirSync(p.dir, { recursive: true });
  } catch (e) {
    return err({ kind: "lock-io", path: p.dir, message: messageOf(e) });
  }
  for (;;) {
    if (exists(p.done)) return ok({ kind: "done" });
    try {
      fs.mkdirSync(p.building);
      const me: LockOwner = { pid: process.pid, host, startedAt: new Date().toISOString() };
      fs.writeFileSync(p.owner, JSON.stringify(me));
      return ok({ kind: "acquired", release: () => removeTree(p.building), tookOverFrom });
    } catch (e) {
      if (codeOf(e) !== "EEXIST") return err({ kind: "lock-io", path: p.building, message: messageOf(e) });
    }
    const owner = readOwner(p);
    const waited = Date.now() - start;
    if (isStale(p, owner, host, waited, opts.timeoutMs)) {
      tookOverFrom = owner;
      if (takeOver(p, owner)) continue;
    }
    if (!waiting) {
      waiting = true;
      opts.onWait?.(owner);
    }
    await sleep(pollMs);
  }
}

/** State of a lock for `status`: none, held by a live process, or left by a dead one. */
export function lockState(p: BuildPaths, host: string = os.hostname()): { state: "none" | "held" | "stale"; owner?: LockOwner } {
  if (!exists(p.building)) return { state: "none" };
  const owner = readOwner(p);
  if (owner && owner.host === host && !pidAlive(owner.pid)) return { state: "stale", owner };
  return { state: "held", owner };
}

