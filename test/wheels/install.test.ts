import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { hostOs } from "../../src/util/platform.ts";
import { installCommand, installWheels } from "../../src/wheels/install.ts";
import type { WheelResolution } from "../../src/wheels/types.ts";
import { tmpdir } from "../support/tmp.ts";
import { startStaticServer } from "../support/index-server.ts";
import { buildWheel } from "../support/wheel.ts";

// installWheels picks uv from PATH; each test sets PATH to a folder it controls.
let savedPath: string | undefined;
beforeEach(() => {
  savedPath = process.env.PATH;
});
afterEach(() => {
  process.env.PATH = savedPath;
  delete process.env.UV_ARGS_FILE;
});

function venvPython(venv: string): string {
  return hostOs() === "windows" ? path.join(venv, "Scripts", "python.exe") : path.join(venv, "bin", "python");
}

describe("installCommand", () => {
  test("uv when given, else the env's pip; always --no-deps and no cache", () => {
    expect(installCommand("/env/bin/python", ["a.whl"], "/usr/bin/uv")).toEqual(["/usr/bin/uv", "pip", "install", "--no-deps", "--no-cache", "--python", "/env/bin/python", "--", "a.whl"]);
    expect(installCommand("/env/bin/python", ["a.whl", "b"], null)).toEqual(["/env/bin/python", "-m", "pip", "install", "--no-deps", "--no-cache-dir", "--", "a.whl", "b"]);
  });
});

