import fs from "node:fs";
import path from "node:path";
import { planCudaWheels } from "../install/cuda-wheels.ts";
import { discoverPack } from "../config/discover.ts";
import { locateKey } from "../config/locate.ts";
import { loadConfigFile } from "../config/parse.ts";
import type { EnvConfig } from "../config/types.ts";
import { generatePixiToml } from "../pixi/manifest.ts";
import type { PixiPlatform } from "../util/platform.ts";
import { openCommand } from "./args.ts";
import { renderConfigWarning } from "./errors/config.ts";
import { errorDocOf, exitCodeOf, renderError, reportError, type CliError } from "./errors/index.ts";
import { EXIT } from "./exit.ts";
import type { Output } from "./output.ts";

/** The builds a pack is most often installed for: a CUDA one on Linux and Windows, CPU on macOS. */
const DEFAULT_TARGETS: { platform: PixiPlatform; cuda: string | null }[] = [
  { platform: "linux-64", cuda: "12.8" },
  { platform: "win-64", cuda: "12.8" },
  { platform: "osx-arm64", cuda: null },
];
/** The Python a config without a `python` key is checked with. */
const DEFAULT_PYTHON = "3.11";

function defaultTargetsText(): string {
  return DEFAULT_TARGETS.map((t) => `${t.platform} ${t.cuda ? `CUDA ${t.cuda}` : "CPU"}`).join(", ");
}

export const CHECK_HELP = `Usage: comfy-env check [PACK_DIR...] [--no-index] [--json]

Parse and validate every comfy-env.toml and comfy-env-root.toml of each node pack (default:
the current folder) as install would, without building anything: TOML, keys, version specs,
the pixi.toml each env becomes for the default targets (${defaultTargetsText()}), and
each [cuda] package's wheel in the CUDA-wheel index for those targets.
Prints one \`file:line: message\` line per problem; exit 1 if any is an error.

Options:
  --no-index   skip the CUDA-wheel index lookups (offline, or a faster pre-commit hook)
  --json       { packs, configs, problems, errors, warnings }`;

export interface Problem {
  severity: "error" | "warning";
  kind: string;
  file: string;
  line?: number;
  /** The line as printed: `file:line: message`. */
  message: string;
  hints: string[];
}

/**
 * An error about `file`, printed `file[:line]: message` unless the message starts so already;
 * `target` (the platform and CUDA it was checked for) leads the message when given.
 */
function problem(severity: Problem["severity"], e: CliError, file: string, target?: string, at?: number): Problem {
  const r = renderError(e);
  const line = at ?? r.line;
  const text = target === undefined ? r.message : `${target}: ${r.message}`;
  const where = line === undefined ? file : `${file}:${line}`;
  const message = text.startsWith(file) ? text : `${where}: ${text}`;
  return { severity, kind: e.error.kind, file, ...(line !== undefined ? { line } : {}), message, hints: r.hints ?? [] };
}

/** Line of a [cuda] package, list form (`packages = [...]`) or map form (`pkg = "..."`). */
function cudaLine(config: EnvConfig, pkg: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(config.file, "utf8");
  } catch {
    return undefined;
  }
  const i = config.cudaPackages.indexOf(pkg);
  const lines = [locateKey(text, ["cuda", "packages", i]), locateKey(text, ["cuda", pkg])].filter((l): l is number => l !== undefined);
  return lines.length > 0 ? Math.max(...lines) : undefined;
}

/** What install would refuse in one env config, for each default target. */
async function checkEnv(config: EnvConfig, useIndex: boolean): Promise<Problem[]> {
  const problems: Problem[] = [];
  const python = config.python ?? DEFAULT_PYTHON;
  for (const t of DEFAULT_TARGETS) {
    const target = `${t.platform} ${t.cuda ? `CUDA ${t.cuda}` : "CPU"}`;
    const manifest = generatePixiToml(config, { ...t, python, name: "comfy-env-check", source: config.file });
    if (manifest.isErr()) {
      problems.push(problem("error", { kind: "pixi", error: manifest.error }, config.file, target));
      continue;
    }
    if (!useIndex) continue;
    const wheels = await planCudaWheels(config, { ...t, python });
    if (wheels.isOk()) continue;
    const e = wheels.error;
    const line = e.kind === "no-matching-wheel" ? cudaLine(config, e.query.pkg) : undefined;
    // An index we cannot reach says nothing about the config: a warning, not a failed check.
    problems.push(problem(e.kind === "index-unreachable" ? "warning" : "error", { kind: "wheels", error: e }, config.file, target, line));
  }
  return problems;
}

/** `comfy-env check`: every config of the packs validated as install would, nothing built. */
export async function runCheck(args: string[], base: Output): Promise<number> {
  const opened = openCommand(args, { "no-index": { type: "boolean", default: false } }, CHECK_HELP, base);
  if (!opened.ok) return opened.exitCode;
  const { args: a, out } = opened;
  const packs = (a.positionals.length > 0 ? a.positionals : [process.cwd()]).map((p) => path.resolve(p));
  const useIndex = a.values["no-index"] !== true;

  const configs: string[] = [];
  const problems: Problem[] = [];
  for (const pack of packs) {
    const files = discoverPack(pack);
    if (files.isErr()) return reportError(out, { kind: "config", error: files.error }, { packs });
    for (const f of files.value) {
      configs.push(f.path);
      const loaded = loadConfigFile(f.path, f.role);
      if (loaded.isErr()) {
        problems.push(problem("error", { kind: "config", error: loaded.error }, f.path));
        continue;
      }
      for (const w of loaded.value.warnings) problems.push({ severity: "warning", kind: "config-warning", file: w.file, ...(w.line !== undefined ? { line: w.line } : {}), message: renderConfigWarning(w), hints: [] });
      if (loaded.value.role === "env") problems.push(...(await checkEnv(loaded.value.config, useIndex)));
    }
  }

  const errors = problems.filter((p) => p.severity === "error");
  const warnings = problems.length - errors.length;
  // Diagnostics go where every comfy-env message goes (stderr, kept by -q); the summary is the result.
  for (const p of problems) {
    out.note(p.severity === "error" ? p.message : `${p.message} (warning)`);
    for (const h of p.hints) out.note(`  hint: ${h}`);
  }
  out.result(`checked ${configs.length} config(s) in ${packs.length} pack(s): ${errors.length} error(s), ${warnings} warning(s)`);
  const body = { packs, configs, problems, errors: errors.length, warnings };
  const first = errors[0];
  if (!first) {
    out.document(body, EXIT.OK);
    return EXIT.OK;
  }
  // The lines above are the report; the document's error points at the first of them.
  const failed: CliError = { kind: "command", error: { kind: "check-failed", count: errors.length, of: "configs", first: first.message, hints: first.hints, file: first.file, line: first.line } };
  out.document({ ...body, error: errorDocOf(failed) }, exitCodeOf(failed));
  return exitCodeOf(failed);
}
