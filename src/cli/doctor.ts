import fs from "node:fs";
import path from "node:path";
import { lstatOrUndefined, walkTree } from "../util/fs.ts";
import { findEnvs } from "../install/find.ts";
import { cacheRoot } from "../cache/root.ts";
import { envStatus, listBuilds } from "../cache/status.ts";
import { listPacks } from "../config/discover.ts";
import { PYTORCH_INDEX } from "../detect/versions.ts";
import { pixiAsset, pixiAssetUrl, pixiInstallPath, PIXI_DEFAULT_BASE_URL } from "../pixi/download.ts";
import { findPixi } from "../pixi/find.ts";
import { bridgeStatus, probePython } from "../bridge/install.ts";
import { readEnv } from "../util/env.ts";
import { probeReachable } from "../util/http.ts";
import { homeDir, hostOs, hostPixiPlatform } from "../util/platform.ts";
import { findPortableNear } from "../util/portable.ts";
import { wheelsIndexUrl } from "../wheels/resolve.ts";
import { openCommand, stringFlag } from "./args.ts";
import { errorDoc } from "./document.ts";
import { describeHttpError } from "./errors/network.ts";
import { EXIT } from "./exit.ts";
import { formatBytes } from "./format.ts";
import type { Output } from "./output.ts";
import { reportError } from "./render-error.ts";
import { importNodeFolder, writeBridgePackage } from "./test-pack.ts";

export const DOCTOR_HELP = `Usage: comfy-env doctor [--root DIR] [--comfyui DIR [--python PY]] [--offline] [--json]

Answer "why does this not work" and "where did my disk go": each check prints its status
(ok, warn, fail) and, when not ok, the fix.
  tools     pixi (found, or the release install would download), git
  network   the hosts a build needs (pixi releases, PyTorch index, CUDA-wheel index, conda-forge),
            through HTTPS_PROXY/NO_PROXY; --offline skips these
  cache     the cache root: writable, free space, on the same file system as pixi's package
            cache (hardlinks work only then)
  envs      each cached env: state, size unique to it and shared through hardlinks, its links
  comfyui   with --comfyui DIR: the bridge in ComfyUI's Python (PY, or its portable Python), and
            each isolated folder of its packs imported in its env as its worker would
Exit 1 if any check fails.`;

type Status = "ok" | "warn" | "fail";

export interface Check {
  group: "tools" | "network" | "cache" | "envs" | "comfyui";
  name: string;
  status: Status;
  summary: string;
  fix?: string;
  details?: Record<string, unknown>;
}

const PROBE_TIMEOUT_MS = 5000;
const LOW_SPACE_BYTES = 20 * 1024 ** 3;

function toolChecks(root: string): Check[] {
  const checks: Check[] = [];
  const pixi = findPixi([path.dirname(pixiInstallPath(path.join(root, ".tools")))]);
  if (pixi.isOk()) checks.push({ group: "tools", name: "pixi", status: "ok", summary: pixi.value });
  else if (pixi.error.override) checks.push({ group: "tools", name: "pixi", status: "fail", summary: `COMFY_ENV_PIXI=${pixi.error.override} is not an executable file`, fix: "fix or unset COMFY_ENV_PIXI" });
  else {
    const asset = pixiAsset(hostPixiPlatform());
    checks.push(
      asset
        ? { group: "tools", name: "pixi", status: "ok", summary: `not installed; the first build downloads ${pixiAssetUrl(readEnv("COMFY_ENV_PIXI_URL") ?? PIXI_DEFAULT_BASE_URL, asset)}` }
        : { group: "tools", name: "pixi", status: "fail", summary: `not found, and no pinned pixi download for ${hostPixiPlatform()}`, fix: "install pixi (https://pixi.sh) and set COMFY_ENV_PIXI to its path" },
    );
  }
  const git = Bun.which("git");
  checks.push(git ? { group: "tools", name: "git", status: "ok", summary: git } : { group: "tools", name: "git", status: "warn", summary: "not on PATH", fix: "install git: packs that depend on other node packs are cloned with it" });
  return checks;
}

