import fs from "node:fs";
import path from "node:path";
import type { EnvToBuild } from "./plan.ts";
import { linkFinished, type EnvBuildResult } from "./link-node.ts";
import { buildPaths, LAYOUT, type BuildPaths } from "../cache/layout.ts";
import { acquireBuildLock, recordLockChild, type LockOwner } from "../cache/lock.ts";
import { writeMeta } from "../cache/meta.ts";
import { generatePixiToml } from "../pixi/manifest.ts";
import { runPixiInstall } from "../pixi/run.ts";
import { ensureDir, exists, removeTree, tryFs, writeFileAtomic } from "../util/fs.ts";
import { onInterrupt } from "../util/interrupt.ts";
import { err, ok, type Result } from "../util/result.ts";
import type { PixiPlatform } from "../util/platform.ts";
import { VERSION } from "../version.ts";
import type { BuildError } from "./errors.ts";
import type { CudaTarget } from "./decide.ts";
import { installCudaWheels, installedNames, planCudaWheels, type CudaWheelPlan } from "./cuda-wheels.ts";

/** What a build needs to know about the machine; computed once per install run, lazily. */
export interface BuildContext {
  root: string;
  platform: PixiPlatform;
  glibc?: string;
  /** Resolved only when a build actually runs, so the fast path stays free of detection. */
  cuda: () => Promise<Result<CudaTarget, BuildError>>;
  hostPython: () => Result<string, BuildError>;
  /** pixi to run; may download it, so only called when a build actually runs. */
  pixi: () => Promise<Result<string, BuildError>>;
  lockTimeoutMs: number;
  onProgress: (envLabel: string, line: string) => void;
  /** A build step starts that pixi's output does not announce. */
  onStep: (envLabel: string, step: "cuda-wheels") => void;
  /** Waiting on another install's lock; `leftMs` until it may be taken over. */
  onWait: (envLabel: string, owner: LockOwner | undefined, leftMs: number) => void;
  onWarn: (envLabel: string, message: string) => void;
}

/** Everything in a build folder except the lock and the link records goes before a fresh build. */
function cleanBuildDir(p: BuildPaths): Result<void, BuildError> {
  const keep = new Set<string>([LAYOUT.building, LAYOUT.links]);
  const names = tryFs("readdir", p.dir, () => fs.readdirSync(p.dir));
  if (names.isErr()) return err(names.error);
  for (const n of names.value) {
    if (keep.has(n)) continue;
    const r = removeTree(path.join(p.dir, n));
    if (r.isErr()) return err(r.error);
  }
  return ok(undefined);
}

/**
 * Build (or reuse) the environment of one comfy-env.toml and link it into its node folder.
 * Steps (ARCHITECTURE.md, "Install"): hash → fast path → lock → pixi.toml → pixi install → meta → .done →
 * unlock → link (a link failure leaves a finished build that the next run links). A failed build is never marked done; the next attempt starts clean.
 */
export async function buildEnv(env: EnvToBuild, ctx: BuildContext): Promise<Result<EnvBuildResult, BuildError>> {
  const started = performance.now();
  const { hash } = env;
  const p = buildPaths(ctx.root, hash);
  const finish = (outcome: EnvBuildResult["outcome"]) => linkFinished(env, p, outcome, started);

  if (exists(p.done)) return finish("reused");

  // Everything that can fail on bad input happens before the cache is touched.
  const cuda = await ctx.cuda();
  if (cuda.isErr()) return err(cuda.error);
  const python = env.config.python !== undefined ? ok(env.config.python) : ctx.hostPython();
  if (python.isErr()) return err(python.error);
  const manifest = generatePixiToml(env.config, {
    platform: ctx.platform,
    cuda: cuda.value.cuda,
    python: python.value,
    glibc: ctx.glibc,
    name: `comfy-env-${hash}`,
    source: env.label,
  });
  if (manifest.isErr()) return err(manifest.error);
  const wheels = await planCudaWheels(env.config, { cuda: cuda.value.cuda, python: python.value, platform: ctx.platform, glibc: ctx.glibc });
  if (wheels.isErr()) return err(wheels.error);
  if (wheels.value.kind === "skip") {
    ctx.onWarn(env.label, `[cuda] packages ${wheels.value.packages.join(", ")} not installed (${wheels.value.reason}): nodes that import them will fail`);
  }
  const pixi = await ctx.pixi();
  if (pixi.isErr()) return err(pixi.error);

  const lock = await acquireBuildLock(p, { timeoutMs: ctx.lockTimeoutMs, onWait: (o, left) => ctx.onWait(env.label, o, left) });
  if (lock.isErr()) return err(lock.error);
  if (lock.value.kind === "done") return finish("waited");
  const { release } = lock.value;
  // A signal stops the child first (registered later, so run first), then frees the lock.
  const unregister = onInterrupt(() => void release());
  try {
    const built = await buildLocked(p, env, manifest.value, pixi.value, ctx, {
      python: python.value,
      cuda: cuda.value,
      wheels: wheels.value,
      started,
    });
    if (built.isErr()) return err(built.error);
    // Linked, and the link recorded, before the lock goes: gc takes this lock before it removes
    // a build, so it never finds this one done and unlinked.
    return finish("built");
  } finally {
    unregister();
    // A lock left behind is reported with its path, but does not undo a finished build: `.done`
    // is checked before the lock, and the next build takes over a lock whose owner is gone.
    const released = release();
    if (released.isErr()) ctx.onWarn(env.label, `build lock left behind: cannot remove ${released.error.path}: ${released.error.message}`);
  }
}

async function buildLocked(
  p: BuildPaths,
  env: EnvToBuild,
  manifest: string,
  pixi: string,
  ctx: BuildContext,
  info: { python: string; cuda: CudaTarget; wheels: CudaWheelPlan; started: number },
): Promise<Result<void, BuildError>> {
  const steps = cleanBuildDir(p)
    .andThen(() => ensureDir(p.noPython))
    .andThen(() => writeFileAtomic(p.manifest, manifest))
    .andThen(() => writeFileAtomic(p.log, `# comfy-env ${VERSION}: pixi install for ${env.file.path}\n`));
  if (steps.isErr()) return err(steps.error);
  const ran = await runPixiInstall(
    pixi,
    p,
    (line) => ctx.onProgress(env.label, line),
    (pid) => recordLockChild(p, pid),
  );
  if (ran.isErr()) return err(ran.error);
  if (info.wheels.kind === "install" && info.wheels.wheels.length > 0) ctx.onStep(env.label, "cuda-wheels");
  const wheels = await installCudaWheels(p, info.wheels, ctx.platform, (pid) => recordLockChild(p, pid));
  if (wheels.isErr()) return err(wheels.error);
  const meta = writeMeta(p, {
    hash: p.hash,
    toolVersion: VERSION,
    source: env.file.dir,
    configFile: env.file.path,
    configContent: new TextDecoder().decode(env.bytes),
    platform: ctx.platform,
    python: info.python,
    torchVariant: info.cuda.variant,
    cudaWheels: installedNames(info.wheels),
    builtAt: new Date().toISOString(),
    buildSeconds: Math.round((performance.now() - info.started) / 100) / 10,
  });
  if (meta.isErr()) return err(meta.error);
  return tryFs("write", p.done, () => fs.writeFileSync(p.done, new Date().toISOString()));
}
