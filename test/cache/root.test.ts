// The cache root's drive on Windows, and the free-space check before a build.
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { checkFreeSpace, defaultRoot, freeBytes } from "../../src/cache/root.ts";
import { runCli } from "../support/cli.ts";
import { tmpdir } from "../support/tmp.ts";

describe("defaultRoot", () => {
  test("Unix: ~/.ce whatever the pack", () => {
    expect(defaultRoot("linux", "/home/me", "/mnt/data/ComfyUI")).toBe("/home/me/.ce");
    expect(defaultRoot("darwin", "/Users/me")).toBe("/Users/me/.ce");
  });

  test("Windows: C:/ce for a ComfyUI on C: or none; the ComfyUI's own drive otherwise", () => {
    expect(defaultRoot("windows", "C:\\Users\\me")).toBe("C:/ce");
    expect(defaultRoot("windows", "C:\\Users\\me", "C:\\Users\\me\\Downloads\\ComfyUI_windows_portable")).toBe("C:/ce");
    expect(defaultRoot("windows", "C:\\Users\\me", "c:\\ComfyUI")).toBe("C:/ce");
    expect(defaultRoot("windows", "C:\\Users\\me", "D:\\AI\\ComfyUI_windows_portable")).toBe("D:/ce");
    expect(defaultRoot("windows", "C:\\Users\\me", "e:/ComfyUI/custom_nodes/Pack")).toBe("E:/ce");
    // A network share: junctions do not reach it, the system drive is kept.
    expect(defaultRoot("windows", "C:\\Users\\me", "\\\\server\\share\\ComfyUI")).toBe("C:/ce");
    // Windows installed on D: (SystemDrive): that is the default drive.
    expect(defaultRoot("windows", "D:\\Users\\me", "D:\\ComfyUI", "D:")).toBe("D:/ce");
    expect(defaultRoot("windows", "D:\\Users\\me", "C:\\ComfyUI", "D:")).toBe("C:/ce");
  });
});

describe("free space before a build", () => {
  const GB = 1024 ** 3;
  test("refused below COMFY_ENV_MIN_FREE_GB (default 2), with what is free and needed; 0 turns it off; unknown is allowed", () => {
    expect(checkFreeSpace("/c", {}, () => 1 * GB)._unsafeUnwrapErr()).toEqual({ kind: "low-disk-space", root: "/c", freeBytes: GB, neededBytes: 2 * GB });
    expect(checkFreeSpace("/c", {}, () => 3 * GB).isOk()).toBe(true);
    expect(checkFreeSpace("/c", { COMFY_ENV_MIN_FREE_GB: "10" }, () => 3 * GB).isErr()).toBe(true);
    expect(checkFreeSpace("/c", { COMFY_ENV_MIN_FREE_GB: "0" }, () => 0).isOk()).toBe(true);
    expect(checkFreeSpace("/c", {}, () => undefined).isOk()).toBe(true);
  });

  test("freeBytes of a root not created yet is its volume's", async () => {
    await using dir = await tmpdir();
    const got = freeBytes(path.join(dir.path, "not", "yet"));
    expect(got).toBeGreaterThan(0);
  });

  test("install stops before anything is built, naming the root and the fix", async () => {
    await using dir = await tmpdir();
    const pack = path.join(dir.path, "Pack");
    fs.mkdirSync(path.join(pack, "nodes"), { recursive: true });
    fs.writeFileSync(path.join(pack, "nodes", "comfy-env.toml"), 'python = "3.11"\n');
    const root = path.join(dir.path, "cache");
    const r = await runCli(["install", pack, "--cuda", "none"], {
      env: { ...(process.env as Record<string, string>), COMFY_ENV_ROOT: root, COMFY_ENV_MIN_FREE_GB: "1000000000", NO_COLOR: "1" },
    });
    expect(r.stderr).toContain(`free for the cache at ${root}; a build needs`);
    expect(r.stderr).toContain("COMFY_ENV_MIN_FREE_GB=0");
    expect(r.exitCode).toBe(3);
    expect(fs.existsSync(root)).toBe(false);
  });
});
