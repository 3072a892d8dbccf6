import fs from "node:fs";
import path from "node:path";
import type { BuildPaths } from "./layout.ts";
import { liveLinks } from "./links.ts";
import { pidAlive, tryBuildLock, type LockError } from "./lock.ts";
import type { LinksError } from "./errors.ts";
import { namesIn, removeTree, treeSize, type FsError } from "../util/fs.ts";
import { err, ok, type Result } from "../util/result.ts";

const TRASH_PREFIX = ".gc-";

/** What gc did with one build it found unlinked. */
export type Collected = "removed" | "in-use" | "linked";

/**
 * Remove an unlinked build under its own lock: an install holds that lock until the node folder's
 * link is recorded, so a build is never removed between its `.done` and its link. Under the
 * lock the links are read again; the folder is renamed out of the cache's names first, so an
 * install waiting on it starts a fresh build instead of finding half of one.
 */
export function collectBuild(p: BuildPaths): Result<Collected, LockError | LinksError | FsError> {
  const lock = tryBuildLock(p);
  if (lock.isErr()) return err(lock.error);
  const release = lock.value;
  if (release === null) return ok("in-use");
  const links = liveLinks(p);
  if (links.isErr() || links.value.length > 0) {
    release();
    return links.isErr() ? err(links.error) : ok("linked");
  }
  const trash = path.join(path.dirname(p.dir), `${TRASH_PREFIX}${path.basename(p.dir)}-${process.pid}`);
  try {
    fs.renameSync(p.dir, trash);
  } catch {
    // Windows refuses to rename a folder something has open: remove it in place.
    return removeTree(p.dir).map(() => "removed" as const);
  }
  return removeTree(trash).map(() => "removed" as const);
}

/** A build a gc renamed out of the cache's names and did not finish removing. */
export interface Leftover {
  dir: string;
  sizeBytes: number;
}

/**
 * The `.gc-_env_<hash>-<pid>` folders of a gc that was killed while removing them: no install
 * ever uses those names, so they are only disk space. A gc that still runs keeps its own.
 */
export function leftovers(root: string): Leftover[] {
  const names = namesIn(root);
  return names.flatMap((n) => {
    const m = /^\.gc-_env_[0-9a-f]+-(\d+)$/.exec(n);
    if (!m || pidAlive(Number(m[1]))) return [];
    const dir = path.join(root, n);
    return [{ dir, sizeBytes: treeSize(dir) }];
  });
}
