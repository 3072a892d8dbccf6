// The install pipeline, step by step: find and hash → node packs → plan (the fast path) → parse
// → for each env to build: decide → CUDA wheels resolved → lock → pixi → CUDA wheels installed →
// finish (meta, .done, link) → status scripts. It prints nothing: it tells a Reporter.
import path from "node:path";
import { recordLockChild } from "../cache/lock.ts";
import { checkFreeSpace } from "../cache/root.ts";
import type { ConfigWarning } from "../config/types.ts";
import type { NodePackResult } from "../nodepacks/types.ts";
import { readEnv } from "../util/env.ts";
import { handleInterrupts, interruptedBy, onInterrupt } from "../util/interrupt.ts";
import { hostGlibc, hostPixiPlatform } from "../util/platform.ts";
import { err, ok, type Result } from "../util/result.ts";
import type { BuildContext } from "./context.ts";
import type { CudaTarget } from "./decide.ts";
import { inModule, type BuildError } from "./errors.ts";
import { findEnvs } from "./find.ts";
import type { BuildFolder } from "./lock.ts";
import { linkFinished, type BuildFailure, type EnvBuildResult } from "./link-node.ts";
import { installNodePacks } from "./nodepacks.ts";
import type { EnvToBuild } from "./parse.ts";
import { planInstall } from "./plan.ts";
import type { Reporter } from "./reporter.ts";
import type { BuildRequest } from "./request.ts";

/** What a run asks for: the flags and variables (checked before the run), and the cache root. */
export interface InstallRequest extends BuildRequest {
  root: string;
}

/** What a run did. */
export interface InstallRun {
  /** Linked envs: the fast path's first, then the built ones, in the order they finished. */
  results: EnvBuildResult[];
  failures: BuildFailure[];
  warnings: ConfigWarning[];
  /** What was built for (CUDA variant or CPU, and why); null if nothing needed deciding. */
  decision: CudaTarget | null;
  /** The node packs root files asked for: cloned, found or failed. */
  nodePacks: NodePackResult[];
}

/** Where comfy-env keeps tools it downloads (pixi), inside the cache root. */
const TOOLS_DIR = ".tools";
const DEFAULT_LOCK_TIMEOUT_S = 1800;

/** The steps only a build needs, loaded when the first env has to be built. */
const buildSteps = () => import("./build-steps.ts");

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

/**
 * Install the envs of `packDirs`: relink what is built for what `request` asks, build the
 * rest one by one. A config error stops the run before anything is built; an env that fails
 * to build is a failure of the run, and the others still build. Detection and the pixi lookup
 * happen once, when the first build needs them.
 */
export async function runInstallPipeline(request: InstallRequest, packDirs: string[], reporter: Reporter): Promise<Result<InstallRun, BuildError>> {
  const found = findEnvs(packDirs);
  if (found.isErr()) return err({ kind: "config", error: found.error });
  // From here a signal undoes what is under way (a clone, a build) before comfy-env exits.
  handleInterrupts((signal, exitCode) => reporter.interrupted(signal, exitCode));
  const nodePacks = await installNodePacks(found.value, reporter);
  if (nodePacks.isErr()) return err({ kind: "config", error: nodePacks.error });
  const packs = [...found.value, ...nodePacks.value.packs];
  const platform = hostPixiPlatform();
  const plan = planInstall(packs, request.root, platform, request, reporter);
  for (const r of plan.reused) reporter.envReady(r);
  const run: InstallRun = { results: plan.reused, failures: plan.failures, warnings: [], decision: null, nodePacks: nodePacks.value.results };
  if (plan.pending.length === 0) return ok(run);

  const steps = await buildSteps();
  const loaded = steps.loadEnvs(
    plan.pending,
    packs.flatMap((p) => (p.root ? [p.root] : [])),
  );
  if (loaded.isErr()) return err({ kind: "config", error: loaded.error });
  const space = checkFreeSpace(request.root);
  if (space.isErr()) return err({ kind: "cache", error: space.error });
  run.warnings = loaded.value.warnings;
  for (const w of run.warnings) reporter.configWarning(w);

  const ctx: BuildContext = {
    root: request.root,
    platform,
    glibc: hostGlibc(),
    request,
    cuda: memo(async () => {
      const d = await steps.decideCudaTarget(request.cuda, request.python);
      if (d.isOk()) {
        run.decision = d.value;
        reporter.info(`building for ${d.value.cuda === null ? "CPU" : `CUDA ${d.value.cuda} (${d.value.variant})`}: ${d.value.reason}`);
      }
      return d.mapErr(inModule("detect"));
    }),
    hostPython: memo(() => steps.hostPythonPin(request.python).mapErr(inModule("install"))),
    pixi: memo(() => steps.pixiOrDownload(reporter, path.join(request.root, TOOLS_DIR))),
    lockTimeoutMs: Number(readEnv("COMFY_ENV_LOCK_TIMEOUT") ?? DEFAULT_LOCK_TIMEOUT_S) * 1000,
    reporter,
  };
  const envs = loaded.value.envs;
  let built = 0;
  for (const [i, env] of envs.entries()) {
    // A signal is being handled (the process exits when its cleanups are done): start nothing new.
    if (interruptedBy() !== null) break;
    reporter.buildStart(i + 1, envs.length, env.label);
    const r = await buildEnv(env, ctx);
    reporter.buildEnd(env.label, r.isErr() ? "failed" : r.value.outcome);
    if (r.isErr()) {
      run.failures.push({ label: env.label, error: r.error });
      continue;
    }
    built++;
    run.results.push(r.value);
    reporter.envReady(r.value);
  }
  steps.rewriteStatusScripts(request.root, reporter, built > 0);
  return ok(run);
}

