import type { DetectError } from "../../detect/errors.ts";
import type { ProbeError } from "../../detect/types.ts";
import type { RenderedError } from "./types.ts";

/** One line for a probe that gave no answer (`detect -v`). */
export function describeProbeError(e: ProbeError): string {
  switch (e.kind) {
    case "not-found":
    case "call-failed":
    case "parse-failed":
      return `${e.what}: ${e.message}`;
    case "timeout":
      return `${e.what}: no answer after ${e.seconds}s`;
  }
}

const DRIVER_HINT = "update the NVIDIA driver to one that supports a listed CUDA version";

export function renderDetectError(e: DetectError): RenderedError {
  switch (e.kind) {
    case "bad-cuda-override":
      return {
        message: `COMFY_ENV_CUDA_VERSION="${e.value}" is not a CUDA version`,
        hints: ['write it as major.minor ("12.8"), or "none"/"cpu" for a CPU build; unset it to detect'],
      };
    case "unsupported-cuda": {
      const message = `no PyTorch build for CUDA ${e.cuda}: torch wheels exist for CUDA ${e.available.join(", ")}`;
      // Chosen by detection: say why, and offer the variable that overrides it.
      if (e.source !== undefined) {
        return { message, causes: [`chosen because: ${e.source}`], hints: [DRIVER_HINT, "or choose one: COMFY_ENV_CUDA_VERSION=12.8, or COMFY_ENV_CUDA_VERSION=none for a CPU build"] };
      }
      return { message, hints: [DRIVER_HINT, "or build for CPU: set COMFY_ENV_CUDA_VERSION=none (or pass --cuda none)"] };
    }
    case "no-torch-for-python":
      return {
        message: `no PyTorch build for Python ${e.python} with ${e.variant}`,
        causes: e.offers.length > 0 ? [`Python ${e.python} wheels exist for ${e.offers.join("; ")}`] : [`no torch release comfy-env pins has Python ${e.python} wheels`],
        hints: ["pin another python in comfy-env.toml (python = \"3.12\") or pass --python PATH", "or build for a variant listed above with --cuda X.Y (or --cuda none)"],
      };
    case "not-found":
    case "call-failed":
    case "timeout":
    case "parse-failed":
      return { message: describeProbeError(e) };
  }
}
