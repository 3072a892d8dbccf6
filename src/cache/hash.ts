import { sha256Hex } from "../util/sha256.ts";
import { VERSION } from "../version.ts";

/**
 * The seed's environment identity: sha256(config bytes + tool version)[:6]. Raw bytes, not the
 * parsed config, so packs that ship the same file share one build.
 */
export function configHash(bytes: Uint8Array, version: string = VERSION): string {
  return sha256Hex(bytes, version).slice(0, 6);
}

/** `_env_<hash>`: the build folder name in the cache and the link name in the node folder. */
export function envDirName(hash: string): string {
  return `_env_${hash}`;
}
