import { describe, expect, test } from "bun:test";
import { createHash } from "node:crypto";
import { configHash, envDirName } from "../../src/cache/hash.ts";

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
