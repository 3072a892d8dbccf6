import { readEnv } from "../util/env.ts";
import { err, ok, type Result } from "../util/result.ts";
import { isPreTuring, parseComputeCapability } from "./arch.ts";
import { openSession, type DetectOptions, type DetectSession } from "./session.ts";
import type { CudaDecisionError, GpuInfo } from "./types.ts";
import { selectTorchBuild } from "./versions.ts";

export interface CudaDecision {
  /** CUDA version of the chosen variant ("12.8"); null for cpu. */
  cuda: string | null;
  /** "cu128"... or "cpu". */
  variant: string;
  /** torch minor pinned for the variant ("2.8"). */
  torch: string | null;
  /** Why, for humans: "COMFY_ENV_CUDA_VERSION=12.4", "Blackwell → 12.8", "no NVIDIA GPU → cpu". */
  reason: string;
}

/** The facts the decision may need, each fetched only when the steps before it did not decide. */
export interface CudaSources {
  /** Raw COMFY_ENV_CUDA_VERSION. */
  override: string | undefined;
  gpus(): Promise<{ nvidia: GpuInfo[]; others: GpuInfo[] }>;
  /** torch version and CUDA in the given Python, if any. */
  torch(): Promise<{ version: string; cuda: string | null } | null>;
  nvcc(): Promise<string | null>;
  driverCuda(): Promise<string | null>;
}

/** The CUDA version to build for (null = cpu) and why, before mapping it to a torch build. */
export interface CudaChoice {
  cuda: string | null;
  reason: string;
  /** Older GPU caps apply to detected versions, never to an explicit override or the Blackwell rule. */
  detected: boolean;
}

const BLACKWELL_CUDA = "12.8";
/** Newest CUDA whose torch builds still carry pre-Turing kernels (docs/reference.md §3.3). */
const PRE_TURING_MAX_CUDA = "12.6";
/** Fallback when a GPU is present but no source names a CUDA version (as the Python comfy-env). */
const UNKNOWN_CUDA = "12.8";

function cudaKey(v: string): number {
  const [maj, min] = v.split(".");
  return Number(maj) * 100 + Number(min ?? 0);
}

function majorMinor(v: string): string | null {
  const m = /^(\d+)\.(\d+)(\.\d+)?$/.exec(v.trim());
  return m ? `${m[1]}.${m[2]}` : null;
}

function vendorLabel(others: GpuInfo[]): string {
  const names = [...new Set(others.map((g) => (g.vendor === "amd" ? "AMD" : "Intel")))];
  return names.length ? ` (${names.join(" and ")} GPU found; cpu wheels)` : "";
}

/**
 * Order: COMFY_ENV_CUDA_VERSION ("none"/"cpu" force CPU); no NVIDIA GPU → cpu; any Blackwell GPU
 * → 12.8; torch's CUDA in the given Python; nvcc; the driver's CUDA (an 11.x driver runs 11.8
 * builds by minor-version compatibility); else 12.8. Detected versions are capped at 12.6 when a
 * GPU predates Turing.
 */
export async function chooseCuda(src: CudaSources): Promise<Result<CudaChoice, CudaDecisionError>> {
  if (src.override !== undefined) {
    const raw = src.override.trim();
    if (/^(none|cpu)$/i.test(raw)) return ok({ cuda: null, reason: `COMFY_ENV_CUDA_VERSION=${raw}`, detected: false });
    const v = majorMinor(raw);
    if (v === null) return err({ kind: "bad-cuda-override", value: src.override });
    return ok({ cuda: v, reason: `COMFY_ENV_CUDA_VERSION=${raw}`, detected: false });
  }
  const { nvidia, others } = await src.gpus();
  if (nvidia.length === 0) return ok({ cuda: null, reason: `no NVIDIA GPU${vendorLabel(others)} → cpu`, detected: false });
  if (nvidia.some((g) => g.architecture === "Blackwell")) return ok({ cuda: BLACKWELL_CUDA, reason: `Blackwell → ${BLACKWELL_CUDA}`, detected: false });

  const torch = await src.torch();
  const torchCuda = torch?.cuda ? majorMinor(torch.cuda) : null;
  if (torch && torchCuda) return ok({ cuda: torchCuda, reason: `torch ${torch.version} built for CUDA ${torchCuda}`, detected: true });
  const nvcc = await src.nvcc();
  if (nvcc) return ok({ cuda: nvcc, reason: `nvcc ${nvcc}`, detected: true });
  const driver = await src.driverCuda();
  if (driver) {
    if (driver.startsWith("11.") && cudaKey(driver) < cudaKey("11.8")) {
      return ok({ cuda: "11.8", reason: `driver supports CUDA ${driver}; 11.x drivers run 11.8 builds`, detected: true });
    }
    return ok({ cuda: driver, reason: `driver supports CUDA ${driver}`, detected: true });
  }
  return ok({ cuda: UNKNOWN_CUDA, reason: `NVIDIA GPU, CUDA version unknown → ${UNKNOWN_CUDA}`, detected: true });
}

/** Apply the pre-Turing cap, then map the CUDA version onto a torch build. */
export function decisionFor(choice: CudaChoice, nvidia: GpuInfo[]): Result<CudaDecision, CudaDecisionError> {
  let { cuda, reason } = choice;
  const old = nvidia.find((g) => {
    const cc = g.computeCapability ? parseComputeCapability(g.computeCapability) : null;
    return cc !== null && isPreTuring(cc);
  });
  if (choice.detected && cuda !== null && old && cudaKey(cuda) > cudaKey(PRE_TURING_MAX_CUDA)) {
    reason = `${reason}; ${old.architecture ?? "pre-Turing"} GPU → at most ${PRE_TURING_MAX_CUDA}`;
    cuda = PRE_TURING_MAX_CUDA;
  }
  const build = selectTorchBuild(cuda);
  if (build.isErr()) return err({ kind: "unsupported-cuda", cuda: build.error.cuda, source: reason, available: build.error.available });
  const b = build.value;
  if (cuda !== null && b.cuda !== cuda) reason = `${reason} → ${b.variant}`;
  return ok({ cuda: b.cuda, variant: b.variant, torch: b.family.torch, reason });
}

/** CudaSources backed by one detection session (each probe runs at most once). */
export function sessionSources(s: DetectSession): CudaSources {
  return {
    override: readEnv("COMFY_ENV_CUDA_VERSION", s.env),
    gpus: async () => {
      const { nvidia } = await s.gpus();
      return { nvidia, others: nvidia.length > 0 ? [] : await s.otherGpus() };
    },
    torch: async () => {
      const t = await s.torch();
      return t?.isOk() && t.value.version !== null ? { version: t.value.version, cuda: t.value.cuda } : null;
    },
    nvcc: async () => {
      const n = await s.nvcc();
      return n.isOk() ? n.value.version : null;
    },
    driverCuda: async () => (await s.gpus()).driver.cuda,
  };
}

export async function decideWith(session: DetectSession): Promise<Result<CudaDecision, CudaDecisionError>> {
  const choice = await chooseCuda(sessionSources(session));
  if (choice.isErr()) return err(choice.error);
  // Only detected choices can be capped, and those always come after the GPU scan ran.
  const nvidia = choice.value.detected ? (await session.gpus()).nvidia : [];
  return decisionFor(choice.value, nvidia);
}

/** The CUDA variant and torch version `install` builds for, probing only as far as needed. */
export async function decideCuda(opts?: DetectOptions): Promise<Result<CudaDecision, CudaDecisionError>> {
  return decideWith(openSession(opts));
}
