import fs from "node:fs";
import path from "node:path";
import type { EnvToBuild } from "./parse.ts";
import { linkFinished, type EnvBuildResult } from "./link-node.ts";
import { buildDigest, buildNames, configDigest, envDirName, forcedName, type BuildIdentity } from "../cache/hash.ts";
import { buildPaths, envPythonPath, LAYOUT, type BuildPaths } from "../cache/layout.ts";
import { acquireBuildLock, lockState, recordLockChild, type LockOwner } from "../cache/lock.ts";
import { readMeta, writeMeta } from "../cache/meta.ts";
import { effectiveCuda, generatePixiToml, torchBuildFor } from "../pixi/manifest.ts";
import { runPixiInstall } from "../pixi/run.ts";
import { ensureDir, exists, removeTree, tryFs, writeFileAtomic } from "../util/fs.ts";
import { onInterrupt } from "../util/interrupt.ts";
import { err, ok, type Result } from "../util/result.ts";
import type { PixiPlatform } from "../util/platform.ts";
import { VERSION } from "../version.ts";
import type { BuildError } from "./errors.ts";
import { targetOf, type CudaTarget, type HostPin } from "./decide.ts";
import type { BuildRequest } from "./request.ts";
import { installCudaWheels, installedNames, planCudaWheels, type CudaWheelPlan } from "./cuda-wheels.ts";

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
  onProgress: (envLabel: string, line: string) => void;
  /** A build step starts that pixi's output does not announce. */
  onStep: (envLabel: string, step: "cuda-wheels") => void;
  /** Waiting on another install's lock; `leftMs` until it may be taken over. */
  onWait: (envLabel: string, owner: LockOwner | undefined, leftMs: number) => void;
  onWarn: (envLabel: string, message: string) => void;
  onInfo: (envLabel: string, message: string) => void;
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

