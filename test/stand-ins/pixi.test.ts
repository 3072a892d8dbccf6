import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, symlinkSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { startIndexServer, type TestServer } from "../support/index-server.ts";
import { STANDIN_PIXI, standinEnv, type StandinOptions } from "../support/pixi-standin.ts";
import { python, testWithPythons } from "../support/pythons.ts";
import { findUv, missing } from "../support/real-packages.ts";
import { tmpdir, type TmpDir } from "../support/tmp.ts";
import { buildWheel } from "../support/wheel.ts";

let wheels: TmpDir;
let index: TestServer;

beforeAll(async () => {
  wheels = await tmpdir("ce-wheels-");
  await buildWheel({ name: "dep_lib", version: "1.0", files: { "dep_lib/__init__.py": "VALUE = 1\n" } }, wheels.path);
  await buildWheel({ name: "dep_lib", version: "2.0", files: { "dep_lib/__init__.py": "VALUE = 2\n" } }, wheels.path);
  await buildWheel(
    {
      name: "mypkg",
      version: "0.1",
      files: { "mypkg/__init__.py": "import dep_lib\nDEP = dep_lib.VALUE\n" },
      requires: ["Dep.Lib<2", "only-with-extra; extra == 'x'", "only-on-py2; python_version < '3'"],
    },
    wheels.path,
  );
  index = await startIndexServer(wheels.path);
});

afterAll(async () => {
  await index.stop();
  await wheels[Symbol.asyncDispose]();
});

const MANIFEST = `[workspace]
name = "t"
channels = ["conda-forge"]
platforms = ["linux-64", "osx-arm64", "win-64"]

[system-requirements]
cuda = "12"

[dependencies]
python = "3.12.*"
ffmpeg = "*"

[pypi-dependencies]
mypkg = { version = ">=0.1", index = "https://download.pytorch.org/whl/cu128" }
`;

async function writeManifest(dir: string, body = MANIFEST): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, "pixi.toml");
  await writeFile(file, body);
  return file;
}

