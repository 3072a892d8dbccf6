import { describe, expect, test } from "bun:test";
import { chooseCuda, decisionFor, type CudaDecision, type CudaSources } from "../../src/detect/decision.ts";
import type { CudaDecisionError, GpuInfo } from "../../src/detect/types.ts";
import { architectureOfText } from "../../src/detect/arch.ts";

function nv(name: string, cc: string | null): GpuInfo {
  return { index: 0, vendor: "nvidia", name, pciBusId: null, pciDeviceId: null, computeCapability: cc, architecture: architectureOfText(cc), vramMiB: null, driverVersion: null, source: "nvml" };
}
const amd: GpuInfo = { ...nv("", null), vendor: "amd", name: null, source: "sysfs" };

const H100 = nv("NVIDIA H100 80GB HBM3", "9.0");
const RTX4090 = nv("NVIDIA GeForce RTX 4090", "8.9");
const RTX5090 = nv("NVIDIA GeForce RTX 5090", "12.0");
const B200 = nv("NVIDIA B200", "10.0");
const GTX1070 = nv("NVIDIA GeForce GTX 1070", "6.1");
const SYSFS_ONLY = nv("", null);

interface Facts {
  override?: string;
  nvidia?: GpuInfo[];
  others?: GpuInfo[];
  torch?: { version: string; cuda: string | null } | null;
  nvcc?: string | null;
  driver?: string | null;
}

/** Sources over fixed facts; `asked` lists which lazy sources the decision consulted. */
function sources(f: Facts) {
  const asked: string[] = [];
  const src: CudaSources = {
    override: f.override,
    gpus: async () => (asked.push("gpus"), { nvidia: f.nvidia ?? [], others: f.others ?? [] }),
    torch: async () => (asked.push("torch"), f.torch ?? null),
    nvcc: async () => (asked.push("nvcc"), f.nvcc ?? null),
    driverCuda: async () => (asked.push("driver"), f.driver ?? null),
  };
  return { src, asked };
}

async function decide(f: Facts): Promise<{ d: CudaDecision | CudaDecisionError; asked: string[] }> {
  const { src, asked } = sources(f);
  const choice = await chooseCuda(src);
  if (choice.isErr()) return { d: choice.error, asked };
  const d = decisionFor(choice.value, f.nvidia ?? []);
  return { d: d.isOk() ? d.value : d.error, asked };
}