/**
 * Build (or reuse) the environment of one comfy-env.toml and link it into its node folder.
 * Everything that can fail on bad input is decided before the cache is touched. A failed build
 * is never marked done, and the next attempt starts clean; a link failure leaves a finished
 * build that the next run links.
 */
export async function buildEnv(env: EnvToBuild, ctx: BuildContext): Promise<Result<EnvBuildResult, BuildError>> {
  const steps = await buildSteps();
  const started = performance.now();
  const decided = await steps.decideBuild(env, ctx);
  if (decided.isErr()) return err(decided.error);
  const decision = decided.value;
  const wheels = await steps.planCudaWheels(env.config, { cuda: decision.cuda.cuda, python: decision.python, platform: ctx.platform, glibc: ctx.glibc });
  if (wheels.isErr()) return err({ kind: "wheels", error: wheels.error });
  if (wheels.value.kind === "skip") {
    ctx.reporter.warn(`${env.label}: [cuda] packages ${wheels.value.packages.join(", ")} not installed (${wheels.value.reason}): nodes that import them will fail`);
  }

  const folder = await steps.lockBuildFolder(env, decision.digest, ctx);
  if (folder.isErr()) return err(folder.error);
  if (folder.value.kind === "done") {
    const { paths, outcome, release } = folder.value;
    try {
      return linkFinished(env, paths, outcome, started);
    } finally {
      releaseLock(release, env.label, ctx);
    }
  }
  const { paths, pixi, release } = folder.value;
  // A signal stops the child first (registered later, so run first), then frees the lock.
  const unregister = onInterrupt(() => void release());
  try {
    ctx.reporter.buildStep(env.label, "pixi");
    const ran = await steps.runPixi(paths, env, decision.manifest, pixi, ctx.reporter);
    if (ran.isErr()) return err(ran.error);
    if (wheels.value.kind === "install" && wheels.value.wheels.length > 0) ctx.reporter.buildStep(env.label, "cuda-wheels");
    const installed = await steps.installCudaWheels(paths, wheels.value, ctx.platform, (pid) => recordLockChild(paths, pid));
    if (installed.isErr()) return err({ kind: "wheels", error: installed.error });
    const finished = steps.finishBuild(paths, env, decision, wheels.value, ctx.platform, started);
    if (finished.isErr()) return err(finished.error);
    // Linked, and the link recorded, before the lock goes: gc takes this lock before it removes
    // a build, so it never finds this one done and unlinked.
    return linkFinished(env, paths, "built", started);
  } finally {
    unregister();
    releaseLock(release, env.label, ctx);
  }
}

/**
 * A lock left behind is reported with its path, but does not undo a finished build: the next
 * install takes over a lock whose owner is gone.
 */
function releaseLock(release: BuildFolder["release"], label: string, ctx: BuildContext): void {
  const released = release();
  if (released.isErr()) ctx.reporter.notDone(label, "build lock left behind", { kind: "fs", error: released.error });
}
