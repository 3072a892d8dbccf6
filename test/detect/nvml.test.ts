import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dlopen, FFIType } from "bun:ffi";
import { existsSync } from "node:fs";
import path from "node:path";
import { cString, cudaFromNvml, nvmlAnswer, pciFromNvml, probeNvml } from "../../src/detect/nvml.ts";
import { loaderCachePaths, nvmlCandidates } from "../../src/detect/nvml-paths.ts";
import { detectProfile, type NvmlSources } from "../../src/detect/platforms.ts";
import { tmpdir, type TmpDir } from "../support/tmp.ts";
import { buildFakeNvml } from "./helpers.ts";

describe("NVML decoding (pure)", () => {
  test("cString stops at NUL", () => {
    const buf = new Uint8Array(16);
    buf.set(new TextEncoder().encode("570.124.06"));
    expect(cString(buf)).toBe("570.124.06");
  });

  test.each([
    [12040, "12.4"],
    [12080, "12.8"],
    [11080, "11.8"],
    [13000, "13.0"],
    [0, null],
  ])("CUDA driver version %i → %p", (v, want) => expect(cudaFromNvml(v)).toBe(want));

  test("raw answers become GpuInfo; failed calls become nulls", () => {
    const name = new TextEncoder().encode("NVIDIA GeForce RTX 4090\0garbage");
    const a = nvmlAnswer({
      driverVersion: new TextEncoder().encode("560.35.03\0"),
      cudaDriverVersion: 12060,
      devices: [
        { name, computeCapability: [8, 9], memoryTotalBytes: 25757220864n },
        { name: null, computeCapability: null, memoryTotalBytes: null },
      ],
    });
    expect(a.driver).toEqual({ version: "560.35.03", cuda: "12.6" });
    expect(a.gpus[0]).toMatchObject({ index: 0, name: "NVIDIA GeForce RTX 4090", computeCapability: "8.9", architecture: "Ada Lovelace", vramMiB: 24564, source: "nvml" });
    expect(a.gpus[1]).toMatchObject({ index: 1, name: null, computeCapability: null, architecture: null, vramMiB: null, driverVersion: "560.35.03" });
  });

  test("nvmlPciInfo_t: the bus id, and the device id as vendor:device", () => {
    const info = new Uint8Array(68);
    new DataView(info.buffer).setUint32(28, 0x268410de, true); // RTX 4090
    info.set(new TextEncoder().encode("00000000:01:00.0"), 36);
    expect(pciFromNvml(info)).toEqual({ busId: "00000000:01:00.0", deviceId: "10de:2684" });
    expect(pciFromNvml(new Uint8Array(68))).toEqual({ busId: null, deviceId: null });
  });

  const linux: NvmlSources = { file: "libnvidia-ml.so.1", ldconfig: "/sbin/ldconfig", folders: ["/drv", "/wsl"] };
  const cache = "3 libs found in cache `/etc/ld.so.cache'\n\tlibnvidia-ml.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1\n\tlibnvidia-ml.so (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libnvidia-ml.so\n\tlibnvidia-ml.so.1 (libc6) => lib32/libnvidia-ml.so.1\n";

  test("the loader cache gives absolute paths of that file only", () => {
    expect(loaderCachePaths(cache, "libnvidia-ml.so.1")).toEqual(["/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1"]);
  });

  test("candidates: loader cache, then the driver folders holding the file; never a bare name", () => {
    const found = nvmlCandidates({}, linux, () => cache, (p) => p === "/wsl/libnvidia-ml.so.1");
    expect(found).toEqual({ paths: ["/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1", "/wsl/libnvidia-ml.so.1"] });
    expect(nvmlCandidates({}, linux, () => "", () => false)).toEqual({ paths: [] });
  });

  test("COMFY_ENV_NVML_LIB replaces the list, and must be absolute", () => {
    expect(nvmlCandidates({ COMFY_ENV_NVML_LIB: "/opt/nvml.so" }, linux, () => cache)).toEqual({ paths: ["/opt/nvml.so"] });
    expect(nvmlCandidates({ COMFY_ENV_NVML_LIB: "libnvidia-ml.so.1" }, linux, () => cache)).toEqual({
      refused: 'COMFY_ENV_NVML_LIB must be an absolute path, not "libnvidia-ml.so.1"',
    });
  });
});