describe("CUDA decision", () => {
  test("COMFY_ENV_CUDA_VERSION wins and nothing is probed", async () => {
    const { d, asked } = await decide({ override: "12.4", nvidia: [RTX5090] });
    expect(d).toEqual({ cuda: "12.4", variant: "cu124", torch: "2.4", reason: "COMFY_ENV_CUDA_VERSION=12.4" });
    expect(asked).toEqual([]);
  });

  test.each(["none", "cpu", "CPU"])("COMFY_ENV_CUDA_VERSION=%s forces cpu", async (v) => {
    const { d, asked } = await decide({ override: v, nvidia: [H100] });
    expect(d).toEqual({ cuda: null, variant: "cpu", torch: "2.8", reason: `COMFY_ENV_CUDA_VERSION=${v}` });
    expect(asked).toEqual([]);
  });

  test("a patch-level override is cut to major.minor", async () => {
    expect((await decide({ override: "12.8.1" })).d).toMatchObject({ cuda: "12.8", variant: "cu128" });
  });

  test("a malformed override is an error", async () => {
    expect((await decide({ override: "twelve" })).d).toEqual({ kind: "bad-cuda-override", value: "twelve" });
  });

  test("an override older than every torch build is an error with the available list", async () => {
    expect((await decide({ override: "10.2" })).d).toEqual({
      kind: "unsupported-cuda",
      cuda: "10.2",
      source: "COMFY_ENV_CUDA_VERSION=10.2",
      available: ["11.8", "12.1", "12.4", "12.6", "12.8"],
    });
  });

  test("no NVIDIA GPU → cpu, without asking torch or nvcc", async () => {
    const { d, asked } = await decide({ torch: { version: "2.4.1+cu124", cuda: "12.4" }, nvcc: "13.0" });
    expect(d).toEqual({ cuda: null, variant: "cpu", torch: "2.8", reason: "no NVIDIA GPU → cpu" });
    expect(asked).toEqual(["gpus"]);
  });

  test("AMD only → cpu, and the reason says so", async () => {
    expect((await decide({ others: [amd] })).d).toMatchObject({ variant: "cpu", reason: "no NVIDIA GPU (AMD GPU found; cpu wheels) → cpu" });
  });

  test.each([
    ["RTX 5090", RTX5090],
    ["B200", B200],
  ])("Blackwell (%s) forces 12.8 over torch's CUDA", async (_n, g) => {
    const { d, asked } = await decide({ nvidia: [g], torch: { version: "2.4.1+cu124", cuda: "12.4" } });
    expect(d).toEqual({ cuda: "12.8", variant: "cu128", torch: "2.8", reason: "Blackwell → 12.8" });
    expect(asked).toEqual(["gpus"]);
  });

  test("the override beats Blackwell", async () => {
    expect((await decide({ override: "cpu", nvidia: [RTX5090] })).d).toMatchObject({ variant: "cpu" });
  });

  test("torch's CUDA comes before nvcc and the driver", async () => {
    const { d, asked } = await decide({ nvidia: [RTX4090], torch: { version: "2.4.1+cu124", cuda: "12.4" }, nvcc: "13.0", driver: "12.8" });
    expect(d).toEqual({ cuda: "12.4", variant: "cu124", torch: "2.4", reason: "torch 2.4.1+cu124 built for CUDA 12.4" });
    expect(asked).toEqual(["gpus", "torch"]);
  });

  test("a CPU torch falls through to nvcc; a newer nvcc maps to the newest build", async () => {
    const { d, asked } = await decide({ nvidia: [H100], torch: { version: "2.8.0+cpu", cuda: null }, nvcc: "13.0", driver: "12.4" });
    expect(d).toEqual({ cuda: "12.8", variant: "cu128", torch: "2.8", reason: "nvcc 13.0 → cu128" });
    expect(asked).toEqual(["gpus", "torch", "nvcc"]);
  });

  test("the driver's CUDA when nothing else names one", async () => {
    expect((await decide({ nvidia: [H100], driver: "12.4" })).d).toEqual({ cuda: "12.4", variant: "cu124", torch: "2.4", reason: "driver supports CUDA 12.4" });
    expect((await decide({ nvidia: [RTX4090], driver: "12.6" })).d).toMatchObject({ variant: "cu126", torch: "2.8" });
  });

  test("an 11.x driver older than 11.8 runs the 11.8 build", async () => {
    expect((await decide({ nvidia: [nv("NVIDIA GeForce GTX 1080 Ti", null)], driver: "11.4" })).d).toEqual({
      cuda: "11.8",
      variant: "cu118",
      torch: "2.4",
      reason: "driver supports CUDA 11.4; 11.x drivers run 11.8 builds",
    });
  });

  test("GTX 1080 on a 12.2 driver → cu121", async () => {
    expect((await decide({ nvidia: [nv("NVIDIA GeForce GTX 1080", "6.1")], driver: "12.2" })).d).toEqual({
      cuda: "12.1",
      variant: "cu121",
      torch: "2.4",
      reason: "driver supports CUDA 12.2 → cu121",
    });
  });

  test("a pre-Turing GPU caps a detected version at 12.6", async () => {
    expect((await decide({ nvidia: [RTX4090, GTX1070], driver: "12.8" })).d).toEqual({
      cuda: "12.6",
      variant: "cu126",
      torch: "2.8",
      reason: "driver supports CUDA 12.8; Pascal GPU → at most 12.6",
    });
  });

  test("the cap never overrides COMFY_ENV_CUDA_VERSION", async () => {
    expect((await decide({ override: "12.8", nvidia: [GTX1070] })).d).toMatchObject({ variant: "cu128" });
  });

  test("a GPU seen only by sysfs, no CUDA source → 12.8", async () => {
    expect((await decide({ nvidia: [SYSFS_ONLY] })).d).toEqual({ cuda: "12.8", variant: "cu128", torch: "2.8", reason: "NVIDIA GPU, CUDA version unknown → 12.8" });
  });
});
