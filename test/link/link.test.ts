import { afterEach, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureLink, readLink } from "../../src/link/index.ts";
import { normalizeWin32 as normalizeJunctionTarget } from "../../src/link/compare.ts";

const dirs: string[] = [];
function tmp() {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "ce-link-"));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("ensureLink", () => {
  test("creates, keeps, and replaces a stale link without touching the old target", () => {
    const d = tmp();
    const a = path.join(d, "a");
    const b = path.join(d, "b");
    fs.mkdirSync(a);
    fs.mkdirSync(b);
    fs.writeFileSync(path.join(a, "keep.txt"), "precious");
    const link = path.join(d, "_env_x");
    expect(ensureLink(a, link)._unsafeUnwrap()).toBe("created");
    expect(readLink(link)).toBe(a);
    expect(ensureLink(a, link)._unsafeUnwrap()).toBe("kept");
    expect(ensureLink(b, link)._unsafeUnwrap()).toBe("replaced");
    expect(readLink(link)).toBe(b);
    expect(fs.readFileSync(path.join(a, "keep.txt"), "utf8")).toBe("precious");
  });

  test("replaces a dangling link", () => {
    const d = tmp();
    const link = path.join(d, "_env_x");
    fs.symlinkSync(path.join(d, "gone"), link);
    const target = path.join(d, "t");
    fs.mkdirSync(target);
    expect(ensureLink(target, link)._unsafeUnwrap()).toBe("replaced");
  });

  test("refuses to replace a real folder", () => {
    const d = tmp();
    const link = path.join(d, "_env_x");
    fs.mkdirSync(link);
    fs.writeFileSync(path.join(link, "user.txt"), "mine");
    const r = ensureLink(d, link);
    expect(r._unsafeUnwrapErr().kind).toBe("link-blocked");
    expect(fs.readFileSync(path.join(link, "user.txt"), "utf8")).toBe("mine");
  });
});

describe("windows junction paths", () => {
  test("normalises separators, the \\\\?\\ prefix and the trailing backslash readlink adds", () => {
    expect(normalizeJunctionTarget("C:/ce/_env_abc/.pixi/envs/default\\")).toBe("C:\\ce\\_env_abc\\.pixi\\envs\\default");
    expect(normalizeJunctionTarget("\\\\?\\C:\\ce\\x\\")).toBe("C:\\ce\\x");
    expect(normalizeJunctionTarget("C:\\")).toBe("C:\\");
  });
});
