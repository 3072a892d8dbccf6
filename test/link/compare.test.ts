// Link targets compared as the OS does: gc must never take a build a link still points at for
// garbage because the link spells its path differently.
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { pathKey, sameLocation } from "../../src/link/compare.ts";
import { buildPaths } from "../../src/cache/layout.ts";
import { liveLinks, recordLink } from "../../src/cache/links.ts";
import { windowsLinker } from "../../src/link/windows.ts";
import { tmpdir } from "../support/tmp.ts";

const identity = (p: string) => p;

describe("sameLocation", () => {
  test("Windows: case, slashes, a trailing separator and the \\\\?\\ prefix do not matter", () => {
    const env = "C:/ce/_env_abc123/.pixi/envs/default";
    for (const other of ["c:\\CE\\_env_abc123\\.pixi\\envs\\default", "C:\\ce\\_ENV_ABC123\\.pixi\\envs\\default\\", "\\\\?\\C:\\ce\\_env_abc123\\.pixi\\envs\\default"]) {
      expect(sameLocation(other, env, "windows", identity)).toBe(true);
    }
    expect(sameLocation("D:\\ce\\_env_abc123\\.pixi\\envs\\default", env, "windows", identity)).toBe(false);
    expect(pathKey("C:\\", "windows")).toBe("c:\\");
  });

  test("macOS (default case-insensitive volume): case and Unicode normalization do not matter; Linux: they do", () => {
    const env = "/Users/me/.ce/_env_abc123/.pixi/envs/default";
    expect(sameLocation("/users/ME/.ce/_env_abc123/.pixi/envs/default/", env, "darwin", identity)).toBe(true);
    expect(sameLocation("/Users/Ame\u0301lie/x", "/Users/am\u00e9lie/x", "darwin", identity)).toBe(true);
    expect(sameLocation("/home/ME/.ce/_env_abc123", "/home/me/.ce/_env_abc123", "linux", identity)).toBe(false);
    expect(sameLocation("/home/me/.ce//_env_abc123/", "/home/me/.ce/_env_abc123", "linux", identity)).toBe(true);
  });

  test("both sides are resolved through links first (a junction or symlink on the way)", () => {
    const real = (p: string) => p.replace(/^C:\\Users\\me\\ce-link/i, "D:\\cache");
    expect(sameLocation("C:\\Users\\me\\ce-link\\_env_abc123", "d:\\CACHE\\_env_abc123", "windows", real)).toBe(true);
  });

  test("the Windows linker's pointsAt uses the same rules", () => {
    const linker = { ...windowsLinker, read: () => "c:\\CE\\_env_abc123\\.pixi\\envs\\default" };
    expect(linker.pointsAt("x", "C:\\ce\\_env_abc123\\.pixi\\envs\\default")).toBe(true);
    expect(linker.pointsAt("x", "C:\\ce\\_env_abc124\\.pixi\\envs\\default")).toBe(false);
  });
});

describe("liveLinks (what gc keeps)", () => {
  test("a link made through a symlinked cache root still counts as a link to its build", async () => {
    await using dir = await tmpdir();
    const realRoot = path.join(dir.path, "real-cache");
    const alias = path.join(dir.path, "alias-cache");
    const p = buildPaths(realRoot, "abc123");
    fs.mkdirSync(p.env, { recursive: true });
    fs.symlinkSync(realRoot, alias);
    const node = path.join(dir.path, "Pack", "nodes");
    fs.mkdirSync(node, { recursive: true });
    const link = path.join(node, "_env_abc123");
    // The install that made it was given the cache root by its alias.
    fs.symlinkSync(buildPaths(alias, "abc123").env, link);
    recordLink(p, link);
    expect(liveLinks(p)._unsafeUnwrap()).toEqual([link]);
    // A link elsewhere is not.
    fs.mkdirSync(path.join(dir.path, "other"));
    fs.rmSync(link);
    fs.symlinkSync(path.join(dir.path, "other"), link);
    expect(liveLinks(p)._unsafeUnwrap()).toEqual([]);
  });
});
