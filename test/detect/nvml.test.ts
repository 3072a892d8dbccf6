import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dlopen, FFIType } from "bun:ffi";
import { cString, cudaFromNvml, nvmlAnswer, nvmlCandidates, pciFromNvml, probeNvml } from "../../src/detect/nvml.ts";
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

  test("COMFY_ENV_NVML_LIB replaces the default list", () => {
    expect(nvmlCandidates({}, ["libnvidia-ml.so.1"])).toEqual(["libnvidia-ml.so.1"]);
    expect(nvmlCandidates({ COMFY_ENV_NVML_LIB: "/opt/nvml.so" }, ["libnvidia-ml.so.1"])).toEqual(["/opt/nvml.so"]);
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
    const a = probeNvml({ COMFY_ENV_NVML_LIB: libs.normal as string }, ["/nonexistent/libnvidia-ml.so.1"])._unsafeUnwrap();
    expect(a.driver).toEqual({ version: "570.124.06", cuda: "12.8" });
    expect(a.gpus.map((g) => [g.index, g.name, g.computeCapability, g.architecture, g.vramMiB, g.pciBusId, g.pciDeviceId])).toEqual([
      [0, "NVIDIA H100 80GB HBM3", "9.0", "Hopper", 81559, "00000000:00:06.0", "10de:2330"],
      [1, "NVIDIA GeForce RTX 5090", "12.0", "Blackwell", 32607, "00000000:01:00.0", "10de:2b85"],
    ]);
    expect(state.read()).toEqual({ inits: 1, shutdowns: 1 });
  });

  test("falls back to the pre-_v2 entry points", () => {
    const a = probeNvml({ COMFY_ENV_NVML_LIB: libs.legacy as string }, [])._unsafeUnwrap();
    expect(a.gpus).toHaveLength(2);
    expect(a.driver.cuda).toBe("12.8");
    expect(a.gpus[0]).toMatchObject({ name: "NVIDIA H100 80GB HBM3", pciBusId: null, pciDeviceId: null }); // no PciInfo_v3 there
  });

  test("a failing nvmlInit is an error value, and nothing else is called", () => {
    const state = watch(libs.initFail as string);
    const e = probeNvml({ COMFY_ENV_NVML_LIB: libs.initFail as string }, [])._unsafeUnwrapErr();
    expect(e).toEqual({ kind: "call-failed", what: "NVML", message: "nvmlInit returned 9" });
    expect(state.read()).toEqual({ inits: 0, shutdowns: 0 });
  });

  test("an unsupported call leaves its field null", () => {
    const a = probeNvml({ COMFY_ENV_NVML_LIB: libs.noCc as string }, [])._unsafeUnwrap();
    expect(a.gpus[0]).toMatchObject({ name: "NVIDIA H100 80GB HBM3", computeCapability: null, architecture: null, vramMiB: 81559 });
  });

  test("a missing library falls through as not-found", () => {
    const e = probeNvml({ COMFY_ENV_NVML_LIB: `${dir.path}/missing.so` }, [])._unsafeUnwrapErr();
    expect(e.kind).toBe("not-found");
    expect(e.kind === "not-found" && e.message).toContain("missing.so");
  });

  test("a library without the NVML symbols falls through as not-found", () => {
    const e = probeNvml({}, ["libc.so.6"])._unsafeUnwrapErr();
    expect(e.kind).toBe("not-found");
  });

  test("no candidates (macOS) is not-found", () => {
    expect(probeNvml({}, [])._unsafeUnwrapErr().kind).toBe("not-found");
  });
});
