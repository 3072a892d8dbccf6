// ComfyUI portable discovery on fake folder trees, and `install` picking a portable up.
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { findPortable, findPortableNear, isInside, portableAt } from "../../src/util/portable.ts";
import { runCli } from "../support/cli.ts";
import { tmpdir } from "../support/tmp.ts";
import { hostBinary } from "./helpers.ts";

/** The layout the portable 7z unpacks to (python.exe is a stand-in file here). */
function makePortable(parent: string, name = "ComfyUI_windows_portable"): string {
  const root = path.join(parent, name);
  fs.mkdirSync(path.join(root, "python_embeded"), { recursive: true });
  fs.writeFileSync(path.join(root, "python_embeded", "python.exe"), "");
  fs.mkdirSync(path.join(root, "ComfyUI", "custom_nodes"), { recursive: true });
  fs.writeFileSync(path.join(root, "run_nvidia_gpu.bat"), "");
  return root;
}

function expected(root: string) {
  return {
    root,
    python: path.join(root, "python_embeded", "python.exe"),
    comfyui: path.join(root, "ComfyUI"),
    customNodes: path.join(root, "ComfyUI", "custom_nodes"),
  };
}

describe("findPortable", () => {
  test("from the portable folder, from inside it, and from the folder beside it", async () => {
    await using dir = await tmpdir();
    const root = makePortable(dir.path);
    const pack = path.join(root, "ComfyUI", "custom_nodes", "MyPack", "nodes");
    fs.mkdirSync(pack, { recursive: true });
    expect(findPortable(root)).toEqual(expected(root));
    expect(findPortable(path.join(root, "ComfyUI"))).toEqual(expected(root));
    expect(findPortable(pack)).toEqual(expected(root));
    expect(findPortable(dir.path)).toEqual(expected(root));
  });

  test("a renamed portable beside is found; the standard name wins over others", async () => {
    await using dir = await tmpdir();
    const renamed = makePortable(dir.path, "AAA_comfy");
    expect(findPortable(dir.path)?.root).toBe(renamed);
    const standard = makePortable(dir.path);
    expect(findPortable(dir.path)?.root).toBe(standard);
  });

  test("half a portable is none: no python_embeded/python.exe, or no ComfyUI/custom_nodes", async () => {
    await using dir = await tmpdir();
    const a = makePortable(dir.path, "a");
    fs.rmSync(path.join(a, "python_embeded", "python.exe"));
    const b = makePortable(dir.path, "b");
    fs.rmSync(path.join(b, "ComfyUI", "custom_nodes"), { recursive: true });
    expect(portableAt(a)).toBeUndefined();
    expect(portableAt(b)).toBeUndefined();
    expect(findPortable(dir.path)).toBeUndefined();
    expect(findPortable(path.join(a, "ComfyUI"))).toBeUndefined();
  });

  test("findPortableNear looks at cwd first, then the executable's folder", async () => {
    await using dir = await tmpdir();
    const nearCwd = makePortable(path.join(dir.path, "work"));
    const nearExe = makePortable(path.join(dir.path, "apps"));
    const exe = path.join(dir.path, "apps", "comfy-env.exe");
    const elsewhere = path.join(dir.path, "elsewhere");
    fs.mkdirSync(elsewhere);
    expect(findPortableNear(path.join(dir.path, "work"), exe)).toEqual({ portable: expected(nearCwd), from: "cwd" });
    expect(findPortableNear(elsewhere, exe)).toEqual({ portable: expected(nearExe), from: "executable" });
    expect(findPortableNear(elsewhere, path.join(elsewhere, "comfy-env"))).toBeUndefined();
  });

  test("isInside", () => {
    expect(isInside("/a/b/c", "/a/b")).toBe(true);
    expect(isInside("/a/b", "/a/b")).toBe(true);
    expect(isInside("/a/bc", "/a/b")).toBe(false);
    expect(isInside("/a", "/a/b")).toBe(false);
    expect(isInside("/a/b/..c", "/a/b")).toBe(true);
  });
});

