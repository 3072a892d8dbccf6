// The install step that runs before envs are built: fetch the node packs that the root files
// of the packs being installed ask for ([node_reqs] / [node_packs]), and hand back the fetched
// packs so that their envs are installed like the caller's.
import { findEnvs, type FoundPack } from "./find.ts";
import type { ConfigError } from "../config/types.ts";
import { mentionsNodePacks } from "../nodepacks/mentions.ts";
import type { NodePackResult } from "../nodepacks/types.ts";
import { readText } from "../util/fs.ts";
import { err, ok, type Result } from "../util/result.ts";
import type { Reporter } from "./reporter.ts";

export interface NodePackStep {
  /** Fetched or found packs not already being installed, to build as well. */
  packs: FoundPack[];
  /** What was cloned, found or failed, in the order the root files name them. */
  results: NodePackResult[];
}

export async function installNodePacks(found: FoundPack[], reporter: Reporter): Promise<Result<NodePackStep, ConfigError>> {
  // An unreadable root file mentions nothing here; the build step reports it.
  const rootFiles = found.flatMap((p) => (p.root && mentionsNodePacks(readText(p.root.path).unwrapOr("")) ? [p.root.path] : []));
  if (rootFiles.length === 0) return ok({ packs: [], results: [] });
  const { fetchNodePacks } = await import("../nodepacks/fetch.ts");
  const fetched = await fetchNodePacks(rootFiles, {
    onFetch: (name, source) => reporter.info(`${name}: fetching ${source}`),
    onResult: (r) => {
      if (r.outcome !== "failed") reporter.info(`${r.name}: ${r.outcome === "cloned" ? "installed into" : "already in"} ${r.dir}`);
    },
  });
  if (fetched.isErr()) return err(fetched.error);

  const known = new Set(found.map((p) => p.packDir));
  const packs: FoundPack[] = [];
  for (const r of fetched.value) {
    if (r.error) {
      reporter.nodePackFailed({ ...r, error: r.error });
      continue;
    }
    if (known.has(r.dir)) continue;
    known.add(r.dir);
    // A pack without comfy-env configs (most plain node packs) has nothing to build.
    const envs = findEnvs([r.dir]);
    if (envs.isOk()) packs.push(...envs.value);
    else if (envs.error.kind !== "no-config") return err(envs.error);
  }
  return ok({ packs, results: fetched.value });
}
