/**
 * The one place errors become text and exit codes. A command ends with a CliError: the module
 * the error came from and that module's own union. Under --json, `error.kind` is the module
 * error's kind (docs/json.md).
 */
import type { BridgeError } from "../../bridge/install.ts";
import type { BuildError } from "../../install/errors.ts";
import type { NodePackError } from "../../nodepacks/types.ts";
import type { RuntimeError } from "../../runtime/errors.ts";
import type { HttpError } from "../../util/http.ts";
import type { UsageError } from "../args.ts";
import { errorDoc, type ErrorDoc } from "../document.ts";
import { EXIT, type ExitCode } from "../exit.ts";
import type { Output } from "../output.ts";
import type { SelfUpdateError } from "../self-update.ts";
import { renderBridgeError } from "./bridge.ts";
import { renderCacheError } from "./cache.ts";
import { renderCommandError, type CommandError } from "./command.ts";
import { renderConfigError } from "./config.ts";
import { renderDetectError } from "./detect.ts";
import { renderFsError } from "./fs.ts";
import { renderHttpError } from "./http.ts";
import { renderInstallError } from "./install.ts";
import { renderLinkError } from "./link.ts";
import { renderNodePackError } from "./nodepacks.ts";
import { renderPixiError } from "./pixi.ts";
import { renderRuntimeError } from "./runtime.ts";
import { renderSelfUpdateError } from "./self-update.ts";
import type { RenderedError } from "./types.ts";
import { renderUsageError } from "./usage.ts";
import { renderWheelsError } from "./wheels.ts";

export type { RenderedError } from "./types.ts";

/** The install pipeline's errors (config, cache, fs, link, pixi, detect, wheels, its own) and the rest. */
export type CliError =
  | BuildError
  | { kind: "http"; error: HttpError }
  | { kind: "nodepack"; error: NodePackError }
  | { kind: "runtime"; error: RuntimeError }
  | { kind: "bridge"; error: BridgeError }
  | { kind: "usage"; error: UsageError }
  | { kind: "self-update"; error: SelfUpdateError }
  | { kind: "command"; error: CommandError };

export type ErrorModule = CliError["kind"];
export type ErrorOf<M extends ErrorModule> = Extract<CliError, { kind: M }>["error"];
/** Every kind a command can end with, per module. */
export type ErrorKind = { [M in ErrorModule]: ErrorOf<M>["kind"] };
/** A kind's exit code; a function only where the code is data (a child's own exit code). */
type ExitRule<E> = ExitCode | ((e: E) => number);

const { USER_ERROR: USER, FAILED, MISSING_TOOL: TOOL, INTERNAL } = EXIT;

