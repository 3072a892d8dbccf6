import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { extractFromTarGz } from "../../src/pixi/archive.ts";
import { writeTarGz } from "../../src/util/tar.ts";
import { tmpdir } from "../support/tmp.ts";

const LONG = `bundle/envs/_env_${"a".repeat(64)}/logs/a-worker-log-with-a-long-name.log`;

describe("writeTarGz", () => {
  test("members round-trip through system tar and our reader, a name past 100 bytes included", async () => {
    await using dir = await tmpdir();
    const file = path.join(dir.path, "b.tar.gz");
    const entries = [
      { name: "bundle/doctor.json", data: new TextEncoder().encode('{"ok":true}\n') },
      { name: LONG, data: new Uint8Array(1000).fill(65) },
      { name: "bundle/empty.log", data: new Uint8Array(0) },
    ];
    const size = writeTarGz(file, entries)._unsafeUnwrap();
    expect(size).toBe(fs.statSync(file).size);
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    const list = Bun.spawnSync(["tar", "-tzf", file]);
    expect(list.exitCode).toBe(0);
    expect(list.stdout.toString().trim().split("\n")).toEqual(entries.map((e) => e.name));
    const out = path.join(dir.path, "x");
    fs.mkdirSync(out);
    expect(Bun.spawnSync(["tar", "-xzf", file, "-C", out]).exitCode).toBe(0);
    expect(fs.readFileSync(path.join(out, LONG))).toEqual(Buffer.from(entries[1]!.data));
    expect(new TextDecoder().decode(extractFromTarGz(fs.readFileSync(file), "doctor.json")._unsafeUnwrap())).toBe('{"ok":true}\n');
  });

  test("absolute, backslashed or climbing names are refused before anything is written", async () => {
    await using dir = await tmpdir();
    const file = path.join(dir.path, "b.tar.gz");
    for (const name of ["/etc/passwd", "a/../../b", "a\\b", "", "a//b"]) {
      expect(writeTarGz(file, [{ name, data: new Uint8Array(1) }])._unsafeUnwrapErr()).toEqual({ kind: "tar-bad-name", name });
    }
    expect(fs.existsSync(file)).toBe(false);
  });
});
