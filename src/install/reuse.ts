import path from "node:path";
import { buildDigest, buildNames, configDigest, type BuildIdentity } from "../cache/hash.ts";
import { buildPaths, envPythonPath, LAYOUT, type BuildPaths } from "../cache/layout.ts";
import { readMeta, type BuildMeta } from "../cache/meta.ts";
import { selectTorchBuild } from "../detect/versions.ts";
import { readLink } from "../link/index.ts";
import { exists, namesIn } from "../util/fs.ts";
import type { FoundEnv } from "./find.ts";
import type { BuildRequest } from "./request.ts";

/** A finished build of one config, as its meta records it. */
export interface DoneBuild {
  paths: BuildPaths;
  meta: BuildMeta;
}

/** `.done` and the env's Python both there: a usable build. A cheap check, one stat each. */
export function isUsable(p: BuildPaths): boolean {
  return exists(p.done) && exists(envPythonPath(p));
}

/** The `_env_*` links in a node folder that point into builds of `root`, with those builds. */
export function linkedBuilds(nodeDir: string, root: string): { link: string; paths: BuildPaths }[] {
  const names = namesIn(nodeDir).filter((n) => n.startsWith("_env_"));
  const found: { link: string; paths: BuildPaths }[] = [];
  for (const n of names.sort()) {
    const link = path.join(nodeDir, n);
    const target = readLink(link);
    if (target === undefined) continue;
    // A link points at <root>/_env_<id>/.pixi/envs/default.
    const env = path.resolve(nodeDir, target);
    const dir = path.resolve(env, ...LAYOUT.env.split(path.sep).map(() => ".."));
    if (path.dirname(dir) !== path.resolve(root) || !path.basename(dir).startsWith("_env_")) continue;
    found.push({ link, paths: buildPaths(root, path.basename(dir).slice("_env_".length)) });
  }
  return found;
}

/**
 * The build this config currently uses on this machine: the one its folder links to, else the
 * one under its 6-hex name, if either is a build of these very bytes for this platform. Its
 * meta holds the decision it was made for; `usable` is false when its env was deleted.
 */
export function currentBuild(env: FoundEnv, root: string, platform: string): (DoneBuild & { usable: boolean }) | undefined {
  const want = configDigest(env.bytes);
  const candidates = [...linkedBuilds(env.file.dir, root).map((l) => l.paths), buildPaths(root, env.hash)];
  for (const p of candidates) {
    if (!exists(p.done)) continue;
    const meta = readMeta(p);
    if (meta?.configDigest === want && meta.identity?.platform === platform) return { paths: p, meta, usable: isUsable(p) };
  }
  return undefined;
}

/**
 * The meta of a build the folder links to from an earlier config: a new config keeps the
 * decision the folder was built for (no detection) unless the run asks for another.
 */
export function folderPrior(env: FoundEnv, root: string, platform: string): BuildMeta | undefined {
  for (const { paths } of linkedBuilds(env.file.dir, root)) {
    const meta = readMeta(paths);
    if (meta?.identity?.platform === platform) return meta;
  }
  return undefined;
}

/**
 * The identity the request asks for, starting from what `current` was made for; undefined
 * when it cannot be known without parsing or detection (a new host Python, a CUDA/Python
 * combination without torch: the slow path decides and reports).
 */
export function requestedIdentity(current: BuildMeta, request: BuildRequest, hostVersion: (python: string) => string | undefined): BuildIdentity | undefined {
  const was = current.identity;
  const cuda = request.cuda === undefined || current.identity.platform.startsWith("osx") ? was.cuda : request.cuda.cuda;
  let python = was.python;
  if (current.pythonFromHost && request.python !== undefined && request.python !== current.hostPython) {
    const v = hostVersion(request.python);
    if (v === undefined) return undefined;
    python = v;
  }
  if (cuda === was.cuda && python === was.python) return was;
  if (was.torch === null) return { ...was, cuda, python };
  const torch = selectTorchBuild(cuda, python);
  if (torch.isErr()) return undefined;
  return { ...was, cuda, python, variant: torch.value.variant, torch: torch.value.family.torch };
}

/** A usable build of these bytes with exactly this identity, under any of its names. */
export function findBuild(env: FoundEnv, root: string, id: BuildIdentity): DoneBuild | undefined {
  const digest = buildDigest(env.bytes, id);
  for (const name of buildNames(env.bytes, digest)) {
    const p = buildPaths(root, name);
    if (!isUsable(p)) continue;
    const meta = readMeta(p);
    if (meta?.digest === digest) return { paths: p, meta };
  }
  return undefined;
}