/** The exit code of every error kind (README: Exit codes). The type checker holds it complete. */
export const EXIT_CODE = {
  config: { "read-failed": USER, "toml-syntax": USER, "invalid-value": USER, "no-config": USER },
  cache: { "lock-io": FAILED, "low-disk-space": FAILED, "links-unreadable": FAILED, "link-record-failed": FAILED },
  pixi: {
    "pixi-not-found": TOOL,
    "pixi-spawn-failed": TOOL,
    "pixi-failed": FAILED,
    "unsupported-platform": TOOL,
    "download-failed": TOOL,
    "checksum-mismatch": TOOL,
    "bad-archive": TOOL,
    "install-failed": TOOL,
    "invalid-cuda": USER,
    "invalid-python": USER,
    "invalid-glibc": USER,
    "unsupported-cuda": USER,
    "no-torch-for-python": USER,
  },
  // An unreachable index is a failed lookup, not bad input.
  wheels: { "bad-wheel-query": USER, "no-matching-wheel": USER, "index-unreachable": FAILED, "installer-spawn-failed": FAILED, "wheel-install-failed": FAILED },
  link: { "link-blocked": USER, "link-failed": FAILED, "path-too-long": FAILED },
  detect: { "bad-cuda-override": USER, "unsupported-cuda": USER, "no-torch-for-python": USER, "not-found": FAILED, "call-failed": FAILED, timeout: FAILED, "parse-failed": FAILED },
  http: { "http-status": FAILED, network: FAILED, truncated: FAILED, "too-slow": FAILED, "timed-out": FAILED, "too-large": FAILED, "write-failed": FAILED },
  nodepack: { "git-missing": TOOL, "git-failed": FAILED, "registry-unreachable": FAILED, "registry-bad-answer": FAILED, "pack-bad-zip": FAILED, "pack-unsafe-entry": FAILED, "pack-write-failed": FAILED, "dependency-config": USER },
  runtime: {
    "unknown-worker": FAILED,
    "spawn-failed": FAILED,
    "not-ready": FAILED,
    "crash-loop": FAILED,
    "frame-too-large": FAILED,
    "bad-msgpack": FAILED,
    "runtime-dir": FAILED,
    "no-runtime-dir": FAILED,
    "worker-files": FAILED,
    "config-unreadable": USER,
  },
  bridge: { "python-failed": USER, "python-too-old": USER, "foreign-package": USER, "write-failed": FAILED },
  fs: { fs: FAILED },
  usage: { usage: USER },
  "self-update": {
    "not-compiled": USER,
    // A version that does not exist is the user's; no latest release at all is the server's.
    "release-not-found": (e) => (e.version !== undefined ? USER : FAILED),
    "download-failed": FAILED,
    "no-asset": FAILED,
    "checksum-mismatch": FAILED,
    "bad-archive": FAILED,
    "bad-binary": FAILED,
    "read-failed": FAILED,
    "replace-failed": FAILED,
  },
  install: { "host-python-failed": USER, "invalid-cuda": USER },
  command: {
    "no-env": USER,
    "spawn-failed": USER,
    "command-failed": (e) => e.exitCode,
    "remove-failed": FAILED,
    "unlink-failed": FAILED,
    "check-failed": USER,
    "bundle-failed": USER,
    "install-failed": (e) => e.exitCode,
    "import-failed": USER,
    "not-env-config": USER,
    "unsupported-cuda": USER,
    interrupted: (e) => e.exitCode,
    internal: INTERNAL,
  },
} satisfies { [M in ErrorModule]: { [K in ErrorKind[M]]: ExitRule<Extract<ErrorOf<M>, { kind: K }>> } };

export function renderError(e: CliError): RenderedError {
  switch (e.kind) {
    case "config":
      return renderConfigError(e.error);
    case "cache":
      return renderCacheError(e.error);
    case "pixi":
      return renderPixiError(e.error);
    case "wheels":
      return renderWheelsError(e.error);
    case "link":
      return renderLinkError(e.error);
    case "detect":
      return renderDetectError(e.error);
    case "http":
      return renderHttpError(e.error);
    case "nodepack":
      return renderNodePackError(e.error);
    case "runtime":
      return renderRuntimeError(e.error);
    case "bridge":
      return renderBridgeError(e.error);
    case "fs":
      return renderFsError(e.error);
    case "usage":
      return renderUsageError(e.error);
    case "self-update":
      return renderSelfUpdateError(e.error);
    case "install":
      return renderInstallError(e.error);
    case "command":
      return renderCommandError(e.error);
  }
}

export function exitCodeOf(e: CliError): number {
  const rule = (EXIT_CODE[e.kind] as Record<string, ExitRule<never>>)[e.error.kind] as ExitRule<unknown>;
  return typeof rule === "function" ? rule(e.error) : rule;
}

/** The `error` object of a --json document. */
export function errorDocOf(e: CliError): ErrorDoc {
  return errorDoc(renderError(e), e.error.kind);
}

/** Print a rendered error: message, cause lines, hints. */
export function printError(out: Output, r: RenderedError): void {
  out.error(r.message);
  for (const c of r.causes ?? []) out.note(`  │ ${c}`);
  for (const h of r.hints ?? []) out.hint(h);
}

/**
 * A command's failure: the message on stderr (always: logs of launchers keep it), and under
 * --json the document with its `error` (plus `body`, what the command did get done).
 * Returns the exit code, so commands end with `return reportError(...)`.
 */
export function reportError(out: Output, e: CliError, body: Record<string, unknown> = {}): number {
  const r = renderError(e);
  const exitCode = exitCodeOf(e);
  printError(out, r);
  out.document({ ...body, error: errorDoc(r, e.error.kind) }, exitCode);
  return exitCode;
}


