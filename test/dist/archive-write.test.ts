// The release archive writer, read back by our reader and by the system's tar and unzip.
// (tar.ts's own cases, long names included, are in test/util/tar.test.ts.)
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { extractMember } from "../../src/pixi/archive.ts";
import { tarGz, zip } from "../../src/util/archive-write.ts";
import { tmpdir } from "../support/tmp.ts";

// Not a multiple of 512, and compressible: padding and compression both show.
const DATA = new TextEncoder().encode("#!/bin/sh\necho comfy-env\n".repeat(1000));
const MTIME = 1_700_000_000;

function sh(cmd: string[], cwd?: string): string {
  const r = Bun.spawnSync(cmd, { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")}: ${r.stderr.toString()}`);
  return r.stdout.toString();
}

describe("tarGz", () => {
  test("tar lists the file with its mode and time, and unpacks it byte for byte", async () => {
    await using dir = await tmpdir();
    const file = path.join(dir.path, "a.tar.gz");
    const bytes = tarGz([{ name: "comfy-env", data: DATA, mode: 0o755 }], MTIME)._unsafeUnwrap();
    expect(bytes.length).toBeLessThan(DATA.length / 10);
    fs.writeFileSync(file, bytes);
    expect(sh(["tar", "-tvzf", file], dir.path)).toMatch(/^-rwxr-xr-x \S+ +25000 2023-11-1[45] \d\d:\d\d comfy-env\n$/);
    sh(["tar", "-xzf", file], dir.path);
    expect(fs.readFileSync(path.join(dir.path, "comfy-env"))).toEqual(Buffer.from(DATA));
    expect(fs.statSync(path.join(dir.path, "comfy-env")).mode & 0o777).toBe(0o755);
    expect(Buffer.from(extractMember("tar.gz", bytes, "comfy-env")._unsafeUnwrap())).toEqual(Buffer.from(DATA));
  });

  test("the mode is the entry's (tar.ts's default is 0600); a name with .. is refused", async () => {
    await using dir = await tmpdir();
    const file = path.join(dir.path, "b.tar.gz");
    fs.writeFileSync(file, tarGz([{ name: "notes.txt", data: DATA, mode: 0o644 }], MTIME)._unsafeUnwrap());
    expect(sh(["tar", "-tvzf", file])).toStartWith("-rw-r--r-- ");
    expect(tarGz([{ name: "../x", data: DATA, mode: 0o644 }], MTIME)._unsafeUnwrapErr()).toEqual({ kind: "tar-bad-name", name: "../x" });
  });
});

describe("zip", () => {
  test("unzip tests it, unpacks it byte for byte with the Unix mode; our reader reads it", async () => {
    await using dir = await tmpdir();
    const file = path.join(dir.path, "a.zip");
    const bytes = zip([{ name: "comfy-env.exe", data: DATA, mode: 0o755 }, { name: "docs/readme.txt", data: new TextEncoder().encode("hi"), mode: 0o644 }], MTIME)._unsafeUnwrap();
    fs.writeFileSync(file, bytes);
    expect(sh(["unzip", "-t", file])).toContain("No errors detected");
    expect(sh(["zipinfo", file])).toMatch(/-rwxr-xr-x .* defN .* comfy-env\.exe\n-rw-r--r-- .* docs\/readme\.txt/s);
    sh(["unzip", "-q", file, "-d", path.join(dir.path, "x")]);
    expect(fs.readFileSync(path.join(dir.path, "x", "comfy-env.exe"))).toEqual(Buffer.from(DATA));
    expect(fs.readFileSync(path.join(dir.path, "x", "docs", "readme.txt"), "utf8")).toBe("hi");
    expect(Buffer.from(extractMember("zip", bytes, "comfy-env.exe")._unsafeUnwrap())).toEqual(Buffer.from(DATA));
  });
});
