/** Shared shapes of GPU/CUDA detection: what probes find and how they fail. */
import type { UnsupportedCuda } from "./versions.ts";

export type GpuVendor = "nvidia" | "amd" | "intel";

/** Where GPU facts came from, in the order they are tried (see platforms.ts). */
export type GpuMethod = "nvml" | "nvidia-smi" | "torch" | "sysfs";

export interface GpuInfo {
  /** Position among the GPUs of its vendor as the source numbers them. */
  index: number;
  vendor: GpuVendor;
  /** Marketing name; null when only presence is known (sysfs). */
  name: string | null;
  /** PCI bus address as the source prints it ("00000000:01:00.0", "0000:01:00.0"). */
  pciBusId: string | null;
  /** PCI vendor:device ("10de:2684"), known from sysfs only. */
  pciDeviceId: string | null;
  /** "8.9"; null when the source cannot tell. */
  computeCapability: string | null;
  /** "Ada Lovelace", "Blackwell"...; null when the compute capability is unknown. */
  architecture: string | null;
  vramMiB: number | null;
  driverVersion: string | null;
  source: GpuMethod;
}

/** Why one probe gave no answer. Shown in `detect -v`, never fatal. */
export type ProbeError =
  | { kind: "not-found"; what: string; message: string }
  | { kind: "call-failed"; what: string; message: string }
  | { kind: "timeout"; what: string; seconds: number }
  | { kind: "parse-failed"; what: string; message: string };

/** Errors of the CUDA decision: the only detection errors a command stops on. */
export type CudaDecisionError = { kind: "bad-cuda-override"; value: string } | (UnsupportedCuda & { source: string });

export interface ProbeAttempt {
  method: GpuMethod;
  /** found: NVIDIA GPUs listed; none: ran, no NVIDIA GPU; failed: see error; skipped: not applicable. */
  outcome: "found" | "none" | "failed" | "skipped";
  error?: ProbeError;
  note?: string;
}

/** Driver facts, from whichever probe knew them. */
export interface DriverInfo {
  version: string | null;
  /** Newest CUDA the driver supports ("12.8"). */
  cuda: string | null;
}

export type Env = Record<string, string | undefined>;


/** What one GPU probe found. */
export interface GpuProbeAnswer {
  gpus: GpuInfo[];
  driver: DriverInfo;
}
