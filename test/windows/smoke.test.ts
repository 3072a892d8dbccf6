// Smoke test of the Windows binary (comfy-env-<v>-windows-x64.exe, cross-compiled by build.ts)
// under wine. CI (.ci/run) installs Debian's wine and mingw-w64, builds the exe and the
// stand-ins, and sets COMFY_ENV_REQUIRE_WINE=1 so a missing wine fails there; elsewhere the suite
// is skipped with a warning when wine or mingw-w64 is missing.
//
// What wine (8.0, Debian 12) cannot do, and where that code is tested instead:
//   - junctions: fs.symlink(..., "junction") fails with ENOTSUP, so `install` stops at the link
//     (asserted below: "built, not linked"). Link creation, comparison and the MAX_PATH check
//     are unit-tested in test/link/ (link, compare, long-paths).
//   - recursive removal: fs.rmSync({ recursive }) of a non-empty folder fails (EFAULT), so the
//     build lock is left behind (a warning). Removal with retries is unit-tested in
//     test/util/remove.test.ts; gc's link comparison in test/link/compare.test.ts.
//   - long paths: wine has no MAX_PATH limit to hit; see test/link/long-paths.test.ts.
//   - ProcessPrng: wine < 8.13 lacks bcryptprimitives.dll, which Bun's runtime imports; the
//     test-only shim built from test/windows/bcryptprimitives.c sits beside the exe.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { configHash } from "../../src/cache/hash.ts";
import { writeStatusScripts } from "../../src/cache/scripts.ts";
import { targetExecutableName } from "../../src/util/release.ts";
import { REPO_ROOT } from "../support/cli.ts";
import { CONFIGS_DIR } from "../support/fixtures.ts";
import { tmpdir, type TmpDir } from "../support/tmp.ts";
import { hostBinary } from "../dist/helpers.ts";

const wine = Bun.which("wine");
const mingw = Bun.which("x86_64-w64-mingw32-gcc");
const givenExe = process.env.COMFY_ENV_TEST_WINDOWS_BINARY;
const givenShims = process.env.COMFY_ENV_WINE_SHIM_DIR;
const available = wine !== null && (givenShims !== undefined || mingw !== null);
const required = process.env.COMFY_ENV_REQUIRE_WINE === "1";
if (!available && !required) {
  console.warn("wine or mingw-w64 is not installed: the Windows smoke suite (test/windows) is skipped; .ci/run installs them");
}

/** The path a Windows program under wine sees for a Unix path (wine maps `/` to drive Z:). */
function winPath(p: string): string {
  return `Z:${p.replaceAll("/", "\\")}`;
}

let dir: TmpDir;
let exe: string;
let shims: string;
let linuxBinary: string;
let prefix: string;

/** The machine's environment without comfy-env's variables, plus wine's and the test's. */
function wineEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("COMFY_ENV_")) env[k] = v;
  return { ...env, WINEPREFIX: prefix, WINEDEBUG: "-all", NO_COLOR: "1", ...extra };
}

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

async function run(argv: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<Run> {
  // A hung start is killed: the test then fails on its exit code instead of at the suite's timeout.
  const proc = Bun.spawn(argv, { cwd: opts.cwd ?? dir.path, env: opts.env ?? wineEnv(), stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 60_000 });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}

/** The Windows binary under wine; `binary` to run a copy placed elsewhere (beside a portable). */
function win(args: string[], opts: { cwd?: string; env?: Record<string, string>; binary?: string } = {}): Promise<Run> {
  return run([wine as string, opts.binary ?? exe, ...args], { cwd: opts.cwd, env: wineEnv(opts.env) });
}

/** Put the exe and the ProcessPrng shim in `folder` (Windows loads a DLL from the exe's folder first). */
function placeExe(folder: string): string {
  fs.mkdirSync(folder, { recursive: true });
  const target = path.join(folder, "comfy-env.exe");
  fs.copyFileSync(exe, target);
  fs.copyFileSync(path.join(shims, "bcryptprimitives.dll"), path.join(folder, "bcryptprimitives.dll"));
  return target;
}

/** Run `jobs` with at most `n` at once, results in order. */
async function pool<T>(jobs: (() => Promise<T>)[], n: number): Promise<T[]> {
  const results: T[] = new Array(jobs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < jobs.length) {
        const i = next++;
        results[i] = await (jobs[i] as () => Promise<T>)();
      }
    }),
  );
  return results;
}

