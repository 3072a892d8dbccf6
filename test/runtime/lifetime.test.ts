import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { tmpdir } from "../support/tmp.ts";
import { comfyTree, Host, isRunning, makeWorld, waitUntil, type World } from "./host.ts";

// Supervisor and worker lifetime: what dies with what, what is restarted, what is cleaned.
// Every host gets its own runtime folder (XDG_RUNTIME_DIR), so the test can look into it.

let dir: Awaited<ReturnType<typeof tmpdir>>;
let world: World;
let comfy: string;
let hostN = 0;

beforeAll(async () => {
  dir = await tmpdir("ce-lifetime-");
  world = await makeWorld(dir.path);
  comfy = comfyTree(world, path.join(dir.path, "RuntimeComfyUI"), ["comfy"], { RuntimePack: "RuntimePack" }, ["RuntimePack/nodes"]);
}, 120_000);

afterAll(async () => {
  await dir[Symbol.asyncDispose]();
});

/** `body` with a started, loaded host (closed after), whose fresh runtime folder is `run`. */
async function withHost(env: Record<string, string>, body: (h: Host, run: string) => Promise<void>): Promise<void> {
  const { h, run } = await startHost(env);
  try {
    await body(h, run);
  } finally {
    await h.close();
  }
}

/** A started, loaded host with a fresh runtime folder; `run` is its XDG_RUNTIME_DIR. */
async function startHost(env: Record<string, string> = {}): Promise<{ h: Host; run: string }> {
  const run = path.join(dir.path, `run${++hostN}`);
  fs.mkdirSync(run, { mode: 0o700 });
  const h = new Host({ ...world, comfy }, { XDG_RUNTIME_DIR: run, ...env });
  await h.start();
  const loaded = await h.send({ op: "load" });
  expect(Object.keys(loaded.nodes)).toContain("RtPid");
  return { h, run };
}

describe("the supervisor dies", () => {
  test("kill -9 of `comfy-env supervise` between calls: the next call is served by a new supervisor and worker", async () => {
    await withHost({}, async (h, run) => {
      const worker1 = (await h.send({ op: "run", node: "RtPid" })).result[0] as number;
      const sup1 = (await h.send({ op: "ps" })).pid as number;
      process.kill(sup1, "SIGKILL");
      // Its worker follows it (its control pipe closed).
      expect(await waitUntil(() => !isRunning(sup1) && !isRunning(worker1), 10_000)).toBe(true);
      const base = path.join(run, "comfy-env");
      const left = () => fs.readdirSync(base).filter((n) => n.startsWith(`s${sup1}-`)).concat(fs.readdirSync(path.join(base, "supervisors")).filter((n) => n === `${sup1}.json`));
      expect(left()).toHaveLength(2); // its private folder and state file stay after a SIGKILL
      const r = await h.send({ op: "run", node: "RtPid" });
      expect(r.error).toBeUndefined();
      expect(r.result[0]).not.toBe(worker1);
      expect(left()).toEqual([]); // the new supervisor removed them
      const ps = await h.send({ op: "ps" });
      expect(ps.pid).not.toBe(sup1);
      expect(ps.workers.map((w: { pid: number }) => w.pid)).toEqual([r.result[0]]);
      // And again: the second supervisor's death is no different.
      // (A call sent before its worker noticed would fail as a call during a worker's death does.)
      process.kill(ps.pid, "SIGKILL");
      expect(await waitUntil(() => !isRunning(ps.pid) && !isRunning(r.result[0]), 10_000)).toBe(true);
      expect((await h.send({ op: "run", node: "RtPid" })).error).toBeUndefined();
    });
  }, 90_000);
});

describe("what a node starts dies with its worker", () => {
  test("the worker is killed (kill -9): the node's child process is gone too; the next call runs on a new worker", async () => {
    await withHost({}, async (h) => {
      const [child, worker] = (await h.send({ op: "run", node: "RtChild" })).result as [number, number];
      expect(isRunning(child)).toBe(true);
      process.kill(worker, "SIGKILL");
      expect(await waitUntil(() => !isRunning(child), 10_000)).toBe(true);
      expect((await h.send({ op: "run", node: "RtPid" })).result[0]).not.toBe(worker);
    });
  }, 60_000);

  test("host and supervisor die together (kill -9 of both): worker and the node's child are gone", async () => {
    const { h } = await startHost();
    const [child, worker] = (await h.send({ op: "run", node: "RtChild" })).result as [number, number];
    const sup = (await h.send({ op: "ps" })).pid as number;
    process.kill(sup, "SIGKILL");
    h.proc.kill("SIGKILL");
    await h.proc.exited;
    expect(await waitUntil(() => ![sup, worker, child].some(isRunning), 10_000)).toBe(true);
  }, 60_000);
});

