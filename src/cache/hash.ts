import { sha256Hex } from "../util/sha256.ts";
import { VERSION } from "../version.ts";

/** sha256(config bytes + tool version), full hex: which config (and comfy-env) a build is of. */
export function configDigest(bytes: Uint8Array, version: string = VERSION): string {
  return sha256Hex(bytes, version);
}

/**
 * A config's first build name (docs/reference.md §7): sha256(config bytes + tool version)[:6].
 * Raw bytes, not the parsed config, so packs that ship the same file share one build.
 */
export function configHash(bytes: Uint8Array, version: string = VERSION): string {
  return configDigest(bytes, version).slice(0, 6);
}

/** What the machine side decided for one build; with the config bytes, it fixes the manifest. */
export interface BuildIdentity {
  platform: string;
  /** CUDA version built for ("12.8"); null for a CPU build (always on macOS). */
  cuda: string | null;
  /** PyTorch index variant of the torch family ("cu128", "cpu"); null when the env has no torch. */
  variant: string | null;
  /** torch release of the family ("2.8"); null when the env has no torch. */
  torch: string | null;
  /** The env's Python pin: the config's, or the host's when the config has none. */
  python: string;
}

/** Fixed key order, so equal identities always hash equally. */
function identityText(id: BuildIdentity): string {
  return JSON.stringify([id.platform, id.cuda, id.variant, id.torch, id.python]);
}

/** The full identity of a build: sha256(config bytes + tool version + the build's identity). */
export function buildDigest(bytes: Uint8Array, id: BuildIdentity, version: string = VERSION): string {
  return sha256Hex(bytes, version, "\n", identityText(id));
}

/**
 * Build folder names a build may have, in the order they are tried: the 6-hex name for the
 * first build of a config, then 16 and 64 hex of the full digest when that name is already
 * taken by another decision for the same config, or by another config (a 6-hex collision).
 */
export function buildNames(bytes: Uint8Array, digest: string, version: string = VERSION): string[] {
  return [configHash(bytes, version), digest.slice(0, 16), digest];
}

/** The n-th `install --force` rebuild's name: a fresh folder beside every earlier build. */
export function forcedName(digest: string, n: number): string {
  return sha256Hex(digest, `\nforce ${n}`).slice(0, 16);
}

/** `_env_<hash>`: the build folder name in the cache and the link name in the node folder. */
export function envDirName(hash: string): string {
  return `_env_${hash}`;
}
