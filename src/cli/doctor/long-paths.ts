import { checkPathLength, ENABLE_LONG_PATHS, longestRelPath, MAX_PATH_CHARS } from "../../link/long-paths.ts";
import type { LinkError } from "../../link/types.ts";
import type { Check } from "./check.ts";

type TooLong = Extract<LinkError, { kind: "path-too-long" }>;

/** One env as Windows programs reach it: at its place in the cache and through each node folder's link. */
export interface EnvPaths {
  hash: string;
  env: string;
  links: string[];
}

/**
 * Windows only: whether long paths are enabled, and each env's longest file (through its links
 * and in the cache) against MAX_PATH. Over it with long paths off, imports of that file fail far
 * from the cause (https://learn.microsoft.com/en-us/windows/win32/fileio/maximum-file-path-limitation).
 */
export function longPathChecks(envs: EnvPaths[], enabled: boolean): Check[] {
  const checks: Check[] = [
    enabled
      ? { group: "cache", name: "long paths", status: "ok", summary: "enabled (LongPathsEnabled = 1): paths of 260 characters or more work", details: { enabled } }
      : { group: "cache", name: "long paths", status: "warn", summary: `not enabled: most programs cannot open a path over ${MAX_PATH_CHARS} characters`, fix: `as administrator: ${ENABLE_LONG_PATHS}`, details: { enabled } },
  ];
  for (const e of envs) {
    const rel = longestRelPath(e.env);
    if (rel === "") continue;
    let longest = 0;
    let bad: TooLong | undefined;
    for (const link of e.links.length > 0 ? e.links : [e.env]) {
      longest = Math.max(longest, Math.max(link.length, e.env.length) + 1 + rel.length);
      const fits = checkPathLength(link, e.env, rel, MAX_PATH_CHARS);
      if (fits.isErr() && fits.error.kind === "path-too-long" && (!bad || fits.error.length > bad.length)) bad = fits.error;
    }
    const name = `_env_${e.hash} paths`;
    const details = { longest, limit: MAX_PATH_CHARS, file: rel };
    if (!bad) {
      checks.push({ group: "envs", name, status: "ok", summary: `longest path ${longest} characters (limit ${MAX_PATH_CHARS})`, details });
      continue;
    }
    const where = bad.through === "link" ? `through ${bad.link}` : "in the cache";
    if (enabled) {
      checks.push({ group: "envs", name, status: "ok", summary: `longest path ${longest} characters ${where}: over ${MAX_PATH_CHARS}, which long paths allow`, details });
      continue;
    }
    checks.push({
      group: "envs",
      name,
      status: "fail",
      summary: `its longest file is ${longest} characters ${where}, over Windows' limit of ${MAX_PATH_CHARS}: importing it fails`,
      fix: `enable long paths (as administrator): ${ENABLE_LONG_PATHS}; or ${bad.through === "link" ? "move ComfyUI to a shorter folder (C:\\ComfyUI)" : "choose a shorter cache root: --root C:\\ce or COMFY_ENV_ROOT"}`,
      details: { ...details, path: bad.path },
    });
  }
  return checks;
}
