import type { PixiPlatform } from "../util/platform.ts";

/** Any value @iarna/toml can produce. */
export type TomlValue = string | number | boolean | Date | TomlValue[] | { [key: string]: TomlValue };
export type TomlTable = { [key: string]: TomlValue };

/** `comfy-env.toml` declares an environment; `comfy-env-root.toml` holds pack-level settings only. */
export type ConfigRole = "env" | "root";

export interface ConfigFile {
  /** Absolute path of the TOML file. */
  path: string;
  /** Folder holding it: the node folder that gets `_env_<hash>` for env files. */
  dir: string;
  role: ConfigRole;
}

/** A conda MatchSpec string (`"*"`, `">=1.2"`) or a table (`{ version, channel, build }`). */
export type CondaSpec = string | TomlTable;
/** A PEP 440 spec string or a pixi table (`{ version, extras, index, git, rev, url, path }`). */
export type PypiSpec = string | TomlTable;

export interface DepSet {
  conda: Record<string, CondaSpec>;
  pypi: Record<string, PypiSpec>;
}

/** What an env `comfy-env.toml` means, whatever format generation it was written in. */
export interface EnvConfig {
  file: string;
  /** Python pin from the config ("3.11"), if any. */
  python?: string;
  /** Extra conda channels, in the order written; the generator puts conda-forge first. */
  channels: string[];
  deps: DepSet;
  /** Per-platform dependencies, keyed by the pixi target name as written (`linux-64`, `win-64`, `unix`...). */
  targets: Record<string, DepSet>;
  /** `[cuda]` packages as written (list form or map form), torch family included. */
  cudaPackages: string[];
  /** `[cuda] torch = false`: no default torch family; only the members the config names. */
  torchOptOut?: boolean;
  systemRequirements?: TomlTable;
  pypiOptions?: TomlTable;
  activation?: TomlTable;
  /** `[env_vars]`, values stringified; runtime only, not part of pixi.toml. */
  envVars: Record<string, string>;
  /** `[options] health_check_timeout` in seconds. */
  healthCheckTimeout?: number;
  /** Other tables pixi understands (`tasks`...), copied into pixi.toml verbatim. */
  passthrough: TomlTable;
}

export interface RootConfig {
  file: string;
  /** `[settings]`: isolate, install_isolated, auto_install, pool_ipc (bool), worker_vram_budget (number). */
  settings: Record<string, boolean | number>;
  /** `[types]`: socket type name → "builtin" | "custom". */
  types: Record<string, "builtin" | "custom">;
  /** `[node_reqs]` / `[node_packs]`: other node packs this pack needs, in the order written. */
  nodeReqs: NodeReq[];
}

/** One node pack a root file asks for, fetched into `custom_nodes/<name>`. */
export interface NodeReq {
  /** Folder name under custom_nodes. */
  name: string;
  /** Line of the entry in its root file. */
  line?: number;
  source:
    | {
        kind: "git";
        /** `owner/repo` on the git base (COMFY_ENV_GIT_BASE, default GitHub), or `url` as written. */
        repo?: string;
        url?: string;
        ref?: { kind: "tag" | "branch" | "commit"; value: string };
      }
    | { kind: "registry"; id: string; version?: string };
}

export type LoadedConfig =
  | { role: "env"; config: EnvConfig; bytes: Uint8Array; warnings: ConfigWarning[] }
  | { role: "root"; config: RootConfig; bytes: Uint8Array; warnings: ConfigWarning[] };

/** Something in a config that comfy-env does not use; install goes on. */
export interface ConfigWarning {
  file: string;
  line?: number;
  /** Dotted key path, e.g. `apt` or `cuda.pakages`. */
  key: string;
  message: string;
}

export type ConfigError =
  | { kind: "read-failed"; file: string; message: string }
  | { kind: "toml-syntax"; file: string; line: number; column: number; message: string }
  | { kind: "invalid-value"; file: string; line?: number; key: string; message: string; hint?: string }
  | { kind: "no-config"; dir: string };
