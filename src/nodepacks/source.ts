// Where a `[node_reqs]` entry is fetched from. COMFY_ENV_GIT_BASE stands in for the GitHub host
// (mirrors, tests with a file:// base); COMFY_ENV_REGISTRY_URL for the Comfy registry API.
import type { NodeReq } from "../config/types.ts";
import { readEnv } from "../util/env.ts";
import type { PackSource } from "./types.ts";

export const DEFAULT_GIT_BASE = "https://github.com";
/** The Comfy registry's API (https://api.comfy.org/nodes/<id>/install answers a downloadUrl). */
export const DEFAULT_REGISTRY_URL = "https://api.comfy.org";

const trimSlash = (s: string) => s.replace(/\/+$/, "");

export function packSource(req: NodeReq, env: Record<string, string | undefined> = process.env): PackSource {
  const s = req.source;
  if (s.kind === "registry") {
    const base = trimSlash(readEnv("COMFY_ENV_REGISTRY_URL", env) ?? DEFAULT_REGISTRY_URL);
    const query = s.version === undefined ? "" : `?version=${encodeURIComponent(s.version)}`;
    const url = `${base}/nodes/${encodeURIComponent(s.id)}/install${query}`;
    return s.version === undefined ? { kind: "registry", url, id: s.id } : { kind: "registry", url, id: s.id, version: s.version };
  }
  const base = trimSlash(readEnv("COMFY_ENV_GIT_BASE", env) ?? DEFAULT_GIT_BASE);
  let url = s.url ?? `${base}/${s.repo ?? ""}`;
  // A URL on the GitHub host is served by the mirror too, so one variable redirects every pack.
  if (s.url !== undefined && url.startsWith(`${DEFAULT_GIT_BASE}/`)) url = `${base}/${url.slice(DEFAULT_GIT_BASE.length + 1)}`;
  return s.ref === undefined ? { kind: "git", url } : { kind: "git", url, ref: s.ref };
}

/** For messages and --json: the URL, with the ref or the registry version. */
export function describeSource(src: PackSource): string {
  if (src.kind === "registry") return `registry:${src.id}${src.version === undefined ? "" : `@${src.version}`}`;
  return src.ref === undefined ? src.url : `${src.url} (${src.ref.kind} ${src.ref.value})`;
}
