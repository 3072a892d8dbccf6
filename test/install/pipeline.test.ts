// The install pipeline itself, driven in-process with a recording Reporter and the pixi stand-in.
import { afterAll, beforeAll, describe, expect } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runInstallPipeline, type InstallRequest } from "../../src/install/index.ts";
import { processIdentity } from "../../src/util/process-identity.ts";
import { STANDIN_PIXI } from "../support/pixi-standin.ts";
import { testWithPythons } from "../support/pythons.ts";
import { recordingReporter, type ReporterCall } from "../support/reporter.ts";
import { tmpdir } from "../support/tmp.ts";

const CONFIG = 'python = "3.11"\n[cuda]\ntorch = false\n';
const VARS = ["COMFY_ENV_PIXI", "PIXI_STANDIN_LOG", "COMFY_ENV_MIN_FREE_GB", "COMFY_ENV_CUDA_VERSION"] as const;
const saved = Object.fromEntries(VARS.map((k) => [k, process.env[k]]));

// The pipeline reads its variables from process.env, as the CLI does.
beforeAll(() => {
  process.env.COMFY_ENV_PIXI = STANDIN_PIXI;
  process.env.COMFY_ENV_MIN_FREE_GB = "0";
  delete process.env.COMFY_ENV_CUDA_VERSION;
});
afterAll(() => {
  for (const k of VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

function makePack(dir: string, name: string, config: string): string {
  const nodes = path.join(dir, name, "nodes");
  fs.mkdirSync(nodes, { recursive: true });
  fs.writeFileSync(path.join(nodes, "comfy-env.toml"), config);
  return path.join(dir, name);
}

function request(root: string): InstallRequest {
  return { root, cuda: { cuda: null, reason: "--cuda none" }, refresh: false, force: false };
}

/** The calls that say where a build is, without pixi's lines and the messages. */
function milestones(calls: ReporterCall[]): string[] {
  return calls.flatMap((c) => {
    if (c.method === "buildStart" || c.method === "buildStep" || c.method === "buildEnd") return [`${c.method} ${c.args.join(" ")}`];
    if (c.method === "envReady") return [`envReady ${(c.args[0] as { outcome: string }).outcome}`];
    return [];
  });
}

function pixiRuns(log: string): number {
  return fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n").filter(Boolean).length : 0;
}

describe.skipIf(os.platform() === "win32")("runInstallPipeline", () => {
  testWithPythons("3.11")("a first build reports its steps in order and links the folder; a second run takes the fast path, no pixi", async () => {
    await using dir = await tmpdir();
    const pack = makePack(dir.path, "Pack", CONFIG);
    const root = path.join(dir.path, "cache");
    const log = path.join(dir.path, "pixi.log");
    process.env.PIXI_STANDIN_LOG = log;

    const first = recordingReporter();
    const built = (await runInstallPipeline(request(root), [pack], first))._unsafeUnwrap();
    expect(built.failures).toEqual([]);
    expect(built.results.map((r) => r.outcome)).toEqual(["built"]);
    expect(milestones(first.calls)).toEqual(["buildStart 1 1 Pack/nodes", "buildStep Pack/nodes pixi", "buildEnd Pack/nodes built", "envReady built"]);
    // pixi's lines come inside the pixi step, before the build ends.
    const methods = first.calls.map((c) => c.method);
    expect(methods.indexOf("pixiOutput")).toBeGreaterThan(methods.indexOf("buildStep"));
    expect(methods.lastIndexOf("pixiOutput")).toBeLessThan(methods.indexOf("buildEnd"));
    expect(first.calls).toContainEqual({ method: "info", args: ["building for CPU: --cuda none"] });
    const link = built.results[0]?.link as string;
    expect(path.dirname(link)).toBe(path.join(pack, "nodes"));
    expect(fs.realpathSync(link)).toBe(fs.realpathSync(path.join(root, path.basename(link), ".pixi", "envs", "default")));
    expect(fs.existsSync(path.join(root, path.basename(link), ".done"))).toBe(true);
    expect(pixiRuns(log)).toBe(1);

    const second = recordingReporter();
    const again = (await runInstallPipeline(request(root), [pack], second))._unsafeUnwrap();
    expect(again.results.map((r) => [r.outcome, r.link])).toEqual([["reused", link]]);
    expect(again.decision).toBeNull();
    expect(milestones(second.calls)).toEqual(["envReady reused"]);
    expect(second.calls.map((c) => c.method)).not.toContain("pixiOutput");
    expect(pixiRuns(log)).toBe(1);
  }, 60_000);

  testWithPythons("3.11")("the fast path does not link an unlinked build whose lock a gc holds: it waits, and builds anew once the gc removed it", async () => {
    await using dir = await tmpdir();
    const pack = makePack(dir.path, "Pack", CONFIG);
    const root = path.join(dir.path, "cache");
    process.env.PIXI_STANDIN_LOG = path.join(dir.path, "pixi.log");
    const first = (await runInstallPipeline(request(root), [pack], recordingReporter()))._unsafeUnwrap();
    const link = first.results[0]?.link as string;
    const build = path.join(root, path.basename(link));
    // The folder's link is gone (the pack was removed and put back): the build is unlinked,
    // and a gc takes its lock to remove it.
    fs.unlinkSync(link);
    const gc = Bun.spawn(["sleep", "30"]);
    fs.mkdirSync(path.join(build, ".building"));
    fs.writeFileSync(path.join(build, ".building", "owner.json"), JSON.stringify({ pid: gc.pid, host: os.hostname(), startedAt: new Date().toISOString(), identity: processIdentity(gc.pid) ?? undefined }));
    setTimeout(() => {
      fs.renameSync(build, path.join(root, ".gc-removed"));
      gc.kill();
    }, 500);
    const reporter = recordingReporter();
    const again = (await runInstallPipeline(request(root), [pack], reporter))._unsafeUnwrap();
    expect(reporter.calls.map((c) => c.method)).toContain("lockWait");
    expect(again.results.map((r) => r.outcome)).toEqual(["built"]);
    expect(fs.existsSync(path.join(fs.realpathSync(again.results[0]?.link as string), "bin", "python"))).toBe(true);
  }, 60_000);

  testWithPythons("3.11")("a broken config stops the run before anything is built: no build starts, the cache is untouched", async () => {
    await using dir = await tmpdir();
    const good = makePack(dir.path, "Good", CONFIG);
    const bad = makePack(dir.path, "Bad", "python = 3.11\n");
    const root = path.join(dir.path, "cache");
    const log = path.join(dir.path, "pixi.log");
    process.env.PIXI_STANDIN_LOG = log;

    const reporter = recordingReporter();
    const r = await runInstallPipeline(request(root), [good, bad], reporter);
    expect(r.isErr()).toBe(true);
    expect(r._unsafeUnwrapErr()).toMatchObject({ kind: "config", error: { file: path.join(bad, "nodes", "comfy-env.toml") } });
    expect(milestones(reporter.calls)).toEqual([]);
    expect(fs.existsSync(root)).toBe(false);
    expect(fs.readdirSync(path.join(good, "nodes"))).toEqual(["comfy-env.toml"]);
    expect(pixiRuns(log)).toBe(0);
  }, 60_000);
});
