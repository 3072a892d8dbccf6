import type { ConfigError, NodeReq } from "../config/types.ts";
import type { ArchiveError } from "../pixi/archive.ts";
import type { HttpError } from "../util/http.ts";

/** cloned: fetched now; found: the folder was already there (counts as installed); failed: see error. */
export type NodePackOutcome = "cloned" | "found" | "failed";

export interface NodePackResult {
  name: string;
  /** `custom_nodes/<name>`. */
  dir: string;
  outcome: NodePackOutcome;
  /** The git URL or `registry:<id>[@version]` it came (or would come) from. */
  source: string;
  /** The root file that asked for it. */
  requiredBy: string;
  error?: NodePackError;
}

export type NodePackError =
  | { kind: "git-missing"; pack: string; command: string[] }
  | { kind: "git-failed"; pack: string; command: string[]; exitCode: number | null; tail: string[] }
  | { kind: "registry-unreachable"; pack: string; url: string; cause: HttpError }
  | { kind: "registry-bad-answer"; pack: string; url: string; message: string }
  /** `cause`: the registry's zip could not be read (then `message` is its URL). */
  | { kind: "pack-unpack-failed"; pack: string; message: string; cause?: ArchiveError }
  | { kind: "dependency-config"; pack: string; error: ConfigError };

/** Where a pack is fetched from, resolved against the configured bases. */
export type PackSource =
  | { kind: "git"; url: string; ref?: NonNullable<Extract<NodeReq["source"], { kind: "git" }>["ref"]> }
  | { kind: "registry"; url: string; id: string; version?: string };