/** The hosts a build downloads from, as configured (mirrors included). */
function buildHosts(): { name: string; url: string }[] {
  const asset = pixiAsset(hostPixiPlatform());
  return [
    ...(asset ? [{ name: "pixi releases", url: pixiAssetUrl(readEnv("COMFY_ENV_PIXI_URL") ?? PIXI_DEFAULT_BASE_URL, asset) }] : []),
    { name: "PyTorch index", url: `${PYTORCH_INDEX}/` },
    { name: "CUDA-wheel index", url: wheelsIndexUrl() },
    { name: "conda-forge", url: "https://conda.anaconda.org/conda-forge/noarch/repodata.json" },
  ];
}

async function networkChecks(): Promise<Check[]> {
  const proxy = process.env.HTTPS_PROXY ?? process.env.https_proxy;
  return Promise.all(
    buildHosts().map(async (h): Promise<Check> => {
      const r = await probeReachable(h.url, PROBE_TIMEOUT_MS);
      if (r.isOk()) return { group: "network", name: h.name, status: "ok", summary: `${new URL(h.url).host} answers (HTTP ${r.value})`, details: { url: h.url } };
      return {
        group: "network",
        name: h.name,
        status: "fail",
        summary: `${new URL(h.url).host} is not reachable${proxy ? ` through the proxy ${proxy}` : ""}: ${describeHttpError(r.error)}`,
        fix: proxy ? `let the proxy reach ${new URL(h.url).host}, or add it to NO_PROXY if it is reachable directly` : "behind a proxy? set HTTPS_PROXY (and NO_PROXY for hosts to reach directly)",
        details: { url: h.url },
      };
    }),
  );
}

/** The nearest folder of `p` that exists (the cache root may not yet). */
function existingAncestor(p: string): string {
  let cur = path.resolve(p);
  while (!fs.existsSync(cur) && path.dirname(cur) !== cur) cur = path.dirname(cur);
  return cur;
}

/** pixi's package cache: PIXI_CACHE_DIR or RATTLER_CACHE_DIR, else rattler's per-OS default (https://pixi.sh/latest/reference/environment_variables/). */
export function pixiCacheDir(env: Record<string, string | undefined> = process.env): string {
  const set = env.PIXI_CACHE_DIR || env.RATTLER_CACHE_DIR;
  if (set) return path.resolve(set);
  switch (hostOs()) {
    case "windows":
      return path.join(env.LOCALAPPDATA ?? path.join(homeDir(), "AppData", "Local"), "rattler", "cache");
    case "darwin":
      return path.join(homeDir(), "Library", "Caches", "rattler", "cache");
    case "linux":
      return path.join(env.XDG_CACHE_HOME || path.join(homeDir(), ".cache"), "rattler", "cache");
  }
}

function cacheChecks(root: string, envBytes: number): Check[] {
  const checks: Check[] = [];
  const at = existingAncestor(root);
  try {
    fs.accessSync(at, fs.constants.W_OK);
    checks.push({ group: "cache", name: "root", status: "ok", summary: `${root}${at === root ? "" : " (created by the first install)"}` });
  } catch {
    checks.push({ group: "cache", name: "root", status: "fail", summary: `${at} is not writable`, fix: "choose a cache root you can write: --root DIR or COMFY_ENV_ROOT" });
  }
  const fsStat = fs.statfsSync(at);
  const free = fsStat.bavail * fsStat.bsize;
  checks.push({
    group: "cache",
    name: "free space",
    status: free < LOW_SPACE_BYTES ? "warn" : "ok",
    summary: `${formatBytes(free)} free on the cache root's file system`,
    ...(free < LOW_SPACE_BYTES ? { fix: "a CUDA torch env takes 5-10 GB: free space, run `comfy-env gc`, or move the root (COMFY_ENV_ROOT)" } : {}),
    details: { freeBytes: free },
  });
  const pixiCache = pixiCacheDir();
  const same = fs.statSync(at).dev === fs.statSync(existingAncestor(pixiCache)).dev;
  checks.push(
    same
      ? { group: "cache", name: "hardlinks", status: "ok", summary: `pixi's package cache ${pixiCache} is on the same file system: envs share package files`, details: { pixiCache, sameFileSystem: true } }
      : {
          group: "cache",
          name: "hardlinks",
          status: "warn",
          summary: `pixi's package cache ${pixiCache} is on another file system than ${root}: every env holds its own copy of each package (the ${formatBytes(envBytes)} of envs now are all copies)`,
          fix: `put pixi's cache beside the envs: export PIXI_CACHE_DIR=${path.join(root, ".pixi-cache")} (or move the root next to it with COMFY_ENV_ROOT)`,
          details: { pixiCache, sameFileSystem: false },
        },
  );
  return checks;
}

