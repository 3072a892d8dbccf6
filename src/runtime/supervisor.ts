import crypto from "node:crypto";
import path from "node:path";
import { readEnv } from "../util/env.ts";
import { logMaxBytes, WorkerLog } from "./worker-log.ts";
import { err, ok, type Result } from "../util/result.ts";
import { systemClock, type Clock } from "./clock.ts";
import { configEnvVars } from "./config-vars.ts";
import type { EnvVars } from "./isolation.ts";
import type { RuntimeDirs } from "./paths.ts";
import { writeState, type StopReason, type SupervisorInfo, type WorkerInfo } from "./state.ts";
import { WORKER_CONTRACT } from "./worker-contract.ts";
import { workerLauncher, type Exit, type PrepareError, type WorkerLauncher, type WorkerProcess, type WorkerSpec } from "./worker-process.ts";

/** What the bridge needs to connect: handed out on spawn/ensure. */
export interface WorkerHandle {
  key: string;
  address: string;
  secret: string;
  generation: number;
  pid: number;
  log: string;
}

export type SupervisorError =
  | { kind: "unknown-worker"; key: string }
  | { kind: "spawn-failed"; key: string; label: string; message: string; log: string }
  | { kind: "not-ready"; key: string; label: string; timeoutMs: number; log: string }
  | { kind: "crash-loop"; key: string; label: string; deaths: number; windowMs: number; retryInMs: number; lastExit: Exit | null; log: string };

/** One entry of the worker table: a worker across its generations. */
interface Worker {
  spec: WorkerSpec;
  generation: number;
  restarts: number;
  crashTimes: number[];
  /** The current generation's process (also after it died, until the next one starts). */
  proc: WorkerProcess | null;
  handle: WorkerHandle | null;
  state: WorkerInfo["state"];
  startedAt: number | null;
  lastExit: Exit | null;
  lastPong: number | null;
  /** Last tick that found a request running: a node holding the GIL cannot pong, and is not hung. */
  lastBusy: number | null;
  /** Finished-request count last read from the busy file, and when the worker was last seen in use. */
  doneSeen: number;
  lastActive: number | null;
  /** Why a worker in state "stopped" was stopped. */
  stopped: StopReason | null;
  exited: Promise<void> | null;
  logFile: WorkerLog;
  /** Serializes starts of one worker. */
  starting: Promise<Result<WorkerHandle, SupervisorError>> | null;
  log: string;
}


export interface SupervisorOptions {
  dirs: RuntimeDirs;
  /** How long a new worker has to say it is ready. */
  readyTimeoutMs?: number;
  /** How often idle workers are pinged over their control pipe (default COMFY_ENV_PING_MS, else 5 s). */
  pingIntervalMs?: number;
  baseEnv?: EnvVars;
  parentPid?: number;
  /** Stop workers unused this long (default COMFY_ENV_WORKER_IDLE_S; unset: never). */
  idleMs?: number | null;
  /** How workers are started (default: processes of the env's Python in `dirs.private`). */
  launcher?: WorkerLauncher;
  clock?: Clock;
}

const READY_TIMEOUT_MS = 60_000;
const PING_INTERVAL_MS = 5_000;
/** An idle worker silent for this many ping intervals is hung: killed, restarted on next use. */
const HUNG_INTERVALS = 3;
/** A crash counts towards backoff for this long. */
const CRASH_WINDOW_MS = 60_000;
const MAX_BACKOFF_MS = 10_000;
/** This many deaths in the window: a call that would wait for the backoff fails at once, saying why. */
const CRASH_LOOP_DEATHS = 5;

/** The first restart after a crash is immediate; repeated crashes wait 1 s, 2 s, 4 s … 10 s. */
export function backoffMs(recentCrashes: number): number {
  if (recentCrashes <= 1) return 0;
  return Math.min(MAX_BACKOFF_MS, 500 * 2 ** (recentCrashes - 1));
}

function idleMsFromEnv(): number | null {
  const v = Number(readEnv("COMFY_ENV_WORKER_IDLE_S"));
  return Number.isFinite(v) && v > 0 ? v * 1000 : null;
}

