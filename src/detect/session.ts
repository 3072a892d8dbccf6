import { hostOs } from "../util/platform.ts";
import { err, ok, type Result } from "../util/result.ts";
import { runGpuProbes, type GpuProbe, type GpuScan } from "./gpus.ts";
import { probeNvcc, type NvccInfo } from "./nvcc.ts";
import { probeNvidiaSmi } from "./nvidia-smi.ts";
import { probeNvml } from "./nvml.ts";
import { detectProfile, type DetectProfile } from "./platforms.ts";
import { defaultSysfsRoot, scanSysfs } from "./sysfs.ts";
import { probeTorch, type TorchInfo } from "./torch.ts";
import type { Env, GpuInfo, GpuMethod, GpuProbeAnswer, ProbeError } from "./types.ts";

export interface DetectOptions {
  /** Python whose torch is inspected (and used as a GPU probe). */
  python?: string;
  /** Environment to read overrides and PATH from (default: this process). */
  env?: Env;
  /** sysfs root (default COMFY_ENV_SYSFS_ROOT, else /sys). */
  sysfsRoot?: string;
}

/** Every probe of one detection run, each run at most once and only when first asked. */
export interface DetectSession {
  env: Env;
  profile: DetectProfile;
  python: string | null;
  gpus(): Promise<GpuScan>;
  /** AMD and Intel display devices (Linux sysfs). */
  otherGpus(): Promise<GpuInfo[]>;
  /** null when no Python was given. */
  torch(): Promise<Result<TorchInfo, ProbeError> | null>;
  nvcc(): Promise<Result<NvccInfo, ProbeError>>;
}

function once<T>(f: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= f());
}

export function openSession(opts: DetectOptions = {}): DetectSession {
  const env = opts.env ?? process.env;
  const profile = detectProfile(hostOs());
  const python = opts.python ?? null;
  const sysfsRoot = opts.sysfsRoot ?? defaultSysfsRoot(env);

  const sysfs = once(async () => scanSysfs(sysfsRoot));
  // The first caller decides whether devices are listed: the GPU chain asks for them, a plain version query does not.
  let torchRun: Promise<Result<TorchInfo, ProbeError>> | undefined;
  const torch = (listDevices: boolean) => (python === null ? null : (torchRun ??= probeTorch(python, env, listDevices)));

  const probes: Partial<Record<GpuMethod, GpuProbe>> = {
    nvml: async () => probeNvml(env, profile.nvml),
    "nvidia-smi": () => probeNvidiaSmi(env, profile.nvidiaSmiFallbacks),
    sysfs,
  };
  if (python !== null) {
    probes.torch = async (): Promise<Result<GpuProbeAnswer, ProbeError>> => {
      const info = await (torch(true) as Promise<Result<TorchInfo, ProbeError>>);
      if (info.isErr()) return err(info.error);
      if (info.value.version === null) return err({ kind: "not-found", what: "torch", message: info.value.error ?? "not importable" });
      return ok({ gpus: info.value.gpus, driver: { version: null, cuda: null } });
    };
  }

  return {
    env,
    profile,
    python,
    gpus: once(() => runGpuProbes(profile.gpuOrder, probes)),
    otherGpus: once(async () => {
      if (!profile.gpuOrder.includes("sysfs")) return [];
      const scan = await sysfs();
      return scan.isOk() ? scan.value.gpus.filter((g) => g.vendor !== "nvidia") : [];
    }),
    torch: async () => torch(false),
    nvcc: once(() => probeNvcc(env, profile.nvccName)),
  };
}
