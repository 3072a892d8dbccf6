import { describe, expect, test } from "bun:test";
import { gunzipSync, gzipSync } from "node:zlib";
import { archiveFormatOf, extractFromTarGz, extractFromZip, extractMember } from "../../src/pixi/archive.ts";
import { FAKE_PIXI, makePixiTarGz, makeTarGzWithLongName, makeZip } from "./support/pixi-archive.ts";

const text = (b: Uint8Array) => new TextDecoder().decode(b);

describe("archive format", () => {
  test("by asset name", () => {
    expect(archiveFormatOf("pixi-x86_64-unknown-linux-musl.tar.gz")).toBe("tar.gz");
    expect(archiveFormatOf("pixi-x86_64-pc-windows-msvc.zip")).toBe("zip");
    expect(archiveFormatOf("pixi-x86_64-pc-windows-msvc.exe")).toBeUndefined();
  });
});

describe("tar.gz", () => {
  test("pulls pixi out of an archive made by tar", () => {
    const r = extractFromTarGz(makePixiTarGz(), "pixi");
    expect(text(r._unsafeUnwrap())).toBe(FAKE_PIXI);
  });

  test("GNU long names and pax paths are followed", () => {
    const long = `somedir/${"d".repeat(120)}/pixi`;
    for (const format of ["gnu", "pax"] as const) {
      const r = extractFromTarGz(makeTarGzWithLongName(long, "LONG", format), "pixi");
      expect(text(r._unsafeUnwrap())).toBe("LONG");
    }
  });

  test("a missing member is named, with what the archive holds", () => {
    const e = extractFromTarGz(makeTarGzWithLongName("bin/other", "x", "gnu"), "pixi")._unsafeUnwrapErr();
    expect(e).toEqual({ kind: "archive-member-missing", format: "tar.gz", member: "pixi", found: ["bin/other"] });
  });

  test("not gzip, or a tar cut short, is corrupt", () => {
    expect(extractFromTarGz(new TextEncoder().encode("hello"), "pixi")._unsafeUnwrapErr().kind).toBe("archive-corrupt");
    const whole = gunzipSync(makePixiTarGz());
    const cut = gzipSync(whole.subarray(0, 512 + 10)); // header says more data than there is
    expect(extractFromTarGz(cut, "pixi")._unsafeUnwrapErr().kind).toBe("archive-corrupt");
  });
});

describe("zip", () => {
  test("deflated and stored members", () => {
    for (const stored of [false, true]) {
      const zip = makeZip({ "README.txt": "readme", "pixi.exe": "MZ fake exe" }, stored);
      expect(text(extractFromZip(zip, "pixi.exe")._unsafeUnwrap())).toBe("MZ fake exe");
      expect(text(extractMember("zip", zip, "pixi.exe")._unsafeUnwrap())).toBe("MZ fake exe");
    }
  });

  test("missing member, and garbage", () => {
    const e = extractFromZip(makeZip({ "a.txt": "a" }), "pixi.exe")._unsafeUnwrapErr();
    expect(e).toEqual({ kind: "archive-member-missing", format: "zip", member: "pixi.exe", found: ["a.txt"] });
    expect(extractFromZip(new Uint8Array(100), "pixi.exe")._unsafeUnwrapErr().kind).toBe("archive-corrupt");
  });

  test("damaged deflate data is corrupt, not a wrong binary", () => {
    const zip = makeZip({ "pixi.exe": "x".repeat(5000) + "y".repeat(5000) });
    const bad = Uint8Array.from(zip);
    // Overwrite the start of the compressed data (local header is 30 bytes + name).
    for (let i = 30 + "pixi.exe".length; i < 30 + "pixi.exe".length + 8; i++) bad[i] = 0xff;
    expect(extractFromZip(bad, "pixi.exe")._unsafeUnwrapErr().kind).toBe("archive-corrupt");
  });
});
