import fs from "node:fs";
import { hostOs } from "./platform.ts";

/**
 * What tells one process from a later one that got the same pid: when it started (with the boot
 * it started in) and its executable. Recorded in the build lock so a stale lock never makes
 * comfy-env signal whatever process now has the pid (after a reboot, any process of the user).
 */
export interface ProcessIdentity {
  start: string;
  /** null where it cannot be read (another user's process). */
  exe: string | null;
}

/** One reader per OS; null = no such process, or no way to tell on this platform. */
type IdentityReader = (pid: number) => ProcessIdentity | null;

/** Linux: starttime (field 22 of /proc/<pid>/stat, clock ticks since boot) within this boot's id. */
const procReader: IdentityReader = (pid) => {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // comm (field 2) is in parentheses and may hold spaces or ")"; fields 3.. follow the last ")".
  const ticks = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  if (ticks === undefined) return null;
  return { start: `${bootId()}:${ticks}`, exe: readExe(pid) };
};

function bootId(): string {
  try {
    return fs.readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim();
  } catch {
    return "";
  }
}

function readExe(pid: number): string | null {
  try {
    // A replaced binary (self-update) reads "<path> (deleted)": still the same process.
    return fs.readlinkSync(`/proc/${pid}/exe`).replace(/ \(deleted\)$/, "");
  } catch {
    return null;
  }
}

/** macOS: ps gives the wall-clock start and the executable path. */
const psReader: IdentityReader = (pid) => {
  const r = Bun.spawnSync(["/bin/ps", "-o", "lstart=", "-o", "comm=", "-p", String(pid)], { stdout: "pipe", stderr: "ignore", env: { LC_ALL: "C" } });
  const line = r.exitCode === 0 ? r.stdout.toString().trim() : "";
  // lstart is five fields: "Tue Dec  1 21:33:45 2026".
  const m = /^(\S+\s+\S+\s+\d+\s+[\d:]+\s+\d+)\s+(.+)$/.exec(line);
  return m ? { start: (m[1] as string).replace(/\s+/g, " "), exe: m[2] as string } : null;
};

const READERS: Record<ReturnType<typeof hostOs>, IdentityReader> = {
  linux: procReader,
  darwin: psReader,
  // No cheap stdlib way: locks on Windows fall back to pid liveness and never stop a recorded child.
  windows: () => null,
};

export function processIdentity(pid: number): ProcessIdentity | null {
  return READERS[hostOs()](pid);
}

/**
 * Whether `pid` is still the process recorded as `was` (an unreadable executable is not a
 * difference). `checkExe: false` for a child recorded as it was spawned: it may exec on (a
 * `#!/usr/bin/env python3` script becomes python), and its start time alone, which exec keeps,
 * already tells it from any later process with that pid.
 */
export function isSameProcess(pid: number, was: ProcessIdentity, opts: { checkExe: boolean } = { checkExe: true }): boolean {
  const now = processIdentity(pid);
  if (now === null || now.start !== was.start) return false;
  return !opts.checkExe || now.exe === null || was.exe === null || now.exe === was.exe;
}
