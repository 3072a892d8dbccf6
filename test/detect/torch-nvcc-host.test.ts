import { describe, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { detectHost, parseMacosVersionPlist } from "../../src/detect/host.ts";
import { findNvcc, parseNvccVersion, probeNvcc } from "../../src/detect/nvcc.ts";
import { parseTorchProbe, probeTorch } from "../../src/detect/torch.ts";
import { tmpdir } from "../support/tmp.ts";
import { FIXTURES, makeFakePython, readFixture } from "./helpers.ts";

describe("torch probe", () => {
  test("CUDA build with a device", async () => {
    const t = parseTorchProbe(await readFixture("torch", "cu124-rtx4090.json"), "py")._unsafeUnwrap();
    expect(t).toMatchObject({ python: "py", version: "2.4.1+cu124", cuda: "12.4", error: null });
    expect(t.gpus[0]).toMatchObject({ name: "NVIDIA GeForce RTX 4090", computeCapability: "8.9", architecture: "Ada Lovelace", vramMiB: 24217, source: "torch" });
  });

  test("CPU build and missing torch", async () => {
    expect(parseTorchProbe(await readFixture("torch", "cpu-build.json"), "py")._unsafeUnwrap()).toMatchObject({ version: "2.8.0+cpu", cuda: null, gpus: [] });
    expect(parseTorchProbe(await readFixture("torch", "no-torch.json"), "py")._unsafeUnwrap()).toMatchObject({ version: null, error: "ModuleNotFoundError: No module named 'torch'" });
  });

  test("the JSON line is found after other output", async () => {
    expect(parseTorchProbe(await readFixture("torch", "noisy-stdout.txt"), "py")._unsafeUnwrap().cuda).toBe("12.8");
  });

  test("garbage is a parse error", () => {
    expect(parseTorchProbe("Traceback...\n", "py")._unsafeUnwrapErr().kind).toBe("parse-failed");
    expect(parseTorchProbe('{"x": 1}\n', "py")._unsafeUnwrapErr().kind).toBe("parse-failed");
  });

  test("a fake python is asked for devices only when requested", async () => {
    await using dir = await tmpdir();
    const log = path.join(dir.path, "args.log");
    const py = makeFakePython(dir.path, path.join(FIXTURES, "torch", "cu124-rtx4090.json"), log);
    expect((await probeTorch(py, {}, true))._unsafeUnwrap().cuda).toBe("12.4");
    await probeTorch(py, {}, false);
    expect(readFileSync(log, "utf8").split("\n")[0]).toBe("devices");
    expect(readFileSync(log, "utf8").split("\n")[1]).not.toBe("devices");
  });

  test.skipIf(!Bun.which("python3"))("the real python3 runs the probe script", async () => {
    const t = (await probeTorch(Bun.which("python3") as string, process.env, false))._unsafeUnwrap();
    // Whether torch is installed varies by machine; the script must answer either way.
    expect(t.version === null ? t.error : t.version).toBeTruthy();
  });

  test("a missing interpreter is an error value", async () => {
    expect((await probeTorch("/nonexistent/python", {}, false)).isErr()).toBe(true);
  });
});

describe("nvcc", () => {
  test.each([
    ["nvcc-13.0.txt", "13.0"],
    ["nvcc-11.8.txt", "11.8"],
  ])("%s", async (file, v) => expect(parseNvccVersion(await readFixture(file))).toBe(v));

  test("no release line", () => expect(parseNvccVersion("bash: nvcc: command not found")).toBeNull());

  const realNvcc = "/usr/local/bin/nvcc";
  test.skipIf(!existsSync(realNvcc))("the machine's nvcc (CUDA 13.0)", async () => {
    const n = (await probeNvcc({ PATH: path.dirname(realNvcc) }, "nvcc"))._unsafeUnwrap();
    expect(n).toEqual({ version: "13.0", path: realNvcc });
  });

  test.skipIf(!existsSync("/usr/local/cuda/bin/nvcc"))("found through CUDA_HOME when not on PATH", async () => {
    await using dir = await tmpdir();
    expect(findNvcc({ PATH: dir.path, CUDA_HOME: "/usr/local/cuda" }, "nvcc")).toBe("/usr/local/cuda/bin/nvcc");
  });

  test("absent", async () => {
    await using dir = await tmpdir();
    expect((await probeNvcc({ PATH: dir.path }, "nvcc"))._unsafeUnwrapErr().kind).toBe("not-found");
  });
});

describe("host", () => {
  test("macOS version from SystemVersion.plist", () => {
    const plist = `<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0">
<dict>
	<key>ProductBuildVersion</key>
	<string>24B83</string>
	<key>ProductName</key>
	<string>macOS</string>
	<key>ProductVersion</key>
	<string>15.1</string>
</dict>
</plist>`;
    expect(parseMacosVersionPlist(plist)).toBe("15.1");
    expect(parseMacosVersionPlist("<plist/>")).toBeNull();
  });

  test("this host", () => {
    const h = detectHost();
    expect(h.arch).toBe(process.arch);
    if (h.os === "linux") {
      expect(h.libc?.family).toMatch(/^(glibc|musl)$/);
      if (h.libc?.family === "glibc") expect(h.libc.version).toMatch(/^\d+\.\d+$/);
      expect(h.macos).toBeNull();
    }
  });
});
