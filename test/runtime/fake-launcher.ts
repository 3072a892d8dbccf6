import { err, ok, type Result } from "../../src/util/result.ts";
import { WORKER_CONTRACT } from "../../src/runtime/worker-contract.ts";
import type { Activity, ControlWord, Exit, LaunchRequest, PrepareError, ReadyError, WorkerLauncher, WorkerProcess } from "../../src/runtime/worker-process.ts";

/** How the next fake workers behave. */
export interface FakeBehaviour {
  /** Answer each ping with a pong (a healthy worker). */
  pongs: boolean;
  /** What `ready` answers: an address, or why there is none. */
  ready: { address: string } | ReadyError;
}

/** A worker process that is only state: the test sets its busy file and ends it. */
export class FakeWorker implements WorkerProcess {
  readonly secret: string;
  readonly exited: Promise<Exit>;
  readonly told: ControlWord[] = [];
  busy = false;
  done = 0;
  killed = false;
  private gone = false;
  private onPong: (() => void) | null = null;
  private resolveExit: (exit: Exit) => void = () => {};

  constructor(
    readonly pid: number,
    readonly req: LaunchRequest,
    private readonly behaviour: FakeBehaviour,
  ) {
    this.secret = `secret-${pid}`;
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
  }

  ready(_timeoutMs: number, onPong: () => void): Promise<Result<{ address: string }, ReadyError>> {
    this.onPong = onPong;
    const r = this.behaviour.ready;
    return Promise.resolve("kind" in r ? err(r) : ok(r));
  }

  tell(word: ControlWord): void {
    if (this.gone) return;
    this.told.push(word);
    if (word === WORKER_CONTRACT.control.ping && this.behaviour.pongs) this.onPong?.();
  }

  activity(): Activity | null {
    return { busy: this.busy, done: this.done };
  }

  kill(): void {
    if (this.gone) return;
    this.killed = true;
    this.die({ code: null, signal: "SIGKILL" });
  }

  /** The process ends (a crash, unless the supervisor killed it). */
  die(exit: Exit = { code: 1, signal: null }): void {
    if (this.gone) return;
    this.gone = true;
    this.resolveExit(exit);
  }

  close(): void {}
}

/** Hands out FakeWorkers and keeps them, in launch order, for the test to drive. */
export class FakeLauncher implements WorkerLauncher {
  readonly workers: FakeWorker[] = [];
  behaviour: FakeBehaviour = { pongs: true, ready: { address: "fake:1" } };

  prepare(): Result<void, PrepareError> {
    return ok(undefined);
  }

  launch(req: LaunchRequest): Result<WorkerProcess, never> {
    const w = new FakeWorker(10_000 + this.workers.length, req, { ...this.behaviour });
    this.workers.push(w);
    return ok(w);
  }

  remove(): void {}

  get last(): FakeWorker {
    const w = this.workers.at(-1);
    if (!w) throw new Error("no worker was launched");
    return w;
  }
}
