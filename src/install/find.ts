import fs from "node:fs";
import path from "node:path";
import { discoverPack } from "../config/discover.ts";
import type { ConfigError, ConfigFile } from "../config/types.ts";
import { configHash } from "../cache/hash.ts";
import type { BuildMeta } from "../cache/meta.ts";
import { err, messageOf, ok, type Result } from "../util/result.ts";

/** One env config found in a pack, read and hashed but not parsed. */
export interface FoundEnv {
  file: ConfigFile;
  bytes: Uint8Array;
  hash: string;
  /** Short name for messages, e.g. "MyPack/nodes/gpu". */
  label: string;
  /** The build this config used so far: its recorded decision is kept unless the run asks for another. */
  prior?: BuildMeta;
}

export interface FoundPack {
  packDir: string;
  envs: FoundEnv[];
  /** The pack's comfy-env-root.toml, if any. */
  root?: ConfigFile;
}

/**
 * Find and hash every env config of the given packs. No TOML parsing: an env whose hash is
 * already built needs none (the same bytes parsed fine when it was built).
 */
export function findEnvs(packDirs: string[]): Result<FoundPack[], ConfigError> {
  const packs: FoundPack[] = [];
  for (const raw of packDirs) {
    const packDir = path.resolve(raw);
    const files = discoverPack(packDir);
    if (files.isErr()) return err(files.error);
    const pack: FoundPack = { packDir, envs: [] };
    for (const file of files.value) {
      if (file.role === "root") {
        pack.root = file;
        continue;
      }
      let bytes: Uint8Array;
      try {
        bytes = fs.readFileSync(file.path);
      } catch (e) {
        return err({ kind: "read-failed", file: file.path, message: messageOf(e) });
      }
      pack.envs.push({ file, bytes, hash: configHash(bytes), label: envLabel(packDir, file.dir) });
    }
    packs.push(pack);
  }
  return ok(packs);
}

/** Name of a pack folder in messages; a drive root (`D:\`) has no basename and goes by its drive. */
export function packName(packDir: string, p: typeof path.posix = path): string {
  return p.basename(packDir) || p.parse(packDir).root.replace(/[\\/]+$/, "");
}

/** "MyPack/nodes/gpu": the pack's name, then the env folder relative to it, with `/` on every OS. */
export function envLabel(packDir: string, envDir: string, p: typeof path.posix = path): string {
  const rel = p.relative(packDir, envDir).split(p.sep).join("/");
  return [packName(packDir, p), rel].filter(Boolean).join("/");
}
