import path from "node:path";
import { envDirName } from "../cache/hash.ts";
import type { BuildPaths } from "../cache/layout.ts";
import { recordLink } from "../cache/links.ts";
import { clearAbandonedLock } from "../cache/lock.ts";
import { ensureLink, removeLink } from "../link/index.ts";
import { linkedBuilds } from "./reuse.ts";
import { exists, removeTree } from "../util/fs.ts";
import { err, ok, type Result } from "../util/result.ts";
import type { BuildError } from "./errors.ts";
import type { FoundEnv } from "./find.ts";

/**
 * Link a node folder to its build and record the link; then drop the folder's other `_env_*`
 * links into this cache (its previous config or variant: only one env is the folder's, and
 * gc may then free the old build) and a stray `.pixi/` a pixi run there left.
 */
export function linkNode(p: BuildPaths, nodeDir: string): Result<string, BuildError> {
  const link = path.join(nodeDir, envDirName(p.hash));
  const made = ensureLink(p.env, link);
  if (made.isErr()) return err({ kind: "link", error: made.error });
  const recorded = recordLink(p, link);
  if (recorded.isErr()) return err({ kind: "cache", error: recorded.error });
  for (const old of linkedBuilds(nodeDir, path.dirname(p.dir))) {
    if (old.link === link) continue;
    const r = removeLink(old.link);
    if (r.isErr()) return err({ kind: "link", error: r.error });
  }
  const stray = path.join(nodeDir, ".pixi");
  if (exists(stray)) {
    const r = removeTree(stray);
    if (r.isErr()) return err({ kind: "fs", error: r.error });
  }
  return ok(link);
}

export interface EnvBuildResult {
  label: string;
  configFile: string;
  /** The build folder's name suffix: the config's 6 hex, or a longer one (see buildNames). */
  hash: string;
  link: string;
  buildDir: string;
  /** reused: .done was there; built: we ran pixi; waited: another process built it. */
  outcome: "reused" | "built" | "waited";
  seconds: number;
}

/** An env that was not built, or built and not linked, and why. */
export interface BuildFailure {
  label: string;
  error: BuildError;
}

/** Link a node folder to its finished build, as the result install reports for that env. */
export function linkFinished(env: FoundEnv, p: BuildPaths, outcome: EnvBuildResult["outcome"], started: number): Result<EnvBuildResult, BuildError> {
  if (outcome !== "built") clearAbandonedLock(p);
  return linkNode(p, env.file.dir).map((link) => ({
    label: env.label,
    configFile: env.file.path,
    hash: p.hash,
    link,
    buildDir: p.dir,
    outcome,
    seconds: (performance.now() - started) / 1000,
  }));
}
