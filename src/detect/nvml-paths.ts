import { existsSync } from "node:fs";
import path from "node:path";
import { readEnv } from "../util/env.ts";
import type { NvmlSources } from "./platforms.ts";
import type { Env } from "./types.ts";

/** The absolute paths `ldconfig -p` lists for `file` (lines "\tname (flags) => /abs/path"). */
export function loaderCachePaths(ldconfigOutput: string, file: string): string[] {
  const found: string[] = [];
  for (const line of ldconfigOutput.split("\n")) {
    const m = /^\s*(\S+) \([^)]*\) => (.+)$/.exec(line);
    if (m && m[1] === file && path.isAbsolute((m[2] as string).trim())) found.push((m[2] as string).trim());
  }
  return found;
}

function ldconfigOutput(ldconfig: string | null): string {
  if (ldconfig === null || !existsSync(ldconfig)) return "";
  try {
    const r = Bun.spawnSync([ldconfig, "-p"], { stdin: "ignore", stdout: "pipe", stderr: "ignore", env: { LC_ALL: "C" } });
    return r.exitCode === 0 ? r.stdout.toString() : "";
  } catch {
    return "";
  }
}

export type NvmlCandidates = { paths: string[] } | { refused: string };

/**
 * Files NVML may be loaded from, every one an absolute path: COMFY_ENV_NVML_LIB alone when set,
 * else the loader cache's entries and the driver's folders that hold the file. A bare or relative
 * name is never handed to dlopen: bun:ffi resolves it against the current directory, and
 * `install` runs in a downloaded pack's folder, so a library planted there would run its constructor.
 */
export function nvmlCandidates(env: Env, sources: NvmlSources, readLoaderCache = ldconfigOutput, exists = existsSync): NvmlCandidates {
  const override = readEnv("COMFY_ENV_NVML_LIB", env);
  if (override !== undefined) {
    return path.isAbsolute(override) ? { paths: [override] } : { refused: `COMFY_ENV_NVML_LIB must be an absolute path, not ${JSON.stringify(override)}` };
  }
  if (sources.file === "") return { paths: [] };
  const listed = loaderCachePaths(readLoaderCache(sources.ldconfig), sources.file);
  const inFolders = sources.folders.map((d) => path.join(d, sources.file)).filter((p) => path.isAbsolute(p) && exists(p));
  return { paths: [...new Set([...listed, ...inFolders])] };
}