describe("install without PACK_DIR near a portable", () => {
  /** A portable whose one pack has a broken comfy-env.toml: install stops at reading it, naming the file. */
  function portableWithBrokenPack(parent: string): { root: string; config: string } {
    const root = makePortable(parent);
    const nodes = path.join(root, "ComfyUI", "custom_nodes", "BrokenPack");
    fs.mkdirSync(nodes, { recursive: true });
    fs.writeFileSync(path.join(nodes, "comfy-env.toml"), "[cuda\n");
    return { root, config: path.join(nodes, "comfy-env.toml") };
  }

  const env = (root: string) => ({ ...(process.env as Record<string, string>), COMFY_ENV_ROOT: path.join(root, "cache"), NO_COLOR: "1" });

  test("run in the portable folder or beside it, it installs the portable's packs", async () => {
    await using dir = await tmpdir();
    const p = portableWithBrokenPack(dir.path);
    for (const cwd of [p.root, dir.path, path.join(p.root, "ComfyUI")]) {
      const r = await runCli(["install"], { cwd, env: env(dir.path) });
      expect(r.stderr).toContain(`ComfyUI portable at ${p.root}: installing the packs in ${path.join(p.root, "ComfyUI", "custom_nodes")}`);
      expect(r.stderr).toContain(p.config);
      expect(r.exitCode).toBe(1);
    }
  });

  test("run inside one of its packs, or given a folder, it installs just that", async () => {
    await using dir = await tmpdir();
    const p = portableWithBrokenPack(dir.path);
    const r = await runCli(["install"], { cwd: path.dirname(p.config), env: env(dir.path) });
    expect(r.stderr).not.toContain("ComfyUI portable at");
    expect(r.stderr).toContain(p.config);
    const other = path.join(dir.path, "OtherPack");
    fs.mkdirSync(other);
    const given = await runCli(["install", other], { cwd: p.root, env: env(dir.path) });
    expect(given.stderr).not.toContain("ComfyUI portable at");
    expect(given.exitCode).toBe(1);
  });

  test("comfy-env placed in the portable folder finds it from any cwd that is not a pack", async () => {
    await using dir = await tmpdir();
    const p = portableWithBrokenPack(dir.path);
    const exe = path.join(p.root, "comfy-env");
    fs.copyFileSync(hostBinary(path.join(dir.path, "build")), exe);
    fs.chmodSync(exe, 0o755);
    const empty = path.join(dir.path, "empty");
    fs.mkdirSync(empty);
    const run = async (cwd: string) => {
      const proc = Bun.spawn([exe, "install"], { cwd, env: env(dir.path), stdin: "ignore", stdout: "pipe", stderr: "pipe" });
      const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
      return { stderr, code };
    };
    const r = await run(empty);
    expect(r.stderr).toContain(`ComfyUI portable at ${p.root}`);
    expect(r.stderr).toContain(p.config);
    expect(r.code).toBe(1);

    // A pack folder elsewhere is still installed as itself.
    const pack = path.join(dir.path, "MyPack");
    fs.mkdirSync(pack);
    fs.writeFileSync(path.join(pack, "comfy-env.toml"), "not = [valid\n");
    const own = await run(pack);
    expect(own.stderr).not.toContain("ComfyUI portable at");
    expect(own.stderr).toContain(path.join(pack, "comfy-env.toml"));
  }, 120_000);

  test("run from the user's profile with comfy-env.exe beside the portable under Downloads: the portable's packs, for python_embeded's version, and nothing else", async () => {
    await using dir = await tmpdir();
    const profile = path.join(dir.path, "Users", "me");
    const downloads = path.join(profile, "Downloads");
    const root = makePortable(downloads);
    // python_embeded answers the version query as the real one would (3.12, not the machine's).
    fs.writeFileSync(path.join(root, "python_embeded", "python.exe"), "#!/bin/sh\necho 3.12\n");
    fs.chmodSync(path.join(root, "python_embeded", "python.exe"), 0o755);
    const nodes = path.join(root, "ComfyUI", "custom_nodes", "MyPack", "nodes");
    fs.mkdirSync(nodes, { recursive: true });
    fs.writeFileSync(path.join(nodes, "comfy-env.toml"), "[pypi-dependencies]\ncowsay = \"*\"\n");
    // The profile's other folders: a config there is no pack of the profile's.
    fs.mkdirSync(path.join(profile, "Documents", "notes"), { recursive: true });
    fs.writeFileSync(path.join(profile, "Documents", "notes", "comfy-env.toml"), "not = [valid\n");
    const exe = path.join(downloads, "comfy-env");
    fs.copyFileSync(hostBinary(path.join(dir.path, "build")), exe);
    fs.chmodSync(exe, 0o755);
    // A pixi that makes an empty env: enough for the build to finish and be linked.
    const pixi = path.join(dir.path, "pixi");
    fs.writeFileSync(pixi, "#!/bin/sh\nmkdir -p .pixi/envs/default/bin\n", { mode: 0o755 });
    const before = listTree(profile);
    const cache = path.join(dir.path, "cache");
    const proc = Bun.spawn([exe, "install", "--cuda", "none", "--json"], {
      cwd: profile,
      env: { ...env(dir.path), COMFY_ENV_ROOT: cache, COMFY_ENV_PIXI: pixi },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    expect(stderr).toContain(`ComfyUI portable at ${root}`);
    if (code !== 0) console.error(stderr, stdout);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result.envs.map((e: { label: string }) => e.label)).toEqual(["MyPack/nodes"]);
    const hash = result.envs[0].hash as string;
    expect(fs.readFileSync(path.join(cache, `_env_${hash}`, "pixi.toml"), "utf8")).toContain('python = "3.12.*"');
    // The only change under the profile is the pack's link.
    expect(listTree(profile)).toEqual([...before, path.join(nodes, `_env_${hash}`)].sort());
    expect(fs.readdirSync(cache).filter((n) => n.startsWith("_env_"))).toEqual([`_env_${hash}`]);
  }, 120_000);
});

/** Every path under `dir` (links not followed), sorted. */
function listTree(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    out.push(p);
    if (e.isDirectory()) out.push(...listTree(p));
  }
  return out.sort();
}
