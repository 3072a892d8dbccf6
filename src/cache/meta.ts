import fs from "node:fs";
import type { BuildPaths } from "./layout.ts";
import type { BuildIdentity } from "./hash.ts";
import { writeFileAtomic, type FsError } from "../util/fs.ts";
import type { Result } from "../util/result.ts";

/** `.comfy-env-meta.json`: what a build was made from, for the fast path, status and humans. */
export interface BuildMeta {
  /** The build folder's name suffix (6, 16 or 64 hex). */
  hash: string;
  /** buildDigest: config bytes + tool version + identity. The fast path compares it. */
  digest: string;
  /** configDigest: config bytes + tool version, so a link's build can be matched to a config. */
  configDigest: string;
  identity: BuildIdentity;
  /** True when the config has no python pin and identity.python is the host's. */
  pythonFromHost: boolean;
  /** The host interpreter that decided identity.python (pythonFromHost only). */
  hostPython?: string;
  toolVersion: string;
  /** Node folder the build was first made for. */
  source: string;
  configFile: string;
  configContent: string;
  platform: string;
  python: string;
  /** "cu128", "cpu"... */
  torchVariant: string;
  /** Wheels (file names) or PyPI names installed from `[cuda]` after pixi. */
  cudaWheels: string[];
  builtAt: string;
  buildSeconds: number;
}

export function writeMeta(p: BuildPaths, meta: BuildMeta): Result<void, FsError> {
  return writeFileAtomic(p.meta, `${JSON.stringify(meta, null, 2)}\n`);
}

export function readMeta(p: BuildPaths): BuildMeta | undefined {
  try {
    return JSON.parse(fs.readFileSync(p.meta, "utf8")) as BuildMeta;
  } catch {
    return undefined;
  }
}
