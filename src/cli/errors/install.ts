import type { InstallOwnError } from "../../install/errors.ts";
import { renderPixiError } from "./pixi.ts";
import type { RenderedError } from "./types.ts";

/** The install pipeline's own errors (its modules' errors come nested, rendered by theirs). */
export function renderInstallError(e: InstallOwnError): RenderedError {
  switch (e.kind) {
    case "host-python-failed":
      return { message: `cannot ask ${e.python} for its version: ${e.message}`, hints: ["pin python in comfy-env.toml (python = \"3.11\") or pass --python PATH"] };
    case "invalid-cuda":
      // The same words as the manifest's own check of a CUDA version.
      return renderPixiError(e);
  }
}
