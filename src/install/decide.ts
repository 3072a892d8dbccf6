import { buildDigest, envDirName, type BuildIdentity } from "../cache/hash.ts";
import { decideCuda } from "../detect/decision.ts";
import type { CudaDecisionError } from "../detect/types.ts";
import { selectTorchBuild } from "../detect/versions.ts";
import { effectiveCuda, generatePixiToml, torchBuildFor } from "../pixi/manifest.ts";
import { err, ok, type Result } from "../util/result.ts";
import type { BuildContext } from "./context.ts";
import type { BuildError } from "./errors.ts";
import { findHostPython, pythonVersionOf, type HostPythonError } from "./host-python.ts";
import type { EnvToBuild } from "./parse.ts";
import type { CudaRequest } from "./request.ts";

/** What a build targets: CUDA version (null = CPU), its torch variant, and why. */
export interface CudaTarget {
  cuda: string | null;
  variant: string;
  reason: string;
}

/** A requested or recorded CUDA version as a target; a CUDA without a torch build is kept (the generator decides). */
export function targetOf(req: CudaRequest): CudaTarget {
  const variant = selectTorchBuild(req.cuda).match(
    (b) => b.variant,
    () => `cuda ${req.cuda}`,
  );
  return { cuda: req.cuda, variant, reason: req.reason };
}

/**
 * The CUDA target of a run: `--cuda` / COMFY_ENV_CUDA_VERSION when given (no detection at
 * all), else detection.
 */
export async function decideCudaTarget(requested: CudaRequest | undefined, python: string | undefined): Promise<Result<CudaTarget, CudaDecisionError>> {
  if (requested !== undefined) return ok(targetOf(requested));
  const d = await decideCuda({ python });
  return d.isOk() ? ok({ cuda: d.value.cuda, variant: d.value.variant, reason: d.value.reason }) : err(d.error);
}

/** The host interpreter that pins configs without a python: `--python`, else python3 on PATH. */
export interface HostPin {
  python?: string;
  version: string;
}

/** Python pin for configs without one: the host ComfyUI's (`--python`), else python3 on PATH, else 3.11. */
export function hostPythonPin(flag: string | undefined): Result<HostPin, HostPythonError> {
  const py = findHostPython(flag);
  return py ? pythonVersionOf(py).map((version) => ({ python: py, version })) : ok({ version: "3.11" });
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

/** What one env is built for and from: decided before the cache is touched. */
export interface BuildDecision {
  cuda: CudaTarget;
  /** The host interpreter that pinned the env's Python, for a config without one. */
  host: HostPin | undefined;
  python: string;
  /** The `pixi.toml` text. */
  manifest: string;
  identity: BuildIdentity;
  /** The build's full identity: the config's bytes and `identity`. */
  digest: string;
}

/** Decide one env's build: CUDA, Python, manifest and identity. Everything here fails on bad input, never on the cache. */
export async function decideBuild(env: EnvToBuild, ctx: BuildContext): Promise<Result<BuildDecision, BuildError>> {
  const cuda = await cudaFor(env, ctx);
  if (cuda.isErr()) return err(cuda.error);
  const host = env.config.python === undefined ? hostPinFor(env, ctx) : ok(undefined);
  if (host.isErr()) return err(host.error);
  const python = env.config.python ?? (host.value as HostPin).version;
  const target = { platform: ctx.platform, cuda: cuda.value.cuda, python, glibc: ctx.glibc, name: `comfy-env-${env.hash}`, source: env.label };
  const manifest = generatePixiToml(env.config, target);
  if (manifest.isErr()) return err({ kind: "pixi", error: manifest.error });
  const torch = torchBuildFor(env.config, target);
  if (torch.isErr()) return err({ kind: "detect", error: torch.error });
  if (torch.value?.note) ctx.reporter.info(`${env.label}: ${torch.value.note}`);
  const identity: BuildIdentity = {
    platform: ctx.platform,
    cuda: effectiveCuda(target),
    variant: torch.value?.variant ?? null,
    torch: torch.value?.family.torch ?? null,
    python,
  };
  return ok({ cuda: cuda.value, host: host.value, python, manifest: manifest.value, identity, digest: buildDigest(env.bytes, identity) });
}