describe("NVML through bun:ffi with a gcc-built fake library", () => {
  let dir: TmpDir;
  const libs: Record<string, string> = {};

  beforeAll(async () => {
    dir = await tmpdir();
    libs.normal = await buildFakeNvml(dir.path, "normal");
    libs.legacy = await buildFakeNvml(dir.path, "legacy", ["FAKE_LEGACY"]);
    libs.initFail = await buildFakeNvml(dir.path, "init-fail", ["FAKE_INIT_FAIL"]);
    libs.noCc = await buildFakeNvml(dir.path, "no-cc", ["FAKE_NO_CC"]);
  });
  afterAll(() => dir[Symbol.asyncDispose]());
  const none: NvmlSources = { file: "", ldconfig: null, folders: [] };

  /**
   * Init and shutdown counts kept by the fake. Opened before the probe so the library stays
   * loaded when the probe closes its handle (same image, same globals).
   */
  function watch(lib: string) {
    const l = dlopen(lib, { fake_nvml_state: { args: [], returns: FFIType.i32 } });
    return {
      read() {
        const v = l.symbols.fake_nvml_state();
        l.close();
        return { inits: Math.floor(v / 100), shutdowns: v % 100 };
      },
    };
  }

  test("lists both GPUs, the driver and its CUDA version, then shuts NVML down", () => {
    const state = watch(libs.normal as string);
    const a = probeNvml({ COMFY_ENV_NVML_LIB: libs.normal as string }, detectProfile("linux").nvml)._unsafeUnwrap();
    expect(a.driver).toEqual({ version: "570.124.06", cuda: "12.8" });
    expect(a.gpus.map((g) => [g.index, g.name, g.computeCapability, g.architecture, g.vramMiB, g.pciBusId, g.pciDeviceId])).toEqual([
      [0, "NVIDIA H100 80GB HBM3", "9.0", "Hopper", 81559, "00000000:00:06.0", "10de:2330"],
      [1, "NVIDIA GeForce RTX 5090", "12.0", "Blackwell", 32607, "00000000:01:00.0", "10de:2b85"],
    ]);
    expect(state.read()).toEqual({ inits: 1, shutdowns: 1 });
  });

  test("falls back to the pre-_v2 entry points", () => {
    const a = probeNvml({ COMFY_ENV_NVML_LIB: libs.legacy as string }, none)._unsafeUnwrap();
    expect(a.gpus).toHaveLength(2);
    expect(a.driver.cuda).toBe("12.8");
    expect(a.gpus[0]).toMatchObject({ name: "NVIDIA H100 80GB HBM3", pciBusId: null, pciDeviceId: null }); // no PciInfo_v3 there
  });

  test("a failing nvmlInit is an error value, and nothing else is called", () => {
    const state = watch(libs.initFail as string);
    const e = probeNvml({ COMFY_ENV_NVML_LIB: libs.initFail as string }, none)._unsafeUnwrapErr();
    expect(e).toEqual({ kind: "call-failed", what: "NVML", message: "nvmlInit returned 9" });
    expect(state.read()).toEqual({ inits: 0, shutdowns: 0 });
  });

  test("an unsupported call leaves its field null", () => {
    const a = probeNvml({ COMFY_ENV_NVML_LIB: libs.noCc as string }, none)._unsafeUnwrap();
    expect(a.gpus[0]).toMatchObject({ name: "NVIDIA H100 80GB HBM3", computeCapability: null, architecture: null, vramMiB: 81559 });
  });

  test("a missing library falls through as not-found", () => {
    const e = probeNvml({ COMFY_ENV_NVML_LIB: `${dir.path}/missing.so` }, none)._unsafeUnwrapErr();
    expect(e.kind).toBe("not-found");
    expect(e.kind === "not-found" && e.message).toContain("missing.so");
  });

  test("a library without the NVML symbols falls through as not-found", () => {
    // libc.so.6 through this machine's real loader cache: an absolute path without NVML in it.
    const e = probeNvml({}, { file: "libc.so.6", ldconfig: "/sbin/ldconfig", folders: [] })._unsafeUnwrapErr();
    expect(e.kind === "not-found" && e.message).toContain("/libc.so.6");
  });

  test("no candidates (macOS) is not-found", () => {
    expect(probeNvml({}, detectProfile("darwin").nvml)._unsafeUnwrapErr().kind).toBe("not-found");
  });

  test("a libnvidia-ml.so.1 in the current directory is never loaded (its constructor does not run)", async () => {
    await using pack = await tmpdir();
    const mark = path.join(pack.path, "constructor-ran");
    const planted = await buildFakeNvml(pack.path, "planted", [`FAKE_MARK="${mark}"`]);
    await Bun.write(path.join(pack.path, "libnvidia-ml.so.1"), Bun.file(planted));
    const cwd = process.cwd();
    process.chdir(pack.path);
    try {
      probeNvml({}, detectProfile("linux").nvml);
      probeNvml({ COMFY_ENV_NVML_LIB: "libnvidia-ml.so.1" }, detectProfile("linux").nvml);
    } finally {
      process.chdir(cwd);
    }
    expect(existsSync(mark)).toBe(false);
  });
});
