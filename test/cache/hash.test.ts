import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { buildDigest, buildNames, configDigest, configHash, envDirName, forcedName } from "../../src/cache/hash.ts";

describe("configHash", () => {
  test("is sha256(config bytes + tool version)[:6], as the Python comfy-env", () => {
    const bytes = new TextEncoder().encode('python = "3.11"\n');
    const want = createHash("sha256").update('python = "3.11"\n0.1.0').digest("hex").slice(0, 6);
    expect(configHash(bytes, "0.1.0")).toBe(want);
    expect(envDirName(want)).toBe(`_env_${want}`);
  });

  test("changes with the bytes and with the tool version", () => {
    const a = new TextEncoder().encode("a = 1\n");
    const b = new TextEncoder().encode("a = 1 \n");
    expect(configHash(a, "1")).not.toBe(configHash(b, "1"));
    expect(configHash(a, "1")).not.toBe(configHash(a, "2"));
    expect(configHash(a, "1")).toMatch(/^[0-9a-f]{6}$/);
  });
});

describe("buildDigest and buildNames", () => {
  const bytes = new TextEncoder().encode('python = "3.11"\n');
  const cpu = { platform: "linux-64", cuda: null, variant: "cpu", torch: "2.8", python: "3.11" };

  test("every part of the decision changes the digest; equal decisions hash equally", () => {
    const base = buildDigest(bytes, cpu, "1");
    expect(buildDigest(bytes, { ...cpu }, "1")).toBe(base);
    for (const other of [
      { ...cpu, platform: "win-64" },
      { ...cpu, cuda: "12.8", variant: "cu128" },
      { ...cpu, torch: "2.9" },
      { ...cpu, python: "3.12" },
    ]) {
      expect(buildDigest(bytes, other, "1")).not.toBe(base);
    }
    expect(buildDigest(bytes, cpu, "2")).not.toBe(base);
  });

  test("names: the Python comfy-env's 6 hex first, then 16 and 64 hex of the full digest", () => {
    const d = buildDigest(bytes, cpu, "1");
    expect(buildNames(bytes, d, "1")).toEqual([configHash(bytes, "1"), d.slice(0, 16), d]);
    expect(configDigest(bytes, "1").slice(0, 6)).toBe(configHash(bytes, "1"));
    expect(forcedName(d, 1)).toMatch(/^[0-9a-f]{16}$/);
    expect(forcedName(d, 1)).not.toBe(forcedName(d, 2));
  });
});
