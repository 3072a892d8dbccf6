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
  /** The registry's zip at `url` cannot be read. */
  | { kind: "pack-bad-zip"; pack: string; url: string; cause: ArchiveError }
  /** An entry of the zip would land outside the pack folder ("../x", "/etc/x"): nothing is written. */
  | { kind: "pack-unsafe-entry"; pack: string; url: string; entry: string }
  /** Writing the pack, or moving it into place at `path`, failed. */
  | { kind: "pack-write-failed"; pack: string; path: string; message: string }
  | { kind: "dependency-config"; pack: string; error: ConfigError };

/** Where a pack is fetched from, resolved against the configured bases. */
export type PackSource =
  | { kind: "git"; url: string; ref?: NonNullable<Extract<NodeReq["source"], { kind: "git" }>["ref"]> }
  | { kind: "registry"; url: string; id: string; version?: string };
