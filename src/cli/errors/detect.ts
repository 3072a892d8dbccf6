import type { DetectError } from "../../detect/types.ts";
import type { RenderedError } from "./types.ts";

export function renderDetectError(e: DetectError): RenderedError {
  switch (e.kind) {
    case "bad-cuda-override":
      return {
        message: `COMFY_ENV_CUDA_VERSION="${e.value}" is not a CUDA version`,
        hints: ['write it as major.minor ("12.8"), or "none"/"cpu" for a CPU build; unset it to detect'],
      };
    case "unsupported-cuda":
      return {
        message: `no PyTorch build for CUDA ${e.cuda}: torch wheels exist for CUDA ${e.available.join(", ")}`,
        causes: [`chosen because: ${e.source}`],
        hints: [
          "update the NVIDIA driver to one that supports a listed CUDA version",
          "or choose one: COMFY_ENV_CUDA_VERSION=12.8, or COMFY_ENV_CUDA_VERSION=none for a CPU build",
        ],
      };
  }
}
