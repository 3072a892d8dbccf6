import type { Result } from "../util/result.ts";
import type { DriverInfo, GpuInfo, GpuMethod, GpuProbeAnswer, ProbeAttempt, ProbeError } from "./types.ts";

export type GpuProbe = () => Promise<Result<GpuProbeAnswer, ProbeError>>;

export interface GpuScan {
  /** NVIDIA GPUs from the first probe that listed any. */
  nvidia: GpuInfo[];
  source: GpuMethod | null;
  /** First driver facts any probe knew, the winning probe first among equals (earlier ones found no GPU). */
  driver: DriverInfo;
  attempts: ProbeAttempt[];
}

/**
 * Run the probes in `order` until one lists an NVIDIA GPU; later probes never run.
 * A probe that fails or lists none falls through. A method without a probe is recorded as skipped.
 */
export async function runGpuProbes(order: GpuMethod[], probes: Partial<Record<GpuMethod, GpuProbe>>): Promise<GpuScan> {
  const attempts: ProbeAttempt[] = [];
  const driver: DriverInfo = { version: null, cuda: null };
  for (const method of order) {
    const probe = probes[method];
    if (!probe) {
      attempts.push({ method, outcome: "skipped" });
      continue;
    }
    const answer = await probe();
    if (answer.isErr()) {
      attempts.push({ method, outcome: "failed", error: answer.error });
      continue;
    }
    driver.version ??= answer.value.driver.version;
    driver.cuda ??= answer.value.driver.cuda;
    const nvidia = answer.value.gpus.filter((g) => g.vendor === "nvidia");
    attempts.push({ method, outcome: nvidia.length > 0 ? "found" : "none" });
    if (nvidia.length > 0) return { nvidia, source: method, driver, attempts };
  }
  return { nvidia: [], source: null, driver, attempts };
}
