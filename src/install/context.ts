import type { Result } from "../util/result.ts";
import type { PixiPlatform } from "../util/platform.ts";
import type { CudaTarget, HostPin } from "./decide.ts";
import type { BuildError } from "./errors.ts";
import type { Reporter } from "./reporter.ts";
import type { BuildRequest } from "./request.ts";

/** What a build needs to know about the machine; computed once per install run, lazily. */
export interface BuildContext {
  root: string;
  platform: PixiPlatform;
  glibc?: string;
  request: BuildRequest;
  /** Requested or detected; resolved only when a build needs it, so the fast path stays free of detection. */
  cuda: () => Promise<Result<CudaTarget, BuildError>>;
  hostPython: () => Result<HostPin, BuildError>;
  /** pixi to run; may download it, so only called when a build actually runs. */
  pixi: () => Promise<Result<string, BuildError>>;
  lockTimeoutMs: number;
  reporter: Reporter;
}