describe("a worker in a crash loop", () => {
  test("after 5 deaths in 60 s the next call fails at once saying why, instead of waiting 8-10 s in silence", async () => {
    await withHost({}, async (h) => {
      for (let i = 1; i <= 5; i++) {
        // Deaths 2-4 wait their backoff (1, 2, 4 s) before the next start, as before.
        const r = await h.send({ op: "run", node: "RtCrash" });
        expect(r.error).toContain("died while running RtCrash");
      }
      const r = await h.send({ op: "run", node: "RtPid" });
      expect(r.error).toContain("the worker for RuntimePack/nodes died 5 times in the last 60 s (last: killed by SIGABRT)");
      expect(r.error).toMatch(/it is started again in \d+ s/);
      expect(r.error).toContain(".log");
    });
  }, 90_000);
});

describe("worker logs", () => {
  test("a worker's log is bounded: past COMFY_ENV_WORKER_LOG_MAX it moves to <log>.1 and starts again", async () => {
    const max = 64 * 1024;
    await withHost({ COMFY_ENV_WORKER_LOG_MAX: String(max) }, async (h) => {
      expect((await h.send({ op: "run", node: "RtSpam", inputs: { mib: 2 } })).result).toEqual([2]);
      const log = (await h.send({ op: "ps" })).workers[0].log as string;
      // The supervisor writes what the pipe brings; give it time to catch up on a loaded machine.
      await waitUntil(() => fs.existsSync(`${log}.1`), 10_000);
      expect(fs.statSync(log).size).toBeLessThanOrEqual(max);
      expect(fs.statSync(`${log}.1`).size).toBeLessThanOrEqual(max);
      expect(fs.statSync(`${log}.1`).size).toBeGreaterThan(0);
      expect((await h.send({ op: "run", node: "RtPid" })).error).toBeUndefined();
    });
  }, 60_000);
});

describe("a long TMPDIR", () => {
  test("socket paths over 107 bytes do not break workers: they listen on 127.0.0.1 with the secret", async () => {
    const tmp = path.join(dir.path, "t".repeat(110));
    fs.mkdirSync(tmp);
    await withHost({ TMPDIR: tmp, XDG_RUNTIME_DIR: "" }, async (h) => {
      expect((await h.send({ op: "run", node: "RtPid" })).error).toBeUndefined();
      expect((await h.send({ op: "ps" })).workers[0].address).toMatch(/^tcp:127\.0\.0\.1:\d+$/);
    });
  }, 60_000);
});

describe("idle workers", () => {
  /** The host's worker as `ps` shows it once `cond` holds (or the last one seen, after `ms`). */
  async function workerWhen(h: Host, cond: (w: { state: string; stopped: string | null }) => boolean, ms: number) {
    const end = Date.now() + ms;
    for (;;) {
      const w = (await h.send({ op: "ps" })).workers[0];
      if (cond(w) || Date.now() > end) return w;
      await Bun.sleep(100);
    }
  }

  test("COMFY_ENV_WORKER_IDLE_S: a worker unused that long is stopped; one in use is not; the next call starts a new one", async () => {
    await withHost({ COMFY_ENV_WORKER_IDLE_S: "2", COMFY_ENV_PING_MS: "200" }, async (h) => {
      const first = (await h.send({ op: "run", node: "RtPid" })).result[0] as number;
      // Calls back to back for longer than the idle time: each one is activity.
      const end = Date.now() + 3000;
      while (Date.now() < end) expect((await h.send({ op: "run", node: "RtPid" })).result[0]).toBe(first);
      const w = await workerWhen(h, (x) => x.state === "stopped", 20_000);
      expect([w.state, w.stopped]).toEqual(["stopped", "idle"]);
      expect(await waitUntil(() => !isRunning(first), 5000)).toBe(true);
      const again = await h.send({ op: "run", node: "RtPid" });
      expect(again.error).toBeUndefined();
      expect(again.result[0]).not.toBe(first);
      const after = (await h.send({ op: "ps" })).workers[0];
      expect([after.state, after.restarts, after.lastExit.signal]).toEqual(["ready", 1, "SIGKILL"]);
    });
  }, 60_000);

  test("ComfyUI's Free model and node cache (/free with free_memory) stops idle workers; Unload models alone does not", async () => {
    await withHost({}, async (h) => {
      const first = (await h.send({ op: "run", node: "RtPid" })).result[0] as number;
      await h.send({ op: "free", unload_models: true });
      expect((await h.send({ op: "ps" })).workers[0].state).toBe("ready");
      await h.send({ op: "free", unload_models: true, free_memory: true });
      // The bridge's request returns once the worker is gone.
      const w = (await h.send({ op: "ps" })).workers[0];
      expect([w.state, w.stopped]).toEqual(["stopped", "free"]);
      expect(await waitUntil(() => !isRunning(first), 5000)).toBe(true);
      // The very next call runs, on a new worker.
      const again = await h.send({ op: "run", node: "RtPid" });
      expect(again.error).toBeUndefined();
      expect(again.result[0]).not.toBe(first);
    });
  }, 60_000);
});
