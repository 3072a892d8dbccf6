import path from "node:path";
import { envStatus, listBuilds } from "../../cache/status.ts";
import { packDirOfConfigDir } from "../../config/discover.ts";
import { lstatOrUndefined, walkTree } from "../../util/fs.ts";
import { formatBytes } from "../format.ts";
import type { Check } from "./check.ts";
import { commandLine } from "../../util/command-line.ts";

/** Bytes of `dir` only it holds (one link) and bytes shared with other envs or pixi's cache (hardlinks). */
function diskUse(dir: string): { uniqueBytes: number; sharedBytes: number } {
  let uniqueBytes = 0;
  let sharedBytes = 0;
  walkTree(dir, (e, abs) => {
    const s = e.isFile() ? lstatOrUndefined(abs) : undefined;
    if (!s) return;
    if (s.nlink > 1) sharedBytes += s.size;
    else uniqueBytes += s.size;
  });
  return { uniqueBytes, sharedBytes };
}

export function envChecks(root: string): { checks: Check[]; bytes: number } {
  const checks: Check[] = [];
  let bytes = 0;
  for (const p of listBuilds(root)) {
    const s = envStatus(p, false);
    const use = diskUse(p.dir);
    bytes += use.uniqueBytes + use.sharedBytes;
    const size = `${formatBytes(use.uniqueBytes)} its own, ${formatBytes(use.sharedBytes)} shared through hardlinks`;
    const details = { hash: s.hash, dir: s.dir, state: s.state, source: s.source ?? null, links: s.links, ...use };
    const name = `_env_${s.hash}`;
    if (s.state === "stale") checks.push({ group: "envs", name, status: "warn", summary: `stale build lock (its builder died); ${size}`, fix: "rerun `comfy-env install` for its pack (it takes the lock over) or `comfy-env gc`", details });
    else if (s.state === "failed") checks.push({ group: "envs", name, status: "warn", summary: `not finished (a failed build); ${size}`, fix: `see ${path.join(s.dir, "install.log")}; \`comfy-env gc\` removes it`, details });
    else if (s.state === "building") checks.push({ group: "envs", name, status: "ok", summary: `being built${s.owner ? ` by pid ${s.owner.pid}` : ""}`, details });
    else if (s.links.length === 0) checks.push({ group: "envs", name, status: "warn", summary: `done, but no node folder links to it; ${size}`, fix: "`comfy-env gc` frees it", details });
    else if (s.state === "broken") checks.push({ group: "envs", name, status: "warn", summary: `finished, but its Python is gone (deleted, or quarantined by an antivirus): its nodes cannot start; ${size}`, fix: `\`${s.source ? commandLine(["comfy-env", "install", packDirOfConfigDir(s.source)]) : "comfy-env install <pack>"}\` rebuilds it`, details });
    else checks.push({ group: "envs", name, status: "ok", summary: `done, ${s.links.length} link(s) (${s.source ?? "?"}); ${size}`, details });
  }
  return { checks, bytes };
}
