import type { BuildPaths } from "../cache/layout.ts";
import { tryBuildLock } from "../cache/lock.ts";
import type { BuildError } from "./errors.ts";
import { pythonVersionOf } from "./host-python.ts";
import { packName, type FoundEnv, type FoundPack } from "./find.ts";
import { linkFinished, type BuildFailure, type EnvBuildResult } from "./link-node.ts";
import type { Reporter } from "./reporter.ts";
import type { BuildRequest } from "./request.ts";
import { currentBuild, findBuild, folderPrior, isUsable, linkedBuilds, requestedIdentity } from "./reuse.ts";
import type { PixiPlatform } from "../util/platform.ts";
import type { Result } from "../util/result.ts";

/** What the fast path did, and what is left to build. */
export interface InstallPlan {
  /** Envs relinked to a usable build made for what this run asks. */
  reused: EnvBuildResult[];
  /** Envs whose usable build could not be linked. */
  failures: BuildFailure[];
  /** Envs to parse and build, each with the build it used so far when there is one. */
  pending: FoundEnv[];
}

/**
 * The fast path: a config with a usable build made for what this run asks is only (re)linked;
 * no parsing, detection or pixi. The others are left for the build, with the decision their
 * previous build (or their folder's) was made for, unless `--refresh`.
 */
export function planInstall(packs: FoundPack[], root: string, platform: PixiPlatform, request: BuildRequest, reporter: Reporter): InstallPlan {
  const plan: InstallPlan = { reused: [], failures: [], pending: [] };
  const hostVersion = (py: string) => pythonVersionOf(py).unwrapOr(undefined);
  for (const pack of packs) {
    if (pack.envs.length === 0) reporter.info(`${packName(pack.packDir)}: no comfy-env.toml, nothing to build`);
    for (const env of pack.envs) {
      const started = performance.now();
      const current = request.refresh || request.force ? undefined : currentBuild(env, root, platform);
      const wanted = current && requestedIdentity(current.meta, request, hostVersion);
      const reuse = !current || !wanted ? undefined : wanted === current.meta.identity ? (current.usable ? current : undefined) : findBuild(env, root, wanted);
      const linked = reuse && relink(env, reuse.paths, root, started);
      if (!linked) {
        const prior = current?.meta ?? (request.refresh ? undefined : folderPrior(env, root, platform));
        plan.pending.push(prior ? { ...env, prior } : env);
      } else if (linked.isErr()) plan.failures.push({ label: env.label, error: linked.error });
      else plan.reused.push(linked.value);
    }
  }
  return plan;
}

/**
 * Link `env`'s folder to the finished build `p`. A build the folder does not link to yet is
 * linked under its lock, as gc removes a build only under it: unlocked, a gc finding it
 * unlinked could remove it between this check and the link. A lock someone holds (a gc, an
 * install) gives undefined: the build path then waits on it.
 */
function relink(env: FoundEnv, p: BuildPaths, root: string, started: number): Result<EnvBuildResult, BuildError> | undefined {
  if (linkedBuilds(env.file.dir, root).some((l) => l.paths.dir === p.dir)) return linkFinished(env, p, "reused", started);
  const lock = tryBuildLock(p);
  if (lock.isErr() || lock.value === null) return undefined;
  try {
    return isUsable(p) ? linkFinished(env, p, "reused", started) : undefined;
  } finally {
    lock.value();
  }
}