/** Bytes of `dir` only it holds (one link) and bytes shared with other envs or pixi's cache (hardlinks). */
function diskUse(dir: string): { uniqueBytes: number; sharedBytes: number } {
  let uniqueBytes = 0;
  let sharedBytes = 0;
  walkTree(dir, (e, abs) => {
    const s = e.isFile() ? lstatOrUndefined(abs) : undefined;
    if (!s) return;
    if (s.nlink > 1) sharedBytes += s.size;
    else uniqueBytes += s.size;
  });
  return { uniqueBytes, sharedBytes };
}

function envChecks(root: string): { checks: Check[]; bytes: number } {
  const checks: Check[] = [];
  let bytes = 0;
  for (const p of listBuilds(root)) {
    const s = envStatus(p, false);
    const use = diskUse(p.dir);
    bytes += use.uniqueBytes + use.sharedBytes;
    const size = `${formatBytes(use.uniqueBytes)} its own, ${formatBytes(use.sharedBytes)} shared through hardlinks`;
    const details = { hash: s.hash, dir: s.dir, state: s.state, source: s.source ?? null, links: s.links, ...use };
    const name = `_env_${s.hash}`;
    if (s.state === "stale") checks.push({ group: "envs", name, status: "warn", summary: `stale build lock (its builder died); ${size}`, fix: "rerun `comfy-env install` for its pack (it takes the lock over) or `comfy-env gc`", details });
    else if (s.state === "failed") checks.push({ group: "envs", name, status: "warn", summary: `not finished (a failed build); ${size}`, fix: `see ${path.join(s.dir, "install.log")}; \`comfy-env gc\` removes it`, details });
    else if (s.state === "building") checks.push({ group: "envs", name, status: "ok", summary: `being built${s.owner ? ` by pid ${s.owner.pid}` : ""}`, details });
    else if (s.links.length === 0) checks.push({ group: "envs", name, status: "warn", summary: `done, but no node folder links to it; ${size}`, fix: "`comfy-env gc` frees it", details });
    else checks.push({ group: "envs", name, status: "ok", summary: `done, ${s.links.length} link(s) (${s.source ?? "?"}); ${size}`, details });
  }
  return { checks, bytes };
}

