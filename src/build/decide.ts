import { decideCuda } from "../detect/decision.ts";
import type { DetectError } from "../detect/types.ts";
import { selectTorchBuild } from "../detect/versions.ts";
import { err, ok, type Result } from "../util/result.ts";
import { findHostPython, pythonVersionOf, type HostPythonError } from "./host-python.ts";

/** What a build targets: CUDA version (null = CPU), its torch variant, and why. */
export interface CudaTarget {
  cuda: string | null;
  variant: string;
  reason: string;
}

/** `--cuda X.Y|none|cpu`: "none"/"cpu" mean a CPU build. */
export function parseCudaFlag(v: string): string | null {
  const t = v.trim().toLowerCase();
  return t === "none" || t === "cpu" ? null : v.trim();
}

/**
 * The CUDA target of a run: `--cuda` when given (no detection at all), else detection with
 * COMFY_ENV_CUDA_VERSION first. A CUDA with no torch build only matters to configs that use
 * torch, so a flag value without one is kept and the generator decides.
 */
export async function decideCudaTarget(flag: string | undefined, python: string | undefined): Promise<Result<CudaTarget, DetectError>> {
  if (flag !== undefined) {
    const cuda = parseCudaFlag(flag);
    const variant = selectTorchBuild(cuda).match(
      (b) => b.variant,
      () => `cuda ${cuda}`,
    );
    return ok({ cuda, variant, reason: `--cuda ${flag}` });
  }
  const d = await decideCuda({ python });
  return d.isOk() ? ok({ cuda: d.value.cuda, variant: d.value.variant, reason: d.value.reason }) : err(d.error);
}

/** Python pin for configs without one: the host ComfyUI's (`--python`), else python3 on PATH, else 3.11. */
export function hostPythonPin(flag: string | undefined): Result<string, HostPythonError> {
  const py = findHostPython(flag);
  return py ? pythonVersionOf(py) : ok("3.11");
}
