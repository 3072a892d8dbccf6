import path from "node:path";
import type { LockOwner } from "../cache/lock.ts";
import type { ConfigWarning } from "../config/types.ts";
import type { EnvBuildResult } from "../install/link-node.ts";
import type { BuildError } from "../install/errors.ts";
import type { BuildStep, Reporter } from "../install/reporter.ts";
import type { NodePackError, NodePackResult } from "../nodepacks/types.ts";
import { renderConfigWarning } from "./errors/config.ts";
import { printError, renderError, reportError } from "./errors/index.ts";
import { formatBytes, formatDuration } from "./format.ts";
import type { Output } from "./output.ts";
import { BuildProgress } from "./progress.ts";

/** One line per env: `✓ MyPack/nodes → _env_a1b2c3 (built in 12.3s)`. */
function reportBuilt(out: Output, r: EnvBuildResult): void {
  const how = r.outcome === "built" ? `built in ${r.seconds.toFixed(1)}s` : r.outcome === "waited" ? "built by another process" : "up to date";
  out.result(`✓ ${r.label} → ${path.basename(r.link)} (${how})`);
}

/** The install pipeline drawn on the terminal, a log or --json: `[i/n]` progress (heartbeats included), messages, ✓ lines. */
export class InstallReporter implements Reporter {
  private progress: BuildProgress | undefined;

  constructor(private readonly out: Output) {}

  buildStart(index: number, total: number, label: string): void {
    this.progress ??= new BuildProgress(this.out, total);
    this.progress.start(index, label);
  }

  buildStep(_label: string, step: BuildStep): void {
    // pixi's own lines move the phase on from "resolving"; only the wheels have no lines to say so.
    if (step === "cuda-wheels") this.progress?.setPhase("CUDA wheels");
  }

  pixiOutput(_label: string, line: string): void {
    this.progress?.line(line);
  }

  lockWait(label: string, owner: LockOwner | undefined, leftMs: number): void {
    this.out.info(
      `${label}: waiting for another install${owner ? ` (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt})` : ""}; its lock is taken over in ${formatDuration(leftMs)} if it has not finished`,
    );
    this.progress?.setPhase("waiting");
  }

  buildEnd(_label: string, outcome: EnvBuildResult["outcome"] | "failed"): void {
    this.progress?.finish(outcome);
  }

  envReady(result: EnvBuildResult): void {
    reportBuilt(this.out, result);
  }

  pixiDownload(version: string, done: number, total: number | null): void {
    this.out.progress(`downloading pixi ${version}: ${formatBytes(done)}${total ? ` of ${formatBytes(total)}` : ""}`);
  }

  pixiDownloadEnd(): void {
    this.out.clearProgress();
  }

  nodePackFailed(r: NodePackResult & { error: NodePackError }): void {
    this.out.error(`${r.name}: node pack not installed (asked for by ${r.requiredBy})`);
    printError(this.out, renderError({ kind: "nodepack", error: r.error }));
  }

  configWarning(w: ConfigWarning): void {
    this.out.warn(renderConfigWarning(w));
  }

  info(message: string): void {
    this.out.info(message);
  }

  warn(message: string): void {
    this.out.warn(message);
  }

  notDone(label: string | undefined, what: string, error: BuildError): void {
    this.out.warn(`${label === undefined ? "" : `${label}: `}${what}: ${renderError(error).message}`);
  }

  interrupted(signal: string, exitCode: number): void {
    // --json still gets its one document: launchers read why it stopped there too.
    reportError(this.out, { kind: "command", error: { kind: "interrupted", signal, exitCode } });
  }
}
