import type { LockOwner } from "../cache/lock.ts";
import type { ConfigWarning } from "../config/types.ts";
import type { NodePackError, NodePackResult } from "../nodepacks/types.ts";
import type { BuildError } from "./errors.ts";
import type { EnvBuildResult } from "./link-node.ts";

/**
 * The steps of one env's build that the build announces itself, in the order they run; within
 * `pixi`, pixi's own output tells what it is doing.
 */
export type BuildStep = "pixi" | "cuda-wheels";

/**
 * What the install pipeline tells whoever runs it, as it goes: the pipeline prints nothing itself.
 * `comfy-env install` draws it as its progress line and messages (`src/cli/install-report.ts`);
 * tests record it. How often a silent build gets a heartbeat is the drawing's choice: it sees
 * every call, so it knows how long the build has been quiet.
 */
export interface Reporter {
  /** The `index`-th (1-based) of `total` envs that need a build starts. */
  buildStart(index: number, total: number, label: string): void;
  /** A step of that build starts. */
  buildStep(label: string, step: BuildStep): void;
  /** A line pixi printed (without control codes). */
  pixiOutput(label: string, line: string): void;
  /** Another install holds this build's lock; it is taken over in `leftMs` if that one has not finished. */
  lockWait(label: string, owner: LockOwner | undefined, leftMs: number): void;
  /** That build ended, either way. */
  buildEnd(label: string, outcome: EnvBuildResult["outcome"] | "failed"): void;
  /** An env is linked to its build: relinked by the fast path, or built (after its `buildEnd`). */
  envReady(result: EnvBuildResult): void;
  /** pixi is being downloaded: `done` bytes of `total` (when known). */
  pixiDownload(version: string, done: number, total: number | null): void;
  /** The pixi download ended, either way. */
  pixiDownloadEnd(): void;
  /** A node pack a root file asks for could not be had; the run goes on without it. */
  nodePackFailed(result: NodePackResult & { error: NodePackError }): void;
  /** A config reads, but something in it is ignored or will change meaning. */
  configWarning(warning: ConfigWarning): void;
  info(message: string): void;
  warn(message: string): void;
  /** Something beside the builds did not happen (`what`), for `error`; the run goes on. `label`: the env it concerns. */
  notDone(label: string | undefined, what: string, error: BuildError): void;
  /** A signal stopped the run: its child was stopped and its lock released; the process exits with `exitCode` next. */
  interrupted(signal: string, exitCode: number): void;
}
