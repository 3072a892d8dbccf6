import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { runCli, REPO_ROOT } from "../support/cli.ts";
import { tmpdir } from "../support/tmp.ts";
import type { TestServer } from "../support/index-server.ts";
import { SCHEMAS } from "../cli/json-schema.ts";
import { copyTree, envFor, startPackIndex } from "./helpers.ts";

let shared: Awaited<ReturnType<typeof tmpdir>>;
let index: TestServer;

beforeAll(async () => {
  shared = await tmpdir("ce-e2e-");
  index = await startPackIndex(shared.path);
});
afterAll(async () => {
  await index.stop();
  await shared[Symbol.asyncDispose]();
});

describe("comfy-env test", () => {
  test("the example pack: built, imported in its env, N of N nodes importable", async () => {
    await using dir = await tmpdir();
    const pack = path.join(dir.path, "hello-pack");
    copyTree(path.join(REPO_ROOT, "examples", "hello-pack"), pack);
    const env = envFor(path.join(dir.path, "cache"), index, { log: path.join(dir.path, "pixi.jsonl") });
    const r = await runCli(["test", pack, "--cuda", "none"], { env });
    expect(r.stdout).toMatch(/^✓ hello-pack\/nodes → _env_[0-9a-f]{6} \(built in [\d.]+s\)\n/);
    expect(r.stdout).toEndWith("✓ hello-pack/nodes: 1 node(s)\n1 of 1 nodes importable (1 folder(s))\n");
    expect(r.exitCode).toBe(0);
  });

  test("a folder whose import fails: its error, exit 1, the JSON names it", async () => {
    await using dir = await tmpdir();
    const pack = path.join(dir.path, "hello-pack");
    copyTree(path.join(REPO_ROOT, "examples", "hello-pack"), pack);
    fs.appendFileSync(path.join(pack, "nodes", "__init__.py"), "\nimport no_such_module_here\n");
    const env = envFor(path.join(dir.path, "cache"), index, { log: path.join(dir.path, "pixi.jsonl") });
    const r = await runCli(["test", pack, "--cuda", "none", "--json"], { env });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("hello-pack/nodes: import failed: ModuleNotFoundError: No module named 'no_such_module_here'");
    const doc = SCHEMAS.test.parse(JSON.parse(r.stdout));
    expect(doc).toMatchObject({ ok: false, nodes: 0, failedFolders: 1, error: { kind: "import-failed" } });
    expect(doc.folders?.[0]?.traceback).toContain("no_such_module_here");
  });
});
