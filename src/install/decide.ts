import { decideCuda } from "../detect/decision.ts";
import type { DetectError } from "../detect/types.ts";
import { selectTorchBuild } from "../detect/versions.ts";
import { err, ok, type Result } from "../util/result.ts";
import { findHostPython, pythonVersionOf, type HostPythonError } from "./host-python.ts";
import type { CudaRequest } from "./request.ts";

/** What a build targets: CUDA version (null = CPU), its torch variant, and why. */
export interface CudaTarget {
  cuda: string | null;
  variant: string;
  reason: string;
}

/** A requested or recorded CUDA version as a target; a CUDA without a torch build is kept (the generator decides). */
export function targetOf(req: CudaRequest): CudaTarget {
  const variant = selectTorchBuild(req.cuda).match(
    (b) => b.variant,
    () => `cuda ${req.cuda}`,
  );
  return { cuda: req.cuda, variant, reason: req.reason };
}

/**
 * The CUDA target of a run: `--cuda` / COMFY_ENV_CUDA_VERSION when given (no detection at
 * all), else detection.
 */
export async function decideCudaTarget(requested: CudaRequest | undefined, python: string | undefined): Promise<Result<CudaTarget, DetectError>> {
  if (requested !== undefined) return ok(targetOf(requested));
  const d = await decideCuda({ python });
  return d.isOk() ? ok({ cuda: d.value.cuda, variant: d.value.variant, reason: d.value.reason }) : err(d.error);
}

/** The host interpreter that pins configs without a python: `--python`, else python3 on PATH. */
export interface HostPin {
  python?: string;
  version: string;
}

/** Python pin for configs without one: the host ComfyUI's (`--python`), else python3 on PATH, else 3.11. */
export function hostPythonPin(flag: string | undefined): Result<HostPin, HostPythonError> {
  const py = findHostPython(flag);
  return py ? pythonVersionOf(py).map((version) => ({ python: py, version })) : ok({ version: "3.11" });
}
