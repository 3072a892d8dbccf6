import { buildPaths, BUILD_DIR_PATTERN, envPythonPath, type BuildPaths } from "./layout.ts";
import { lockState, type LockOwner } from "./lock.ts";
import { liveLinks } from "./links.ts";
import { readMeta } from "./meta.ts";
import { exists, namesIn, treeSize } from "../util/fs.ts";
import type { LinksError } from "./errors.ts";

export type BuildState = "done" | "broken" | "building" | "stale" | "failed";

export interface EnvStatus {
  hash: string;
  dir: string;
  /**
   * done: usable; broken: done but its env's Python is gone (the next install rebuilds it);
   * building: a live process holds the lock; stale: its builder died; failed: no lock, not done.
   */
  state: BuildState;
  sizeBytes: number;
  source?: string;
  configFile?: string;
  builtAt?: string;
  owner?: LockOwner;
  links: string[];
  /** Set when `.links/` cannot be read: `links` is then unknown (empty), and gc keeps the build. */
  linksError?: LinksError;
}

export function listBuilds(root: string): BuildPaths[] {
  const names = namesIn(root);
  return names
    .filter((n) => BUILD_DIR_PATTERN.test(n))
    .sort()
    .map((n) => buildPaths(root, n.slice("_env_".length)));
}

export function envStatus(p: BuildPaths, withSize = true): EnvStatus {
  const lock = lockState(p);
  const state: BuildState = exists(p.done)
    ? exists(envPythonPath(p))
      ? "done"
      : "broken"
    : lock.state === "held"
      ? "building"
      : lock.state === "stale"
        ? "stale"
        : "failed";
  const meta = readMeta(p);
  const links = liveLinks(p);
  return {
    hash: p.hash,
    dir: p.dir,
    state,
    sizeBytes: withSize ? treeSize(p.dir) : 0,
    source: meta?.source,
    configFile: meta?.configFile,
    builtAt: meta?.builtAt,
    owner: lock.owner,
    links: links.unwrapOr([]),
    ...(links.isErr() ? { linksError: links.error } : {}),
  };
}

/** Builds nothing points at: safe to delete. A build in progress, or one whose links are unknown, never is. */
export function isGarbage(s: EnvStatus): boolean {
  return s.links.length === 0 && s.linksError === undefined && s.state !== "building";
}

