import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Subprocess } from "bun";
import { PACKAGE_FILES } from "../bridge/files.ts";
import { readEnv } from "../util/env.ts";
import { hostOs } from "../util/platform.ts";
import { transportFor, type Transport } from "./transport.ts";
import { processGroupsFor, type ProcessGroup } from "./process-group.ts";
import { logMaxBytes, WorkerLog } from "./worker-log.ts";
import { err, ok, type Result, messageOf } from "../util/result.ts";
import { configEnvVars } from "./config-vars.ts";
import { isolationEnv, type EnvVars } from "./isolation.ts";
import type { RuntimeDirs } from "./paths.ts";
import { writeState, type SupervisorInfo, type WorkerInfo } from "./state.ts";
import { parseReadyLine, readBusy, WORKER_CONTRACT, workerBootstrap, type WorkerSpecJson } from "./worker-contract.ts";

/** What the bridge asks to run: one worker per environment, keyed by the bridge. */
export interface WorkerSpec {
  key: string;
  label: string;
  python: string;
  /** The environment prefix (its lib/ goes first on the library path). */
  envDir: string;
  cwd: string;
  nodeDir: string;
  module: string;
  sysPath: string[];
  envVars: EnvVars;
}

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

export interface Exit {
  code: number | null;
  signal: string | null;
}

interface Worker {
  spec: WorkerSpec;
  generation: number;
  restarts: number;
  crashTimes: number[];
  proc: Subprocess<"pipe", "pipe", "pipe"> | null;
  /** The worker's process group (a job object on Windows): what its nodes start dies with it. */
  group: ProcessGroup | null;
  handle: WorkerHandle | null;
  state: WorkerInfo["state"];
  startedAt: number | null;
  lastExit: Exit | null;
  lastPong: number | null;
  /** Last tick that found a request running: a node holding the GIL cannot pong, and is not hung. */
  lastBusy: number | null;
  /** The worker's busy file (it maps it: a request running, requests finished), open for reading. */
  busyFd: number | null;
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

/** Why a worker was stopped on purpose: idle past COMFY_ENV_WORKER_IDLE_S, or ComfyUI's /free. */
export type StopReason = "idle" | "free";

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

/** Spawns, watches, restarts and kills the workers of one ComfyUI process. */
export class Supervisor {
  private readonly workers = new Map<string, Worker>();
  private readonly pyDir: string;
  private readonly startedAt = new Date().toISOString();
  private socketCounter = 0;
  private pinger: ReturnType<typeof setInterval> | null = null;
  private readonly pingMs: number;
  private readonly idleMs: number | null;
  private readonly transport: Transport = transportFor(hostOs());
  private readonly groups = processGroupsFor(hostOs());
  private readonly logMax = logMaxBytes();
  private closed = false;

  constructor(private readonly opts: SupervisorOptions) {
    this.pyDir = path.join(opts.dirs.private, "py");
    this.pingMs = opts.pingIntervalMs ?? pingIntervalMs();
    this.idleMs = opts.idleMs === undefined ? idleMsFromEnv() : opts.idleMs;
  }

  /** Write the worker's Python files into the private folder. */
  prepare(): Result<void, { kind: "write-failed"; message: string }> {
    try {
      for (const [rel, text] of Object.entries(PACKAGE_FILES)) {
        const dest = path.join(this.pyDir, rel);
        fs.mkdirSync(path.dirname(dest), { recursive: true, mode: 0o700 });
        fs.writeFileSync(dest, text, { mode: 0o600 });
      }
    } catch (e) {
      return err({ kind: "write-failed", message: messageOf(e) });
    }
    this.pinger = setInterval(() => this.pingAll(), this.pingMs);
    this.pinger.unref?.();
    this.saveState();
    return ok(undefined);
  }

