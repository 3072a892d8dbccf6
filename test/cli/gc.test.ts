import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { runCli } from "../support/cli.ts";
import { tmpdir } from "../support/tmp.ts";
import { SCHEMAS } from "./json-schema.ts";

test("gc removes what a killed gc left half-removed; a running gc's own folder is kept", async () => {
  await using dir = await tmpdir();
  const root = path.join(dir.path, "cache");
  const dead = path.join(root, `.gc-_env_abcdef-${Bun.spawnSync(["true"]).pid}`);
  const running = path.join(root, `.gc-_env_123456-${process.pid}`);
  for (const d of [dead, running]) {
    fs.mkdirSync(path.join(d, "lib"), { recursive: true });
    fs.writeFileSync(path.join(d, "lib", "big.so"), Buffer.alloc(4096));
  }
  const dry = SCHEMAS.gc.parse(JSON.parse((await runCli(["gc", "--dry-run", "--root", root, "--json"])).stdout));
  expect(dry.leftovers).toEqual([{ dir: dead, sizeBytes: 4096 }]);
  expect(fs.existsSync(dead)).toBe(true);
  const r = await runCli(["gc", "--root", root]);
  expect(r.exitCode).toBe(0);
  expect(r.stdout).toContain(`removed ${path.basename(dead)}, left by an interrupted gc (4.0 KiB)`);
  expect([fs.existsSync(dead), fs.existsSync(running)]).toEqual([false, true]);
});
