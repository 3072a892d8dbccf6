// Concurrent installs of one config: a newcomer that finds the first folder name locked waits on
// it unless the owner says it builds another identity; it never builds a second copy elsewhere.
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ok } from "neverthrow";
import { buildNames } from "../../src/cache/hash.ts";
import { buildPaths, envPythonPath } from "../../src/cache/layout.ts";
import { findEnvs } from "../../src/install/find.ts";
import { lockBuildFolder } from "../../src/install/lock.ts";
import type { BuildContext } from "../../src/install/context.ts";
import { processIdentity } from "../../src/util/process-identity.ts";
import { hostPixiPlatform } from "../../src/util/platform.ts";
import { recordingReporter } from "../support/reporter.ts";
import { tmpdir } from "../support/tmp.ts";

const DIGEST = "d".repeat(64);

async function world(dir: string) {
  const nodes = path.join(dir, "Pack", "nodes");
  fs.mkdirSync(nodes, { recursive: true });
  fs.writeFileSync(path.join(nodes, "comfy-env.toml"), 'python = "3.11"\n');
  const env = findEnvs([path.join(dir, "Pack")])._unsafeUnwrap()[0]!.envs[0]!;
  const root = path.join(dir, "cache");
  const ctx = {
    root,
    platform: hostPixiPlatform(),
    request: { refresh: false, force: false },
    lockTimeoutMs: 60_000,
    reporter: recordingReporter(),
    pixi: async () => ok("/bin/true"),
  } as unknown as BuildContext;
  const names = buildNames(env.bytes, DIGEST);
  return { env, ctx, first: buildPaths(root, names[0]!), second: names[1]! };
}

/** A lock on `p` held by a live process of this host, as another install's would be. */
function holdLock(p: ReturnType<typeof buildPaths>, claim: string | undefined) {
  const holder = Bun.spawn(["sleep", "30"]);
  fs.mkdirSync(p.building, { recursive: true });
  fs.writeFileSync(p.owner, JSON.stringify({ pid: holder.pid, host: os.hostname(), startedAt: new Date().toISOString(), identity: processIdentity(holder.pid) ?? undefined, claim }));
  return holder;
}

describe.skipIf(os.platform() === "win32")("the build folder a concurrent install takes", () => {
  test("a lock whose owner names no identity (not yet written, or an older comfy-env) is waited on: the build it finishes is reused", async () => {
    await using dir = await tmpdir();
    const { env, ctx, first } = await world(dir.path);
    const holder = holdLock(first, undefined);
    setTimeout(() => {
      fs.writeFileSync(first.meta, JSON.stringify({ digest: DIGEST }));
      fs.mkdirSync(path.dirname(envPythonPath(first)), { recursive: true });
      fs.writeFileSync(envPythonPath(first), "");
      fs.writeFileSync(first.done, "");
      fs.rmSync(first.building, { recursive: true });
      holder.kill();
    }, 600);
    const r = (await lockBuildFolder(env, DIGEST, ctx))._unsafeUnwrap();
    expect([r.kind, r.paths.hash, r.kind === "done" ? r.outcome : ""]).toEqual(["done", first.hash, "waited"]);
    // Returned with its lock held, for the link; released after.
    expect(JSON.parse(fs.readFileSync(first.owner, "utf8")).pid).toBe(process.pid);
    expect(r.release().isOk()).toBe(true);
    expect((ctx.reporter as ReturnType<typeof recordingReporter>).calls.filter((c) => c.method === "lockWait").map((c) => c.args[0])).toEqual([env.label]);
  });

  test("a lock held for another identity is passed: the next name is locked, with this build's claim in its owner file", async () => {
    await using dir = await tmpdir();
    const { env, ctx, first, second } = await world(dir.path);
    const holder = holdLock(first, "e".repeat(64));
    try {
      const r = (await lockBuildFolder(env, DIGEST, ctx))._unsafeUnwrap();
      expect([r.kind, r.paths.hash]).toEqual(["locked", second]);
      expect(JSON.parse(fs.readFileSync(r.paths.owner, "utf8")).claim).toBe(DIGEST);
      if (r.kind === "locked") r.release();
    } finally {
      holder.kill();
    }
  });
});
