import fs from "node:fs";
import type { BuildPaths } from "./layout.ts";
import { writeFileAtomic, type FsError } from "../util/fs.ts";
import type { Result } from "../util/result.ts";

/** `.comfy-env-meta.json`: what a build was made from, for status and humans. */
export interface BuildMeta {
  hash: string;
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
