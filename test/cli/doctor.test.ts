import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { BUN, runCli } from "../support/cli.ts";
import { buildPaths } from "../../src/cache/layout.ts";
import { recordLink } from "../../src/cache/links.ts";
import { longPathChecks } from "../../src/cli/doctor/long-paths.ts";
import { ENABLE_LONG_PATHS, MAX_PATH_CHARS } from "../../src/link/long-paths.ts";
import { FAKE_BIN, isolatedEnv, smiCase } from "../detect/helpers.ts";
import { writeFakeBuild } from "../support/fake-build.ts";
import { linkedNodeDir } from "../support/fake-env.ts";
import { tmpdir } from "../support/tmp.ts";
import { startServer } from "../net/support/servers.ts";
import { SCHEMAS } from "./json-schema.ts";

type Doc = { checks: { group: string; name: string; status: string; summary: string; fix?: string; details?: Record<string, unknown> }[] };

async function doctor(args: string[], env: Record<string, string>) {
  const r = await runCli(["doctor", ...args, "--json"], { env: { ...(process.env as Record<string, string>), NO_COLOR: "1", ...env } });
  const doc = SCHEMAS.doctor.parse(JSON.parse(r.stdout)) as unknown as Doc & { exitCode: number };
  expect(doc.exitCode).toBe(r.exitCode);
  return { ...r, doc, check: (group: string, name: string) => doc.checks.find((c) => c.group === group && c.name === name) };
}

const SHM = "/dev/shm";
const otherFs = fs.existsSync(SHM) && fs.statSync(SHM).dev !== fs.statSync(import.meta.dir).dev;

