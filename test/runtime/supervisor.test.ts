import { describe, expect, test } from "bun:test";
import { createRuntimeDirs } from "../../src/runtime/paths.ts";
import { Supervisor, type SupervisorError, type WorkerHandle } from "../../src/runtime/supervisor.ts";
import type { WorkerSpec } from "../../src/runtime/worker-process.ts";
import type { Result } from "../../src/util/result.ts";
import { tmpdir } from "../support/tmp.ts";
import { FakeClock, settle } from "./fake-clock.ts";
import { FakeLauncher, type FakeWorker } from "./fake-launcher.ts";

// The supervisor's policy over fake worker processes and a clock moved by hand: no Python runs,
// no time passes. test/runtime/lifetime.test.ts runs the same rules on real workers.

const PING_MS = 1000;

async function world(idleMs: number | null = null) {
  const dir = await tmpdir();
  const dirs = createRuntimeDirs(dir.path, process.pid)._unsafeUnwrap();
  const clock = new FakeClock();
  const launcher = new FakeLauncher();
  const sup = new Supervisor({ dirs, launcher, clock, pingIntervalMs: PING_MS, idleMs });
  sup.prepare()._unsafeUnwrap();
  const spec = (key: string): WorkerSpec => ({ key, label: `Pack ${key}`, python: "/no/python", envDir: dir.path, cwd: dir.path, nodeDir: dir.path, module: "nodes", sysPath: [], envVars: {} });
  const state = (key: string) => sup.info().workers.find((w) => w.key === key);
  return {
    clock,
    launcher,
    sup,
    spec,
    state,
    async [Symbol.asyncDispose]() {
      sup.shutdown();
      await dir[Symbol.asyncDispose]();
    },
  };
}

/** The promise's value if it needs no timer to settle, else "pending". */
async function atOnce<T>(p: Promise<T>): Promise<T | "pending"> {
  return Promise.race([p, settle().then(() => "pending" as const)]);
}

async function crash(w: FakeWorker, code = 3): Promise<void> {
  w.die({ code, signal: null });
  await settle();
}

function handle(r: Result<WorkerHandle, SupervisorError> | "pending"): WorkerHandle {
  if (r === "pending") throw new Error("still pending");
  return r._unsafeUnwrap();
}

describe("hang detection", () => {
  test("a worker that never pongs while no request runs is killed past 3 ping intervals; the next call starts a new generation at once", async () => {
    await using w = await world();
    w.launcher.behaviour.pongs = false;
    expect(handle(await w.sup.spawn(w.spec("a"))).generation).toBe(1);
    const first = w.launcher.last;
    await w.clock.advance(3 * PING_MS);
    expect(first.told).toEqual(["ping", "ping", "ping"]);
    expect([first.killed, w.state("a")?.state]).toEqual([false, "ready"]);
    await w.clock.advance(PING_MS);
    expect(first.killed).toBe(true);
    expect(w.state("a")).toMatchObject({ state: "exited", lastExit: { code: null, signal: "SIGKILL" } });
    const next = handle(await atOnce(w.sup.ensure("a")));
    expect([next.generation, w.launcher.workers.length, w.state("a")?.restarts]).toEqual([2, 2, 1]);
  });

  test("a worker that answers its pings is left running", async () => {
    await using w = await world();
    await w.sup.spawn(w.spec("a"));
    await w.clock.advance(60 * PING_MS);
    expect([w.launcher.last.killed, w.state("a")?.state]).toEqual([false, "ready"]);
  });

  test("a worker running a request is not killed however long it is silent; once it is done, silence counts again", async () => {
    await using w = await world();
    w.launcher.behaviour.pongs = false;
    await w.sup.spawn(w.spec("a"));
    const worker = w.launcher.last;
    worker.busy = true;
    await w.clock.advance(60 * PING_MS);
    expect([worker.killed, w.state("a")?.state]).toEqual([false, "ready"]);
    worker.busy = false;
    await w.clock.advance(3 * PING_MS);
    expect(worker.killed).toBe(false);
    await w.clock.advance(PING_MS);
    expect(worker.killed).toBe(true);
  });
});

