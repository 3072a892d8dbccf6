import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { discoverPack, listPacks } from "../../src/config/discover.ts";

const TMP = fs.mkdtempSync(path.join(os.tmpdir(), "ce-discover-"));
afterAll(() => fs.rmSync(TMP, { recursive: true, force: true }));

function write(rel: string, text = ""): void {
  const p = path.join(TMP, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
}

describe("discoverPack", () => {
  test("root file first, then the root's, nodes/ and nodes/<sub>/ env files in sorted order; skipped folders", () => {
    const pack = "ComfyUI/custom_nodes/PackA";
    write(`${pack}/comfy-env-root.toml`);
    write(`${pack}/nodes/comfy-env.toml`);
    write(`${pack}/nodes/gpu/comfy-env.toml`);
    write(`${pack}/nodes/blender/comfy-env.toml`);
    write(`${pack}/nodes/blender/deep/er/comfy-env.toml`);
    write(`${pack}/nodes-x/comfy-env.toml`);
    write(`${pack}/comfy-env.toml`);
    // Never searched:
    write(`${pack}/.git/comfy-env.toml`);
    write(`${pack}/_vendor/comfy-env.toml`);
    write(`${pack}/node_modules/x/comfy-env.toml`);
    write(`${pack}/__pycache__/comfy-env.toml`);
    write(`${pack}/nodes/gpu/comfy-env-root.toml`); // root file only counts at the pack root
    fs.mkdirSync(path.join(TMP, `${pack}/nodes/comfy-env-root.toml`), { recursive: true }); // a folder, not a file
    const outside = path.join(TMP, "elsewhere");
    write("elsewhere/comfy-env.toml");
    fs.symlinkSync(outside, path.join(TMP, `${pack}/nodes/linked`));
    fs.symlinkSync(outside, path.join(TMP, `${pack}/nodes/_env_abc123`));

    const dir = path.join(TMP, pack);
    const files = discoverPack(dir)._unsafeUnwrap();
    expect(files.map((f) => [path.relative(dir, f.path), f.role])).toEqual([
      ["comfy-env-root.toml", "root"],
      ["comfy-env.toml", "env"],
      ["nodes/comfy-env.toml", "env"],
      ["nodes/blender/comfy-env.toml", "env"],
      ["nodes/gpu/comfy-env.toml", "env"],
    ]);
    expect(files[0]!.dir).toBe(dir);
    expect(files[3]!.dir).toBe(path.join(dir, "nodes/blender"));
    expect(files.every((f) => path.isAbsolute(f.path))).toBe(true);
  });

  test("configs deeper than nodes/<sub>/ or outside nodes/ are not a pack's: a profile holding a portable is no pack", () => {
    // What `install` run from %USERPROFILE% used to take for one pack: the portable's own packs, found by walking everything.
    write("Profile/Downloads/ComfyUI_windows_portable/ComfyUI/custom_nodes/P/nodes/comfy-env.toml");
    write("Profile/Documents/x/comfy-env.toml");
    write("Profile/nodes/a/deep/comfy-env.toml");
    write("Profile/vendored/third_party/comfy-env.toml");
    const dir = path.join(TMP, "Profile");
    expect(discoverPack(dir)._unsafeUnwrapErr()).toEqual({ kind: "no-config", dir });
  });

  test("a relative pack dir gives absolute paths", () => {
    write("Rel/nodes/comfy-env.toml");
    const cwd = process.cwd();
    process.chdir(TMP);
    try {
      expect(discoverPack("Rel")._unsafeUnwrap()[0]!.path).toBe(path.join(fs.realpathSync(TMP), "Rel/nodes/comfy-env.toml"));
    } finally {
      process.chdir(cwd);
    }
  });

  test("only a root file", () => {
    write("OnlyRoot/comfy-env-root.toml");
    expect(discoverPack(path.join(TMP, "OnlyRoot"))._unsafeUnwrap().map((f) => f.role)).toEqual(["root"]);
  });

  test("no config → no-config; missing dir or a file → read-failed", () => {
    write("Empty/nodes/__init__.py");
    expect(discoverPack(path.join(TMP, "Empty"))._unsafeUnwrapErr()).toEqual({ kind: "no-config", dir: path.join(TMP, "Empty") });
    expect(discoverPack(path.join(TMP, "Missing"))._unsafeUnwrapErr()).toMatchObject({ kind: "read-failed", file: path.join(TMP, "Missing") });
    expect(discoverPack(path.join(TMP, "Empty/nodes/__init__.py"))._unsafeUnwrapErr()).toMatchObject({ kind: "read-failed" });
  });
});

describe("listPacks", () => {
  test("pack folders with a config, sorted; skips files, hidden, underscored, disabled and config-less", () => {
    const nodes = "UI/custom_nodes";
    write(`${nodes}/Zeta/nodes/comfy-env.toml`);
    write(`${nodes}/Alpha/comfy-env-root.toml`);
    write(`${nodes}/Beta/nodes/deep/comfy-env.toml`);
    write(`${nodes}/Gamma/deep/comfy-env.toml`); // not where a pack's configs are: no pack
    write(`${nodes}/NoConfig/__init__.py`);
    write(`${nodes}/.hidden/comfy-env.toml`);
    write(`${nodes}/_private/comfy-env.toml`);
    write(`${nodes}/Old.disabled/comfy-env.toml`);
    write(`${nodes}/Older._disabled/comfy-env.toml`);
    write(`${nodes}/comfy-env.toml`);
    write(`${nodes}/example_node.py.example`);
    write("Dev/LinkedPack/nodes/comfy-env.toml");
    fs.symlinkSync(path.join(TMP, "Dev/LinkedPack"), path.join(TMP, `${nodes}/LinkedPack`));
    fs.symlinkSync(path.join(TMP, "Dev/gone"), path.join(TMP, `${nodes}/Dangling`));
    const base = path.join(TMP, nodes);
    expect(listPacks(path.join(TMP, "UI"))._unsafeUnwrap()).toEqual(["Alpha", "Beta", "LinkedPack", "Zeta"].map((n) => path.join(base, n)));
  });

  test("no custom_nodes folder → read-failed", () => {
    expect(listPacks(path.join(TMP, "NotComfy"))._unsafeUnwrapErr()).toMatchObject({
      kind: "read-failed",
      file: path.join(TMP, "NotComfy", "custom_nodes"),
    });
  });
});
