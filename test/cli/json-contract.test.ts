import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import type { z } from "zod";
import { buildPaths } from "../../src/cache/layout.ts";
import { findEnvs } from "../../src/install/find.ts";
import { runCli } from "../support/cli.ts";
import { startRealWheelsIndex, type PagesServer } from "../support/cuda-wheels-index.ts";
import { tmpdir, type TmpDir } from "../support/tmp.ts";
import { writeFakeBuild } from "../support/fake-build.ts";
import { helpSchema, SCHEMAS, usageSchema } from "./json-schema.ts";

/**
 * The --json contract (docs/json.md): every command, in a success and a failure case, prints
 * exactly one JSON document on stdout that matches its written schema.
 */

let dir: TmpDir;
let root: string;
let env: Record<string, string>;
let index: PagesServer;

beforeAll(async () => {
  dir = await tmpdir();
  root = path.join(dir.path, "cache");
  fs.mkdirSync(root);
  env = { ...(process.env as Record<string, string>), COMFY_ENV_ROOT: root, NO_COLOR: "1", COMFY_ENV_CUDA_VERSION: "none" };
  index = startRealWheelsIndex();
});
afterAll(async () => {
  index.stop();
  await dir[Symbol.asyncDispose]();
});

/** Run comfy-env with --json; stdout must be one JSON document matching `schema`. */
async function expectDocument(args: string[], schema: z.ZodType, extraEnv: Record<string, string> = {}) {
  const r = await runCli(args, { env: { ...env, ...extraEnv }, cwd: dir.path });
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new Error(`${args.join(" ")}: stdout is not one JSON document:\n${r.stdout}\nstderr:\n${r.stderr}`);
  }
  const checked = schema.safeParse(doc);
  if (!checked.success) throw new Error(`${args.join(" ")}: ${JSON.stringify(checked.error.issues, null, 2)}\n${r.stdout}`);
  expect((doc as { exitCode: number }).exitCode).toBe(r.exitCode);
  return doc as Record<string, any>;
}

/** A pack whose one env config is `toml`. */
function pack(name: string, toml: string): string {
  const p = path.join(dir.path, name);
  fs.mkdirSync(path.join(p, "nodes"), { recursive: true });
  fs.writeFileSync(path.join(p, "__init__.py"), "");
  fs.writeFileSync(path.join(p, "nodes", "comfy-env.toml"), toml);
  return p;
}

describe("--json contract", () => {
  test("help and --version", async () => {
    await expectDocument(["--help", "--json"], SCHEMAS.help);
    const v = await expectDocument(["--version", "--json"], SCHEMAS.version);
    expect(v.bridge.protocol).toBe(3); // _protocol.PROTOCOL
    await expectDocument(["--json", "--version"], SCHEMAS.version);
    await expectDocument(["status", "--help", "--json"], helpSchema("status"));
  });

  test("an unknown command and an unknown flag are usage errors in JSON too", async () => {
    const unknown = await expectDocument(["instal", "--json"], usageSchema("instal"));
    expect(unknown.exitCode).toBe(1);
    for (const command of ["install", "check", "generate", "status", "gc", "detect", "wheels", "bridge", "run", "test", "doctor", "ps", "self-update"]) {
      await expectDocument([command, "--no-such-flag", "--json"], usageSchema(command));
    }
  });

  test("install: reused env; a config error with file and line", async () => {
    const good = pack("GoodPack", 'python = "3.11"\n');
    const found = findEnvs([good])._unsafeUnwrap();
    const p = buildPaths(root, found[0]!.envs[0]!.hash);
    writeFakeBuild(p, 'python = "3.11"\n');
    const ok = await expectDocument(["install", good, "--json"], SCHEMAS.install);
    expect(ok.envs[0].outcome).toBe("reused");

    const bad = pack("BadPack", 'python = "3.11"\n\n[pypi-dependencies]\nnumpy = 1.26\n');
    const failed = await expectDocument(["install", bad, "--json"], SCHEMAS.install);
    expect(failed.error).toMatchObject({ file: path.join(bad, "nodes", "comfy-env.toml"), line: 4 });
    expect(failed.exitCode).toBe(1);
  });

  test("generate: a manifest; a config error with file and line", async () => {
    const good = pack("GenPack", 'python = "3.11"\n');
    await expectDocument(["generate", path.join(good, "nodes"), "--platform", "linux-64", "--json"], SCHEMAS.generate);
    const bad = pack("GenBad", "python = \n");
    const failed = await expectDocument(["generate", path.join(bad, "nodes"), "--json"], SCHEMAS.generate);
    expect(failed.error).toMatchObject({ kind: "toml-syntax", file: path.join(bad, "nodes", "comfy-env.toml"), line: 1 });
  });

  test("status and gc", async () => {
    await expectDocument(["status", "--json"], SCHEMAS.status);
    await expectDocument(["gc", "--dry-run", "--json"], SCHEMAS.gc);
  });

  test("detect: a decision; a bad COMFY_ENV_CUDA_VERSION", async () => {
    await expectDocument(["detect", "--json"], SCHEMAS.detect);
    const bad = await expectDocument(["detect", "--json"], SCHEMAS.detect, { COMFY_ENV_CUDA_VERSION: "twelve" });
    expect(bad.error.kind).toBe("bad-cuda-override");
  });

  test("wheels: a resolution; no package named", async () => {
    const idx = ["--index", index.index];
    const found = await expectDocument(["wheels", "nvdiffrast", "--platform", "linux-64", ...idx, "--json"], SCHEMAS.wheels);
    expect(found.resolution.source).toBe("index");
    await expectDocument(["wheels", ...idx, "--json"], usageSchema("wheels"));
  });

  test("bridge: install, status, uninstall; a Python that does not run", async () => {
    const venv = path.join(dir.path, "venv");
    expect(Bun.spawnSync(["python3", "-m", "venv", "--without-pip", venv]).exitCode).toBe(0);
    const py = path.join(venv, "bin", "python");
    for (const action of ["install", "status", "uninstall"]) {
      const d = await expectDocument(["bridge", action, "--python", py, "--json"], SCHEMAS.bridge);
      expect(d.action).toBe(action);
    }
    const failed = await expectDocument(["bridge", "status", "--python", path.join(dir.path, "no-python"), "--json"], SCHEMAS.bridge);
    expect(failed.error.kind).toBe("python-failed");
    await expectDocument(["bridge", "--json"], usageSchema("bridge"));
  });

  test("ps", async () => {
    await expectDocument(["ps", "--json"], SCHEMAS.ps);
  });

  test("self-update: refused from sources, or a release the mirror does not have, in JSON", async () => {
    // The compiled binary (COMFY_ENV_TEST_BINARY) really asks the mirror: a loopback one that answers 404.
    const d = await expectDocument(["self-update", "--json"], SCHEMAS["self-update"], { COMFY_ENV_DOWNLOAD_URL: new URL(index.index).origin });
    expect(d.error.kind).toBe(process.env.COMFY_ENV_TEST_BINARY ? "release-not-found" : "not-compiled");
  });
});