function pingIntervalMs(): number {
  const v = Number(readEnv("COMFY_ENV_PING_MS"));
  return Number.isFinite(v) && v > 0 ? v : PING_INTERVAL_MS;
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60);
}

/** How a worker that gave no ready line ended, for its spawn-failed message (null: it still runs). */
function describeExit(exit: Exit | null): string {
  if (exit?.signal) return `signal ${exit.signal}`;
  return exit?.code != null ? `exit code ${exit.code}` : "no ready line";
}

/**
 * The policy over a launcher's worker processes: the worker table, restarts with backoff and
 * crash-loop detection, hang detection from pongs and the busy file, idle stop and ComfyUI's /free.
 */
export class Supervisor {
  private readonly workers = new Map<string, Worker>();
  private readonly startedAt: string;
  private stopPinger: (() => void) | null = null;
  private readonly pingMs: number;
  private readonly idleMs: number | null;
  private readonly launcher: WorkerLauncher;
  private readonly clock: Clock;
  private readonly logMax = logMaxBytes();
  private closed = false;

  constructor(private readonly opts: SupervisorOptions) {
    this.pingMs = opts.pingIntervalMs ?? pingIntervalMs();
    this.idleMs = opts.idleMs === undefined ? idleMsFromEnv() : opts.idleMs;
    this.launcher = opts.launcher ?? workerLauncher(opts.dirs, opts.baseEnv);
    this.clock = opts.clock ?? systemClock;
    this.startedAt = new Date(this.clock.now()).toISOString();
  }

  /** Write the worker's Python files into the private folder and start pinging. */
  prepare(): Result<void, PrepareError> {
    const prepared = this.launcher.prepare();
    if (prepared.isErr()) return prepared;
    this.stopPinger = this.clock.every(this.pingMs, () => this.pingAll());
    this.saveState();
    return ok(undefined);
  }

  /** Start the worker for `spec` unless one with this key is alive. */
  spawn(spec: WorkerSpec): Promise<Result<WorkerHandle, SupervisorError>> {
    let w = this.workers.get(spec.key);
    if (!w) {
      const log = path.join(this.opts.dirs.logs, `${safeName(spec.label)}-${crypto.createHash("sha256").update(spec.key).digest("hex").slice(0, 8)}.log`);
      w = { spec, generation: 0, restarts: 0, crashTimes: [], proc: null, handle: null, state: "exited", startedAt: null, lastExit: null, lastPong: null, lastBusy: null, doneSeen: 0, lastActive: null, stopped: null, exited: null, logFile: new WorkerLog(log, this.logMax), starting: null, log };
      this.workers.set(spec.key, w);
    } else {
      w.spec = spec;
    }
    return this.ensureWorker(w);
  }

  /** The live worker for `key`, restarted (after backoff) if it died. */
  ensure(key: string): Promise<Result<WorkerHandle, SupervisorError>> {
    const w = this.workers.get(key);
    if (!w) return Promise.resolve(err({ kind: "unknown-worker", key }));
    return this.ensureWorker(w);
  }

  /** How a worker ended; waits up to `waitMs` for a dying one to be reaped. */
  async exitInfo(key: string, waitMs: number): Promise<Result<{ alive: boolean; exit: Exit | null; log: string; generation: number }, SupervisorError>> {
    const w = this.workers.get(key);
    if (!w) return err({ kind: "unknown-worker", key });
    if (w.exited && w.state !== "exited") await Promise.race([w.exited, this.clock.sleep(waitMs)]);
    return ok({ alive: w.state === "ready" || w.state === "starting", exit: w.lastExit, log: w.log, generation: w.generation });
  }

  /** ComfyUI's Cancel while a node runs: the worker raises ComfyUI's interrupt flag in its Python. */
  interrupt(key: string): Result<void, SupervisorError> {
    const w = this.workers.get(key);
    if (!w) return err({ kind: "unknown-worker", key });
    if (w.state === "ready") w.proc?.tell(WORKER_CONTRACT.control.interrupt);
    return ok(undefined);
  }