async function comfyuiChecks(comfyui: string, pythonFlag: string | undefined): Promise<Check[]> {
  const checks: Check[] = [];
  const python = pythonFlag ?? findPortableNear(comfyui)?.portable.python;
  if (!python) {
    checks.push({ group: "comfyui", name: "bridge", status: "warn", summary: "ComfyUI's Python is unknown, the bridge was not checked", fix: "pass --python PY, the interpreter ComfyUI runs with" });
  } else {
    const info = probePython(python);
    if (info.isErr()) checks.push({ group: "comfyui", name: "bridge", status: "fail", summary: `cannot run ${python}`, fix: "pass --python PY, the interpreter ComfyUI runs with" });
    else {
      const b = bridgeStatus(info.value);
      const fix = `comfy-env bridge install --python ${python}`;
      if (!b.installed) checks.push({ group: "comfyui", name: "bridge", status: "fail", summary: `not installed in ${b.sitePackages}`, fix });
      else if (!b.ours) checks.push({ group: "comfyui", name: "bridge", status: "warn", summary: `a comfy_env not installed by comfy-env (${b.version ?? "?"}) is in ${b.sitePackages}`, fix: `${fix} --force` });
      else if (b.outdated) checks.push({ group: "comfyui", name: "bridge", status: "fail", summary: `bridge ${b.version ?? "?"} differs from this binary's: ComfyUI refuses its node calls`, fix });
      else checks.push({ group: "comfyui", name: "bridge", status: "ok", summary: `bridge ${b.version} in ${b.sitePackages}` });
    }
  }
  const packs = listPacks(path.resolve(comfyui));
  if (packs.isErr()) {
    checks.push({ group: "comfyui", name: "packs", status: "fail", summary: `cannot list ${path.join(comfyui, "custom_nodes")}`, fix: "--comfyui is the ComfyUI folder (holding custom_nodes)" });
    return checks;
  }
  const found = findEnvs(packs.value);
  if (found.isErr()) return [...checks, { group: "comfyui", name: "packs", status: "fail", summary: `cannot read the packs' configs: ${found.error.kind}`, fix: "`comfy-env check <pack>` shows the problem" }];
  const pyDir = writeBridgePackage();
  try {
    for (const pack of found.value) {
      for (const env of pack.envs) {
        const r = await importNodeFolder(pack.packDir, env.label, env.file.dir, pyDir, 300);
        const details = { nodeDir: r.nodeDir, envDir: r.envDir, nodes: r.nodes, ...(r.traceback ? { traceback: r.traceback } : {}) };
        if (!r.error) checks.push({ group: "comfyui", name: r.label, status: "ok", summary: `${r.nodes.length} node(s) import`, details });
        else if (!r.envDir) checks.push({ group: "comfyui", name: r.label, status: "fail", summary: r.error, fix: `comfy-env install ${pack.packDir}`, details });
        else checks.push({ group: "comfyui", name: r.label, status: "fail", summary: `import failed: ${r.error}`, fix: `the traceback names the missing or broken piece; try it by hand: comfy-env run ${r.nodeDir} -- python`, details });
      }
    }
  } finally {
    fs.rmSync(pyDir, { recursive: true, force: true });
  }
  return checks;
}

const MARK: Record<Status, string> = { ok: "✓", warn: "!", fail: "✗" };

export async function runDoctor(args: string[], base: Output): Promise<number> {
  const opened = openCommand(args, { root: { type: "string" }, comfyui: { type: "string" }, python: { type: "string" }, offline: { type: "boolean", default: false } }, DOCTOR_HELP, base);
  if (!opened.ok) return opened.exitCode;
  const { args: a, out } = opened;
  const root = cacheRoot(stringFlag(a, "root"));
  const comfyui = stringFlag(a, "comfyui");
  if (comfyui !== undefined && !fs.existsSync(comfyui)) return reportError(out, { message: `--comfyui ${comfyui}: no such folder` }, "usage", EXIT.USER_ERROR);

  const envs = envChecks(root);
  const checks = [
    ...toolChecks(root),
    ...(a.values.offline === true ? [] : await networkChecks()),
    ...cacheChecks(root, envs.bytes),
    ...envs.checks,
    ...(comfyui !== undefined ? await comfyuiChecks(comfyui, stringFlag(a, "python")) : []),
  ];
  for (const c of checks) {
    out.result(`${MARK[c.status]} ${c.group} ${c.name}: ${c.summary}`);
    if (c.fix) out.result(`    fix: ${c.fix}`);
  }
  const failed = checks.filter((c) => c.status === "fail");
  const counts = { ok: checks.filter((c) => c.status === "ok").length, warn: checks.filter((c) => c.status === "warn").length, fail: failed.length };
  out.result(`${counts.ok} ok, ${counts.warn} warning(s), ${counts.fail} failed`);
  const body = { root, checks, counts };
  const first = failed[0];
  if (!first) {
    out.document(body, EXIT.OK);
    return EXIT.OK;
  }
  out.document({ ...body, error: errorDoc({ message: `${failed.length} check(s) failed; the first: ${first.group} ${first.name}: ${first.summary}`, hints: first.fix ? [first.fix] : [] }, "check-failed") }, EXIT.USER_ERROR);
  return EXIT.USER_ERROR;
}
