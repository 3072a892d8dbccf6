import fs from "node:fs";
import os from "node:os";
import type { BuildPaths } from "./layout.ts";
import { err, ok, type Result, codeOf, messageOf } from "../util/result.ts";
import { exists, removeTree, type FsError } from "../util/fs.ts";
import { isSameProcess, processIdentity, type ProcessIdentity } from "../util/process-identity.ts";

export interface LockOwner {
  pid: number;
  host: string;
  startedAt: string;
  /** Start time and executable of `pid`, so a later process with the same pid is not taken for the owner. */
  identity?: ProcessIdentity;
  /** The installer process (pixi, pip/uv) the owner started, so a takeover can stop an orphan still writing the env. */
  child?: { pid: number; identity?: ProcessIdentity };
  /**
   * The build identity (full digest) the owner builds, written with the owner itself: an install
   * of another identity sharing the folder name moves on to its next name instead of waiting.
   */
  claim?: string;
}

export type LockError = { kind: "lock-io"; path: string; message: string };

/** What the caller of acquireBuildLock ends up with. */
export type LockOutcome =
  /** We own the build; call release() when finished (success or failure); a lock left behind is an error. */
  | { kind: "acquired"; release: () => Result<void, FsError>; tookOverFrom?: LockOwner }
  /**
   * The build is finished (before we came, or by the owner we waited on). We hold its lock all
   * the same, so a gc cannot remove it before the caller has linked it: release() after.
   */
  | { kind: "done"; release: () => Result<void, FsError> };

export interface LockOptions {
  /** Give up waiting on a live owner after this long (then its lock counts as stale). */
  timeoutMs: number;
  pollMs?: number;
  /** Called when we start waiting on another process, then every `reportEveryMs`, with the time left before a takeover. */
  onWait?: (owner: LockOwner | undefined, leftMs: number) => void;
  reportEveryMs?: number;
  host?: string;
  /** The identity this build is for, recorded in the owner file (see LockOwner.claim). */
  claim?: string;
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
 * Whether the recorded owner (on this host) still runs: the pid is alive and is the process that
 * took the lock. A live pid of another program, or one reused after a reboot, is not the owner.
 * Locks without an identity (older comfy-env, Windows) fall back to the pid alone.
 */
function ownerRuns(owner: LockOwner): boolean {
  return owner.identity ? isSameProcess(owner.pid, owner.identity) : pidAlive(owner.pid);
}

/** An owner file not yet written (the owner is between mkdir and write) is stale after this long. */
const UNOWNED_GRACE_MS = 5000;

function folderAgeMs(p: BuildPaths): number | null {
  try {
    return Date.now() - fs.statSync(p.building).mtimeMs;
  } catch {
    return null;
  }
}

/** Left by a builder that is gone: its owner does not run on this host, or it never got an owner file. */
function isAbandoned(p: BuildPaths, owner: LockOwner | undefined, host: string): boolean {
  if (owner) return owner.host === host && !ownerRuns(owner);
  const age = folderAgeMs(p);
  return age !== null && age > UNOWNED_GRACE_MS;
}

/**
 * Milliseconds before a lock may be taken over; 0 = now. Now when its owner is not running on
 * this host; else once the lock is `timeoutMs` old, counted from the start time it records (a
 * lock another host took 29 minutes ago has one minute left), never longer than `timeoutMs` of
 * our own waiting (a clock ahead of ours).
 */
function msUntilStale(p: BuildPaths, owner: LockOwner | undefined, host: string, waitedMs: number, timeoutMs: number): number {
  const ownWait = timeoutMs - waitedMs;
  if (isAbandoned(p, owner, host)) return 0;
  if (!owner) {
    const age = folderAgeMs(p);
    return age === null ? Math.max(0, ownWait) : Math.max(0, Math.min(UNOWNED_GRACE_MS - age, ownWait));
  }
  const since = Date.parse(owner.startedAt);
  const age = Number.isFinite(since) ? Date.now() - since : (folderAgeMs(p) ?? 0);
  return Math.max(0, Math.min(timeoutMs - age, ownWait));
}

/**
 * Remove a stale lock. A second mkdir (`.building.takeover`) makes sure only one waiter does
 * it, and the owner is re-read under it, so a lock a faster waiter just re-created is never
 * removed by mistake.
 */
function takeOver(p: BuildPaths, seen: LockOwner | undefined, host: string): boolean {
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
      stopOrphan(now, host);
      removeTree(p.building);
    }
  } finally {
    fs.rmdirSync(guard);
  }
  return true;
}

/**
 * A builder killed with -9 leaves its pixi running, still writing into the environment the
 * next build is about to recreate. Only a child on this host whose parent is gone is stopped,
 * and only while it is still the process recorded (same start time in the same boot): after a
 * reboot the pid can be any process of the user. A child recorded without an identity is left.
 */
