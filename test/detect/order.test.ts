import { describe, expect, test } from "bun:test";
import { runGpuProbes, type GpuProbe } from "../../src/detect/gpus.ts";
import { detectProfile } from "../../src/detect/platforms.ts";
import type { DriverInfo, GpuInfo, GpuMethod, GpuProbeAnswer, ProbeError } from "../../src/detect/types.ts";
import { err, ok } from "../../src/util/result.ts";

function gpu(source: GpuMethod, vendor: GpuInfo["vendor"] = "nvidia"): GpuInfo {
  return { index: 0, vendor, name: `${source} gpu`, pciBusId: null, pciDeviceId: null, computeCapability: null, architecture: null, vramMiB: null, driverVersion: null, source };
}

/** Probes that record their calls and answer as told. */
function recording(answers: Partial<Record<GpuMethod, GpuProbeAnswer | ProbeError>>) {
  const calls: GpuMethod[] = [];
  const probes: Partial<Record<GpuMethod, GpuProbe>> = {};
  for (const [method, answer] of Object.entries(answers) as [GpuMethod, GpuProbeAnswer | ProbeError][]) {
    probes[method] = async () => {
      calls.push(method);
      return "kind" in answer ? err(answer) : ok(answer);
    };
  }
  return { calls, probes };
}

const found = (m: GpuMethod, driver: DriverInfo = { version: null, cuda: null }): GpuProbeAnswer => ({ gpus: [gpu(m)], driver });
const none: GpuProbeAnswer = { gpus: [], driver: { version: null, cuda: null } };
const missing = (what: string): ProbeError => ({ kind: "not-found", what, message: "absent" });

describe("probe order per OS (pure)", () => {
  test("Linux: NVML, nvidia-smi, torch, sysfs", () => expect(detectProfile("linux").gpuOrder).toEqual(["nvml", "nvidia-smi", "torch", "sysfs"]));
  test("Windows: nvidia-smi before NVML, no sysfs", () => expect(detectProfile("windows").gpuOrder).toEqual(["nvidia-smi", "nvml", "torch"]));
  test("macOS: nothing to probe", () => expect(detectProfile("darwin").gpuOrder).toEqual([]));
  test("NVML library per OS", () => {
    expect(detectProfile("linux").nvml.file).toBe("libnvidia-ml.so.1");
    expect(detectProfile("windows").nvml).toMatchObject({ file: "nvml.dll", folders: ["C:\\Windows\\System32", "C:\\Program Files\\NVIDIA Corporation\\NVSMI"] });
    expect(detectProfile("darwin").nvml.folders).toEqual([]);
    // Only absolute folders: a bare name would be resolved against the current directory.
    for (const os of ["linux", "windows"] as const) for (const f of detectProfile(os).nvml.folders) expect(f).toMatch(/^(\/|[A-Z]:\\)/);
  });
});

describe("runGpuProbes", () => {
  test("the first probe that finds a GPU wins; later ones never run", async () => {
    const { calls, probes } = recording({ nvml: found("nvml", { version: "570.1", cuda: "12.8" }), "nvidia-smi": found("nvidia-smi"), sysfs: found("sysfs") });
    const scan = await runGpuProbes(detectProfile("linux").gpuOrder, probes);
    expect(calls).toEqual(["nvml"]);
    expect(scan.source).toBe("nvml");
    expect(scan.driver).toEqual({ version: "570.1", cuda: "12.8" });
    expect(scan.attempts).toEqual([{ method: "nvml", outcome: "found" }]);
  });

  test("failures and empty answers fall through, in order", async () => {
    const { calls, probes } = recording({ nvml: missing("NVML"), "nvidia-smi": none, torch: missing("torch"), sysfs: found("sysfs") });
    const scan = await runGpuProbes(detectProfile("linux").gpuOrder, probes);
    expect(calls).toEqual(["nvml", "nvidia-smi", "torch", "sysfs"]);
    expect(scan.source).toBe("sysfs");
    expect(scan.attempts.map((a) => a.outcome)).toEqual(["failed", "none", "failed", "found"]);
  });

  test("a method without a probe (no --python) is skipped", async () => {
    const { probes } = recording({ nvml: missing("NVML"), "nvidia-smi": missing("nvidia-smi"), sysfs: none });
    const scan = await runGpuProbes(detectProfile("linux").gpuOrder, probes);
    expect(scan.attempts.map((a) => [a.method, a.outcome])).toEqual([
      ["nvml", "failed"],
      ["nvidia-smi", "failed"],
      ["torch", "skipped"],
      ["sysfs", "none"],
    ]);
    expect(scan.nvidia).toEqual([]);
    expect(scan.source).toBeNull();
  });

  test("AMD/Intel answers do not stop the search for NVIDIA", async () => {
    const { calls, probes } = recording({ nvml: { gpus: [gpu("nvml", "amd")], driver: { version: null, cuda: null } }, "nvidia-smi": found("nvidia-smi") });
    const scan = await runGpuProbes(["nvml", "nvidia-smi"], probes);
    expect(calls).toEqual(["nvml", "nvidia-smi"]);
    expect(scan.nvidia.map((g) => g.source)).toEqual(["nvidia-smi"]);
  });

  test("Windows: nvidia-smi answers first and NVML is never loaded", async () => {
    const { calls, probes } = recording({ nvml: found("nvml"), "nvidia-smi": found("nvidia-smi") });
    const scan = await runGpuProbes(detectProfile("windows").gpuOrder, probes);
    expect(calls).toEqual(["nvidia-smi"]);
    expect(scan.source).toBe("nvidia-smi");
  });

  test("Windows: NVML after a failed nvidia-smi", async () => {
    const { calls, probes } = recording({ nvml: found("nvml"), "nvidia-smi": missing("nvidia-smi") });
    expect((await runGpuProbes(detectProfile("windows").gpuOrder, probes)).source).toBe("nvml");
    expect(calls).toEqual(["nvidia-smi", "nvml"]);
  });

  test("driver facts from an earlier empty answer are kept", async () => {
    const { probes } = recording({ nvml: { gpus: [], driver: { version: "550.1", cuda: "12.4" } }, "nvidia-smi": found("nvidia-smi") });
    expect((await runGpuProbes(["nvml", "nvidia-smi"], probes)).driver).toEqual({ version: "550.1", cuda: "12.4" });
  });
});