function readClaim(p: BuildPaths): string | undefined {
  try {
    return fs.readFileSync(p.claim, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * The CUDA target: the one asked for, else (unless `--refresh`) the one the config's previous
 * build was made for, else detection.
 */
async function cudaFor(env: EnvToBuild, ctx: BuildContext): Promise<Result<CudaTarget, BuildError>> {
  const prior = ctx.request.refresh ? undefined : env.prior;
  if (ctx.request.cuda === undefined && prior !== undefined) {
    return ok(targetOf({ cuda: prior.identity.cuda, reason: `as ${envDirName(prior.hash)} was built` }));
  }
  return ctx.cuda();
}

/** The host pin for a config without python: `--python`, else the previous build's (unless `--refresh`), else detected. */
function hostPinFor(env: EnvToBuild, ctx: BuildContext): Result<HostPin, BuildError> {
  const prior = ctx.request.refresh ? undefined : env.prior;
  if (ctx.request.python === undefined && prior?.pythonFromHost) return ok({ python: prior.hostPython, version: prior.identity.python });
  return ctx.hostPython();
}

/** The folder names this build may take: its own names, and for `--force` fresh ones after them. */
function candidateNames(env: EnvToBuild, digest: string, force: boolean): string[] {
  const names = buildNames(env.bytes, digest);
  return force ? [...names, ...Array.from({ length: 16 }, (_, i) => forcedName(digest, i + 1))] : names;
}

/**
 * Build (or reuse) the environment of one comfy-env.toml and link it into its node folder.
 * Steps (ARCHITECTURE.md, "Install"): decide → identity → name → lock → pixi.toml → pixi
 * install → meta → .done → unlock → link (a link failure leaves a finished build that the next
 * run links). A failed build is never marked done; the next attempt starts clean.
 */
export async function buildEnv(env: EnvToBuild, ctx: BuildContext): Promise<Result<EnvBuildResult, BuildError>> {
  const started = performance.now();
  const finish = (p: BuildPaths, outcome: EnvBuildResult["outcome"]) => linkFinished(env, p, outcome, started);

  // Everything that can fail on bad input happens before the cache is touched.
  const cuda = await cudaFor(env, ctx);
  if (cuda.isErr()) return err(cuda.error);
  const host = env.config.python === undefined ? hostPinFor(env, ctx) : ok(undefined);
  if (host.isErr()) return err(host.error);
  const python = env.config.python ?? (host.value as HostPin).version;
  const target = { platform: ctx.platform, cuda: cuda.value.cuda, python, glibc: ctx.glibc, name: `comfy-env-${env.hash}`, source: env.label };
  const manifest = generatePixiToml(env.config, target);
  if (manifest.isErr()) return err(manifest.error);
  const torch = torchBuildFor(env.config, target);
  if (torch.isErr()) return err(torch.error);
  if (torch.value?.note) ctx.onInfo(env.label, torch.value.note);
  const identity: BuildIdentity = {
    platform: ctx.platform,
    cuda: effectiveCuda(target),
    variant: torch.value?.variant ?? null,
    torch: torch.value?.family.torch ?? null,
    python,
  };
  const digest = buildDigest(env.bytes, identity);
  const wheels = await planCudaWheels(env.config, { cuda: cuda.value.cuda, python, platform: ctx.platform, glibc: ctx.glibc });
  if (wheels.isErr()) return err(wheels.error);
  if (wheels.value.kind === "skip") {
    ctx.onWarn(env.label, `[cuda] packages ${wheels.value.packages.join(", ")} not installed (${wheels.value.reason}): nodes that import them will fail`);
  }

  const force = ctx.request.force;
  for (const name of candidateNames(env, digest, force)) {
    const p = buildPaths(ctx.root, name);
    if (exists(p.done)) {
      // Taken by another config or decision, or (--force) the build being replaced.
      if (force || readMeta(p)?.digest !== digest) continue;
      if (exists(envPythonPath(p))) return finish(p, "reused");
      // Ours, but its env was deleted: rebuild it where it is.
      const undone = tryFs("unlink", p.done, () => fs.rmSync(p.done, { force: true }));
      if (undone.isErr()) return err(undone.error);
    } else if (lockState(p).state === "held" && readClaim(p) !== digest) {
      continue;
    }
    const pixi = await ctx.pixi();
    if (pixi.isErr()) return err(pixi.error);
    const lock = await acquireBuildLock(p, { timeoutMs: ctx.lockTimeoutMs, onWait: (o, left) => ctx.onWait(env.label, o, left) });
    if (lock.isErr()) return err(lock.error);
    if (lock.value.kind === "done") {
      if (readMeta(p)?.digest === digest) return finish(p, "waited");
      continue;
    }
    const { release } = lock.value;
    // A signal stops the child first (registered later, so run first), then frees the lock.
    const unregister = onInterrupt(() => void release());
    try {
      const built = await buildLocked(p, env, manifest.value, pixi.value, ctx, {
        identity,
        digest,
        host: host.value,
        cuda: cuda.value,
        wheels: wheels.value,
        started,
      });
      if (built.isErr()) return err(built.error);
      // Linked, and the link recorded, before the lock goes: gc takes this lock before it removes
      // a build, so it never finds this one done and unlinked.
      return finish(p, "built");
    } finally {
      unregister();
      // A lock left behind is reported with its path, but does not undo a finished build: `.done`
      // is checked before the lock, and the next build takes over a lock whose owner is gone.
      const released = release();
      if (released.isErr()) ctx.onWarn(env.label, `build lock left behind: cannot remove ${released.error.path}: ${released.error.message}`);
    }
  }
  return err({ kind: "fs", op: "choose a build folder for", path: ctx.root, message: `every name of ${env.label}'s build is taken; run comfy-env gc` });
}

async function buildLocked(
  p: BuildPaths,
  env: EnvToBuild,
  manifest: string,
  pixi: string,
  ctx: BuildContext,
  info: { identity: BuildIdentity; digest: string; host: HostPin | undefined; cuda: CudaTarget; wheels: CudaWheelPlan; started: number },
): Promise<Result<void, BuildError>> {
  const steps = cleanBuildDir(p)
    .andThen(() => writeFileAtomic(p.claim, info.digest))
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
    digest: info.digest,
    configDigest: configDigest(env.bytes),
    identity: info.identity,
    pythonFromHost: info.host !== undefined,
    ...(info.host?.python === undefined ? {} : { hostPython: info.host.python }),
    toolVersion: VERSION,
    source: env.file.dir,
    configFile: env.file.path,
    configContent: new TextDecoder().decode(env.bytes),
    platform: ctx.platform,
    python: info.identity.python,
    torchVariant: info.identity.variant ?? info.cuda.variant,
    cudaWheels: installedNames(info.wheels),
    builtAt: new Date().toISOString(),
    buildSeconds: Math.round((performance.now() - info.started) / 100) / 10,
  });
  if (meta.isErr()) return err(meta.error);
  return tryFs("write", p.done, () => fs.writeFileSync(p.done, new Date().toISOString()));
}