  /** Start the worker for `spec` unless one with this key is alive. */
  spawn(spec: WorkerSpec): Promise<Result<WorkerHandle, SupervisorError>> {
    let w = this.workers.get(spec.key);
    if (!w) {
      const log = path.join(this.opts.dirs.logs, `${safeName(spec.label)}-${crypto.createHash("sha256").update(spec.key).digest("hex").slice(0, 8)}.log`);
      w = { spec, generation: 0, restarts: 0, crashTimes: [], proc: null, group: null, handle: null, state: "exited", startedAt: null, lastExit: null, lastPong: null, lastBusy: null, busyFd: null, doneSeen: 0, lastActive: null, stopped: null, exited: null, logFile: new WorkerLog(log, this.logMax), starting: null, log };
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
    if (w.exited && w.state !== "exited") await Promise.race([w.exited, Bun.sleep(waitMs)]);
    return ok({ alive: w.state === "ready" || w.state === "starting", exit: w.lastExit, log: w.log, generation: w.generation });
  }

  /** ComfyUI's Cancel while a node runs: the worker raises ComfyUI's interrupt flag in its Python. */
  interrupt(key: string): Result<void, SupervisorError> {
    const w = this.workers.get(key);
    if (!w) return err({ kind: "unknown-worker", key });
    if (w.state === "ready") this.tell(w, WORKER_CONTRACT.control.interrupt);
    return ok(undefined);
  }

  /** One line on a worker's control pipe; a worker that is gone is marked by its exit handler. */
  private tell(w: Worker, line: string): void {
    try {
      w.proc?.stdin.write(`${line}\n`);
      void w.proc?.stdin.flush();
    } catch {
      // the exit handler marks it
    }
  }

  /** Kill one worker (a call timed out); the next ensure starts a new generation. */
  async kill(key: string): Promise<Result<void, SupervisorError>> {
    const w = this.workers.get(key);
    if (!w) return err({ kind: "unknown-worker", key });
    this.killProc(w);
    if (w.exited) await Promise.race([w.exited, Bun.sleep(2000)]);
    return ok(undefined);
  }

  info(): SupervisorInfo {
    const now = Date.now();
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
    if (this.pinger) clearInterval(this.pinger);
    for (const w of this.workers.values()) {
      this.killProc(w);
      this.closeBusy(w);
      w.logFile.close();
    }
    fs.rmSync(this.opts.dirs.private, { recursive: true, force: true });
  }

  private killProc(w: Worker): void {
    if (!w.proc || w.proc.exitCode !== null || w.proc.signalCode !== null) return;
    w.group?.kill();
    w.proc.kill("SIGKILL");
  }

  private closeBusy(w: Worker): void {
    if (w.busyFd === null) return;
    try {
      fs.closeSync(w.busyFd);
    } catch {
      // already closed
    }
    w.busyFd = null;
  }

  /** The worker's busy file: running a request now, and its count of finished ones (null when unreadable). */
  private activity(w: Worker): { busy: boolean; done: number } | null {
    if (w.busyFd === null) return null;
    const size = WORKER_CONTRACT.busy.size;
    const b = Buffer.alloc(size);
    try {
      return fs.readSync(w.busyFd, b, 0, size, 0) === size ? readBusy(b) : null;
    } catch {
      return null;
    }
  }

  /**
   * Stop `w` on purpose (idle, or ComfyUI freed its memory): not a crash, no backoff; the next
   * call starts a new one.
   */
  private stop(w: Worker, reason: StopReason): void {
    w.state = "stopped";
    w.stopped = reason;
    w.handle = null;
    this.killProc(w);
    this.saveState();
  }

  /** ComfyUI's "Free model and node cache": stop every worker not running a request; resolves once they are gone. */
  async stopIdle(): Promise<string[]> {
    const stopped = [...this.workers.values()].filter((w) => w.state === "ready" && !this.activity(w)?.busy);
    for (const w of stopped) this.stop(w, "free");
    await Promise.race([Promise.all(stopped.map((w) => w.exited)), Bun.sleep(5000)]);
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
    const now = Date.now();
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
      await Bun.sleep(delay);
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
    const secret = crypto.randomBytes(32).toString("hex");
    const n = ++this.socketCounter;
    const address = this.transport.workerAddress(this.opts.dirs.private, n);
    const busyFile = path.join(this.opts.dirs.private, `w${n}.busy`);
    const env = isolationEnv(hostOs(), spec.envDir, this.opts.baseEnv ?? (process.env as EnvVars), { ...configVars.value, ...spec.envVars }, fs.existsSync);
    const workerSpec: WorkerSpecJson = { node_dir: spec.nodeDir, module: spec.module, sys_path: spec.sysPath, label: spec.label, generation: w.generation, busy_file: busyFile };
    env[WORKER_CONTRACT.env.secret] = secret;
    env[WORKER_CONTRACT.env.address] = address;
    env[WORKER_CONTRACT.env.spec] = JSON.stringify(workerSpec);
    let proc: Subprocess<"pipe", "pipe", "pipe">;
    this.closeBusy(w);
    try {
      fs.writeFileSync(busyFile, new Uint8Array(WORKER_CONTRACT.busy.size), { mode: 0o600 });
      w.busyFd = fs.openSync(busyFile, "r");
      w.logFile.write(`--- ${new Date().toISOString()} ${spec.label}: generation ${w.generation}, ${spec.python}\n`);
      proc = Bun.spawn([spec.python, "-u", "-c", workerBootstrap(this.pyDir)], { cwd: spec.cwd, env, stdin: "pipe", stdout: "pipe", stderr: "pipe", detached: this.groups.detached });
    } catch (e) {
      w.state = "exited";
      return err({ kind: "spawn-failed", key: spec.key, label: spec.label, message: messageOf(e), log: w.log });
    }
    const group = this.groups.adopt(proc.pid);
    w.proc = proc;
    w.group = group;
    w.state = "starting";
    w.startedAt = Date.now();
    w.lastPong = null;
    w.lastBusy = null;
    w.lastActive = Date.now();
    w.doneSeen = 0;
    w.stopped = null;
    w.handle = null;
    const logged = this.drainStderr(w, proc);
    w.exited = proc.exited.then(async () => {
      // However the worker ended (a crash, a kill), what its nodes started ends with it.
      group.kill();
      group.close();
      // Its last lines are in the log before anyone is told it ended (a child that left the
      // group may hold the pipe: not for long).
      await Promise.race([logged, Bun.sleep(1000)]);
      if (w.proc !== proc) return;
      w.lastExit = proc.signalCode ? { code: null, signal: String(proc.signalCode) } : { code: proc.exitCode, signal: null };
      if (w.state === "ready" || w.state === "starting") w.crashTimes.push(Date.now());
      if (w.state !== "stopped") w.state = "exited";
      w.handle = null;
      this.saveState();
    });
    const ready = await this.readReady(w, proc, this.opts.readyTimeoutMs ?? READY_TIMEOUT_MS);
    if (ready.isErr()) {
      this.killProc(w);
      return err(ready.error);
    }
    w.state = "ready";
    w.lastPong = Date.now();
    w.handle = { key: spec.key, address: ready.value.address, secret, generation: w.generation, pid: proc.pid, log: w.log };
    return ok(w.handle);
  }

  /** The worker's stderr (and its nodes' output) into its bounded log, until the pipe closes. */
  private async drainStderr(w: Worker, proc: Subprocess<"pipe", "pipe", "pipe">): Promise<void> {
    try {
      for await (const chunk of proc.stderr) w.logFile.write(chunk);
    } catch {
      // the pipe broke: the worker is gone
    }
  }

  /** Reads the worker's control stdout: the ready line first, then pongs. */
  private async readReady(w: Worker, proc: Subprocess<"pipe", "pipe", "pipe">, timeoutMs: number): Promise<Result<{ address: string }, SupervisorError>> {
    const reader = proc.stdout.getReader();
    const decoder = new TextDecoder();
    let pending = "";
    const lines = async function* (): AsyncGenerator<string> {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        pending += decoder.decode(value, { stream: true });
        let i: number;
        while ((i = pending.indexOf("\n")) >= 0) {
          yield pending.slice(0, i);
          pending = pending.slice(i + 1);
        }
      }
    };
    const it = lines();
    const first = await Promise.race([it.next(), Bun.sleep(timeoutMs).then(() => "timeout" as const)]);
    const spec = w.spec;
    if (first === "timeout") return err({ kind: "not-ready", key: spec.key, label: spec.label, timeoutMs, log: w.log });
    const address = first.done ? undefined : parseReadyLine(first.value);
    if (address === undefined) {
      await Promise.race([proc.exited, Bun.sleep(1000)]);
      const how = proc.signalCode ? `signal ${proc.signalCode}` : proc.exitCode !== null ? `exit code ${proc.exitCode}` : "no ready line";
      return err({ kind: "spawn-failed", key: spec.key, label: spec.label, message: `the worker stopped before it was ready (${how})`, log: w.log });
    }
    void (async () => {
      for await (const line of it) if (line.trim() === WORKER_CONTRACT.control.pong && w.proc === proc) w.lastPong = Date.now();
    })();
    return ok({ address });
  }

  private pingAll(): void {
    const now = Date.now();
    for (const w of this.workers.values()) {
      if (w.state !== "ready" || !w.proc) continue;
      const act = this.activity(w);
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
        this.killProc(w);
        w.crashTimes.push(now);
        w.state = "exited";
        // Said now, not when the exit is reaped: `ps` in between must not show an exit without a cause.
        w.lastExit = { code: null, signal: "SIGKILL" };
        w.handle = null;
        this.saveState();
        continue;
      }
      this.tell(w, WORKER_CONTRACT.control.ping);
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