describe("installWheels", () => {
  test("installs a wheel from a local index URL into a real venv with pip (no uv on PATH)", async () => {
    await using dir = await tmpdir();
    const venv = path.join(dir.path, "venv");
    const made = Bun.spawnSync(["python3", "-m", "venv", venv], { stdout: "pipe", stderr: "pipe" });
    expect(made.exitCode).toBe(0);
    const wheel = await buildWheel({ name: "cuda_demo", version: "1.0.0+cu128torch2.8", files: { "cuda_demo/__init__.py": "X = 42\n" }, requires: ["torch==2.8.*"] }, path.join(dir.path, "wheels"));
    const filename = path.basename(wheel);
    const server = await startStaticServer(path.dirname(wheel));
    try {
      const emptyBin = path.join(dir.path, "empty-bin");
      mkdirSync(emptyBin);
      process.env.PATH = emptyBin;
      const lines: string[] = [];
      const resolution: WheelResolution = { source: "index", url: `${server.url}${encodeURIComponent(filename)}`, filename, version: "1.0.0+cu128torch2.8", reason: "test" };
      const r = await installWheels(venvPython(venv), [resolution], { log: (l) => lines.push(l) });
      expect(r.isOk()).toBe(true);
      expect(lines.join("\n")).toContain("Successfully installed cuda-demo-1.0.0+cu128torch2.8");
      expect(server.requests).toContain(`/${filename}`);
      process.env.PATH = savedPath;
      // --no-deps: torch (a Requires-Dist) was not fetched, yet the package imports.
      const check = Bun.spawnSync([venvPython(venv), "-c", "import cuda_demo; print(cuda_demo.X)"], { stdout: "pipe" });
      expect(check.stdout.toString().trim()).toBe("42");
    } finally {
      await server.stop();
    }
  }, 120_000);

  test("a requirement that looks like an option stays a requirement (pip writes nothing elsewhere)", async () => {
    await using dir = await tmpdir();
    const venv = path.join(dir.path, "venv");
    expect(Bun.spawnSync(["python3", "-m", "venv", venv]).exitCode).toBe(0);
    const wheel = await buildWheel({ name: "cowsay_demo", version: "1.0", files: { "cowsay_demo/__init__.py": "" } }, path.join(dir.path, "wheels"));
    const server = await startStaticServer(path.dirname(wheel));
    try {
      process.env.PATH = path.join(dir.path, "no-such-bin");
      const elsewhere = path.join(dir.path, "elsewhere");
      const url = `${server.url}${encodeURIComponent(path.basename(wheel))}`;
      const r = await installWheels(venvPython(venv), [{ source: "pypi", requirement: `--target=${elsewhere}`, reason: "" }, { source: "index", url, filename: path.basename(wheel), version: "1.0", reason: "" }], { log: () => undefined });
      expect(r._unsafeUnwrapErr().kind).toBe("wheel-install-failed");
      expect(existsSync(elsewhere)).toBe(false);
    } finally {
      await server.stop();
    }
  }, 120_000);

  test("a failing install reports the command, exit code and the output tail", async () => {
    await using dir = await tmpdir();
    const venv = path.join(dir.path, "venv");
    expect(Bun.spawnSync(["python3", "-m", "venv", venv]).exitCode).toBe(0);
    const server = await startStaticServer(dir.path);
    try {
      process.env.PATH = path.join(dir.path, "no-such-bin");
      const url = `${server.url}missing-1.0-py3-none-any.whl`;
      const r = await installWheels(venvPython(venv), [{ source: "index", url, filename: "missing-1.0-py3-none-any.whl", version: "1.0", reason: "test" }], { log: () => undefined });
      const e = r._unsafeUnwrapErr();
      expect(e.kind).toBe("wheel-install-failed");
      if (e.kind === "wheel-install-failed") {
        expect(e.command).toEqual([venvPython(venv), "-m", "pip", "install", "--no-deps", "--no-cache-dir", "--", url]);
        expect(e.exitCode).not.toBe(0);
        expect(e.tail.join("\n")).toContain("404");
      }
    } finally {
      await server.stop();
    }
  }, 120_000);

  test.skipIf(hostOs() === "windows")("uv on PATH is used, with index URLs and PyPI names together", async () => {
    await using dir = await tmpdir();
    const bin = path.join(dir.path, "bin");
    mkdirSync(bin);
    const fakeUv = path.join(bin, "uv");
    writeFileSync(fakeUv, '#!/bin/sh\nprintf "%s\\n" "$@" > "$UV_ARGS_FILE"\necho "fake uv done"\n');
    chmodSync(fakeUv, 0o755);
    process.env.PATH = bin;
    process.env.UV_ARGS_FILE = path.join(dir.path, "args.txt");
    const lines: string[] = [];
    const spawned: number[] = [];
    const r = await installWheels(
      "/envs/x/bin/python",
      [
        { source: "index", url: "https://example.test/a-1.0%2Bcu128torch2.8-cp311-cp311-linux_x86_64.whl", filename: "a-1.0+cu128torch2.8-cp311-cp311-linux_x86_64.whl", version: "1.0+cu128torch2.8", reason: "" },
        { source: "pypi", requirement: "einops", reason: "" },
      ],
      { log: (l) => lines.push(l), onSpawn: (pid) => spawned.push(pid) },
    );
    expect(r.isOk()).toBe(true);
    expect(lines).toEqual(["fake uv done"]);
    expect(spawned).toHaveLength(1); // the build lock records the installer like pixi
    expect(spawned[0]).toBeGreaterThan(0);
    expect(readFileSync(process.env.UV_ARGS_FILE, "utf8").trim().split("\n")).toEqual([
      "pip",
      "install",
      "--no-deps",
      "--no-cache",
      "--python",
      "/envs/x/bin/python",
      "--",
      "https://example.test/a-1.0%2Bcu128torch2.8-cp311-cp311-linux_x86_64.whl",
      "einops",
    ]);
  });

  test("nothing to install runs nothing; a missing interpreter is a spawn error", async () => {
    process.env.PATH = "/nonexistent-bin";
    expect((await installWheels("/no/such/python", [], { log: () => undefined })).isOk()).toBe(true);
    const e = (await installWheels("/no/such/python", [{ source: "pypi", requirement: "x", reason: "" }], { log: () => undefined }))._unsafeUnwrapErr();
    expect(e).toMatchObject({ kind: "installer-spawn-failed", command: ["/no/such/python", "-m", "pip", "install", "--no-deps", "--no-cache-dir", "--", "x"] });
  });
});
