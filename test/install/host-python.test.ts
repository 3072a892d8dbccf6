// The host Python search skips Windows' Microsoft Store alias (a python3.exe stub first on a
// default PATH that opens the Store instead of running Python).
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { findHostPython, isStoreAlias } from "../../src/install/host-python.ts";
import { tmpdir } from "../support/tmp.ts";

function exe(dir: string, name: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const p = path.join(dir, name);
  fs.writeFileSync(p, "#!/bin/sh\n", { mode: 0o755 });
  return p;
}

describe("host Python search", () => {
  test("isStoreAlias: the WindowsApps folder of any profile, any case; nothing else", () => {
    expect(isStoreAlias("C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps\\python3.exe")).toBe(true);
    expect(isStoreAlias("c:\\users\\me\\appdata\\local\\microsoft\\windowsapps\\python.exe")).toBe(true);
    expect(isStoreAlias("C:\\Python311\\python.exe")).toBe(false);
    expect(isStoreAlias("C:\\Users\\me\\AppData\\Local\\Microsoft\\WindowsApps\\PythonSoftwareFoundation.Python.3.11_qbz5n2kfra8p0\\python3.exe")).toBe(false);
  });

  test("a python3 in a WindowsApps folder first on PATH is skipped for the next one", async () => {
    await using dir = await tmpdir();
    const store = path.join(dir.path, "AppData", "Local", "Microsoft", "WindowsApps");
    exe(store, "python3");
    const real = exe(path.join(dir.path, "Python311"), "python3");
    const PATH = [store, path.dirname(real)].join(path.delimiter);
    expect(findHostPython(undefined, { PATH })).toBe(real);
    // Only the alias: python on PATH is next, then none.
    const py = exe(path.join(dir.path, "other"), "python");
    expect(findHostPython(undefined, { PATH: [store, path.dirname(py)].join(path.delimiter) })).toBe(py);
    expect(findHostPython(undefined, { PATH: store })).toBeUndefined();
    expect(findHostPython("/given/python", { PATH })).toBe("/given/python");
  });
});