beforeAll(async () => {
  if (!available) return;
  dir = await tmpdir("ce-wine-");
  prefix = path.join(dir.path, "wineprefix");
  if (givenExe) exe = path.resolve(REPO_ROOT, givenExe);
  else {
    const b = Bun.spawnSync([process.execPath, "run", "build.ts", "--target", "windows-x64", "--outdir", path.join(dir.path, "build")], { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" });
    if (b.exitCode !== 0) throw new Error(`build.ts --target windows-x64 failed: ${b.stderr.toString()}`);
    exe = path.join(dir.path, "build", targetExecutableName(pkg.version, "windows-x64"));
  }
  if (givenShims) shims = path.resolve(REPO_ROOT, givenShims);
  else {
    shims = path.join(dir.path, "shims");
    const s = Bun.spawnSync([path.join(import.meta.dir, "build-shim.sh"), shims], { stdout: "pipe", stderr: "pipe" });
    if (s.exitCode !== 0) throw new Error(`build-shim.sh failed: ${s.stderr.toString()}`);
  }
  exe = placeExe(path.join(dir.path, "bin"));
  linuxBinary = hostBinary(path.join(dir.path, "linux"));
  // Create the wine prefix first (about 10 s), with no pipes its background services could
  // hold open; a persistent wineserver then saves each start the server's own start and stop
  // (about 3 s down to a fraction of one).
  const quiet = { env: wineEnv(), stdin: "ignore", stdout: "ignore", stderr: "ignore" } as const;
  Bun.spawnSync(["wineboot", "-i"], { ...quiet, timeout: 120_000 });
  Bun.spawnSync(["wineserver", "-p"], quiet);
}, 180_000);

afterAll(async () => {
  if (!available) return;
  // Stop this prefix's wineserver (only ours: it is keyed by WINEPREFIX).
  Bun.spawnSync(["wineserver", "-k"], { env: wineEnv() });
  await dir?.[Symbol.asyncDispose]();
});

describe.skipIf(!available && !required)("the Windows binary under wine", () => {
  test("wine and mingw-w64 are installed when CI requires them", () => {
    expect(wine).not.toBeNull();
    expect(available).toBe(true);
  });

  test("--version: the exe starts and says it is the windows-x64 build", async () => {
    const r = await win(["--version"]);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toMatch(new RegExp(`^comfy-env ${pkg.version.replaceAll(".", "\\.")} \\(\\w+, windows-x64\\)$`));
  });

  test("--help", async () => {
    const r = await win(["--help"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("Usage: comfy-env");
    expect(r.stdout).toContain("install");
  });

  test("generate --platform win-64 on every corpus config prints what the Linux binary prints", async () => {
    const files = fs.readdirSync(CONFIGS_DIR).filter((n) => n.endsWith(".toml")).sort();
    expect(files.length).toBeGreaterThanOrEqual(145);
    const args = (file: string) => ["generate", file, "--platform", "win-64", "--python", "3.11", "--cuda", "12.8"];
    const mismatches = await pool(
      files.map((name) => async () => {
        const file = path.join(CONFIGS_DIR, name);
        const [w, l] = await Promise.all([win(args(winPath(file))), run([linuxBinary, ...args(file)])]);
        // The only difference allowed: the config's path, as each OS spells it.
        const same = (s: string) => s.replaceAll(winPath(file), file);
        const got = { exitCode: w.exitCode, stdout: same(w.stdout), stderr: same(w.stderr) };
        return JSON.stringify(got) === JSON.stringify(l) ? undefined : { name, windows: got, linux: l };
      }),
      4,
    );
    expect(mismatches.filter((m) => m !== undefined)).toEqual([]);
  }, 240_000);

  test("detect --json: the host is win-64", async () => {
    const r = await win(["detect", "--json"]);
    expect(r.exitCode).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d.host).toMatchObject({ os: "windows", platform: "win-64" });
  });

  test("status --json lists a finished build in the cache", async () => {
    const root = path.join(dir.path, "status-cache");
    const env = path.join(root, "_env_abc123", ".pixi", "envs", "default");
    fs.mkdirSync(env, { recursive: true });
    fs.writeFileSync(path.join(env, "python.exe"), ""); // a done build whose Python is gone reads as broken
    fs.writeFileSync(path.join(root, "_env_abc123", ".done"), "");
    const r = await win(["status", "--json"], { env: { COMFY_ENV_ROOT: winPath(root) } });
    expect(r.exitCode).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.root).toBe(winPath(root));
    expect(s.envs).toMatchObject([{ hash: "abc123", state: "done", links: [] }]);
  });

  test("detect.bat under cmd: done, broken (the env's Python deleted), building and failed, as status reads them", async () => {
    // A cache under a folder like "Program Files (x86)": cmd's if/else inside a for body's
    // parentheses broke on the parenthesis %CD% expands to.
    const root = path.join(dir.path, "bat cache (x86)");
    const build = (name: string, files: string[]) => {
      for (const f of files) {
        fs.mkdirSync(path.dirname(path.join(root, name, f)), { recursive: true });
        fs.writeFileSync(path.join(root, name, f), "");
      }
      fs.mkdirSync(path.join(root, name), { recursive: true });
    };
    build("_env_a", [".done", ".pixi/envs/default/python.exe"]);
    build("_env_b", [".done"]);
    build("_env_c", [".building/owner.json"]);
    build("_env_d", []);
    writeStatusScripts(root)._unsafeUnwrap();
    const r = await run([wine as string, "cmd", "/c", "detect.bat"], { cwd: root });
    expect(r.exitCode).toBe(0);
    const rows = r.stdout.trim().split(/\r?\n/).map((l) => l.split("\t"));
    expect(rows).toEqual(
      (
        [
          ["_env_a", "done"],
          ["_env_b", "broken"],
          ["_env_c", "building"],
          ["_env_d", "failed"],
        ] as const
      ).map(([d, state]) => [d, state, winPath(path.join(root, d, "install.log"))]),
    );
  });

  test("doctor --json: long paths as reg.exe reads LongPathsEnabled, and an env's longest path", async () => {
    const root = path.join(dir.path, "doctor-cache");
    const env = path.join(root, "_env_abc123", ".pixi", "envs", "default");
    fs.mkdirSync(path.join(env, "Lib", "site-packages"), { recursive: true });
    fs.writeFileSync(path.join(env, "python.exe"), "");
    fs.writeFileSync(path.join(env, "Lib", "site-packages", "module.py"), "");
    fs.writeFileSync(path.join(root, "_env_abc123", ".done"), "");
    const setLongPaths = (v: string) => run([wine as string, "reg", "add", "HKLM\\SYSTEM\\CurrentControlSet\\Control\\FileSystem", "/v", "LongPathsEnabled", "/t", "REG_DWORD", "/d", v, "/f"]);
    const doctor = async () => {
      const r = await win(["doctor", "--offline", "--json"], { env: { COMFY_ENV_ROOT: winPath(root) } });
      const d = JSON.parse(r.stdout) as { checks: { group: string; name: string }[] };
      return (group: string, name: string) => d.checks.find((c) => c.group === group && c.name === name);
    };
    expect((await setLongPaths("0")).exitCode).toBe(0);
    const off = await doctor();
    expect(off("cache", "long paths")).toMatchObject({ status: "warn", details: { enabled: false } });
    expect(off("envs", "_env_abc123 paths")).toMatchObject({ status: "ok", details: { file: "Lib\\site-packages\\module.py", limit: 259 } });
    expect((await setLongPaths("1")).exitCode).toBe(0);
    expect((await doctor())("cache", "long paths")).toMatchObject({ status: "ok", details: { enabled: true } });
  }, 120_000);

  /** A pack whose one env pins its Python, built with the pixi.cmd stand-in into `root`. */
  function installEnv(root: string): Record<string, string> {
    const pixi = path.join(dir.path, "pixi.cmd");
    fs.copyFileSync(path.join(import.meta.dir, "pixi.cmd"), pixi);
    return { COMFY_ENV_ROOT: winPath(root), COMFY_ENV_PIXI: winPath(pixi), COMFY_ENV_MIN_FREE_GB: "0" };
  }

  test("install with a pixi.cmd stand-in: pixi runs, the build is done, and only the junction (wine cannot make one) fails", async () => {
    const pack = path.join(dir.path, "packs", "MyPack");
    fs.mkdirSync(path.join(pack, "nodes"), { recursive: true });
    const config = 'python = "3.11"\n\n[pypi-dependencies]\ncowsay = "*"\n';
    fs.writeFileSync(path.join(pack, "nodes", "comfy-env.toml"), config);
    const root = path.join(dir.path, "install-cache");
    const r = await win(["install", winPath(pack), "--cuda", "none"], { env: installEnv(root) });
    const build = path.join(root, `_env_${configHash(new TextEncoder().encode(config))}`);
    expect(fs.existsSync(path.join(build, ".done"))).toBe(true);
    expect(fs.readFileSync(path.join(build, "pixi.toml"), "utf8")).toContain('platforms = ["win-64"]');
    expect(fs.readFileSync(path.join(build, "install.log"), "utf8")).toContain("pixi stand-in: install --manifest-path");
    expect(fs.existsSync(path.join(build, ".pixi", "envs", "default", "python.exe"))).toBe(true);
    expect(r.stderr).toContain("MyPack/nodes: environment built, not linked");
    expect(r.stderr).toContain("cannot hold junctions or symlinks");
    expect(r.exitCode).toBe(3);
  }, 120_000);

  test("portable discovery: comfy-env.exe beside the portable under Downloads, run from the profile, installs the portable's pack for python_embeded", async () => {
    const profile = path.join(dir.path, "Users", "me");
    const downloads = path.join(profile, "Downloads");
    const portable = path.join(downloads, "ComfyUI_windows_portable");
    fs.mkdirSync(path.join(portable, "python_embeded"), { recursive: true });
    fs.copyFileSync(path.join(shims, "python.exe"), path.join(portable, "python_embeded", "python.exe"));
    const nodes = path.join(portable, "ComfyUI", "custom_nodes", "MyPack", "nodes");
    fs.mkdirSync(nodes, { recursive: true });
    const config = '[pypi-dependencies]\ncowsay = "*"\n';
    fs.writeFileSync(path.join(nodes, "comfy-env.toml"), config);
    fs.mkdirSync(path.join(profile, "Documents", "notes"), { recursive: true });
    fs.writeFileSync(path.join(profile, "Documents", "notes", "comfy-env.toml"), "not = [valid\n");
    const beside = placeExe(downloads);
    const root = path.join(dir.path, "portable-cache");
    const r = await win(["install", "--cuda", "none"], { cwd: profile, binary: beside, env: { ...installEnv(root), PYTHON_STANDIN_VERSION: "3.12" } });
    expect(r.stderr).toContain(`ComfyUI portable at ${winPath(portable)}`);
    const hash = configHash(new TextEncoder().encode(config));
    expect(fs.readdirSync(root).filter((n) => n.startsWith("_env_"))).toEqual([`_env_${hash}`]);
    expect(fs.readFileSync(path.join(root, `_env_${hash}`, "pixi.toml"), "utf8")).toContain('python = "3.12.*"');
    expect(r.stderr).toContain("MyPack/nodes: environment built, not linked");
  }, 120_000);
});