async function run(argv: string[], opts: StandinOptions, cwd: string) {
  const proc = Bun.spawn([STANDIN_PIXI, ...argv], {
    cwd,
    env: standinEnv({ indexUrl: index.url, ...opts }),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { stdout, stderr, code };
}

function logLines(file: string): Array<Record<string, unknown>> {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

describe("pixi stand-in", () => {
  test("--version", async () => {
    await using dir = await tmpdir();
    const r = await run(["--version"], {}, dir.path);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("pixi 0.75.0-standin");
  });

  testWithPythons("3.11")("without PIXI_STANDIN_PYTHONS, a pin only a uv-managed Python satisfies is found there", async () => {
    await using dir = await tmpdir();
    const bin = path.join(dir.path, "home", ".local", "share", "uv", "python", "cpython-3.11.99-linux-x86_64-gnu", "bin");
    await mkdir(bin, { recursive: true });
    symlinkSync(python("3.11"), path.join(bin, "python3.11"));
    const manifest = await writeManifest(dir.path, '[workspace]\nchannels = ["conda-forge"]\nplatforms = []\n[dependencies]\npython = "3.11.99"\n');
    const env = { ...standinEnv(), HOME: path.join(dir.path, "home"), PYENV_ROOT: "", UV_PYTHON_INSTALL_DIR: "", XDG_DATA_HOME: "" };
    const proc = Bun.spawn([STANDIN_PIXI, "install", "--manifest-path", manifest], { cwd: dir.path, env, stdout: "pipe", stderr: "pipe" });
    const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
    expect(stderr).toContain("resolved python 3.11.99");
    expect(code).toBe(0);
  });

  testWithPythons("3.12")("install builds a real env with the pinned python and the PyPI deps", async () => {
    python("3.12");
    await using dir = await tmpdir();
    const manifest = await writeManifest(dir.path);
    const log = path.join(dir.path, "pixi-runs.jsonl");
    const started = performance.now();
    const r = await run(["install", "--manifest-path", manifest], { log }, dir.path);
    const seconds = (performance.now() - started) / 1000;
    expect(r.stderr).toContain("installing mypkg-0.1");
    expect(r.code).toBe(0);
    expect(seconds).toBeLessThan(5);

    const env = path.join(dir.path, ".pixi", "envs", "default");
    const py = Bun.spawnSync([path.join(env, "bin", "python"), "-c", "import sys, mypkg; print(sys.version_info[:2], mypkg.DEP)"]);
    expect(py.stdout.toString().trim()).toBe("(3, 12) 1");

    const meta = JSON.parse(readFileSync(path.join(env, "conda-meta", "ffmpeg.json"), "utf8"));
    expect(meta).toMatchObject({ name: "ffmpeg", spec: "*" });
    expect(JSON.parse(readFileSync(path.join(env, "conda-meta", "python.json"), "utf8")).version).toStartWith("3.12.");
    expect(readFileSync(path.join(env, "conda-meta", "history"), "utf8")).toContain("::ffmpeg-");

    const lines = logLines(log);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ argv: ["install", "--manifest-path", manifest], cwd: dir.path, manifest });

    const lock = JSON.parse(readFileSync(path.join(dir.path, "pixi.lock"), "utf8"));
    const byName = Object.fromEntries(lock.pypi.map((p: { name: string }) => [p.name, p]));
    expect(byName.mypkg.requested).toEqual({ spec: ">=0.1", index: "https://download.pytorch.org/whl/cu128", extras: [] });
    expect(byName.dep_lib.version).toBe("1.0"); // highest allowed by mypkg's Dep.Lib<2
    expect(Object.keys(byName).sort()).toEqual(["dep_lib", "mypkg"]);
    expect(index.requests).toContain("/simple/mypkg/");

    const installer = path.join(env, "lib", "python3.12", "site-packages", "mypkg-0.1.dist-info", "INSTALLER");
    expect(readFileSync(installer, "utf8").trim()).toBe("pixi-standin");
  }, 30_000);

  test("no --manifest-path: uses pixi.toml in cwd; UV_* env recorded in the log", async () => {
    await using dir = await tmpdir();
    await writeManifest(dir.path, MANIFEST.replace('python = "3.12.*"', 'python = "3.11.*"'));
    const log = path.join(dir.path, "log.jsonl");
    const proc = Bun.spawn([STANDIN_PIXI, "install"], {
      cwd: dir.path,
      env: { ...standinEnv({ indexUrl: index.url, log }), UV_PYTHON_INSTALL_DIR: "/x/_no_python", UV_PYTHON_PREFERENCE: "only-system" },
      stdout: "ignore",
      stderr: "ignore",
    });
    expect(await proc.exited).toBe(0);
    const lines = logLines(log);
    expect(lines[0]?.env).toEqual({ UV_PYTHON_INSTALL_DIR: "/x/_no_python", UV_PYTHON_PREFERENCE: "only-system" });
    expect(lines[0]?.pid).toBe(proc.pid);
    const py = Bun.spawnSync([path.join(dir.path, ".pixi/envs/default/bin/python"), "-c", "import sys; print(sys.version_info[1])"]);
    expect(py.stdout.toString().trim()).toBe("11");
  }, 30_000);

  test("a missing package fails with exit 1 and writes no lock", async () => {
    await using dir = await tmpdir();
    const manifest = await writeManifest(dir.path, `${MANIFEST}nosuchpkg = "==1.0"\n`);
    const r = await run(["install", "--manifest-path", manifest], {}, dir.path);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nosuchpkg was not found in the package registry");
    expect(existsSync(path.join(dir.path, "pixi.lock"))).toBe(false);
    expect(existsSync(path.join(dir.path, ".pixi/envs/default/bin/python"))).toBe(true); // incomplete env stays
  }, 30_000);

  test("an unavailable python pin is a solve error", async () => {
    await using dir = await tmpdir();
    const manifest = await writeManifest(dir.path, MANIFEST.replace('"3.12.*"', '"3.1.*"'));
    const r = await run(["install", "--manifest-path", manifest], {}, dir.path);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("No candidates were found for python 3.1.*");
    expect(existsSync(path.join(dir.path, ".pixi"))).toBe(false);
  }, 30_000);

  test("a wheel for another platform is not installed", async () => {
    await using dir = await tmpdir();
    await using other = await tmpdir();
    await buildWheel(
      { name: "winonly", version: "1.0", files: { "winonly/__init__.py": "" }, pythonTag: "cp312", abiTag: "cp312", platformTag: "win_amd64" },
      other.path,
    );
    const otherIndex = await startIndexServer(other.path);
    try {
      const manifest = await writeManifest(dir.path, MANIFEST.replace(/mypkg = .*\n/, 'winonly = "*"\n'));
      const r = await run(["install", "-m", manifest], { indexUrl: otherIndex.url }, dir.path);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("no usable wheels");
    } finally {
      await otherIndex.stop();
    }
  }, 30_000);

  test("PIXI_STANDIN_FAIL prints 30 log lines then the message, exit 1", async () => {
    await using dir = await tmpdir();
    const manifest = await writeManifest(dir.path);
    const log = path.join(dir.path, "log.jsonl");
    const r = await run(["install", "--manifest-path", manifest], { fail: "solver exploded", log }, dir.path);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(31);
    expect(lines.at(-1)).toBe("solver exploded");
    expect(logLines(log)).toHaveLength(1);
    expect(existsSync(path.join(dir.path, ".pixi"))).toBe(false);
  });

  test("PIXI_STANDIN_SLEEP leaves a window to kill -9 an env without packages", async () => {
    await using dir = await tmpdir();
    const manifest = await writeManifest(dir.path);
    const log = path.join(dir.path, "log.jsonl");
    const proc = Bun.spawn([STANDIN_PIXI, "install", "--manifest-path", manifest], {
      cwd: dir.path,
      env: standinEnv({ indexUrl: index.url, log, sleep: 30 }),
      stdout: "ignore",
      stderr: "ignore",
    });
    const history = path.join(dir.path, ".pixi/envs/default/conda-meta/history");
    const deadline = Date.now() + 10_000;
    while (!existsSync(history) && Date.now() < deadline) await Bun.sleep(20);
    expect(existsSync(history)).toBe(true);
    await Bun.sleep(100);
    expect(proc.exitCode).toBeNull(); // still sleeping
    proc.kill("SIGKILL");
    await proc.exited;
    expect(proc.signalCode).toBe("SIGKILL");
    expect(logLines(log)).toHaveLength(1);
    expect(existsSync(path.join(dir.path, "pixi.lock"))).toBe(false);
    expect(existsSync(path.join(dir.path, ".pixi/envs/default/lib/python3.12/site-packages/mypkg"))).toBe(false);
  }, 30_000);

  test("a short PIXI_STANDIN_SLEEP delays but completes", async () => {
    await using dir = await tmpdir();
    const manifest = await writeManifest(dir.path);
    const started = performance.now();
    const r = await run(["install", "--manifest-path", manifest], { sleep: 1 }, dir.path);
    expect(r.code).toBe(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(1000);
  }, 30_000);
});

const uv = findUv();
if (!uv) missing("uv (pip install uv)");

describe.if(uv !== undefined)("pixi stand-in with uv (PIXI_STANDIN_UV)", () => {
  testWithPythons("3.11")("the torch family comes from the local wheels, pinned to their version, whatever the manifest's pin and index; others are skipped", async () => {
    await using dir = await tmpdir();
    const local = path.join(dir.path, "local");
    await buildWheel({ name: "torch", version: "2.13.0+cpu", files: { "torch/__init__.py": '__version__ = "2.13.0+cpu"\n' } }, local);
    const manifest = await writeManifest(
      path.join(dir.path, "ws"),
      `[workspace]\nname = "t"\nchannels = ["conda-forge"]\nplatforms = ["linux-64"]\n\n[dependencies]\npython = "3.11.*"\n\n[pypi-dependencies]\ntorch = { version = "==2.8.*", index = "https://download.pytorch.org/whl/cpu" }\ntorchvision = { version = "==0.23.*", index = "https://download.pytorch.org/whl/cpu" }\n`,
    );
    const r = await run(["install", "--manifest-path", manifest], { uv: true, torchWheels: local }, dir.path);
    expect(r.stderr).toContain("skipping torchvision: no local wheel");
    expect(r.code).toBe(0);
    const py = Bun.spawnSync([path.join(dir.path, "ws", ".pixi", "envs", "default", "bin", "python"), "-c", "import torch; print(torch.__version__)"]);
    expect(py.stdout.toString().trim()).toBe("2.13.0+cpu");
    const lock = JSON.parse(readFileSync(path.join(dir.path, "ws", "pixi.lock"), "utf8"));
    expect(lock.substituted.torch).toEqual({ requested: { version: "==2.8.*", index: "https://download.pytorch.org/whl/cpu" }, installed: "2.13.0+cpu" });
    expect(lock.skipped).toEqual([{ name: "torchvision", "torch-family": true }]);
  }, 120_000);

  testWithPythons("3.11")("a requirement uv cannot meet fails the install with uv's reason", async () => {
    await using dir = await tmpdir();
    const manifest = await writeManifest(path.join(dir.path, "ws"), `[workspace]\nname = "t"\nchannels = ["conda-forge"]\nplatforms = ["linux-64"]\n\n[dependencies]\npython = "3.11.*"\n\n[pypi-dependencies]\nhttpx = "==0.0.0.1"\n`);
    const r = await run(["install", "--manifest-path", manifest], { uv: true }, dir.path);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("failed to solve the pypi requirements");
    expect(r.stderr).toContain("httpx");
  }, 120_000);
});
