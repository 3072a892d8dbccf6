import path from "node:path";
import { envDirName } from "../cache/hash.ts";
import type { BuildPaths } from "../cache/layout.ts";
import { recordLink } from "../cache/links.ts";
import { clearAbandonedLock } from "../cache/lock.ts";
import { ensureLink } from "../link/index.ts";
import { exists, removeTree } from "../util/fs.ts";
import { err, ok, type Result } from "../util/result.ts";
import type { BuildError } from "./errors.ts";
import type { FoundEnv } from "./find.ts";

/** Link a node folder to its build, record the link, and drop a stray `.pixi/` a pixi run there left. */
export function linkNode(p: BuildPaths, nodeDir: string): Result<string, BuildError> {
  const link = path.join(nodeDir, envDirName(p.hash));
  const made = ensureLink(p.env, link);
  if (made.isErr()) return err(made.error);
  recordLink(p, link);
  const stray = path.join(nodeDir, ".pixi");
  if (exists(stray)) {
    const r = removeTree(stray);
    if (r.isErr()) return err(r.error);
  }
  return ok(link);
}

export interface EnvBuildResult {
  label: string;
  configFile: string;
  hash: string;
  link: string;
  buildDir: string;
  /** reused: .done was there; built: we ran pixi; waited: another process built it. */
  outcome: "reused" | "built" | "waited";
  seconds: number;
}

/** Link a node folder to its finished build, as the result install reports for that env. */
export function linkFinished(env: FoundEnv, p: BuildPaths, outcome: EnvBuildResult["outcome"], started: number): Result<EnvBuildResult, BuildError> {
  if (outcome !== "built") clearAbandonedLock(p);
  return linkNode(p, env.file.dir).map((link) => ({
    label: env.label,
    configFile: env.file.path,
    hash: env.hash,
    link,
    buildDir: p.dir,
    outcome,
    seconds: (performance.now() - started) / 1000,
  }));
}
