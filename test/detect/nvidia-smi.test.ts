import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import path from "node:path";
import { isUnknownFieldError, parseSmiBanner, parseSmiQuery, probeNvidiaSmi, smiQueryArgs } from "../../src/detect/nvidia-smi.ts";
import { tmpdir } from "../support/tmp.ts";
import { FAKE_BIN, readFixture, smiCase } from "./helpers.ts";

describe("parseSmiQuery", () => {
  test("H100", async () => {
    const gpus = parseSmiQuery(await readFixture("nvidia-smi", "h100", "query.txt"), true)._unsafeUnwrap();
    expect(gpus).toEqual([
      {
        index: 0,
        vendor: "nvidia",
        name: "NVIDIA H100 80GB HBM3",
        pciBusId: "00000000:18:00.0",
        pciDeviceId: null,
        computeCapability: "9.0",
        architecture: "Hopper",
        vramMiB: 81559,
        driverVersion: "550.54.15",
        source: "nvidia-smi",
      },
    ]);
  });

  test.each([
    ["rtx4090", "NVIDIA GeForce RTX 4090", "8.9", "Ada Lovelace", 24564],
    ["rtx5090", "NVIDIA GeForce RTX 5090", "12.0", "Blackwell", 32607],
    ["gtx1080", "NVIDIA GeForce GTX 1080", "6.1", "Pascal", 8192],
    ["windows", "NVIDIA GeForce RTX 4070 Laptop GPU", "8.9", "Ada Lovelace", 8188],
  ])("%s", async (fixture, name, cc, arch, vram) => {
    const [gpu] = parseSmiQuery(await readFixture("nvidia-smi", fixture, "query.txt"), true)._unsafeUnwrap();
    expect(gpu).toMatchObject({ name, computeCapability: cc, architecture: arch, vramMiB: vram });
  });

  test("recorded on a real H100 (driver 580): what NVML reported on that machine", async () => {
    const nvml = { name: "NVIDIA H100 80GB HBM3", computeCapability: "9.0", architecture: "Hopper", vramMiB: 81559, driverVersion: "580.159.04" };
    const [gpu] = parseSmiQuery(await readFixture("nvidia-smi", "h100-580-recorded", "query.txt"), true)._unsafeUnwrap();
    expect(gpu).toMatchObject({ ...nvml, index: 0, pciBusId: "00000000:00:06.0", source: "nvidia-smi" });
    const [old] = parseSmiQuery(await readFixture("nvidia-smi", "h100-580-recorded", "query-nocc.txt"), false)._unsafeUnwrap();
    expect(old).toMatchObject({ name: nvml.name, computeCapability: null, vramMiB: nvml.vramMiB, driverVersion: nvml.driverVersion });
    expect(parseSmiBanner(await readFixture("nvidia-smi", "h100-580-recorded", "plain.txt"))).toEqual({ version: "580.159.04", cuda: "13.0" });
  });

  test("two mixed GPUs keep their order and indices", async () => {
    const gpus = parseSmiQuery(await readFixture("nvidia-smi", "mixed", "query.txt"), true)._unsafeUnwrap();
    expect(gpus.map((g) => [g.index, g.name, g.architecture, g.pciBusId])).toEqual([
      [0, "NVIDIA GeForce RTX 4090", "Ada Lovelace", "00000000:01:00.0"],
      [1, "NVIDIA GeForce GTX 1070", "Pascal", "00000000:02:00.0"],
    ]);
  });

  test("without compute_cap (old drivers)", async () => {
    const [gpu] = parseSmiQuery(await readFixture("nvidia-smi", "old-driver-r470", "query-nocc.txt"), false)._unsafeUnwrap();
    expect(gpu).toMatchObject({ name: "NVIDIA GeForce GTX 1080 Ti", computeCapability: null, architecture: null, vramMiB: 11178, driverVersion: "470.182.03" });
  });

  test("[N/A] fields become null", () => {
    const [gpu] = parseSmiQuery("0, NVIDIA A100-SXM4-40GB, 00000000:07:00.0, 8.0, [N/A], 535.104.05\n", true)._unsafeUnwrap();
    expect(gpu?.vramMiB).toBeNull();
  });

  test("wrong column count is a parse error", () => {
    const e = parseSmiQuery("0, NVIDIA GeForce RTX 4090, 8.9\n", true)._unsafeUnwrapErr();
    expect(e.kind).toBe("parse-failed");
  });

  test("rows of a compute_cap query do not parse as a query without it", async () => {
    expect(parseSmiQuery(await readFixture("nvidia-smi", "h100", "query.txt"), false).isErr()).toBe(true);
  });
});