  /** Kill one worker (a call timed out); the next ensure starts a new generation. */
  /**
   * Kill a worker (a death, counted for backoff); with `reason`, stop it on purpose instead, if
   * it is ready (one starting is left alone: a call is on its way).
   */
  async kill(key: string, reason?: StopReason): Promise<Result<void, SupervisorError>> {
    const w = this.workers.get(key);
    if (!w) return err({ kind: "unknown-worker", key });
    if (!reason) w.proc?.kill();
    else if (w.state === "ready") this.stop(w, reason);
    if (w.exited) await Promise.race([w.exited, this.clock.sleep(2000)]);
    return ok(undefined);
  }

  info(): SupervisorInfo {
    const now = this.clock.now();
    return {
      pid: process.pid,
      parentPid: this.opts.parentPid ?? process.ppid,
      startedAt: this.startedAt,
      workers: [...this.workers.values()].map((w) => ({
        key: w.spec.key,
        label: w.spec.label,
        pid: w.proc?.pid ?? null,
        generation: w.generation,
        state: w.state,
        python: w.spec.python,
        address: w.handle?.address ?? null,
        log: w.log,
        restarts: w.restarts,
        startedAt: w.startedAt === null ? null : new Date(w.startedAt).toISOString(),
        lastExit: w.lastExit,
        stopped: w.stopped,
        lastPongAgoMs: w.lastPong === null ? null : now - w.lastPong,
      })),
    };
  }

  /** Kill every worker's process group and forget them. Synchronous: safe in exit paths. */
  shutdown(): void {
    this.closed = true;
    this.stopPinger?.();
    for (const w of this.workers.values()) {
      w.proc?.kill();
      w.proc?.close();
      w.logFile.close();
    }
    this.launcher.remove();
  }

  /**
   * Stop `w` on purpose (idle, or ComfyUI freed its memory): not a crash, no backoff; the next
   * call starts a new one.
   */
  private stop(w: Worker, reason: StopReason): void {
    w.state = "stopped";
    w.stopped = reason;
    w.handle = null;
    w.proc?.kill();
    this.saveState();
  }

  /** ComfyUI's "Free model and node cache": stop every worker not running a request; resolves once they are gone. */
  async stopIdle(): Promise<string[]> {
    const stopped = [...this.workers.values()].filter((w) => w.state === "ready" && !w.proc?.activity()?.busy);
    for (const w of stopped) this.stop(w, "free");
    await Promise.race([Promise.all(stopped.map((w) => w.exited)), this.clock.sleep(5000)]);
    return stopped.map((w) => w.spec.key);
  }

  private ensureWorker(w: Worker): Promise<Result<WorkerHandle, SupervisorError>> {
    if (w.starting) return w.starting;
    if (w.state === "ready" && w.handle) return Promise.resolve(ok(w.handle));
    w.starting = this.start(w).finally(() => {
      w.starting = null;
      this.saveState();
    });
    return w.starting;
  }

