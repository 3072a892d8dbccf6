import { errorDoc } from "../cli/document.ts";
import path from "node:path";
import { checkFreeSpace } from "../cache/root.ts";
import { writeStatusScripts } from "../cache/scripts.ts";
import { decideCudaTarget, hostPythonPin, type CudaTarget } from "./decide.ts";
import { buildEnv, type BuildContext } from "./build-env.ts";
import type { EnvBuildResult } from "./link-node.ts";
import type { BuildError } from "./errors.ts";
import type { FoundEnv } from "./find.ts";
import type { BuildRequest } from "./request.ts";
import { loadEnvs } from "./parse.ts";
import type { ConfigFile, ConfigWarning } from "../config/types.ts";
import { ensurePixiDownloaded, pixiInstallPath, PIXI_VERSION } from "../pixi/download.ts";
import { findPixi } from "../pixi/find.ts";
import { readEnv } from "../util/env.ts";
import { handleInterrupts, interruptedBy } from "../util/interrupt.ts";
import { hostGlibc, hostPixiPlatform } from "../util/platform.ts";
import { err, ok, type Result } from "../util/result.ts";
import { renderConfigWarning } from "../cli/errors/config.ts";
import { formatBytes, formatDuration } from "../cli/format.ts";
import { reportBuilt } from "../cli/install-report.ts";
import type { Output } from "../cli/output.ts";
import { BuildProgress } from "../cli/progress.ts";

export interface BuildFailure {
  label: string;
  error: BuildError;
}

export interface BuildRun {
  results: EnvBuildResult[];
  failures: BuildFailure[];
  warnings: ConfigWarning[];
  /** What was built for (CUDA variant or CPU, and why); null if nothing needed deciding. */
  decision: CudaTarget | null;
}

/** Where comfy-env keeps tools it downloads (pixi), inside the cache root. */
const TOOLS_DIR = ".tools";
const DEFAULT_LOCK_TIMEOUT_S = 1800;

function memo<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value;
  };
}

/** pixi from the machine, else the pinned release downloaded and verified into the cache. */
async function pixiOrDownload(out: Output, toolsDir: string): Promise<Result<string, BuildError>> {
  const found = findPixi([path.dirname(pixiInstallPath(toolsDir))]);
  if (found.isOk() || found.error.override) return found;
  out.info(`pixi not found; downloading pixi ${PIXI_VERSION}`);
  const got = await ensurePixiDownloaded({
    toolsDir,
    onProgress: (done, total) => out.progress(`downloading pixi ${PIXI_VERSION}: ${formatBytes(done)}${total ? ` of ${formatBytes(total)}` : ""}`),
  });
  out.clearProgress();
  return got;
}

/**
 * The slow path of `install`: parse every config that needs building (a config error stops the
 * run here, cache untouched), then build them one by one. Detection and pixi lookup happen once,
 * when the first build needs them.
 */
export async function buildPending(
  pending: FoundEnv[],
  roots: ConfigFile[],
  out: Output,
  opts: { root: string; request: BuildRequest },
): Promise<Result<BuildRun, BuildError>> {
  handleInterrupts((signal, exitCode) => {
    const message = `install stopped by ${signal}: its installer was stopped and the lock released; nothing half-built is marked done`;
    out.error(message);
    // --json still gets its one document: launchers read why it stopped there too.
    out.document({ error: errorDoc({ message }, "interrupted") }, exitCode);
  });
  const loaded = loadEnvs(pending, roots);
  if (loaded.isErr()) return err(loaded.error);
  const space = checkFreeSpace(opts.root);
  if (space.isErr()) return err(space.error);
  const run: BuildRun = { results: [], failures: [], warnings: loaded.value.warnings, decision: null };
  for (const w of run.warnings) out.warn(renderConfigWarning(w));

  const progress = new BuildProgress(out, loaded.value.envs.length);
  const ctx: BuildContext = {
    root: opts.root,
    platform: hostPixiPlatform(),
    glibc: hostGlibc(),
    request: opts.request,
    cuda: memo(async (): Promise<Result<CudaTarget, BuildError>> => {
      const d = await decideCudaTarget(opts.request.cuda, opts.request.python);
      if (d.isOk()) {
        run.decision = d.value;
        out.info(`building for ${d.value.cuda === null ? "CPU" : `CUDA ${d.value.cuda} (${d.value.variant})`}: ${d.value.reason}`);
      }
      return d;
    }),
    hostPython: memo(() => hostPythonPin(opts.request.python)),
    pixi: memo(() => pixiOrDownload(out, path.join(opts.root, TOOLS_DIR))),
    lockTimeoutMs: Number(readEnv("COMFY_ENV_LOCK_TIMEOUT") ?? DEFAULT_LOCK_TIMEOUT_S) * 1000,
    onProgress: (_label, line) => progress.line(line),
    onStep: () => progress.setPhase("CUDA wheels"),
    onWarn: (label, message) => out.warn(`${label}: ${message}`),
    onInfo: (label, message) => out.info(`${label}: ${message}`),
    onWait: (label, owner, leftMs) => {
      out.info(
        `${label}: waiting for another install${owner ? ` (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt})` : ""}; its lock is taken over in ${formatDuration(leftMs)} if it has not finished`,
      );
      progress.setPhase("waiting");
    },
  };

  for (const [i, env] of loaded.value.envs.entries()) {
    // A signal is being handled (the process exits when its cleanups are done): start nothing new.
    if (interruptedBy() !== null) break;
    progress.start(i + 1, env.label);
    const r = await buildEnv(env, ctx);
    progress.finish(r.isErr() ? "failed" : r.value.outcome);
    if (r.isErr()) {
      run.failures.push({ label: env.label, error: r.error });
      continue;
    }
    run.results.push(r.value);
    reportBuilt(out, r.value);
  }
  const scripts = writeStatusScripts(opts.root);
  if (scripts.isErr() && run.results.length > 0) out.warn(`cannot write status scripts: ${scripts.error.message}`);
  return ok(run);
}
