// gc against install: a build is never removed between its .done and its node-folder link.
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { BuildContext } from "../../src/install/context.ts";
import { buildEnv } from "../../src/install/index.ts";
import { collectBuild } from "../../src/cache/collect.ts";
import { configHash } from "../../src/cache/hash.ts";
import { buildPaths } from "../../src/cache/layout.ts";
import { recordLink } from "../../src/cache/links.ts";
import { acquireBuildLock } from "../../src/cache/lock.ts";
import { parseConfigText } from "../../src/config/parse.ts";
import { hostPixiPlatform } from "../../src/util/platform.ts";
import { ok } from "../../src/util/result.ts";
import { BUN, REPO_ROOT, runCli } from "../support/cli.ts";
import { recordingReporter } from "../support/reporter.ts";
import { tmpdir } from "../support/tmp.ts";

/** A pixi that makes the env's python file at once: the race is about what happens after it. */
function fastPixi(dir: string): string {
  const file = path.join(dir, "pixi");
  fs.writeFileSync(file, '#!/bin/sh\nmkdir -p .pixi/envs/default/bin && : > .pixi/envs/default/bin/python\n');
  fs.chmodSync(file, 0o755);
  return file;
}

function context(root: string, pixi: string): BuildContext {
  return {
    root,
    platform: hostPixiPlatform(),
    cuda: async () => ok({ cuda: null, variant: "cpu", reason: "test" }),
    request: { refresh: false, force: false },
    hostPython: () => ok({ version: "3.11" }),
    pixi: async () => ok(pixi),
    lockTimeoutMs: 60_000,
    reporter: recordingReporter(),
  };
}

describe.skipIf(os.platform() === "win32")("gc during install", () => {
  test("gc keeps a finished build whose lock an install still holds (it is linking), and removes it once free", async () => {
    await using dir = await tmpdir();
    const p = buildPaths(dir.path, "abc123");
    const held = (await acquireBuildLock(p, { timeoutMs: 60_000 }))._unsafeUnwrap();
    fs.writeFileSync(p.done, "");
    const busy = await runCli(["gc", "--root", dir.path, "--json"]);
    expect(busy.exitCode).toBe(0);
    expect(fs.existsSync(p.done)).toBe(true);
    expect(JSON.parse(busy.stdout).removed).toEqual([]);
    if (held.kind === "acquired") held.release();
    const free = await runCli(["gc", "--root", dir.path, "--json"]);
    expect(JSON.parse(free.stdout).removed.map((r: { hash: string }) => r.hash)).toEqual(["abc123"]);
    expect(fs.existsSync(p.dir)).toBe(false);
    expect(fs.readdirSync(dir.path)).toEqual([]); // nothing left aside either
  });

  test("an unlinked build is collected under its lock; a linked one is not", async () => {
    await using dir = await tmpdir();
    const p = buildPaths(dir.path, "abc123");
    fs.mkdirSync(p.dir, { recursive: true });
    fs.writeFileSync(p.done, "");
    const linked = buildPaths(dir.path, "def456");
    fs.mkdirSync(linked.env, { recursive: true });
    fs.writeFileSync(linked.done, "");
    fs.mkdirSync(path.join(dir.path, "nodes"));
    const link = path.join(dir.path, "nodes", "_env_def456");
    fs.symlinkSync(linked.env, link);
    recordLink(linked, link);
    expect(collectBuild(p)._unsafeUnwrap()).toBe("removed");
    expect(fs.existsSync(p.dir)).toBe(false);
    expect(collectBuild(linked)._unsafeUnwrap()).toBe("linked");
    expect(fs.existsSync(linked.done)).toBe(true);
    expect(fs.existsSync(linked.building)).toBe(false); // its lock released
  });

  test("gc looping in another process while installs build: every link ends at an existing env", async () => {
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    fs.mkdirSync(root);
    const stop = path.join(dir.path, "stop");
    const loop = path.join(dir.path, "gc-loop.ts");
    fs.writeFileSync(
      loop,
      `import fs from "node:fs";
import { collectBuild } from ${JSON.stringify(path.join(REPO_ROOT, "src/cache/collect.ts"))};
import { envStatus, isGarbage, listBuilds } from ${JSON.stringify(path.join(REPO_ROOT, "src/cache/status.ts"))};
while (!fs.existsSync(${JSON.stringify(stop)})) for (const p of listBuilds(${JSON.stringify(root)})) if (isGarbage(envStatus(p, false))) collectBuild(p);
`,
    );
    const gc = Bun.spawn([BUN, loop], { stdout: "ignore", stderr: "inherit" });
    const ctx = context(root, fastPixi(dir.path));
    try {
      for (let i = 0; i < 40; i++) {
        const nodes = path.join(dir.path, `pack${i}`, "nodes");
        fs.mkdirSync(nodes, { recursive: true });
        const text = `python = "3.11"\n# build ${i}\n`;
        const file = path.join(nodes, "comfy-env.toml");
        fs.writeFileSync(file, text);
        const loaded = parseConfigText(text, file, "env")._unsafeUnwrap();
        if (loaded.role !== "env") throw new Error("not env");
        const bytes = new TextEncoder().encode(text);
        const r = await buildEnv({ file: { path: file, dir: nodes, role: "env" }, bytes, hash: configHash(bytes), label: `pack${i}`, config: loaded.config }, ctx);
        const link = r._unsafeUnwrap().link;
        expect(fs.existsSync(path.join(link, "bin", "python"))).toBe(true);
      }
    } finally {
      fs.writeFileSync(stop, "");
      await gc.exited;
    }
    // gc saw every build linked, and the loop kept running throughout.
    expect(gc.exitCode).toBe(0);
  }, 120_000);
});
