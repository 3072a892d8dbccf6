import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Subprocess } from "bun";
import { PACKAGE_FILES } from "../bridge/files.ts";
import { hostOs } from "../util/platform.ts";
import { err, ok, type Result, messageOf } from "../util/result.ts";
import { isolationEnv, type EnvVars } from "./isolation.ts";
import type { RuntimeDirs } from "./paths.ts";
import { processGroupsFor, type ProcessGroup } from "./process-group.ts";
import { transportFor } from "./transport.ts";
import type { WorkerLog } from "./worker-log.ts";
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

export interface Exit {
  code: number | null;
  signal: string | null;
}

/** What the worker's busy file says: a request running now, and its count of finished ones. */
export interface Activity {
  busy: boolean;
  done: number;
}

/** The words the supervisor writes on a worker's control pipe. */
export type ControlWord = typeof WORKER_CONTRACT.control.ping | typeof WORKER_CONTRACT.control.interrupt;

/** Why no ready line came: none in time, or the worker's first line was something else (`exit` once it ended). */
export type ReadyError = { kind: "timeout" } | { kind: "stopped"; exit: Exit | null };

/** One started worker process: what the supervisor's policy reads from it and does to it. */
export interface WorkerProcess {
  readonly pid: number;
  /** The secret a client must prove it holds; handed to the bridge with the address. */
  readonly secret: string;
  /**
   * Resolves once the worker is reaped: its process group killed with it, its last stderr lines
   * in its log.
   */
  readonly exited: Promise<Exit>;
  /** Its ready line (the address it listens on) within `timeoutMs`; every later pong calls `onPong`. */
  ready(timeoutMs: number, onPong: () => void): Promise<Result<{ address: string }, ReadyError>>;
  /** One word on its control pipe; a worker that is gone is noticed through `exited`. */
  tell(word: ControlWord): void;
  /** Its busy file now; null when unreadable. */
  activity(): Activity | null;
  /** Kill it and its process group; harmless once it is gone. */
  kill(): void;
  /** Close its busy file (a new generation gets its own). */
  close(): void;
}

export interface LaunchRequest {
  spec: WorkerSpec;
  generation: number;
  /** The config's [env_vars] and the bridge's, merged into the isolation environment. */
  envVars: EnvVars;
  /** Its stderr goes here until the pipe closes. */
  log: WorkerLog;
}

export type LaunchError = { kind: "spawn-failed"; message: string };

/** The worker's Python files could not be written into the supervisor's private folder. */
export type PrepareError = { kind: "worker-files"; path: string; message: string };

/** How the supervisor starts workers: real processes here, a fake in the policy's tests. */
export interface WorkerLauncher {
  /** Write the worker's Python package into the private folder. */
  prepare(): Result<void, PrepareError>;
  launch(req: LaunchRequest): Result<WorkerProcess, LaunchError>;
  /** Remove the private folder: the package, sockets, busy files. */
  remove(): void;
}

function exitOf(proc: Subprocess): Exit | null {
  if (proc.signalCode) return { code: null, signal: String(proc.signalCode) };
  return proc.exitCode === null ? null : { code: proc.exitCode, signal: null };
}

/** The worker's stderr (and its nodes' output) into its bounded log, until the pipe closes. */
async function drainStderr(stderr: ReadableStream<Uint8Array>, log: WorkerLog): Promise<void> {
  try {
    for await (const chunk of stderr) log.write(chunk);
  } catch {
    // the pipe broke: the worker is gone
  }
}