function stopOrphan(owner: LockOwner | undefined, host: string): void {
  const child = owner?.child;
  if (!owner || !child?.identity || owner.host !== host || ownerRuns(owner)) return;
  if (!isSameProcess(child.pid, child.identity, { checkExe: false })) return;
  try {
    process.kill(child.pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Record the installer process (pixi, pip/uv) doing the build work under this lock, with its identity. */
export function recordLockChild(p: BuildPaths, childPid: number): void {
  const owner = readOwner(p);
  if (!owner) return;
  const identity = processIdentity(childPid) ?? undefined;
  try {
    fs.writeFileSync(p.owner, JSON.stringify({ ...owner, child: { pid: childPid, identity } }));
  } catch {
    // A full disk: the build goes on; a takeover then just cannot stop this child.
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Release = () => Result<void, FsError>;

/** One mkdir of `.building/` with our owner file: the release function, or null when the lock exists. */
function createLock(p: BuildPaths, host: string, claim?: string): Result<Release | null, LockError> {
  try {
    fs.mkdirSync(p.building);
  } catch (e) {
    if (codeOf(e) === "EEXIST") return ok(null);
    // gc removed the whole build folder while we waited: start it again.
    if (codeOf(e) === "ENOENT") return tryMkdir(p.dir).andThen(() => createLock(p, host, claim));
    return err({ kind: "lock-io", path: p.building, message: messageOf(e) });
  }
  const me: LockOwner = { pid: process.pid, host, startedAt: new Date().toISOString(), identity: processIdentity(process.pid) ?? undefined, claim };
  try {
    fs.writeFileSync(p.owner, JSON.stringify(me));
  } catch (e) {
    // A full disk: an owner-less lock would hold every next install for its grace period.
    removeTree(p.building);
    return err({ kind: "lock-io", path: p.owner, message: messageOf(e) });
  }
  return ok(() => removeTree(p.building));
}

/**
 * A builder killed between writing `.done` and releasing its lock leaves `.building/` beside
 * `.done`; the fast path takes no lock for a build the folder already links, so it removes such a
 * lock when its owner is gone.
 */
export function clearAbandonedLock(p: BuildPaths, host: string = os.hostname()): void {
  if (!exists(p.building)) return;
  const owner = readOwner(p);
  if (isAbandoned(p, owner, host)) takeOver(p, owner, host);
}

function tryMkdir(dir: string): Result<void, LockError> {
  try {
    fs.mkdirSync(dir, { recursive: true });
    return ok(undefined);
  } catch (e) {
    return err({ kind: "lock-io", path: dir, message: messageOf(e) });
  }
}

/**
 * The lock without waiting, for gc: the release function (an abandoned lock is taken over
 * first), or null while a running process holds it.
 */
export function tryBuildLock(p: BuildPaths, host: string = os.hostname()): Result<Release | null, LockError> {
  const made = createLock(p, host);
  if (made.isErr() || made.value) return made;
  const owner = readOwner(p);
  if (!isAbandoned(p, owner, host) || !takeOver(p, owner, host)) return ok(null);
  return createLock(p, host);
}

/**
 * Take the build lock of one environment: an atomic mkdir of `.building/` inside its build
 * folder. Returns "done" (the lock held too) if the build is complete, or completed while we waited.
 */
export async function acquireBuildLock(p: BuildPaths, opts: LockOptions): Promise<Result<LockOutcome, LockError>> {
  const host = opts.host ?? os.hostname();
  const pollMs = opts.pollMs ?? 250;
  const reportEveryMs = opts.reportEveryMs ?? 60_000;
  const start = Date.now();
  let reportedAt: number | undefined;
  let tookOverFrom: LockOwner | undefined;
  const dir = tryMkdir(p.dir);
  if (dir.isErr()) return err(dir.error);
  for (;;) {
    const made = createLock(p, host, opts.claim);
    if (made.isErr()) return err(made.error);
    if (made.value) return ok(exists(p.done) ? { kind: "done", release: made.value } : { kind: "acquired", release: made.value, tookOverFrom });
    const owner = readOwner(p);
    const left = msUntilStale(p, owner, host, Date.now() - start, opts.timeoutMs);
    if (left === 0) {
      tookOverFrom = owner;
      if (takeOver(p, owner, host)) continue;
    }
    if (reportedAt === undefined || Date.now() - reportedAt >= reportEveryMs) {
      reportedAt = Date.now();
      opts.onWait?.(owner, left);
    }
    await sleep(Math.min(pollMs, Math.max(left, 10)));
  }
}

/** State of a lock for `status`: none, held by a live process, or left by a dead one. */
export function lockState(p: BuildPaths, host: string = os.hostname()): { state: "none" | "held" | "stale"; owner?: LockOwner } {
  if (!exists(p.building)) return { state: "none" };
  const owner = readOwner(p);
  if (owner && owner.host === host && !ownerRuns(owner)) return { state: "stale", owner };
  return { state: "held", owner };
}

