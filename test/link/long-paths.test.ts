// Windows' MAX_PATH checked before a link is made, and link errors that say the build is done.
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { ensureLink } from "../../src/link/index.ts";
import { checkPathLength, longestRelPath, MAX_PATH_CHARS } from "../../src/link/long-paths.ts";
import { posixLinker } from "../../src/link/posix.ts";
import { parseLongPathsEnabled } from "../../src/link/windows.ts";
import { buildPaths } from "../../src/cache/layout.ts";
import { configHash } from "../../src/cache/hash.ts";
import { renderLinkError } from "../../src/cli/errors/link.ts";
import { runCli } from "../support/cli.ts";
import { tmpdir } from "../support/tmp.ts";
import { writeFakeBuild } from "../support/fake-build.ts";

describe("the long-path check", () => {
  test("longestRelPath: the deepest file of a tree, links not followed", async () => {
    await using dir = await tmpdir();
    fs.mkdirSync(path.join(dir.path, "Lib", "site-packages", "torch", "include"), { recursive: true });
    fs.writeFileSync(path.join(dir.path, "Lib", "site-packages", "torch", "include", "a_long_header_name.h"), "");
    fs.writeFileSync(path.join(dir.path, "python.exe"), "");
    fs.symlinkSync("/usr", path.join(dir.path, "Lib", "elsewhere"));
    expect(longestRelPath(dir.path)).toBe(path.join("Lib", "site-packages", "torch", "include", "a_long_header_name.h"));
    expect(longestRelPath(path.join(dir.path, "missing"))).toBe("");
  });

  test("checkPathLength: 259 characters fit, 260 do not; the longer of the path through the link and in the cache is named", () => {
    const target = "C:\\ce\\_env_abc123\\.pixi\\envs\\default";
    const link = `C:\\${"x".repeat(180)}\\nodes\\_env_abc123`;
    const fit = "a".repeat(MAX_PATH_CHARS - link.length - 1);
    expect(checkPathLength(link, target, fit, MAX_PATH_CHARS, "\\").isOk()).toBe(true);
    const e = checkPathLength(link, target, `${fit}b`, MAX_PATH_CHARS, "\\")._unsafeUnwrapErr();
    expect(e).toMatchObject({ kind: "path-too-long", link, target, length: 260, limit: 259, through: "link", path: `${link}\\${fit}b` });
    const deepRoot = `D:\\${"y".repeat(230)}\\_env_abc123\\.pixi\\envs\\default`;
    expect(checkPathLength("C:\\C\\n\\_env_abc123", deepRoot, "Lib\\site-packages\\x.py", MAX_PATH_CHARS, "\\")._unsafeUnwrapErr()).toMatchObject({ through: "build" });
    expect(checkPathLength(link, target, "", MAX_PATH_CHARS, "\\").isOk()).toBe(true);
  });

  test("ensureLink fails before touching anything when the limit is passed, and links when there is no limit", async () => {
    await using dir = await tmpdir();
    const target = path.join(dir.path, "env");
    fs.mkdirSync(path.join(target, "lib", "python3.11", "site-packages", "pkg"), { recursive: true });
    fs.writeFileSync(path.join(target, "lib", "python3.11", "site-packages", "pkg", "module.py"), "");
    const old = path.join(dir.path, "old-env");
    fs.mkdirSync(old);
    const link = path.join(dir.path, "nodes", "_env_abc123");
    fs.mkdirSync(path.dirname(link));
    fs.symlinkSync(old, link);
    const limit = link.length + 10; // far shorter than the env's deepest file
    const limited = { ...posixLinker, pathLimit: () => limit };
    const e = ensureLink(target, link, limited)._unsafeUnwrapErr();
    expect(e).toMatchObject({ kind: "path-too-long", limit, through: "link" });
    expect(fs.readlinkSync(link)).toBe(old); // the old link is still there
    expect(ensureLink(target, link, posixLinker)._unsafeUnwrap()).toBe("replaced");
  });

  test("reg query's answer: LongPathsEnabled 0x1 is on, 0x0 or missing is off", () => {
    const out = (v: string) => `\r\nHKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\FileSystem\r\n    LongPathsEnabled    REG_DWORD    ${v}\r\n\r\n`;
    expect(parseLongPathsEnabled(out("0x1"))).toBe(true);
    expect(parseLongPathsEnabled(out("0x0"))).toBe(false);
    expect(parseLongPathsEnabled(out("0x10"))).toBe(false);
    expect(parseLongPathsEnabled("")).toBe(false);
  });
});

describe("link errors say the build is done", () => {
  test("ENOTSUP (a file system without junctions, or wine): why and the fix", () => {
    const r = renderLinkError({ kind: "link-failed", link: "Z:\\p\\nodes\\_env_abc123", target: "C:\\ce\\_env_abc123\\.pixi\\envs\\default", code: "ENOTSUP", message: "ENOTSUP: operation not supported on socket, symlink" });
    expect(r.message).toContain("the environment is built (C:\\ce\\_env_abc123\\.pixi\\envs\\default), but linking it failed");
    expect(r.causes?.[0]).toContain("cannot hold junctions or symlinks");
    expect(r.hints?.[0]).toContain("only the link is made");
  });

  test("path-too-long names the path, the registry key and the shorter folder", () => {
    const r = renderLinkError({ kind: "path-too-long", link: "C:\\x\\_env_a", target: "C:\\ce\\_env_a", path: "C:\\x\\_env_a\\deep", length: 300, limit: 259, through: "link" });
    expect(r.causes).toEqual(["C:\\x\\_env_a\\deep"]);
    expect(r.hints?.join("\n")).toContain("LongPathsEnabled");
    expect(r.hints?.join("\n")).toContain("shorter folder");
  });

  test("install: a folder in the way of a finished build's link reads 'built, not linked', not 'not built'", async () => {
    await using dir = await tmpdir();
    const nodes = path.join(dir.path, "Pack", "nodes");
    fs.mkdirSync(nodes, { recursive: true });
    const config = 'python = "3.11"\n';
    fs.writeFileSync(path.join(nodes, "comfy-env.toml"), config);
    const root = path.join(dir.path, "cache");
    const hash = configHash(new TextEncoder().encode(config));
    const p = buildPaths(root, hash);
    writeFakeBuild(p, config);
    fs.mkdirSync(path.join(nodes, `_env_${hash}`));
    const r = await runCli(["install", path.join(dir.path, "Pack")], { env: { ...(process.env as Record<string, string>), COMFY_ENV_ROOT: root, NO_COLOR: "1" } });
    expect(r.stderr).toContain("Pack/nodes: environment built, not linked");
    expect(r.stderr).not.toContain("environment not built");
    expect(r.stderr).toContain(`the environment is built (${p.env}), but ${path.join(nodes, `_env_${hash}`)} exists and is not a link`);
  });
});
