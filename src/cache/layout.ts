import path from "node:path";
import { envDirName } from "./hash.ts";
import { envPythonRelPath, hostOs, type OsFamily } from "../util/platform.ts";

/** File and folder names inside one build folder `<root>/_env_<hash>/` (the Python comfy-env's layout, docs/reference.md §7). */
export const LAYOUT = {
  /** Present = the build finished; the only thing the fast path checks. */
  done: ".done",
  /** Build lock: created with an atomic mkdir, holds owner.json. */
  building: ".building",
  lockOwner: "owner.json",
  log: "install.log",
  meta: ".comfy-env-meta.json",
  manifest: "pixi.toml",
  /** The environment pixi creates; node folders link here. */
  env: path.join(".pixi", "envs", "default"),
  /** UV_PYTHON_INSTALL_DIR sink, so uv never downloads its own Python. */
  noPython: "_no_python",
  /** One file per node-folder link that points at this build (for status and gc). */
  links: ".links",
  /** Every CA the installers trust, written when a CA variable is set (util/tls.ts). */
  caBundle: "ca-bundle.pem",
} as const;

export interface BuildPaths {
  hash: string;
  dir: string;
  done: string;
  building: string;
  owner: string;
  log: string;
  meta: string;
  manifest: string;
  env: string;
  noPython: string;
  links: string;
  caBundle: string;
}

export function buildPaths(root: string, hash: string): BuildPaths {
  const dir = path.join(root, envDirName(hash));
  return {
    hash,
    dir,
    done: path.join(dir, LAYOUT.done),
    building: path.join(dir, LAYOUT.building),
    owner: path.join(dir, LAYOUT.building, LAYOUT.lockOwner),
    log: path.join(dir, LAYOUT.log),
    meta: path.join(dir, LAYOUT.meta),
    manifest: path.join(dir, LAYOUT.manifest),
    env: path.join(dir, LAYOUT.env),
    noPython: path.join(dir, LAYOUT.noPython),
    links: path.join(dir, LAYOUT.links),
    caBundle: path.join(dir, LAYOUT.caBundle),
  };
}

/** `_env_<6, 16 or 64 hex>` (see buildNames in hash.ts): the names status and gc consider to be builds. */
export const BUILD_DIR_PATTERN = /^_env_(?:[0-9a-f]{6}|[0-9a-f]{16}|[0-9a-f]{64})$/;

/** The env's Python executable: a `.done` build without it was damaged (its `.pixi` deleted). */
export function envPythonPath(p: BuildPaths, os: OsFamily = hostOs()): string {
  return path.join(p.env, envPythonRelPath(os));
}