/** Workers as processes of the env's Python, in the private folder of `dirs`, each in its own process group. */
export function workerLauncher(dirs: RuntimeDirs, baseEnv: EnvVars = process.env as EnvVars): WorkerLauncher {
  const os = hostOs();
  const transport = transportFor(os);
  const groups = processGroupsFor(os);
  const pyDir = path.join(dirs.private, "py");
  let socketCounter = 0;
  return {
    prepare() {
      try {
        for (const [rel, text] of Object.entries(PACKAGE_FILES)) {
          const dest = path.join(pyDir, rel);
          fs.mkdirSync(path.dirname(dest), { recursive: true, mode: 0o700 });
          fs.writeFileSync(dest, text, { mode: 0o600 });
        }
      } catch (e) {
        return err({ kind: "worker-files", path: dirs.private, message: messageOf(e) });
      }
      return ok(undefined);
    },

    launch({ spec, generation, envVars, log }) {
      const secret = crypto.randomBytes(32).toString("hex");
      const n = ++socketCounter;
      const address = transport.workerAddress(dirs.private, n);
      const busyFile = path.join(dirs.private, `w${n}.busy`);
      const env = isolationEnv(os, spec.envDir, baseEnv, envVars, fs.existsSync);
      const workerSpec: WorkerSpecJson = { node_dir: spec.nodeDir, module: spec.module, sys_path: spec.sysPath, label: spec.label, generation, busy_file: busyFile };
      env[WORKER_CONTRACT.env.secret] = secret;
      env[WORKER_CONTRACT.env.address] = address;
      env[WORKER_CONTRACT.env.spec] = JSON.stringify(workerSpec);
      let busyFd: number | null = null;
      let proc: Subprocess<"pipe", "pipe", "pipe">;
      try {
        fs.writeFileSync(busyFile, new Uint8Array(WORKER_CONTRACT.busy.size), { mode: 0o600 });
        busyFd = fs.openSync(busyFile, "r");
        proc = Bun.spawn([spec.python, "-u", "-c", workerBootstrap(pyDir)], { cwd: spec.cwd, env, stdin: "pipe", stdout: "pipe", stderr: "pipe", detached: groups.detached });
      } catch (e) {
        if (busyFd !== null) fs.closeSync(busyFd);
        return err({ kind: "spawn-failed", message: messageOf(e) });
      }
      return ok(spawnedWorker(proc, groups.adopt(proc.pid), secret, busyFd, log));
    },

    remove() {
      fs.rmSync(dirs.private, { recursive: true, force: true });
    },
  };
}

function spawnedWorker(proc: Subprocess<"pipe", "pipe", "pipe">, group: ProcessGroup, secret: string, fd: number, log: WorkerLog): WorkerProcess {
  let busyFd: number | null = fd;
  const logged = drainStderr(proc.stderr, log);
  const exited = proc.exited.then(async () => {
    // However the worker ended (a crash, a kill), what its nodes started ends with it.
    group.kill();
    group.close();
    // Its last lines are in the log before anyone is told it ended (a child that left the
    // group may hold the pipe: not for long).
    await Promise.race([logged, Bun.sleep(1000)]);
    return exitOf(proc) ?? { code: null, signal: null };
  });
  return {
    pid: proc.pid,
    secret,
    exited,

    async ready(timeoutMs, onPong) {
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
      if (first === "timeout") return err({ kind: "timeout" });
      const address = first.done ? undefined : parseReadyLine(first.value);
      if (address === undefined) {
        await Promise.race([proc.exited, Bun.sleep(1000)]);
        return err({ kind: "stopped", exit: exitOf(proc) });
      }
      void (async () => {
        for await (const line of it) if (line.trim() === WORKER_CONTRACT.control.pong) onPong();
      })();
      return ok({ address });
    },

    tell(word) {
      try {
        proc.stdin.write(`${word}\n`);
        void proc.stdin.flush();
      } catch {
        // the exit handler marks it
      }
    },

    activity() {
      if (busyFd === null) return null;
      const size = WORKER_CONTRACT.busy.size;
      const b = Buffer.alloc(size);
      try {
        return fs.readSync(busyFd, b, 0, size, 0) === size ? readBusy(b) : null;
      } catch {
        return null;
      }
    },

    kill() {
      if (exitOf(proc) !== null) return;
      group.kill();
      proc.kill("SIGKILL");
    },

    close() {
      if (busyFd === null) return;
      try {
        fs.closeSync(busyFd);
      } catch {
        // already closed
      }
      busyFd = null;
    },
  };
}
