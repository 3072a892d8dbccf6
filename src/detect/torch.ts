import { err, ok, type Result } from "../util/result.ts";
import { architectureOf, formatComputeCapability } from "./arch.ts";
import { runCommand } from "./run-command.ts";
import type { Env, GpuInfo, ProbeError } from "./types.ts";

/** torch as found in one Python. */
export interface TorchInfo {
  python: string;
  /** torch.__version__ ("2.8.0+cu128"); null when torch is not importable. */
  version: string | null;
  /** torch.version.cuda ("12.8"); null for CPU builds. */
  cuda: string | null;
  /** Devices torch sees; listed only when asked (initialising CUDA costs seconds). */
  gpus: GpuInfo[];
  /** Why torch could not be imported or queried. */
  error: string | null;
}

const TIMEOUT_MS = 30_000;

/** Prints one JSON line; argv[1] == "devices" also lists the CUDA devices. */
const TORCH_PROBE_SCRIPT = `
import json, sys
r = {"torch": None, "cuda": None, "gpus": [], "error": None}
try:
    import torch
    r["torch"] = torch.__version__
    r["cuda"] = torch.version.cuda
    if sys.argv[1:] == ["devices"] and torch.cuda.is_available():
        for i in range(torch.cuda.device_count()):
            p = torch.cuda.get_device_properties(i)
            r["gpus"].append({"name": p.name, "major": p.major, "minor": p.minor, "memory": p.total_memory})
except Exception as e:
    r["error"] = "%s: %s" % (type(e).__name__, e)
print(json.dumps(r))
`;

interface ProbeJson {
  torch: string | null;
  cuda: string | null;
  gpus: { name: string; major: number; minor: number; memory: number }[];
  error: string | null;
}

function isProbeJson(v: unknown): v is ProbeJson {
  if (typeof v !== "object" || v === null) return false;
  const o = v as Record<string, unknown>;
  return (o.torch === null || typeof o.torch === "string") && (o.cuda === null || typeof o.cuda === "string") && Array.isArray(o.gpus);
}

/** The probe's JSON line (the last one: site hooks may print before it). */
export function parseTorchProbe(text: string, python: string): Result<TorchInfo, ProbeError> {
  const line = text.split(/\r?\n/).filter((l) => l.trim().startsWith("{")).pop();
  let parsed: unknown;
  try {
    parsed = line === undefined ? undefined : JSON.parse(line);
  } catch {
    parsed = undefined;
  }
  if (!isProbeJson(parsed)) return err({ kind: "parse-failed", what: "torch probe", message: `unexpected output: ${text.trim().slice(0, 200)}` });
  const gpus: GpuInfo[] = parsed.gpus.map((g, index) => {
    const cc = { major: g.major, minor: g.minor };
    return {
      index,
      vendor: "nvidia",
      name: g.name,
      pciBusId: null,
      pciDeviceId: null,
      computeCapability: formatComputeCapability(cc),
      architecture: architectureOf(cc),
      vramMiB: Math.floor(g.memory / 1048576),
      driverVersion: null,
      source: "torch",
    };
  });
  return ok({ python, version: parsed.torch, cuda: parsed.cuda, gpus, error: parsed.error });
}

export async function probeTorch(python: string, env: Env, listDevices: boolean): Promise<Result<TorchInfo, ProbeError>> {
  const argv = [python, "-c", TORCH_PROBE_SCRIPT, ...(listDevices ? ["devices"] : [])];
  const run = await runCommand(argv, env, TIMEOUT_MS);
  if (run.isErr()) return err(run.error);
  if (run.value.code !== 0) {
    const last = run.value.stderr.trim().split(/\r?\n/).pop() ?? "";
    return err({ kind: "call-failed", what: python, message: `exit ${run.value.code}: ${last}` });
  }
  return parseTorchProbe(run.value.stdout, python);
}
