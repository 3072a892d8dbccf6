import path from "node:path";
import { discoverPack, listPacks } from "../config/discover.ts";
import { cacheRoot } from "../cache/root.ts";
import { writeStatusScripts } from "../cache/scripts.ts";
import { buildEnv, type BuildContext, type EnvBuildResult } from "../build/env.ts";
import type { BuildError } from "../build/errors.ts";
import { decideCudaTarget, hostPythonPin, type CudaTarget } from "../build/decide.ts";
import { planPacks } from "../build/plan.ts";
import { findPixi } from "../pixi/find.ts";
import { ensurePixiDownloaded, pixiInstallPath, PIXI_VERSION } from "../pixi/download.ts";
import { formatBytes } from "./format.ts";
import { readEnv } from "../util/env.ts";
import { hostGlibc, hostPixiPlatform } from "../util/platform.ts";
import { findPortableNear, isInside, type Portable } from "../util/portable.ts";
import type { Result } from "../util/result.ts";
import { openCommand, stringFlag } from "./args.ts";
import { renderConfigWarning } from "./errors/config.ts";
import { EXIT } from "./exit.ts";
import type { Output } from "./output.ts";
import { errorJson, exitCodeOf, printError, renderBuildError } from "./render-error.ts";

export const INSTALL_HELP = `Usage: comfy-env install [PACK_DIR...] [options]

Build the environment of every comfy-env.toml in each node pack (default: the current
folder) and link it into its node folder as _env_<hash>. Run with no PACK_DIR in or beside
a ComfyUI Windows portable folder (or with comfy-env.exe placed there), it installs every pack
of that ComfyUI, for its python_embeded.

Options:
  --all COMFYUI_DIR   every pack under COMFYUI_DIR/custom_nodes
  --root DIR          cache root (default ~/.ce, C:/ce on Windows; env COMFY_ENV_ROOT)
  --python PATH       host Python whose version pins configs without a python key
  --cuda X.Y|none     build for this CUDA version, or CPU (default: detected)
  --json              one JSON document on stdout
  -q, --quiet         errors only
  -v, --verbose       show pixi output instead of a progress line`;

const DEFAULT_LOCK_TIMEOUT_S = 1800;

function memo<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value;
  };
}

export async function runInstall(args: string[], base: Output): Promise<number> {
  const opened = openCommand(args, {
    all: { type: "string" },
    root: { type: "string" },
    python: { type: "string" },
    cuda: { type: "string" },
  }, INSTALL_HELP, base);
  if (!opened.ok) return opened.exitCode;
  const { args: a, out } = opened;

  const portable = a.positionals.length === 0 && stringFlag(a, "all") === undefined ? portableDefault(process.cwd()) : undefined;
  if (portable) out.info(`ComfyUI portable at ${portable.root}: installing the packs in ${portable.customNodes}`);
  const all = stringFlag(a, "all") ?? portable?.comfyui;
  let packDirs = a.positionals.length > 0 ? a.positionals : all ? [] : [process.cwd()];
  if (all) {
    const packs = listPacks(path.resolve(all));
    if (packs.isErr()) return fail(out, packs.error);
    packDirs = [...packDirs, ...packs.value];
  }
  const plans = planPacks(packDirs);
  if (plans.isErr()) return fail(out, plans.error);
  const warnings = plans.value.flatMap((p) => p.warnings);
  for (const w of warnings) out.warn(renderConfigWarning(w));

  const root = cacheRoot(stringFlag(a, "root"));
  const cudaFlag = stringFlag(a, "cuda");
  const pythonFlag = stringFlag(a, "python") ?? portable?.python;
  let decisionLine: string | undefined;
  const decide = memo(async (): Promise<Result<CudaTarget, BuildError>> => {
    const d = await decideCudaTarget(cudaFlag, pythonFlag);
    if (d.isOk()) {
      decisionLine = `building for ${d.value.cuda === null ? "CPU" : `CUDA ${d.value.cuda} (${d.value.variant})`}: ${d.value.reason}`;
      out.info(decisionLine);
    }
    return d;
  });
  const ctx: BuildContext = {
    root,
    platform: hostPixiPlatform(),
    glibc: hostGlibc(),
    cuda: decide,
    hostPython: memo(() => hostPythonPin(pythonFlag)),
    pixi: memo(() => pixiOrDownload(out, path.join(root, TOOLS_DIR))),
    lockTimeoutMs: Number(readEnv("COMFY_ENV_LOCK_TIMEOUT") ?? DEFAULT_LOCK_TIMEOUT_S) * 1000,
    onProgress: (label, line) => (out.verbose ? out.debug(`[${label}] ${line}`) : out.progress(`[${label}] ${line}`)),
    onWarn: (label, message) => out.warn(`${label}: ${message}`),
    onWait: (label, owner) =>
      out.info(`${label}: waiting for another install${owner ? ` (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt})` : ""}`),
  };

  const results: EnvBuildResult[] = [];
  const failures: { label: string; error: BuildError }[] = [];
  for (const plan of plans.value) {
    if (plan.envs.length === 0) out.info(`${path.basename(plan.packDir)}: no comfy-env.toml, nothing to build`);
    for (const env of plan.envs) {
      const r = await buildEnv(env, ctx);
      out.clearProgress();
      if (r.isErr()) {
        failures.push({ label: env.label, error: r.error });
        out.error(`${env.label}: environment not built`);
        printError(out, renderBuildError(r.error));
        continue;
      }
      results.push(r.value);
      const how = r.value.outcome === "built" ? `built in ${r.value.seconds.toFixed(1)}s` : r.value.outcome === "waited" ? "built by another process" : "up to date";
      out.result(`✓ ${env.label} → ${path.basename(r.value.link)} (${how})`);
    }
  }
  const scripts = writeStatusScripts(root);
  if (scripts.isErr() && results.length > 0) out.warn(`cannot write status scripts: ${scripts.error.message}`);

  const exitCode = failures.length === 0 ? EXIT.OK : exitCodeOf((failures[0] as { error: BuildError }).error);
  if (out.json) {
    out.data({
      ok: failures.length === 0,
      root,
      decision: decisionLine ?? null,
      envs: results.map((r) => ({ ...r, seconds: Math.round(r.seconds * 1000) / 1000 })),
      errors: failures.map((f) => ({ env: f.label, ...(errorJson(renderBuildError(f.error), f.error.kind, exitCodeOf(f.error)) as object) })),
      warnings: warnings.map((w) => ({ ...w, text: renderConfigWarning(w) })),
      exitCode,
    });
  }
  return exitCode;
}

/** Where comfy-env keeps tools it downloads (pixi), inside the cache root. */
const TOOLS_DIR = ".tools";

/** pixi from the machine, else the pinned release downloaded and verified into the cache. */
async function pixiOrDownload(out: Output, toolsDir: string): Promise<Result<string, BuildError>> {
  const found = findPixi([path.dirname(pixiInstallPath(toolsDir))]);
  if (found.isOk() || found.error.override) return found;
  out.info(`pixi not found; downloading pixi ${PIXI_VERSION}`);
  const got = await ensurePixiDownloaded({
    toolsDir,
    onProgress: (done, total) => out.progress(`downloading pixi ${PIXI_VERSION}: ${formatBytes(done)}${total ? ` of ${formatBytes(total)}` : ""}`),
  });
  out.clearProgress();
  return got;
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

function fail(out: Output, e: BuildError): number {
  const r = renderBuildError(e);
  printError(out, r);
  if (out.json) out.data(errorJson(r, e.kind, exitCodeOf(e)));
  return exitCodeOf(e);
}
