import { statSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { configHash } from "../cache/hash.ts";
import { loadConfigFile } from "../config/parse.ts";
import type { ConfigError, ConfigWarning } from "../config/types.ts";
import { effectiveCuda, generatePixiToml } from "../pixi/manifest.ts";
import { readEnv } from "../util/env.ts";
import { hostPixiPlatform, isPixiPlatform, PIXI_PLATFORMS } from "../util/platform.ts";
import { messageOf } from "../util/result.ts";
import { renderConfigError, renderConfigWarning } from "./errors/config.ts";
import { renderManifestError } from "./errors/manifest.ts";
import type { RenderedError } from "./errors/types.ts";
import { EXIT } from "./exit.ts";
import type { Output } from "./output.ts";
import { errorJson, printError } from "./render-error.ts";

const USAGE = "comfy-env generate DIR|FILE [--cuda 12.8|none] [--platform linux-64|win-64|osx-arm64|...] [--python 3.11] [--glibc 2.35] [--json]";

/** "none"/"cpu" mean a CPU build. */
function parseCuda(v: string): string | null {
  const t = v.trim().toLowerCase();
  return t === "none" || t === "cpu" ? null : v.trim();
}

/** CUDA to generate for when --cuda is not given: the override variable, else CPU. */
export function defaultCuda(): string | null {
  const v = readEnv("COMFY_ENV_CUDA_VERSION");
  return v === undefined ? null : parseCuda(v);
}

/** The env config a DIR|FILE argument names: a folder means its comfy-env.toml. */
function configPath(arg: string): string | ConfigError {
  const abs = path.resolve(arg);
  if (!statSync(abs, { throwIfNoEntry: false })?.isDirectory()) return abs;
  const file = path.join(abs, "comfy-env.toml");
  return statSync(file, { throwIfNoEntry: false })?.isFile() ? file : { kind: "no-config", dir: abs };
}

function fail(out: Output, json: boolean, r: RenderedError, kind: string): number {
  printError(out, r);
  if (json) out.data(errorJson(r, kind, EXIT.USER_ERROR));
  return EXIT.USER_ERROR;
}

/** `comfy-env generate`: print the pixi.toml `install` would write for a config. */
export async function runGenerate(args: string[], out: Output): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        cuda: { type: "string" },
        platform: { type: "string" },
        python: { type: "string" },
        glibc: { type: "string" },
        json: { type: "boolean", default: false },
      },
    });
  } catch (e) {
    return fail(out, out.json, { message: messageOf(e), hints: [`usage: ${USAGE}`] }, "usage");
  }
  const { values, positionals } = parsed;
  const json = out.json || values.json === true;
  if (positionals.length > 1) {
    return fail(out, json, { message: `expected one DIR or FILE, got ${positionals.length}`, hints: [`usage: ${USAGE}`] }, "usage");
  }
  const platform = values.platform ?? hostPixiPlatform();
  if (!isPixiPlatform(platform)) {
    return fail(out, json, { message: `unknown platform "${platform}"`, hints: [`use one of: ${PIXI_PLATFORMS.join(", ")}`] }, "usage");
  }

  const file = configPath(positionals[0] ?? ".");
  if (typeof file !== "string") return fail(out, json, renderConfigError(file), file.kind);
  const loaded = loadConfigFile(file);
  if (loaded.isErr()) return fail(out, json, renderConfigError(loaded.error), loaded.error.kind);
  const warnings: ConfigWarning[] = loaded.value.warnings;
  for (const w of warnings) out.warn(renderConfigWarning(w));
  if (loaded.value.role !== "env") {
    return fail(
      out,
      json,
      { message: `${file} is a comfy-env-root.toml (pack settings): it declares no environment`, hints: ["pass the comfy-env.toml of a node folder, e.g. nodes/comfy-env.toml"] },
      "not-env-config",
    );
  }

  const { config, bytes } = loaded.value;
  const hash = configHash(bytes);
  const target = {
    platform,
    cuda: values.cuda === undefined ? defaultCuda() : parseCuda(values.cuda),
    python: values.python ?? "3.11",
    glibc: values.glibc,
    name: `comfy-env-${hash}`,
    source: config.file,
  };
  const manifest = generatePixiToml(config, target);
  if (manifest.isErr()) return fail(out, json, renderManifestError(manifest.error), manifest.error.kind);

  if (json) {
    out.data({ hash, platform, cuda: effectiveCuda(target), python: config.python ?? target.python, manifest: manifest.value, warnings });
  } else {
    out.result(manifest.value);
  }
  return EXIT.OK;
}
