import type { ManifestError } from "../../pixi/manifest.ts";
import type { RenderedError } from "./types.ts";

export function renderManifestError(e: ManifestError): RenderedError {
  switch (e.kind) {
    case "unsupported-cuda":
      return {
        message: `no PyTorch build for CUDA ${e.cuda}: torch wheels exist for CUDA ${e.available.join(", ")}`,
        hints: [
          "update the NVIDIA driver to one that supports a listed CUDA version",
          "or build for CPU: set COMFY_ENV_CUDA_VERSION=none (or pass --cuda none)",
        ],
      };
    case "no-torch-for-python":
      return {
        message: `no PyTorch build for Python ${e.python} with ${e.variant}`,
        causes: e.offers.length > 0 ? [`Python ${e.python} wheels exist for ${e.offers.join("; ")}`] : [`no torch release comfy-env pins has Python ${e.python} wheels`],
        hints: ["pin another python in comfy-env.toml (python = \"3.12\") or pass --python PATH", "or build for a variant listed above with --cuda X.Y (or --cuda none)"],
      };
    case "invalid-cuda":
      return {
        message: `invalid CUDA version "${e.cuda}"`,
        hints: ['write it as major.minor ("12.8"), or "none" for a CPU build'],
      };
    case "invalid-python":
      return { message: `invalid Python version "${e.python}"`, hints: ['write it as major.minor ("3.11")'] };
    case "invalid-glibc":
      return { message: `invalid glibc version "${e.glibc}"`, hints: ['write it as major.minor ("2.35")'] };
  }
}