  private async start(w: Worker): Promise<Result<WorkerHandle, SupervisorError>> {
    const now = this.clock.now();
    w.crashTimes = w.crashTimes.filter((t) => now - t < CRASH_WINDOW_MS);
    const deaths = w.crashTimes.length;
    const lastDeath = w.crashTimes[deaths - 1];
    const delay = lastDeath === undefined ? 0 : Math.max(0, lastDeath + backoffMs(deaths) - now);
    if (deaths >= CRASH_LOOP_DEATHS && delay > 0) {
      // A worker in a crash loop: waiting 8-10 s in silence looks like a hang to the user.
      return err({ kind: "crash-loop", key: w.spec.key, label: w.spec.label, deaths, windowMs: CRASH_WINDOW_MS, retryInMs: delay, lastExit: w.lastExit, log: w.log });
    }
    if (delay > 0) {
      w.state = "backoff";
      this.saveState();
      await this.clock.sleep(delay);
    }
    if (this.closed) return err({ kind: "spawn-failed", key: w.spec.key, label: w.spec.label, message: "supervisor is shutting down", log: w.log });
    const spec = w.spec;
    // Read at each start: an edited [env_vars] applies from the next worker on.
    const configVars = await configEnvVars(spec.nodeDir);
    if (configVars.isErr()) {
      w.state = "exited";
      return err({ kind: "spawn-failed", key: spec.key, label: spec.label, message: `cannot read ${configVars.error.file}: ${configVars.error.message}`, log: w.log });
    }
    if (w.generation > 0) w.restarts += 1;
    w.generation += 1;
    w.proc?.close();
    w.logFile.write(`--- ${new Date(this.clock.now()).toISOString()} ${spec.label}: generation ${w.generation}, ${spec.python}\n`);
    const launched = this.launcher.launch({ spec, generation: w.generation, envVars: { ...configVars.value, ...spec.envVars }, log: w.logFile });
    if (launched.isErr()) {
      w.state = "exited";
      return err({ kind: "spawn-failed", key: spec.key, label: spec.label, message: launched.error.message, log: w.log });
    }
    const proc = launched.value;
    w.proc = proc;
    w.state = "starting";
    w.startedAt = this.clock.now();
    w.lastPong = null;
    w.lastBusy = null;
    w.lastActive = this.clock.now();
    w.doneSeen = 0;
    w.stopped = null;
    w.handle = null;
    w.exited = proc.exited.then((exit) => {
      if (w.proc !== proc) return;
      w.lastExit = exit;
      if (w.state === "ready" || w.state === "starting") w.crashTimes.push(this.clock.now());
      if (w.state !== "stopped") w.state = "exited";
      w.handle = null;
      this.saveState();
    });
    const timeoutMs = this.opts.readyTimeoutMs ?? READY_TIMEOUT_MS;
    const ready = await proc.ready(timeoutMs, () => {
      if (w.proc === proc) w.lastPong = this.clock.now();
    });
    if (ready.isErr()) {
      proc.kill();
      if (ready.error.kind === "timeout") return err({ kind: "not-ready", key: spec.key, label: spec.label, timeoutMs, log: w.log });
      return err({ kind: "spawn-failed", key: spec.key, label: spec.label, message: `the worker stopped before it was ready (${describeExit(ready.error.exit)})`, log: w.log });
    }
    w.state = "ready";
    w.lastPong = this.clock.now();
    w.handle = { key: spec.key, address: ready.value.address, secret: proc.secret, generation: w.generation, pid: proc.pid, log: w.log };
    return ok(w.handle);
  }

  private pingAll(): void {
    const now = this.clock.now();
    for (const w of this.workers.values()) {
      if (w.state !== "ready" || !w.proc) continue;
      const act = w.proc.activity();
      if (act?.busy) w.lastBusy = now;
      if (act && (act.busy || act.done !== w.doneSeen)) w.lastActive = now;
      if (act) w.doneSeen = act.done;
      if (this.idleMs !== null && now - (w.lastActive ?? now) > this.idleMs) {
        this.stop(w, "idle");
        continue;
      }
      // The pong thread answers even while a node sleeps or waits on I/O: silence while no
      // request runs means the process is stopped or wedged. Ending a long call is the
      // bridge's timeout, not ours.
      if (now - Math.max(w.lastPong ?? 0, w.lastBusy ?? 0) > HUNG_INTERVALS * this.pingMs) {
        w.proc.kill();
        w.crashTimes.push(now);
        w.state = "exited";
        // Said now, not when the exit is reaped: `ps` in between must not show an exit without a cause.
        w.lastExit = { code: null, signal: "SIGKILL" };
        w.handle = null;
        this.saveState();
        continue;
      }
      w.proc.tell(WORKER_CONTRACT.control.ping);
    }
  }

  private saveState(): void {
    if (this.closed) return;
    try {
      writeState(this.opts.dirs.base, this.info());
    } catch {
      // ps is best effort; a full disk must not stop the workers
    }
  }
}
