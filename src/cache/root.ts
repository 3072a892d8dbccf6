import path from "node:path";
import { homeDir, hostOs } from "../util/platform.ts";
import { readEnv } from "../util/env.ts";

/**
 * The cache root: `--root`, then COMFY_ENV_ROOT, then `~/.ce` (Unix) or `C:/ce` (Windows; short,
 * because conda environments easily pass MAX_PATH under a user profile).
 */
export function cacheRoot(flag?: string, env: Record<string, string | undefined> = process.env): string {
  const chosen = flag ?? readEnv("COMFY_ENV_ROOT", env);
  if (chosen) return path.resolve(chosen);
  return hostOs() === "windows" ? "C:/ce" : path.join(homeDir(), ".ce");
}
