// Puts the node packs that root files ask for into custom_nodes, recursively through the
// fetched packs' own root files, as 0.4.x does. A folder already there counts as installed;
// a fetch goes to a hidden temporary folder renamed into place only when complete, so a
// broken clone never looks installed (and `install --all` never takes it for a pack).
import fs from "node:fs";
import path from "node:path";
import { loadConfigFile, ROOT_FILE_NAME } from "../config/parse.ts";
import type { ConfigError, NodeReq } from "../config/types.ts";
import { exists, removeTree } from "../util/fs.ts";
import { onInterrupt } from "../util/interrupt.ts";
import { err, messageOf, ok, type Result } from "../util/result.ts";
import { gitClone } from "./git.ts";
import { mentionsNodePacks } from "./mentions.ts";
import { fetchFromRegistry } from "./registry.ts";
import { describeSource, packSource } from "./source.ts";
import type { NodePackResult, PackSource } from "./types.ts";

export interface FetchOptions {
  env?: Record<string, string | undefined>;
  /** Called before each fetch starts, for progress lines. */
  onFetch?: (name: string, source: string) => void;
  /** Called as each entry is settled. */
  onResult?: (r: NodePackResult) => void;
}

/**
 * Fetch what `rootFiles` (the packs being installed) ask for. A broken root file of one of
 * those packs is an error; one of a fetched pack makes that entry failed, and the rest go on.
 */
export async function fetchNodePacks(rootFiles: string[], opts: FetchOptions = {}): Promise<Result<NodePackResult[], ConfigError>> {
  const env = opts.env ?? process.env;
  const results: NodePackResult[] = [];
  // Packs whose root file was read (a cycle back to one is skipped), and folders already settled.
  const read = new Set<string>();
  const settled = new Set<string>();
  const queue = rootFiles.map((file) => ({ file: path.resolve(file), own: true }));
  while (queue.length > 0) {
    const { file, own } = queue.shift() as { file: string; own: boolean };
    const packDir = path.dirname(file);
    if (read.has(packDir)) continue;
    read.add(packDir);
    const loaded = loadConfigFile(file, "root");
    if (loaded.isErr()) {
      if (own) return err(loaded.error);
      const failed = results.find((r) => r.dir === packDir);
      if (failed) Object.assign(failed, { outcome: "failed", error: { kind: "dependency-config", pack: failed.name, error: loaded.error } });
      continue;
    }
    if (loaded.value.role !== "root") continue;
    for (const req of loaded.value.config.nodeReqs) {
      const dir = path.join(path.dirname(packDir), req.name);
      if (read.has(dir) || settled.has(dir)) continue;
      settled.add(dir);
      const r = await settle(req, dir, file, env, opts);
      results.push(r);
      opts.onResult?.(r);
      const depRoot = path.join(dir, ROOT_FILE_NAME);
      if (r.outcome !== "failed" && exists(depRoot) && mentionsNodePacks(fs.readFileSync(depRoot, "utf8"))) queue.push({ file: depRoot, own: false });
    }
  }
  return ok(results);
}

async function settle(req: NodeReq, dir: string, requiredBy: string, env: Record<string, string | undefined>, opts: FetchOptions): Promise<NodePackResult> {
  const src = packSource(req, env);
  const base = { name: req.name, dir, source: describeSource(src), requiredBy };
  if (exists(dir)) return { ...base, outcome: "found" };
  opts.onFetch?.(req.name, base.source);
  const tmp = path.join(path.dirname(dir), `.${req.name}.comfy-env-${process.pid}.tmp`);
  removeTree(tmp);
  // Stopped by a signal, the half-fetched folder goes too (ComfyUI would try to import it).
  const unregister = onInterrupt(() => void removeTree(tmp));
  try {
    return await fetchAndMove(req, src, tmp, dir, env, base);
  } finally {
    unregister();
  }
}

/** Fetch into `tmp`, then rename it to `dir`. */
async function fetchAndMove(req: NodeReq, src: PackSource, tmp: string, dir: string, env: Record<string, string | undefined>, base: Omit<NodePackResult, "outcome">): Promise<NodePackResult> {
  const fetched = await (src.kind === "git" ? gitClone(req.name, src, tmp, dir, env) : fetchFromRegistry(req.name, src, tmp));
  if (fetched.isErr()) {
    removeTree(tmp);
    return { ...base, outcome: "failed", error: fetched.error };
  }
  try {
    fs.renameSync(tmp, dir);
  } catch (e) {
    removeTree(tmp);
    // Another install put it there meanwhile: that copy is complete too.
    if (exists(dir)) return { ...base, outcome: "found" };
    return { ...base, outcome: "failed", error: { kind: "pack-write-failed", pack: req.name, path: dir, message: messageOf(e) } };
  }
  return { ...base, outcome: "cloned" };
}
