import type { CudaDecisionError, ProbeError } from "./types.ts";
import type { TorchSelectError } from "./versions.ts";

/** Everything the detect module can fail with: the CUDA decision, the torch build's choice, a probe. */
export type DetectError = CudaDecisionError | TorchSelectError | ProbeError;
