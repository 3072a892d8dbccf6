import type { CacheError } from "../cache/errors.ts";
import type { ConfigError } from "../config/types.ts";
import type { DetectError } from "../detect/errors.ts";
import type { LinkError } from "../link/types.ts";
import type { PixiError } from "../pixi/errors.ts";
import type { FsError } from "../util/fs.ts";
import type { WheelsError } from "../wheels/types.ts";
import type { HostPythonError } from "./host-python.ts";

/** The pipeline's own errors: what it checks itself (the flags, the host Python). */
export type InstallOwnError = HostPythonError | { kind: "invalid-cuda"; cuda: string };

/** Everything that can stop an install: the module it came from, and that module's own error. */
export type BuildError =
  | { kind: "config"; error: ConfigError }
  | { kind: "cache"; error: CacheError }
  | { kind: "fs"; error: FsError }
  | { kind: "link"; error: LinkError }
  | { kind: "pixi"; error: PixiError }
  | { kind: "detect"; error: DetectError }
  | { kind: "wheels"; error: WheelsError }
  | { kind: "install"; error: InstallOwnError };

type ErrorIn<M extends BuildError["kind"]> = Extract<BuildError, { kind: M }>["error"];

/** A module's error as the pipeline's, for `mapErr`: `r.mapErr(inModule("pixi"))`. */
export function inModule<M extends BuildError["kind"]>(kind: M): (error: ErrorIn<M>) => BuildError {
  return (error) => ({ kind, error }) as BuildError;
}
