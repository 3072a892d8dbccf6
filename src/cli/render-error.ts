import type { BuildError } from "../install/errors.ts";
import { EXIT, type ExitCode } from "./exit.ts";
import type { Output } from "./output.ts";
import { renderConfigError } from "./errors/config.ts";
import { renderManifestError } from "./errors/manifest.ts";
import { renderDetectError } from "./errors/detect.ts";
import { renderLinkError } from "./errors/link.ts";
import { renderPixiDownloadError, renderWheelError } from "./errors/network.ts";
import type { RenderedError } from "./errors/types.ts";
import { renderCacheError } from "./errors/cache.ts";
import { DISK_FULL, DISK_FULL_HINT, renderFsError } from "./errors/fs.ts";
import { errorDoc } from "./document.ts";

const PIXI_INSTALL_HINT =
  "install pixi (Linux/macOS: curl -fsSL https://pixi.sh/install.sh | sh; Windows: irm https://pixi.sh/install.ps1 | iex) or point COMFY_ENV_PIXI at it";


/** Blame the config only when pixi itself refused it: not for a full disk or a pixi killed by a signal. */
function renderPixiFailed(e: Extract<BuildError, { kind: "pixi-failed" }>): RenderedError {
  const log = `full log: ${e.log}`;
  const notDone = "the failed build is not kept as done";
  if (e.signal) {
    return {
      message: `pixi install was killed by ${e.signal} (not an error in comfy-env.toml)`,
      causes: e.tail,
      hints: [log, `something stopped pixi (SIGKILL: often the out-of-memory killer); rerun when that is resolved; ${notDone}`],
    };
  }
  if (e.tail.some((l) => DISK_FULL.test(l))) {
    return { message: `pixi install failed (exit code ${e.exitCode}): no space left on the disk`, causes: e.tail, hints: [log, DISK_FULL_HINT] };
  }
  return {
    message: `pixi install failed (exit code ${e.exitCode})`,
    causes: e.tail,
    hints: [log, `fix the dependency named above in comfy-env.toml and rerun; ${notDone}`],
  };
}

/** The one place BuildErrors become text. */
export function renderBuildError(e: BuildError): RenderedError {
  switch (e.kind) {
    case "read-failed":
    case "toml-syntax":
    case "invalid-value":
    case "no-config":
      return renderConfigError(e);
    case "unsupported-cuda":
      return "source" in e ? renderDetectError(e) : renderManifestError(e);
    case "bad-cuda-override":
      return renderDetectError(e);
    case "invalid-cuda":
    case "invalid-python":
    case "invalid-glibc":
    case "no-torch-for-python":
      return renderManifestError(e);
    case "lock-io":
    case "low-disk-space":
      return renderCacheError(e);
    case "fs":
      return renderFsError(e);
    case "link-blocked":
    case "link-failed":
    case "path-too-long":
      return renderLinkError(e);
    case "pixi-not-found":
      return e.override
        ? { message: `COMFY_ENV_PIXI=${e.override} is not an executable file`, hints: ["fix or unset COMFY_ENV_PIXI"] }
        : { message: "pixi was not found", causes: [`looked in: ${e.searched.join(", ")}`], hints: [PIXI_INSTALL_HINT] };
    case "pixi-spawn-failed":
      return { message: `cannot run ${e.pixi}: ${e.message}`, hints: [PIXI_INSTALL_HINT] };
    case "pixi-failed":
      return renderPixiFailed(e);
    case "unsupported-platform":
    case "download-failed":
    case "checksum-mismatch":
    case "bad-archive":
    case "install-failed":
      return renderPixiDownloadError(e);
    case "bad-wheel-query":
    case "no-matching-wheel":
    case "index-unreachable":
    case "installer-spawn-failed":
    case "wheel-install-failed":
      return renderWheelError(e);
    case "host-python-failed":
      return { message: `cannot ask ${e.python} for its version: ${e.message}`, hints: ["pin python in comfy-env.toml (python = \"3.11\") or pass --python PATH"] };
  }
}

export function exitCodeOf(e: BuildError): ExitCode {
  switch (e.kind) {
    case "read-failed":
    case "toml-syntax":
    case "invalid-value":
    case "no-config":
    case "unsupported-cuda":
    case "bad-cuda-override":
    case "invalid-cuda":
    case "invalid-python":
    case "invalid-glibc":
    case "no-torch-for-python":
    case "link-blocked":
    case "host-python-failed":
      return EXIT.USER_ERROR;
    case "bad-wheel-query":
    case "no-matching-wheel":
      return EXIT.USER_ERROR;
    case "pixi-not-found":
    case "pixi-spawn-failed":
    case "unsupported-platform":
    case "download-failed":
    case "checksum-mismatch":
    case "bad-archive":
    case "install-failed":
      return EXIT.MISSING_TOOL;
    default:
      return EXIT.FAILED;
  }
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
export function reportError(out: Output, r: RenderedError, kind: string, exitCode: number, body: Record<string, unknown> = {}): number {
  printError(out, r);
  out.document({ ...body, error: errorDoc(r, kind) }, exitCode);
  return exitCode;
}
