import path from "node:path";
import { envDirName } from "../cache/hash.ts";
import type { BuildPaths } from "../cache/layout.ts";
import { recordLink } from "../cache/links.ts";
import { ensureLink } from "../link/index.ts";
import { exists, removeTree } from "../util/fs.ts";
import { err, ok, type Result } from "../util/result.ts";
import type { BuildError } from "./errors.ts";

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
