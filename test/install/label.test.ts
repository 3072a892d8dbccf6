// Env labels in messages: "<pack>/<folder>", never starting with "/" for a pack at a drive root.
import { describe, expect, test } from "bun:test";
import path from "node:path";
import { envLabel, packName } from "../../src/install/find.ts";

describe("env labels", () => {
  test("a pack folder: its name, then the env folder under it", () => {
    expect(envLabel("C:\\ComfyUI\\custom_nodes\\MyPack", "C:\\ComfyUI\\custom_nodes\\MyPack\\nodes\\gpu", path.win32)).toBe("MyPack/nodes/gpu");
    expect(envLabel("/srv/custom_nodes/MyPack", "/srv/custom_nodes/MyPack", path.posix)).toBe("MyPack");
  });

  test("a pack at a drive root is named by its drive; at / by its folders alone", () => {
    expect(packName("D:\\", path.win32)).toBe("D:");
    expect(envLabel("D:\\", "D:\\nodes\\gpu", path.win32)).toBe("D:/nodes/gpu");
    expect(envLabel("D:\\", "D:\\", path.win32)).toBe("D:");
    expect(envLabel("/", "/nodes", path.posix)).toBe("nodes");
  });
});