describe("comfy-env doctor", () => {
  test.skipIf(!otherFs)("cache root and pixi's cache on different file systems: the hardlink problem and its fix", async () => {
    await using dir = await tmpdir();
    const root = fs.mkdtempSync(path.join(SHM, "ce-doctor-"));
    try {
      const r = await doctor(["--offline", "--root", root], { PIXI_CACHE_DIR: path.join(dir.path, "pixi-cache") });
      expect(r.check("cache", "hardlinks")).toMatchObject({ status: "warn", details: { sameFileSystem: false }, fix: `put pixi's cache beside the envs: export PIXI_CACHE_DIR=${path.join(root, ".pixi-cache")} (or move the root next to it with COMFY_ENV_ROOT)` });
      const same = await doctor(["--offline", "--root", root], { PIXI_CACHE_DIR: path.join(root, ".pixi-cache") });
      expect(same.check("cache", "hardlinks")).toMatchObject({ status: "ok", details: { sameFileSystem: true } });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test("--comfyui: a folder that fails to import reports the import error; a Python without the bridge says how to install it", async () => {
    await using dir = await tmpdir();
    const comfyui = path.join(dir.path, "ComfyUI");
    const { nodeDir } = linkedNodeDir(path.join(comfyui, "custom_nodes"), "BrokenPack");
    fs.writeFileSync(path.join(comfyui, "custom_nodes", "BrokenPack", "__init__.py"), "");
    fs.writeFileSync(path.join(nodeDir, "__init__.py"), "import no_such_module_here\n");
    const venv = path.join(dir.path, "venv");
    expect(Bun.spawnSync(["python3", "-m", "venv", "--without-pip", venv]).exitCode).toBe(0);
    const py = path.join(venv, "bin", "python");
    const r = await doctor(["--offline", "--root", path.join(dir.path, "cache"), "--comfyui", comfyui, "--python", py], {});
    expect(r.exitCode).toBe(1);
    expect(r.check("comfyui", "BrokenPack/nodes")).toMatchObject({ status: "fail", summary: "import failed: ModuleNotFoundError: No module named 'no_such_module_here'" });
    expect(r.check("comfyui", "bridge")).toMatchObject({ status: "fail", fix: `comfy-env bridge install --python ${py}` });
    expect(r.check("envs", "_env_abcdef")).toBeUndefined();
    expect(r.check("cache", "drive")).toMatchObject({ status: "ok", details: { sameDrive: true } });
  });

  test.skipIf(!otherFs)("--comfyui: a cache root on another drive than ComfyUI's is named", async () => {
    await using dir = await tmpdir();
    const comfyui = path.join(dir.path, "ComfyUI");
    fs.mkdirSync(path.join(comfyui, "custom_nodes"), { recursive: true });
    const root = fs.mkdtempSync(path.join(SHM, "ce-doctor-"));
    try {
      const r = await doctor(["--offline", "--root", root, "--comfyui", comfyui], {});
      expect(r.check("cache", "drive")).toMatchObject({ status: "warn", summary: expect.stringContaining(`the cache root ${root} is on another drive than ComfyUI`) });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test("network: a blocked host is named, through the proxy (its password masked); a reachable mirror is ok", async () => {
    const mirror = await startServer((_req, res) => {
      res.writeHead(404);
      res.end();
    });
    const dead = await startServer(() => undefined);
    const proxy = dead.origin.replace("://", "://user:s3cret@");
    await dead.close();
    try {
      const r = await doctor(["--root", "/nonexistent/ce"], { COMFY_ENV_PIXI_URL: mirror.origin, HTTPS_PROXY: proxy, NO_PROXY: "127.0.0.1" });
      expect(r.check("network", "pixi releases")).toMatchObject({ status: "ok" });
      const blocked = r.check("network", "PyTorch index");
      expect(blocked?.status).toBe("fail");
      expect(blocked?.summary).toStartWith(`download.pytorch.org is not reachable through the proxy ${dead.origin.replace("://", "://***@")}`);
      expect(r.stdout).not.toContain("s3cret");
      expect(blocked?.fix).toContain("download.pytorch.org");
    } finally {
      await mirror.close();
    }
  });

  test("envs: size unique vs shared through hardlinks; a done env nothing links to", async () => {
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    const env = path.join(root, "_env_123456");
    fs.mkdirSync(env, { recursive: true });
    fs.writeFileSync(path.join(env, ".done"), "");
    fs.writeFileSync(path.join(env, "own.bin"), Buffer.alloc(1000));
    fs.writeFileSync(path.join(dir.path, "pkg.bin"), Buffer.alloc(3000));
    fs.linkSync(path.join(dir.path, "pkg.bin"), path.join(env, "shared.bin"));
    const r = await doctor(["--offline", "--root", root], {});
    expect(r.check("envs", "_env_123456")).toMatchObject({ status: "warn", fix: "`comfy-env gc` frees it", details: { uniqueBytes: 1000, sharedBytes: 3000 } });
  });

  test("envs: a finished env whose Python is gone is broken, with the install that rebuilds it", async () => {
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    const p = buildPaths(root, "b0b0b0");
    const pack = path.join(dir.path, "custom_nodes", "Pack");
    writeFakeBuild(p, "x", { source: path.join(pack, "nodes") });
    const link = path.join(pack, "nodes", "_env_b0b0b0");
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(p.env, link);
    recordLink(p, link);
    fs.rmSync(path.join(p.env, "bin", "python"));
    const r = await doctor(["--offline", "--root", root], {});
    expect(r.check("envs", "_env_b0b0b0")).toMatchObject({ status: "warn", details: { state: "broken" }, fix: `\`comfy-env install ${pack}\` rebuilds it` });
  });

  test("--bundle: the document, each env's install log (its end), the worker logs; no private folder, no URL credentials", async () => {
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    const env = path.join(root, "_env_abc123");
    fs.mkdirSync(env, { recursive: true });
    fs.writeFileSync(path.join(env, ".done"), "");
    fs.writeFileSync(path.join(env, "pixi.toml"), "[workspace]\n");
    const lines = Array.from({ length: 200_000 }, (_, i) => `line ${i}`).join("\n");
    fs.writeFileSync(path.join(env, "install.log"), `${lines}\nusing proxy http://bob:hunter2@proxy.example:3128\n`);
    const tmp = path.join(dir.path, "tmp");
    const base = path.join(tmp, `comfy-env-${process.getuid!()}`);
    for (const d of ["logs", "supervisors", "s4242-abcdef"]) fs.mkdirSync(path.join(base, d), { recursive: true, mode: 0o700 });
    fs.chmodSync(tmp, 0o700);
    fs.chmodSync(base, 0o700);
    fs.writeFileSync(path.join(base, "logs", "Pack_nodes-1234abcd.log"), "worker: ready\n");
    fs.writeFileSync(path.join(base, "logs", "Pack_nodes-1234abcd.log.1"), "worker: older\n");
    fs.writeFileSync(path.join(base, "supervisors", "4242.json"), "{}");
    fs.writeFileSync(path.join(base, "s4242-abcdef", "worker.py"), "SECRET");
    const file = path.join(dir.path, "out", "bug.tar.gz");
    fs.mkdirSync(path.dirname(file));
    const envVars = { TMPDIR: tmp, XDG_RUNTIME_DIR: "" };
    const r = await doctor(["--offline", "--root", root, "--bundle", file], envVars);
    expect(r.doc).toMatchObject({ bundle: { path: file, bytes: fs.statSync(file).size } });

    const list = Bun.spawnSync(["tar", "-tzf", file]);
    expect(list.stdout.toString().trim().split("\n")).toEqual([
      "comfy-env-doctor/doctor.json",
      "comfy-env-doctor/envs/_env_abc123/install.log",
      "comfy-env-doctor/envs/_env_abc123/pixi.toml",
      `comfy-env-doctor/runtime/${path.basename(base)}/logs/Pack_nodes-1234abcd.log`,
      `comfy-env-doctor/runtime/${path.basename(base)}/logs/Pack_nodes-1234abcd.log.1`,
      `comfy-env-doctor/runtime/${path.basename(base)}/supervisors/4242.json`,
    ]);
    const out = path.join(dir.path, "x");
    fs.mkdirSync(out);
    expect(Bun.spawnSync(["tar", "-xzf", file, "-C", out]).exitCode).toBe(0);
    const inner = SCHEMAS.doctor.parse(JSON.parse(fs.readFileSync(path.join(out, "comfy-env-doctor", "doctor.json"), "utf8"))) as unknown as Doc;
    expect(inner.checks).toEqual(r.doc.checks);
    const log = fs.readFileSync(path.join(out, "comfy-env-doctor", "envs", "_env_abc123", "install.log"), "utf8");
    expect(log.length).toBeLessThanOrEqual(1024 * 1024 + 100);
    expect(log).toStartWith("[comfy-env doctor: the first ");
    expect(log.split("\n")[1]).toMatch(/^line \d+$/);
    expect(log).toEndWith("line 199999\nusing proxy http://***@proxy.example:3128\n");
    expect(Bun.spawnSync(["grep", "-r", "-l", "-e", "hunter2", "-e", "SECRET", out]).stdout.toString()).toBe("");

    const human = await runCli(["doctor", "--offline", "--root", root, "--bundle", file], { env: { ...(process.env as Record<string, string>), NO_COLOR: "1", ...envVars } });
    expect(human.stdout).toContain(`bundle: ${file} (`);
    const bad = await doctor(["--offline", "--root", root, "--bundle", path.join(dir.path, "missing", "b.tar.gz")], envVars);
    expect(bad.exitCode).toBe(1);
    expect((bad.doc as unknown as { error: { kind: string } }).error.kind).toBe("bundle-failed");
  });

  test("gpu: an env built for another CUDA than a build now targets is a warning naming both and the fix; a match is ok", async () => {
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    const pack = path.join(dir.path, "custom_nodes", "GpuPack");
    writeFakeBuild(buildPaths(root, "aaa111"), "a", { identity: { cuda: "12.8", variant: "cu128" }, source: path.join(pack, "nodes", "gpu") });
    writeFakeBuild(buildPaths(root, "bbb222"), "b", { identity: { cuda: "12.6", variant: "cu126" } });
    // Recorded detection: an RTX 4090 whose driver supports CUDA 12.6 (the detect tests' nvidia-smi stand-in).
    const rtx4090 = isolatedEnv(dir.path, { PATH: FAKE_BIN, FAKE_NVIDIA_SMI_DIR: smiCase("rtx4090"), COMFY_ENV_CUDA_VERSION: "" });
    const r = await doctor(["--offline", "--root", root], rtx4090);
    expect(r.check("gpu", "decision")).toMatchObject({ status: "ok", details: { cuda: "12.6", variant: "cu126", reason: "driver supports CUDA 12.6" } });
    expect(r.check("gpu", "_env_aaa111")).toEqual({
      group: "gpu",
      name: "_env_aaa111",
      status: "warn",
      summary: "built for CUDA 12.8 (cu128), but a build now targets CUDA 12.6 (cu126) (driver supports CUDA 12.6)",
      fix: `comfy-env install --refresh ${pack} rebuilds it for this machine (keep it if it was built with --cuda on purpose)`,
      details: { built: { cuda: "12.8", variant: "cu128" }, now: { cuda: "12.6", variant: "cu126" } },
    });
    expect(r.check("gpu", "_env_bbb222")).toMatchObject({ status: "ok", summary: "built for CUDA 12.6 (cu126), as a build now would be" });

    const cpu = await doctor(["--offline", "--root", root], { ...rtx4090, COMFY_ENV_CUDA_VERSION: "none" });
    expect(cpu.check("gpu", "_env_bbb222")).toMatchObject({ status: "warn", summary: "built for CUDA 12.6 (cu126), but a build now targets CPU (COMFY_ENV_CUDA_VERSION=none)" });
    const bad = await doctor(["--offline", "--root", root], { ...rtx4090, COMFY_ENV_CUDA_VERSION: "latest" });
    expect(bad.check("gpu", "decision")).toMatchObject({ status: "warn", summary: 'no CUDA decision: COMFY_ENV_CUDA_VERSION="latest" is not a CUDA version' });
    expect(bad.check("gpu", "_env_aaa111")).toBeUndefined();
  });
});

describe("doctor on Windows: long paths", () => {
  test("reg query through the PATH's reg: LongPathsEnabled 0x1 is on; 0x0 or a missing value is off", async () => {
    await using dir = await tmpdir();
    const log = path.join(dir.path, "reg.log");
    const probe = `import { longPathsEnabled } from ${JSON.stringify(path.resolve(import.meta.dir, "../../src/link/windows.ts"))}; console.log(longPathsEnabled());`;
    const ask = (value: string) => {
      const env = { PATH: `${path.resolve(import.meta.dir, "../stand-ins")}:${process.env.PATH}`, REG_STANDIN_VALUE: value, REG_STANDIN_LOG: log };
      return Bun.spawnSync([BUN, "-e", probe], { env }).stdout.toString().trim();
    };
    expect(ask("0x1")).toBe("true");
    expect(fs.readFileSync(log, "utf8")).toBe("query\nHKLM\\SYSTEM\\CurrentControlSet\\Control\\FileSystem\n/v\nLongPathsEnabled\n");
    expect(ask("0x0")).toBe("false");
    expect(ask("")).toBe("false");
  });

  test("an env's longest file against 260 characters, through each link and in the cache; long paths off is a warning with the fix", async () => {
    await using dir = await tmpdir();
    const env = path.join(dir.path, "_env_abc123", ".pixi", "envs", "default");
    const rel = path.join("Lib", "site-packages", "torch", "include", "header.h");
    fs.mkdirSync(path.dirname(path.join(env, rel)), { recursive: true });
    fs.writeFileSync(path.join(env, rel), "");
    const short = "C:\\ComfyUI\\custom_nodes\\P\\_env_abc123";
    const deep = `C:\\Users\\someone\\${"x".repeat(MAX_PATH_CHARS - 60 - rel.length)}\\ComfyUI\\custom_nodes\\AVeryLongPackName\\nodes\\_env_abc123`;
    const fitsLength = Math.max(short.length, env.length) + 1 + rel.length;
    const off = longPathChecks([{ hash: "abc123", env, links: [short] }], false);
    expect(off[0]).toMatchObject({ group: "cache", name: "long paths", status: "warn", fix: `as administrator: ${ENABLE_LONG_PATHS}` });
    expect(off[1]).toMatchObject({ group: "envs", name: "_env_abc123 paths", status: "ok", details: { longest: fitsLength, limit: MAX_PATH_CHARS, file: rel } });

    const tooDeep = longPathChecks([{ hash: "abc123", env, links: [short, deep] }], false);
    expect(deep.length + 1 + rel.length).toBeGreaterThan(MAX_PATH_CHARS);
    expect(tooDeep[1]).toMatchObject({
      status: "fail",
      summary: `its longest file is ${deep.length + 1 + rel.length} characters through ${deep}, over Windows' limit of ${MAX_PATH_CHARS}: importing it fails`,
      fix: `enable long paths (as administrator): ${ENABLE_LONG_PATHS}; or move ComfyUI to a shorter folder (C:\\ComfyUI)`,
    });
    const on = longPathChecks([{ hash: "abc123", env, links: [short, deep] }], true);
    expect(on.map((c) => c.status)).toEqual(["ok", "ok"]);
    expect(longPathChecks([{ hash: "abc123", env: path.join(dir.path, "missing"), links: [] }], true)).toHaveLength(1);
  });
});
