import path from "node:path";
import type { ConfigRole } from "./types.ts";

// Kept apart from the parser so discovery (the install fast path) loads no TOML or zod code.
export const ENV_FILE_NAME = "comfy-env.toml";
export const ROOT_FILE_NAME = "comfy-env-root.toml";

/** The role a file plays, from its name: `comfy-env-root` anywhere in it means root. */
export function roleFromFileName(file: string): ConfigRole {
  return path.basename(file).includes("comfy-env-root") ? "root" : "env";
}
