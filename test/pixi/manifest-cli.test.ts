import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import path from "node:path";
import TOML from "@iarna/toml";
import { configHash } from "../../src/cache/hash.ts";
import { runGenerate } from "../../src/cli/generate.ts";
import { EXIT } from "../../src/cli/exit.ts";
import { Output } from "../../src/cli/output.ts";
import { tmpdir } from "../support/tmp.ts";

/** An Output writing into strings (not a TTY: no colour, no progress). */
function capture(json = false) {
  const buf = { out: "", err: "" };
  const stream = (key: "out" | "err") => ({ isTTY: false, write: (s: string) => ((buf[key] += s), true) }) as unknown as NodeJS.WriteStream;
  return { buf, out: new Output({ json, quiet: false, verbose: false }, stream("err"), stream("out")) };
}

const CONFIG = `python = "3.12"

[cuda]
packages = ["torch", "nvdiffrast"]

[dependencies]
av = "*"

[pypi-dependencies]
trimesh = { version = ">=4", extras = ["easy"] }
`;

let saved: string | undefined;
beforeEach(() => {
  saved = process.env.COMFY_ENV_CUDA_VERSION;
  delete process.env.COMFY_ENV_CUDA_VERSION;
});
afterEach(() => {
  if (saved === undefined) delete process.env.COMFY_ENV_CUDA_VERSION;
  else process.env.COMFY_ENV_CUDA_VERSION = saved;
});

