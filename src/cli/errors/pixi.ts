import type { PixiError } from "../../pixi/errors.ts";
import type { PixiRunError } from "../../pixi/run.ts";
import { renderDetectError } from "./detect.ts";
import { DISK_FULL, DISK_FULL_HINT } from "./fs.ts";
import { describeHttpError, httpHints } from "./http.ts";
import type { RenderedError } from "./types.ts";

const PIXI_INSTALL_HINT =
  "install pixi (Linux/macOS: curl -fsSL https://pixi.sh/install.sh | sh; Windows: irm https://pixi.sh/install.ps1 | iex) or point COMFY_ENV_PIXI at it";
const MANUAL = "or install pixi yourself (https://pixi.sh) and set COMFY_ENV_PIXI to its path";

/** Blame the config only when pixi itself refused it: not for a full disk or a pixi killed by a signal. */
function renderPixiFailed(e: Extract<PixiRunError, { kind: "pixi-failed" }>): RenderedError {
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

export function renderPixiError(e: PixiError): RenderedError {
  switch (e.kind) {
    case "pixi-not-found":
      return e.override
        ? { message: `COMFY_ENV_PIXI=${e.override} is not an executable file`, hints: ["fix or unset COMFY_ENV_PIXI"] }
        : { message: "pixi was not found", causes: [`looked in: ${e.searched.join(", ")}`], hints: [PIXI_INSTALL_HINT] };
    case "pixi-spawn-failed":
      return { message: `cannot run ${e.pixi}: ${e.message}`, hints: [PIXI_INSTALL_HINT] };
    case "pixi-failed":
      return renderPixiFailed(e);
    case "unsupported-platform":
      return { message: `no pinned pixi download for platform ${e.platform}`, hints: [MANUAL] };
    case "download-failed":
      return {
        message: `cannot download pixi from ${e.url}`,
        causes: [describeHttpError(e.cause)],
        hints: [...httpHints(e.cause), "a mirror of the pixi releases can be set with COMFY_ENV_PIXI_URL", MANUAL],
      };
    case "checksum-mismatch":
      return {
        message: `pixi download from ${e.url} failed its checksum; refusing to install an unverified binary`,
        causes: [`expected sha256 ${e.expected}`, `got      sha256 ${e.actual} (${e.bytes} bytes)`],
        hints: ["a proxy or mirror (COMFY_ENV_PIXI_URL) served a different or damaged file; rerun, or fix the mirror", MANUAL],
      };
    case "bad-archive":
      return {
        message: `the pixi archive from ${e.url} is unusable`,
        causes: [e.cause.kind === "archive-corrupt" ? `${e.cause.format}: ${e.cause.message}` : `${e.cause.member} not found in the ${e.cause.format} (it holds: ${e.cause.found.join(", ") || "nothing"})`],
        hints: [MANUAL],
      };
    case "install-failed":
      return {
        message: `cannot install pixi at ${e.path}: ${e.message}`,
        hints: ["check that the cache folder is writable, or choose another with --root / COMFY_ENV_ROOT"],
      };
    case "invalid-cuda":
      return {
        message: `invalid CUDA version "${e.cuda}"`,
        hints: ['write it as major.minor ("12.8"), or "none" for a CPU build'],
      };
    case "invalid-python":
      return { message: `invalid Python version "${e.python}"`, hints: ['write it as major.minor ("3.11")'] };
    case "invalid-glibc":
      return { message: `invalid glibc version "${e.glibc}"`, hints: ['write it as major.minor ("2.35")'] };
    // The torch build's choice, passed through from the detect module.
    case "unsupported-cuda":
    case "no-torch-for-python":
      return renderDetectError(e);
  }
}