describe("restarts", () => {
  test("repeated crashes wait 1, 2, 4 s; the 5th death in 60 s fails the next call at once with crash-loop, and it starts again when that wait is over", async () => {
    await using w = await world();
    await w.sup.spawn(w.spec("a"));
    await crash(w.launcher.last);
    expect(handle(await atOnce(w.sup.ensure("a"))).generation).toBe(2);
    const waits: [number, number][] = [
      [1000, 3],
      [2000, 4],
      [4000, 5],
    ];
    for (const [wait, generation] of waits) {
      await crash(w.launcher.last);
      const p = w.sup.ensure("a");
      await w.clock.advance(wait - 1);
      expect(await atOnce(p)).toBe("pending");
      expect(w.state("a")?.state).toBe("backoff");
      await w.clock.advance(1);
      expect(handle(await atOnce(p)).generation).toBe(generation);
    }
    await crash(w.launcher.last);
    const loop = await atOnce(w.sup.ensure("a"));
    if (loop === "pending") throw new Error("a crash loop made the call wait");
    expect(loop._unsafeUnwrapErr()).toMatchObject({ kind: "crash-loop", key: "a", deaths: 5, windowMs: 60_000, retryInMs: 8000, lastExit: { code: 3, signal: null } });
    expect(w.launcher.workers.length).toBe(5);
    await w.clock.advance(8000);
    expect(handle(await atOnce(w.sup.ensure("a"))).generation).toBe(6);
  });

  test("deaths older than 60 s no longer count", async () => {
    await using w = await world();
    await w.sup.spawn(w.spec("a"));
    await crash(w.launcher.last);
    await w.sup.ensure("a");
    await w.clock.advance(61_000);
    await crash(w.launcher.last);
    expect(handle(await atOnce(w.sup.ensure("a"))).generation).toBe(3);
  });

  test("no ready line: not-ready after the timeout, spawn-failed naming the exit when it stopped; the process is killed either way", async () => {
    await using w = await world();
    w.launcher.behaviour.ready = { kind: "timeout" };
    expect((await w.sup.spawn(w.spec("a")))._unsafeUnwrapErr()).toMatchObject({ kind: "not-ready", key: "a", timeoutMs: 60_000 });
    expect(w.launcher.last.killed).toBe(true);
    w.launcher.behaviour.ready = { kind: "stopped", exit: { code: 2, signal: null } };
    const stopped = (await w.sup.spawn(w.spec("b")))._unsafeUnwrapErr();
    expect(stopped).toMatchObject({ kind: "spawn-failed", message: "the worker stopped before it was ready (exit code 2)" });
  });
});

describe("stopping on purpose", () => {
  test("a worker unused past the idle time is stopped, not counted as a crash; one that finished a request meanwhile is kept", async () => {
    await using w = await world(10_000);
    await w.sup.spawn(w.spec("idle"));
    await w.sup.spawn(w.spec("used"));
    const [idle, used] = w.launcher.workers as [FakeWorker, FakeWorker];
    await w.clock.advance(5000);
    used.done += 1;
    await w.clock.advance(5000);
    expect(idle.killed).toBe(false);
    await w.clock.advance(PING_MS);
    expect([idle.killed, used.killed]).toEqual([true, false]);
    expect(w.state("idle")).toMatchObject({ state: "stopped", stopped: "idle" });
    // It was last seen in use at the tick after its request finished (6 s).
    await w.clock.advance(5000);
    expect(used.killed).toBe(false);
    await w.clock.advance(PING_MS);
    expect(used.killed).toBe(true);
    // Had the stop counted as a crash, this crash would be the second and wait 1 s.
    expect(handle(await atOnce(w.sup.ensure("idle"))).generation).toBe(2);
    await crash(w.launcher.last);
    expect(handle(await atOnce(w.sup.ensure("idle"))).generation).toBe(3);
  });

  test("the bridge's stop of a worker it started to read node metadata is no crash; a kill is", async () => {
    await using w = await world();
    await w.sup.spawn(w.spec("a"));
    (await w.sup.kill("a", "unused"))._unsafeUnwrap();
    expect(w.launcher.last.killed).toBe(true);
    expect(w.state("a")).toMatchObject({ state: "stopped", stopped: "unused" });
    // Had the stop counted, the crash after it would be the second death and wait 1 s.
    expect(handle(await atOnce(w.sup.ensure("a"))).generation).toBe(2);
    await crash(w.launcher.last);
    expect(handle(await atOnce(w.sup.ensure("a"))).generation).toBe(3);
    (await w.sup.kill("a"))._unsafeUnwrap();
    await settle();
    expect(w.state("a")).toMatchObject({ state: "exited", stopped: null });
    expect(await atOnce(w.sup.ensure("a"))).toBe("pending");
  });

  test("ComfyUI's /free stops every worker not running a request", async () => {
    await using w = await world();
    await w.sup.spawn(w.spec("idle"));
    await w.sup.spawn(w.spec("busy"));
    const [idle, busy] = w.launcher.workers as [FakeWorker, FakeWorker];
    busy.busy = true;
    expect(await w.sup.stopIdle()).toEqual(["idle"]);
    expect([idle.killed, busy.killed]).toEqual([true, false]);
    expect(w.state("idle")).toMatchObject({ state: "stopped", stopped: "free" });
    expect(w.state("busy")?.state).toBe("ready");
  });
});
