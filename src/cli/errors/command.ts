import type { TarError } from "../../util/tar.ts";
import { VERSION } from "../../version.ts";
import type { RenderedError } from "./types.ts";

/** How a command ends that no module's error covers: what the command itself found. */
export type CommandError =
  /** `run`: the node folder has no build linked. */
  | { kind: "no-env"; nodeDir: string }
  /** `run`: the command could not be started in the env. */
  | { kind: "spawn-failed"; program: string; message: string }
  /** `run`: the command ran and failed; its exit code is ours, its output said why. */
  | { kind: "command-failed"; program: string; exitCode: number; signal: string | null }
  /** `gc`: a build could not be removed. */
  | { kind: "remove-failed"; hash: string; message: string }
  /** `remove`: a node folder's link could not be removed. */
  | { kind: "unlink-failed"; link: string; message: string }
  /** `check` / `doctor`: what they found is listed above; this points at the first. */
  | { kind: "check-failed"; count: number; of: "configs" | "checks"; first: string; hints: string[]; file?: string; line?: number }
  /** `doctor --bundle`: the archive could not be written. */
  | { kind: "bundle-failed"; file: string; cause: TarError }
  /** `test`: install failed (its errors came first), with install's exit code. */
  | { kind: "install-failed"; exitCode: number }
  /** `test`: a folder's nodes did not import. */
  | { kind: "import-failed"; summary: string; label: string; message: string }
  /** `generate`: the file is a comfy-env-root.toml, which declares no environment. */
  | { kind: "not-env-config"; file: string }
  /** `wheels`: no torch build is paired with the CUDA asked for (and no --torch). */
  | { kind: "unsupported-cuda"; cuda: string; available: string[] }
  /** `install`: a signal stopped it (its exit code is the signal's). */
  | { kind: "interrupted"; signal: string; exitCode: number }
  /** Something threw: a bug. */
  | { kind: "internal"; command: string };

export function renderCommandError(e: CommandError): RenderedError {
  switch (e.kind) {
    case "no-env":
      return {
        message: `${e.nodeDir} has no built environment (no _env_<hash> link with a Python in it)`,
        hints: ["build it: comfy-env install <the pack folder>; NODE_DIR is the folder holding comfy-env.toml"],
      };
    case "spawn-failed":
      return { message: `cannot run ${e.program}: ${e.message}`, hints: ["is it installed in the env? list it with: comfy-env run NODE_DIR -- python -m pip list"] };
    case "command-failed":
      return { message: e.signal ? `${e.program} was ended by ${e.signal}` : `${e.program} exited with code ${e.exitCode}` };
    case "remove-failed":
      return { message: `cannot remove _env_${e.hash}: ${e.message}`, hints: ["close programs using files in it (a running ComfyUI) and rerun gc"] };
    case "unlink-failed":
      return { message: `cannot remove ${e.link}: ${e.message}` };
    case "check-failed":
      return {
        message: `${e.count} ${e.of === "configs" ? "error(s)" : "check(s) failed"}; the first: ${e.first}`,
        hints: e.hints,
        ...(e.file !== undefined ? { file: e.file } : {}),
        ...(e.line !== undefined ? { line: e.line } : {}),
      };
    case "bundle-failed":
      return {
        message: `cannot write the bundle ${e.file}: ${e.cause.kind === "fs" ? e.cause.message : `bad member name ${e.cause.name}`}`,
        hints: ["pass --bundle a file in a folder you can write"],
      };
    case "install-failed":
      return { message: "the pack's environments did not build; nothing was imported", hints: ["the install errors above say why; `comfy-env check PACK_DIR` finds config errors"] };
    case "import-failed":
      return { message: `${e.summary}; first: ${e.label}: ${e.message}` };
    case "not-env-config":
      return { message: `${e.file} is a comfy-env-root.toml (pack settings): it declares no environment`, hints: ["pass the comfy-env.toml of a node folder, e.g. nodes/comfy-env.toml"] };
    case "unsupported-cuda":
      return { message: `no torch build is paired with CUDA ${e.cuda}`, hints: [`pass --torch, or a CUDA of: ${e.available.join(", ")}`] };
    case "interrupted":
      return { message: `install stopped by ${e.signal}: its installer was stopped and the lock released; nothing half-built is marked done` };
    case "internal":
      return { message: `internal error in "${e.command}": this is a bug in comfy-env ${VERSION}, please report it` };
  }
}
