import type { BuildError } from "../../install/errors.ts";
import type { HostPythonError } from "../../install/host-python.ts";
import type { CliError } from "./index.ts";
import type { RenderedError } from "./types.ts";

/** The install pipeline's own errors (the others are its modules'). */
export type InstallError = HostPythonError;

export function renderInstallError(e: InstallError): RenderedError {
  switch (e.kind) {
    case "host-python-failed":
      return { message: `cannot ask ${e.python} for its version: ${e.message}`, hints: ["pin python in comfy-env.toml (python = \"3.11\") or pass --python PATH"] };
  }
}

/**
 * The module a flat BuildError came from. BuildError still lists its modules' kinds side by side;
 * this names each one's module until the pipeline nests them itself.
 */
export function fromBuildError(e: BuildError): CliError {
  switch (e.kind) {
    case "read-failed":
    case "toml-syntax":
    case "invalid-value":
    case "no-config":
      return { kind: "config", error: e };
    case "lock-io":
    case "low-disk-space":
      return { kind: "cache", error: e };
    case "fs":
      return { kind: "fs", error: e };
    case "link-blocked":
    case "link-failed":
    case "path-too-long":
      return { kind: "link", error: e };
    case "bad-cuda-override":
    case "unsupported-cuda":
    case "no-torch-for-python":
    case "not-found":
    case "call-failed":
    case "timeout":
    case "parse-failed":
      return { kind: "detect", error: e };
    case "pixi-not-found":
    case "pixi-spawn-failed":
    case "pixi-failed":
    case "unsupported-platform":
    case "download-failed":
    case "checksum-mismatch":
    case "bad-archive":
    case "install-failed":
    case "invalid-cuda":
    case "invalid-python":
    case "invalid-glibc":
      return { kind: "pixi", error: e };
    case "bad-wheel-query":
    case "no-matching-wheel":
    case "index-unreachable":
    case "installer-spawn-failed":
    case "wheel-install-failed":
      return { kind: "wheels", error: e };
    case "host-python-failed":
      return { kind: "install", error: e };
  }
}
