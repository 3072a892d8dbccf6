import path from "node:path";
import { discoverPack, listPacks } from "../config/discover.ts";
import { cacheRoot } from "../cache/root.ts";
import { runInstallPipeline } from "../install/index.ts";
import { parseRequest } from "../install/request.ts";
import type { NodePackResult } from "../nodepacks/types.ts";
import { interruptExitCode } from "../util/interrupt.ts";
import { findPortableNear, isInside, type Portable } from "../util/portable.ts";
import { openCommand, stringFlag } from "./args.ts";
import { renderConfigWarning } from "./errors/config.ts";
import { errorDocOf, exitCodeOf, printError, renderError, reportError, type CliError } from "./errors/index.ts";
import { EXIT } from "./exit.ts";
import { InstallReporter } from "./install-report.ts";
import type { Output } from "./output.ts";

export const INSTALL_HELP = `Usage: comfy-env install [PACK_DIR...] [options]

Build the environment of every comfy-env.toml in each node pack (default: the current
folder) and link it into its node folder as _env_<hash>. Run with no PACK_DIR in or beside
a ComfyUI Windows portable folder (or with comfy-env.exe placed there), it installs every pack
of that ComfyUI, for its python_embeded. Node packs a pack's comfy-env-root.toml names in
[node_reqs] are cloned into custom_nodes first (git on PATH; COMFY_ENV_GIT_BASE for a mirror).

Options:
  --all COMFYUI_DIR   every pack under COMFYUI_DIR/custom_nodes
  --root DIR          cache root (default ~/.ce; on Windows C:/ce, or <drive>:/ce for a
                      ComfyUI on another drive; env COMFY_ENV_ROOT)
  --python PATH       host Python whose version pins configs without a python key
  --cuda X.Y|none     build for this CUDA version, or CPU (default: what the env was
                      built for; detected for a first build)
  --refresh           re-detect CUDA and the host Python instead of keeping what each env
                      was built for (builds that match are still reused)
  --force             rebuild every env from scratch, beside its current build; the link
                      moves to the new build once it is done
  --json              one JSON document on stdout
  -q, --quiet         errors only
  -v, --verbose       show pixi output instead of a progress line`;

export async function runInstall(args: string[], base: Output): Promise<number> {
  const opened = openCommand(args, {
    all: { type: "string" },
    root: { type: "string" },
    python: { type: "string" },
    cuda: { type: "string" },
    refresh: { type: "boolean", default: false },
    force: { type: "boolean", default: false },
  }, INSTALL_HELP, base);
  if (!opened.ok) return opened.exitCode;
  const { args: a, out } = opened;

  const portable = a.positionals.length === 0 && stringFlag(a, "all") === undefined ? portableDefault(process.cwd()) : undefined;
  if (portable) out.info(`ComfyUI portable at ${portable.root}: installing the packs in ${portable.customNodes}`);
  const all = stringFlag(a, "all") ?? portable?.comfyui;
  let packDirs = a.positionals.length > 0 ? a.positionals : all ? [] : [process.cwd()];
  if (all) {
    const packs = listPacks(path.resolve(all));
    if (packs.isErr()) return reportError(out, { kind: "config", error: packs.error });
    packDirs = [...packDirs, ...packs.value];
  }
  // Flags and COMFY_ENV_CUDA_VERSION are checked on every path, built envs or not.
  const request = parseRequest({
    cuda: stringFlag(a, "cuda"),
    python: stringFlag(a, "python") ?? portable?.python,
    refresh: a.values.refresh === true,
    force: a.values.force === true,
  });
  if (request.isErr()) return reportError(out, request.error);
  // The ComfyUI being installed decides the default root's drive on Windows.
  const root = cacheRoot(stringFlag(a, "root"), process.env, portable?.root ?? packDirs[0] ?? all);

  const run = await runInstallPipeline({ ...request.value, root }, packDirs, new InstallReporter(out));
  if (run.isErr()) return reportError(out, run.error);
  // What failed after a signal failed because of it: the handler says so and sets the exit code.
  const signalled = interruptExitCode();
  if (signalled !== null) return signalled;
  const { results, failures, warnings, decision, nodePacks } = run.value;
  for (const f of failures) {
    // A link error comes after a finished build: say so, not "not built".
    out.error(`${f.label}: ${f.error.kind === "link" ? "environment built, not linked" : "environment not built"}`);
    printError(out, renderError(f.error));
  }

  const first = failures[0];
  const packFailure = nodePacks.find((r) => r.error !== undefined)?.error;
  // The first failure decides the exit code, so it is the document's error.
  const failed: CliError | undefined = first ? first.error : packFailure ? { kind: "nodepack", error: packFailure } : undefined;
  const exitCode = failed ? exitCodeOf(failed) : EXIT.OK;
  out.document(
    {
      root,
      decision,
      nodePacks: nodePacks.map(nodePackDoc),
      envs: results.map((r) => ({ ...r, seconds: Math.round(r.seconds * 1000) / 1000 })),
      failures: failures.map((f) => ({ label: f.label, exitCode: exitCodeOf(f.error), error: errorDocOf(f.error) })),
      warnings: warnings.map((w) => ({ ...w, text: renderConfigWarning(w) })),
      ...(failed ? { error: errorDocOf(failed) } : {}),
    },
    exitCode,
  );
  return exitCode;
}

function nodePackDoc(r: NodePackResult): unknown {
  const { error, ...rest } = r;
  if (!error) return rest;
  const e: CliError = { kind: "nodepack", error };
  return { ...rest, exitCode: exitCodeOf(e), error: errorDocOf(e) };
}

/**
 * No PACK_DIR and no --all: a ComfyUI portable found from cwd (unless cwd is one of its packs),
 * or one beside comfy-env.exe when cwd is not a pack, means `--all <its ComfyUI>`.
 */
function portableDefault(cwd: string): Portable | undefined {
  const near = findPortableNear(cwd);
  if (!near) return undefined;
  if (near.from === "cwd") return isInside(cwd, near.portable.customNodes) ? undefined : near.portable;
  const here = discoverPack(cwd);
  return here.isErr() && here.error.kind === "no-config" ? near.portable : undefined;
}
