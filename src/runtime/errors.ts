import type { ConfigVarsError } from "./config-vars.ts";
import type { FrameError } from "./frames.ts";
import type { RuntimeDirError } from "./paths.ts";
import type { SupervisorError } from "./supervisor.ts";
import type { PrepareError } from "./worker-process.ts";

/** No runtime folder was private enough: each candidate and why it was refused. */
export type NoRuntimeDirError = { kind: "no-runtime-dir"; refused: RuntimeDirError[] };

/** Everything the runtime module can fail with. */
export type RuntimeError = SupervisorError | FrameError | RuntimeDirError | NoRuntimeDirError | PrepareError | ConfigVarsError;
