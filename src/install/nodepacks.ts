// The install step that runs before envs are built: fetch the node packs that the root files
// of the packs being installed ask for ([node_reqs] / [node_packs]), and hand back the fetched
// packs so that their envs are installed like the caller's.
import fs from "node:fs";
import { findEnvs, type FoundPack } from "./find.ts";
import type { ConfigError } from "../config/types.ts";
import { mentionsNodePacks } from "../nodepacks/mentions.ts";
import type { NodePackResult } from "../nodepacks/types.ts";
import { err, ok, type Result } from "../util/result.ts";
import { nodePackExitCode, renderNodePackError } from "../cli/errors/nodepacks.ts";
import { EXIT, type ExitCode } from "../cli/exit.ts";
import type { Output } from "../cli/output.ts";
import { errorDoc, type ErrorDoc } from "../cli/document.ts";
import { printError } from "../cli/render-error.ts";

export interface NodePackStep {
  /** Fetched or found packs not already being installed, to build as well. */
  packs: FoundPack[];
  /** For --json: what was cloned, found or failed. */
  json: unknown[];
  /** Of the first failure, else OK. */
  exitCode: ExitCode;
  /** The first failure, for install's --json `error` when no env failed. */
  firstError?: ErrorDoc;
}

export async function installNodePacks(found: FoundPack[], out: Output): Promise<Result<NodePackStep, ConfigError>> {
  const rootFiles = found.flatMap((p) => (p.root && mentionsNodePacks(readOr(p.root.path)) ? [p.root.path] : []));
  if (rootFiles.length === 0) return ok({ packs: [], json: [], exitCode: EXIT.OK });
  const { fetchNodePacks } = await import("../nodepacks/fetch.ts");
  const fetched = await fetchNodePacks(rootFiles, {
    onFetch: (name, source) => out.info(`${name}: fetching ${source}`),
    onResult: (r) => {
      if (r.outcome !== "failed") out.info(`${r.name}: ${r.outcome === "cloned" ? "installed into" : "already in"} ${r.dir}`);
    },
  });
  if (fetched.isErr()) return err(fetched.error);

  const known = new Set(found.map((p) => p.packDir));
  const packs: FoundPack[] = [];
  let exitCode: ExitCode = EXIT.OK;
  let firstError: ErrorDoc | undefined;
  for (const r of fetched.value) {
    if (r.error) {
      out.error(`${r.name}: node pack not installed (asked for by ${r.requiredBy})`);
      printError(out, renderNodePackError(r.error));
      if (exitCode === EXIT.OK) {
        exitCode = nodePackExitCode(r.error);
        firstError = errorDoc(renderNodePackError(r.error), r.error.kind);
      }
      continue;
    }
    if (known.has(r.dir)) continue;
    known.add(r.dir);
    // A pack without comfy-env configs (most plain node packs) has nothing to build.
    const envs = findEnvs([r.dir]);
    if (envs.isOk()) packs.push(...envs.value);
    else if (envs.error.kind !== "no-config") return err(envs.error);
  }
  return ok({ packs, json: fetched.value.map(toJson), exitCode, ...(firstError ? { firstError } : {}) });
}

function toJson(r: NodePackResult): unknown {
  const { error, ...rest } = r;
  if (!error) return rest;
  return { ...rest, exitCode: nodePackExitCode(error), error: errorDoc(renderNodePackError(error), error.kind) };
}

function readOr(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return ""; // unreadable: the build step reports it
  }
}
