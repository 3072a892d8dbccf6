import fs from "node:fs";
import path from "node:path";
import { PRIVATE_DIR_RE, stateDir } from "./paths.ts";
import { namesIn } from "../util/fs.ts";

/**
 * Why a worker was stopped on purpose: idle past COMFY_ENV_WORKER_IDLE_S, ComfyUI's /free, or
 * unused: started to read node metadata, and no call needed it then.
 */
export type StopReason = "idle" | "free" | "unused";

/** What `comfy-env ps` shows about one worker. */
export interface WorkerInfo {
  key: string;
  label: string;
  pid: number | null;
  generation: number;
  state: "starting" | "ready" | "exited" | "backoff" | "stopped";
  python: string;
  address: string | null;
  log: string;
  restarts: number;
  startedAt: string | null;
  lastExit: { code: number | null; signal: string | null } | null;
  /** Why a "stopped" worker was stopped. */
  stopped: StopReason | null;
  lastPongAgoMs: number | null;
}

export interface SupervisorInfo {
  pid: number;
  parentPid: number;
  startedAt: string;
  workers: WorkerInfo[];
}

export function writeState(base: string, info: SupervisorInfo): void {
  const file = path.join(stateDir(base), `${info.pid}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(info, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export function removeState(base: string, pid: number): void {
  fs.rmSync(path.join(stateDir(base), `${pid}.json`), { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}

/** Live supervisors' state; files of dead ones (a supervisor killed with -9) are removed. */
export function readStates(base: string): SupervisorInfo[] {
  const dir = stateDir(base);
  const names = namesIn(dir);
  const out: SupervisorInfo[] = [];
  for (const n of names.filter((n) => /^\d+\.json$/.test(n)).sort()) {
    const file = path.join(dir, n);
    try {
      const info = JSON.parse(fs.readFileSync(file, "utf8")) as SupervisorInfo;
      if (alive(info.pid)) out.push({ ...info, workers: info.workers.map((w) => (w.pid !== null && !alive(w.pid) ? { ...w, state: "exited" as const } : w)) });
      else fs.rmSync(file, { force: true });
    } catch {
      continue;
    }
  }
  return out;
}

/**
 * What supervisors killed with -9 left behind: their state files and private folders (sockets,
 * the worker's Python files). Each new supervisor removes those whose pid no longer runs.
 */
export function sweepDead(base: string): void {
  const gone = (dir: string, name: string, pid: string | undefined) => {
    if (pid !== undefined && !alive(Number(pid))) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
  };
  try {
    for (const n of fs.readdirSync(base)) gone(base, n, PRIVATE_DIR_RE.exec(n)?.[1]);
    const dir = stateDir(base);
    for (const n of fs.readdirSync(dir)) gone(dir, n, /^(\d+)\.json$/.exec(n)?.[1]);
  } catch {
    // best effort: what is left costs disk space only
  }
}