describe("banner and errors", () => {
  test.each([
    ["h100", "550.54.15", "12.4"],
    ["rtx5090", "570.124.04", "12.8"],
    ["old-driver-r470", "470.182.03", "11.4"],
    ["windows", "572.16", "12.8"],
  ])("%s banner", async (fixture, driver, cuda) => {
    expect(parseSmiBanner(await readFixture("nvidia-smi", fixture, "plain.txt"))).toEqual({ version: driver, cuda });
  });

  test("no banner in the driver-not-loaded text", async () => {
    expect(parseSmiBanner(await readFixture("nvidia-smi", "driver-not-loaded", "plain.txt"))).toEqual({ version: null, cuda: null });
  });

  test("compute_cap rejection is recognised", async () => {
    expect(isUnknownFieldError(await readFixture("nvidia-smi", "old-driver-r470", "query.txt"))).toBe(true);
    expect(isUnknownFieldError(await readFixture("nvidia-smi", "driver-not-loaded", "query.txt"))).toBe(false);
  });

  test("query arguments", () => {
    expect(smiQueryArgs(true)).toEqual(["--query-gpu=index,name,pci.bus_id,compute_cap,memory.total,driver_version", "--format=csv,noheader,nounits"]);
    expect(smiQueryArgs(false)[0]).toBe("--query-gpu=index,name,pci.bus_id,memory.total,driver_version");
  });
});

describe("probeNvidiaSmi with a fake nvidia-smi on PATH", () => {
  async function probe(fixture: string) {
    await using dir = await tmpdir();
    const log = path.join(dir.path, "calls.log");
    const r = await probeNvidiaSmi({ PATH: FAKE_BIN, FAKE_NVIDIA_SMI_DIR: smiCase(fixture), FAKE_NVIDIA_SMI_LOG: log }, []);
    const calls = readFileSync(log, "utf8").split("\n").slice(0, -1);
    return { r, calls };
  }

  test("RTX 5090: GPUs from the query, CUDA from the banner", async () => {
    const { r, calls } = await probe("rtx5090");
    const a = r._unsafeUnwrap();
    expect(a.driver).toEqual({ version: "570.124.04", cuda: "12.8" });
    expect(a.gpus).toHaveLength(1);
    expect(a.gpus[0]?.architecture).toBe("Blackwell");
    expect(calls.sort()).toEqual(["", smiQueryArgs(true).join(" ")].sort());
  });

  test("old driver: retries without compute_cap", async () => {
    const { r, calls } = await probe("old-driver-r470");
    const a = r._unsafeUnwrap();
    expect(a.gpus[0]).toMatchObject({ name: "NVIDIA GeForce GTX 1080 Ti", computeCapability: null });
    expect(a.driver).toEqual({ version: "470.182.03", cuda: "11.4" });
    expect(calls).toContain(smiQueryArgs(false).join(" "));
  });

  test("driver not loaded: a call-failed error naming the reason", async () => {
    const { r } = await probe("driver-not-loaded");
    const e = r._unsafeUnwrapErr();
    expect(e.kind).toBe("call-failed");
    expect(e.kind === "call-failed" && e.message).toContain("exit 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver");
  });

  test("not on PATH", async () => {
    await using dir = await tmpdir();
    const r = await probeNvidiaSmi({ PATH: dir.path }, []);
    expect(r._unsafeUnwrapErr().kind).toBe("not-found");
  });

  test("fallback location when not on PATH", async () => {
    await using dir = await tmpdir();
    const r = await probeNvidiaSmi({ PATH: dir.path, FAKE_NVIDIA_SMI_DIR: smiCase("h100") }, [path.join(FAKE_BIN, "nvidia-smi")]);
    expect(r._unsafeUnwrap().gpus[0]?.name).toBe("NVIDIA H100 80GB HBM3");
  });
});
