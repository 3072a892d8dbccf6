import { decideWith, type CudaDecision } from "./decision.ts";
import { detectHost, type HostInfo } from "./host.ts";
import type { NvccInfo } from "./nvcc.ts";
import { openSession, type DetectOptions } from "./session.ts";
import type { TorchInfo } from "./torch.ts";
import type { CudaDecisionError, DriverInfo, GpuInfo, GpuMethod, ProbeAttempt, ProbeError } from "./types.ts";

export type { CudaDecision } from "./decision.ts";
export type { DetectOptions } from "./session.ts";
export type { GpuInfo } from "./types.ts";
export type { DetectError } from "./errors.ts";

/** Everything `comfy-env detect` prints; the --json document (bump `schema` on breaking changes). */
export interface DetectReport {
  schema: 1;
  host: HostInfo;
  /** NVIDIA GPUs from `gpuSource`, then AMD/Intel display devices (Linux). */
  gpus: GpuInfo[];
  gpuSource: GpuMethod | null;
  /** Each GPU probe in the order tried, with why it did not answer. */
  attempts: ProbeAttempt[];
  driver: DriverInfo;
  nvcc: NvccInfo | null;
  nvccError: ProbeError | null;
  /** null when no Python was given. */
  torch: TorchInfo | null;
  torchError: ProbeError | null;
  decision: CudaDecision | null;
  decisionError: CudaDecisionError | null;
}

export async function detectAll(opts: DetectOptions = {}): Promise<DetectReport> {
  const session = openSession(opts);
  const [scan, others, nvcc] = await Promise.all([session.gpus(), session.otherGpus(), session.nvcc()]);
  const torch = await session.torch();
  const decision = await decideWith(session);
  return {
    schema: 1,
    host: detectHost(),
    gpus: [...scan.nvidia, ...others],
    gpuSource: scan.source,
    attempts: scan.attempts,
    driver: scan.driver,
    nvcc: nvcc.isOk() ? nvcc.value : null,
    nvccError: nvcc.isErr() ? nvcc.error : null,
    torch: torch?.isOk() ? torch.value : null,
    torchError: torch?.isErr() ? torch.error : null,
    decision: decision.isOk() ? decision.value : null,
    decisionError: decision.isErr() ? decision.error : null,
  };
}
