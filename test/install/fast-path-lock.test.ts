// A builder killed right after writing .done leaves .building/ beside it: the next install clears it.
import { expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { configHash } from "../../src/cache/hash.ts";
import { writeFakeBuild } from "../support/fake-build.ts";
import { buildPaths } from "../../src/cache/layout.ts";
import { runCli } from "../support/cli.ts";
import { tmpdir } from "../support/tmp.ts";

test.skipIf(os.platform() === "win32")("install's fast path removes a lock whose owner died after .done", async () => {
  await using dir = await tmpdir();
  const nodes = path.join(dir.path, "Pack", "nodes");
  fs.mkdirSync(nodes, { recursive: true });
  const text = 'python = "3.11"\n';
  fs.writeFileSync(path.join(nodes, "comfy-env.toml"), text);
  const p = buildPaths(path.join(dir.path, "cache"), configHash(new TextEncoder().encode(text)));
  writeFakeBuild(p, text);
  fs.mkdirSync(p.building);
  fs.writeFileSync(p.owner, JSON.stringify({ pid: Bun.spawnSync(["true"]).pid, host: os.hostname(), startedAt: new Date().toISOString() }));
  const r = await runCli(["install", path.join(dir.path, "Pack"), "--root", path.join(dir.path, "cache"), "--json"]);
  expect(r.exitCode).toBe(0);
  expect(JSON.parse(r.stdout).envs[0].outcome).toBe("reused");
  expect(fs.existsSync(p.building)).toBe(false);
});