describe("comfy-env generate", () => {
  test("a folder: prints the manifest for its comfy-env.toml", async () => {
    await using dir = await tmpdir();
    writeFileSync(path.join(dir.path, "comfy-env.toml"), CONFIG);
    const { buf, out } = capture();
    const code = await runGenerate([dir.path, "--platform", "linux-64", "--cuda", "12.8", "--glibc", "2.35"], out);
    expect(code).toBe(EXIT.OK);
    const doc = TOML.parse(buf.out) as Record<string, any>;
    expect(doc.workspace.name).toBe(`comfy-env-${configHash(new TextEncoder().encode(CONFIG))}`);
    expect(doc.workspace.platforms).toEqual(["linux-64"]);
    expect(doc.dependencies.python).toBe("3.12.*");
    expect(doc["pypi-dependencies"].torch).toEqual({ version: "==2.8.*", index: "https://download.pytorch.org/whl/cu128" });
    expect(doc["system-requirements"]).toEqual({ libc: { family: "glibc", version: "2.35" }, cuda: "12" });
  });

  test("--json: one document with the envelope, then file, hash, platform, cuda, python, manifest, warnings", async () => {
    await using dir = await tmpdir();
    const file = path.join(dir.path, "comfy-env.toml");
    writeFileSync(file, CONFIG);
    const { buf, out } = capture();
    const code = await runGenerate([file, "--platform", "win-64", "--cuda", "12.4", "--json"], out);
    expect(code).toBe(EXIT.OK);
    const j = JSON.parse(buf.out);
    expect(Object.keys(j)).toEqual(["schema", "command", "ok", "exitCode", "file", "hash", "platform", "cuda", "python", "manifest", "warnings"]);
    expect(j).toMatchObject({ schema: 1, ok: true, exitCode: 0, file, hash: configHash(new TextEncoder().encode(CONFIG)), platform: "win-64", cuda: "12.4", python: "3.12", warnings: [] });
    expect(TOML.parse(j.manifest)).toMatchObject({ "pypi-dependencies": { torch: { index: "https://download.pytorch.org/whl/cu124" } } });
  });

  test("without --cuda, the CUDA comes from detection, COMFY_ENV_CUDA_VERSION first; none/cpu mean CPU", async () => {
    await using dir = await tmpdir();
    writeFileSync(path.join(dir.path, "comfy-env.toml"), CONFIG);
    for (const [value, want] of [["12.6", "12.6"], ["none", null], ["CPU", null]] as const) {
      process.env.COMFY_ENV_CUDA_VERSION = value;
      const { buf, out } = capture();
      expect(await runGenerate([dir.path, "--platform", "linux-64", "--json"], out)).toBe(EXIT.OK);
      expect(JSON.parse(buf.out).cuda).toBe(want);
    }
  });

  test("CUDA without a torch build: user error with the versions that exist", async () => {
    await using dir = await tmpdir();
    writeFileSync(path.join(dir.path, "comfy-env.toml"), CONFIG);
    const { buf, out } = capture();
    expect(await runGenerate([dir.path, "--platform", "linux-64", "--cuda", "11.0"], out)).toBe(EXIT.USER_ERROR);
    expect(buf.out).toBe("");
    expect(buf.err).toContain("error: no PyTorch build for CUDA 11.0: torch wheels exist for CUDA 11.8, 12.1");
    expect(buf.err).toContain("hint:");
  });

  test("a folder without comfy-env.toml, a bad platform, a bad flag: user errors", async () => {
    await using dir = await tmpdir();
    const a = capture();
    expect(await runGenerate([dir.path], a.out)).toBe(EXIT.USER_ERROR);
    expect(a.buf.err).toContain(`no comfy-env.toml found in ${dir.path}`);

    writeFileSync(path.join(dir.path, "comfy-env.toml"), CONFIG);
    const b = capture();
    expect(await runGenerate([dir.path, "--platform", "solaris-64"], b.out)).toBe(EXIT.USER_ERROR);
    expect(b.buf.err).toContain('unknown platform "solaris-64"');

    const c = capture();
    expect(await runGenerate([dir.path, "--frobnicate"], c.out)).toBe(EXIT.USER_ERROR);
    expect(c.buf.err).toContain("unknown flag --frobnicate");
    expect(c.buf.err).not.toContain("Usage: comfy-env generate");

    const d = capture();
    expect(await runGenerate([dir.path, "--python", "three"], d.out)).toBe(EXIT.USER_ERROR);
    expect(d.buf.err).toContain('cannot ask three for its version');
  });

  test("a numpy-only config gets the torch family from the index of --cuda 12.8, and of --cuda none", async () => {
    await using dir = await tmpdir();
    writeFileSync(path.join(dir.path, "comfy-env.toml"), 'python = "3.11"\n\n[pypi-dependencies]\nnumpy = "*"\n');
    for (const [flag, variant] of [["12.8", "cu128"], ["none", "cpu"]] as const) {
      const { buf, out } = capture();
      expect(await runGenerate([dir.path, "--platform", "linux-64", "--cuda", flag], out)).toBe(EXIT.OK);
      const index = `https://download.pytorch.org/whl/${variant}`;
      expect(buf.out).toContain(`torch = { version = "==2.8.*", index = "${index}" }`);
      expect(buf.out).toContain(`torchvision = { version = "==0.23.*", index = "${index}" }`);
      expect(buf.out).toContain(`torchaudio = { version = "==2.8.*", index = "${index}" }`);
      expect(buf.out).toContain('setuptools = ">=75,<82"');
    }
  });

  test("[cuda] torch = false opts out without a warning; Python 3.14 says which torch it uses", async () => {
    await using dir = await tmpdir();
    writeFileSync(path.join(dir.path, "comfy-env.toml"), '[cuda]\ntorch = false\n\n[pypi-dependencies]\nnumpy = "*"\n');
    const a = capture(true);
    expect(await runGenerate([dir.path, "--platform", "linux-64", "--cuda", "12.8", "--python", "3.11", "--json"], a.out)).toBe(EXIT.OK);
    const j = JSON.parse(a.buf.out);
    expect(j.warnings).toEqual([]);
    expect(j.manifest).not.toContain("torch =");

    writeFileSync(path.join(dir.path, "comfy-env.toml"), 'python = "3.14"\n');
    const b = capture();
    expect(await runGenerate([dir.path, "--platform", "linux-64", "--cuda", "12.8"], b.out)).toBe(EXIT.OK);
    expect(b.buf.out).toContain('torch = { version = "==2.9.*"');
    expect(b.buf.err).toContain("torch 2.8 has no Python 3.14 builds for cu128: using torch 2.9");
    const c = capture();
    expect(await runGenerate([dir.path, "--platform", "linux-64", "--cuda", "12.4"], c.out)).toBe(EXIT.USER_ERROR);
    expect(c.buf.err).toContain("no PyTorch build for Python 3.14 with cu124");
    expect(c.buf.err).toContain("torch 2.9: cpu, cu126, cu128, cu130");
  });

  test("invalid TOML: the config error, with line", async () => {
    await using dir = await tmpdir();
    writeFileSync(path.join(dir.path, "comfy-env.toml"), '[pypi-dependencies]\ntrimesh[easy] = "*"\n');
    const { buf, out } = capture(true);
    expect(await runGenerate([dir.path], out)).toBe(EXIT.USER_ERROR);
    expect(buf.err).toContain("comfy-env.toml:2");
    expect(JSON.parse(buf.out)).toMatchObject({ ok: false, error: { kind: "toml-syntax" } });
  });
});
