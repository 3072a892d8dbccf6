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
});
