import path from "node:path";
import fs from "node:fs";
import { readEnv } from "../util/env.ts";
import { exeName, homeDir, venvBinName } from "../util/platform.ts";
import { err, ok, type Result } from "../util/result.ts";

export type PixiFindError = { kind: "pixi-not-found"; searched: string[]; override?: string };

function isExecutableFile(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    // X_OK is F_OK on Windows, so this holds there too.
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Find pixi: COMFY_ENV_PIXI, then PATH, the active virtualenv's bin, ~/.pixi/bin, ~/.local/bin,
 * and the copy comfy-env downloaded into `toolsDirs`. A COMFY_ENV_PIXI that does not exist is an
 * error rather than a silent fall-through: the user asked for that one.
 */
export function findPixi(toolsDirs: string[] = [], env: Record<string, string | undefined> = process.env): Result<string, PixiFindError> {
  const name = exeName("pixi");
  const override = readEnv("COMFY_ENV_PIXI", env);
  if (override) {
    return isExecutableFile(override) ? ok(path.resolve(override)) : err({ kind: "pixi-not-found", searched: [override], override });
  }
  const searched: string[] = ["PATH"];
  const onPath = Bun.which(name, { PATH: env.PATH ?? "" });
  if (onPath) return ok(onPath);
  const venv = env.VIRTUAL_ENV;
  const dirs = [
    ...(venv ? [path.join(venv, venvBinName())] : []),
    path.join(homeDir(), ".pixi", "bin"),
    path.join(homeDir(), ".local", "bin"),
    ...toolsDirs,
  ];
  for (const d of dirs) {
    const candidate = path.join(d, name);
    searched.push(candidate);
    if (isExecutableFile(candidate)) return ok(candidate);
  }
  return err({ kind: "pixi-not-found", searched });
}
