import type { BridgeError } from "../../bridge/install.ts";
import type { RenderedError } from "./types.ts";

export function renderBridgeError(e: BridgeError): RenderedError {
  switch (e.kind) {
    case "python-failed":
      return { message: `cannot run ${e.python}: ${e.message}` };
    case "python-too-old":
      return { message: `${e.python} is Python ${e.version}; the bridge needs 3.9 or newer` };
    case "foreign-package":
      return { message: `${e.dir} (comfy_env ${e.version}, installed by ${e.installer}) is not ours; pass --force to replace it` };
    case "write-failed":
      return { message: `cannot write into ${e.path}: ${e.message}` };
  }
}
