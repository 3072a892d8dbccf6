import { statSync } from "node:fs";
import path from "node:path";
import { configHash } from "../cache/hash.ts";
import { loadConfigFile } from "../config/parse.ts";
import type { ConfigError, ConfigWarning } from "../config/types.ts";
import { effectiveCuda, generatePixiToml, torchBuildFor } from "../pixi/manifest.ts";
import { decideCudaTarget, hostPythonPin } from "../install/decide.ts";
import { cudaRequest } from "../install/request.ts";
import type { HostPythonError } from "../install/host-python.ts";
import { hostGlibc, hostPixiPlatform, isPixiPlatform, PIXI_PLATFORMS } from "../util/platform.ts";
import { ok, type Result } from "../util/result.ts";
import { openCommand, stringFlag, usage } from "./args.ts";
import { renderConfigWarning } from "./errors/config.ts";
import { reportError } from "./errors/index.ts";
import { EXIT } from "./exit.ts";
import type { Output } from "./output.ts";

export const GENERATE_HELP = `Usage: comfy-env generate [DIR|FILE] [options]

Print the pixi.toml that install writes for a comfy-env.toml (DIR: a folder holding one).

Options:
  --cuda X.Y|none    CUDA to build for, or CPU (default: detected, as install does)
  --platform NAME    ${PIXI_PLATFORMS.join(", ")} (default: this machine)
  --python PATH|X.Y  Python pin for configs without one (default: python3 on PATH)
  --glibc X.Y        [system-requirements] libc (default: this machine's, on Linux)
  --json             { hash, platform, cuda, python, manifest, warnings }`;

/** The env config a DIR|FILE argument names: a folder means its comfy-env.toml. */
function configPath(arg: string): string | ConfigError {
  const abs = path.resolve(arg);
  if (!statSync(abs, { throwIfNoEntry: false })?.isDirectory()) return abs;
  const file = path.join(abs, "comfy-env.toml");
  return statSync(file, { throwIfNoEntry: false })?.isFile() ? file : { kind: "no-config", dir: abs };
}

/** `--python` takes an interpreter path or a bare version. */
function pythonPin(flag: string | undefined): Result<string, HostPythonError> {
  return flag !== undefined && /^\d+\.\d+$/.test(flag) ? ok(flag) : hostPythonPin(flag).map((h) => h.version);
}

/** `comfy-env generate`: print the pixi.toml `install` would write for a config. */
export async function runGenerate(args: string[], base: Output): Promise<number> {
  const opened = openCommand(
    args,
    { cuda: { type: "string" }, platform: { type: "string" }, python: { type: "string" }, glibc: { type: "string" } },
    GENERATE_HELP,
    base,
  );
  if (!opened.ok) return opened.exitCode;
  const { args: a, out } = opened;
  if (a.positionals.length > 1) return reportError(out, usage(`expected one DIR or FILE, got ${a.positionals.length}`, ["`comfy-env generate --help` shows the usage"]));
  const platform = stringFlag(a, "platform") ?? hostPixiPlatform();
  if (!isPixiPlatform(platform)) {
    return reportError(out, usage(`unknown platform "${platform}"`, [`use one of: ${PIXI_PLATFORMS.join(", ")}`]));
  }

  const file = configPath(a.positionals[0] ?? ".");
  if (typeof file !== "string") return reportError(out, { kind: "config", error: file });
  const loaded = loadConfigFile(file);
  if (loaded.isErr()) return reportError(out, { kind: "config", error: loaded.error });
  const warnings: ConfigWarning[] = loaded.value.warnings;
  for (const w of warnings) out.warn(renderConfigWarning(w));
  if (loaded.value.role !== "env") {
    return reportError(out, { kind: "command", error: { kind: "not-env-config", file } });
  }

  const { config, bytes } = loaded.value;
  const requested = cudaRequest(stringFlag(a, "cuda"));
  if (requested.isErr()) return reportError(out, requested.error);
  const cuda = await decideCudaTarget(requested.value, undefined);
  if (cuda.isErr()) return reportError(out, { kind: "detect", error: cuda.error });
  // A given --python is checked even when the config pins its own, so a typo never goes unseen.
  const pythonFlag = stringFlag(a, "python");
  const fallback = config.python === undefined || pythonFlag !== undefined ? pythonPin(pythonFlag) : ok(config.python);
  if (fallback.isErr()) return reportError(out, { kind: "install", error: fallback.error });
  const python = ok(config.python ?? fallback.value);
  const hash = configHash(bytes);
  const target = {
    platform,
    cuda: cuda.value.cuda,
    python: python.value,
    glibc: stringFlag(a, "glibc") ?? (platform === hostPixiPlatform() ? hostGlibc() : undefined),
    name: `comfy-env-${hash}`,
    source: config.file,
  };
  const manifest = generatePixiToml(config, target);
  if (manifest.isErr()) return reportError(out, { kind: "pixi", error: manifest.error });
  const note = torchBuildFor(config, target).map((b) => b?.note).unwrapOr(undefined);
  if (note !== undefined) out.info(note);

  out.document({ file: config.file, hash, platform, cuda: effectiveCuda(target), python: python.value, manifest: manifest.value, warnings }, EXIT.OK);
  out.result(manifest.value);
  return EXIT.OK;
}
