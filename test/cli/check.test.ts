import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { runCli } from "../support/cli.ts";
import { startRealWheelsIndex, type PagesServer } from "../support/cuda-wheels-index.ts";
import { tmpdir, type TmpDir } from "../support/tmp.ts";
import { SCHEMAS } from "./json-schema.ts";

let dir: TmpDir;
let index: PagesServer;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await tmpdir();
  index = startRealWheelsIndex();
  env = { ...(process.env as Record<string, string>), NO_COLOR: "1", COMFY_ENV_WHEELS_INDEX: index.index };
});
afterAll(async () => {
  index.stop();
  await dir[Symbol.asyncDispose]();
});

function pack(name: string, files: Record<string, string>): string {
  const p = path.join(dir.path, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(p, rel)), { recursive: true });
    fs.writeFileSync(path.join(p, rel), text);
  }
  return p;
}

describe("comfy-env check", () => {
  test("every broken config of the pack, as file:line lines; exit 1; nothing built", async () => {
    const p = pack("Broken", {
      "comfy-env-root.toml": "[node_reqs\n",
      "nodes/a/comfy-env.toml": 'python = "3.11"\n\n[pypi-dependencies]\nnumpy = 1.26\n',
      "nodes/b/comfy-env.toml": 'python = "3.11"\n',
    });
    const root = path.join(dir.path, "cache");
    const r = await runCli(["check", p], { env: { ...env, COMFY_ENV_ROOT: root } });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain(`${path.join(p, "comfy-env-root.toml")}:1:`);
    expect(r.stderr).toContain(`${path.join(p, "nodes", "a", "comfy-env.toml")}:4: \`pypi-dependencies.numpy\``);
    expect(r.stdout).toBe("checked 3 config(s) in 1 pack(s): 2 error(s), 0 warning(s)\n");
    expect(fs.existsSync(root)).toBe(false);
  });

  test('numpy = "1.26.*" (not a PEP 440 specifier): <file>:<line>: and exit 1', async () => {
    const p = pack("Pep440", { "nodes/comfy-env.toml": 'python = "3.11"\n\n[pypi-dependencies]\nnumpy = "1.26.*"\n' });
    const r = await runCli(["check", p, "--no-index"], { env });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toStartWith(`${path.join(p, "nodes", "comfy-env.toml")}:4: `);
  });

  test("a [cuda] package without a wheel for a default target: its line, per target; --no-index skips the lookup", async () => {
    const file = 'python = "3.9"\n\n[cuda]\npackages = [\n  "nvdiffrast",\n]\n';
    const p = pack("NoWheel", { "nodes/comfy-env.toml": file });
    const r = await runCli(["check", p, "--json"], { env });
    expect(r.exitCode).toBe(1);
    const doc = SCHEMAS.check.parse(JSON.parse(r.stdout));
    const cfg = path.join(p, "nodes", "comfy-env.toml");
    expect(doc.problems?.map((x) => [x.kind, x.line, x.message.split(" wheel for")[0]])).toEqual([
      ["no-matching-wheel", 5, `${cfg}:5: linux-64 CUDA 12.8: No nvdiffrast`],
      ["no-matching-wheel", 5, `${cfg}:5: win-64 CUDA 12.8: No nvdiffrast`],
    ]);
    expect((doc as { error?: unknown }).error).toMatchObject({ kind: "check-failed", file: cfg, line: 5 });
    expect((await runCli(["check", p, "--no-index"], { env })).exitCode).toBe(0);
  });

  test("a good pack passes quickly; an unreachable index is a warning, not a failure", async () => {
    const p = pack("Good", { "nodes/comfy-env.toml": 'python = "3.11"\n\n[cuda]\npackages = ["nvdiffrast"]\n' });
    const ok = await runCli(["check", p], { env });
    expect({ code: ok.exitCode, stderr: ok.stderr }).toEqual({ code: 0, stderr: "" });
    const off = await runCli(["check", p], { env: { ...env, COMFY_ENV_WHEELS_INDEX: "http://127.0.0.1:9/v2/" } });
    expect(off.exitCode).toBe(0);
    expect(off.stderr).toContain("(warning)");
    expect(off.stdout).toContain("0 error(s), 2 warning(s)");
  });

  test("a folder with no config is a usage-level error", async () => {
    const empty = path.join(dir.path, "Empty");
    fs.mkdirSync(empty);
    const r = await runCli(["check", empty, "--json"], { env });
    expect(r.exitCode).toBe(1);
    expect(SCHEMAS.check.parse(JSON.parse(r.stdout))).toMatchObject({ ok: false, error: { kind: "no-config" } });
  });
});
