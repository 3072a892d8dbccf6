import path from "node:path";
import { cacheRoot } from "../cache/root.ts";
import { envStatus, isGarbage, listBuilds } from "../cache/status.ts";
import { collectBuild, leftovers, type Leftover } from "../cache/collect.ts";
import { liveLinks } from "../cache/links.ts";
import { removeTree } from "../util/fs.ts";
import { openCommand, stringFlag } from "./args.ts";
import { EXIT } from "./exit.ts";
import { reportError, renderError } from "./errors/index.ts";
import type { Output } from "./output.ts";
import { formatBytes } from "./format.ts";

export const GC_HELP = `Usage: comfy-env gc [--dry-run] [--root DIR] [--json]

Remove cache environments that no _env_<hash> link points to. Only folders inside the cache
are deleted; node folders and their files are never touched. Builds in progress are kept.
What an interrupted gc left half-removed (.gc-_env_<hash>-<pid>) is removed too.`;

export async function runGc(args: string[], base: Output): Promise<number> {
  const opened = openCommand(args, { root: { type: "string" }, "dry-run": { type: "boolean", default: false } }, GC_HELP, base);
  if (!opened.ok) return opened.exitCode;
  const { args: a, out } = opened;
  const dryRun = a.values["dry-run"] === true;
  const root = cacheRoot(stringFlag(a, "root"));
  const removed: { hash: string; dir: string; sizeBytes: number; state: string }[] = [];
  const kept: { hash: string; links: string[] }[] = [];
  const failed: { hash: string; message: string }[] = [];
  for (const p of listBuilds(root)) {
    const s = envStatus(p);
    if (s.linksError) out.warn(`${renderError({ kind: "cache", error: s.linksError }).message}; _env_${s.hash} is kept`);
    if (!isGarbage(s)) {
      kept.push({ hash: s.hash, links: s.links });
      continue;
    }
    if (!dryRun) {
      const r = collectBuild(p);
      if (r.isErr()) {
        failed.push({ hash: s.hash, message: r.error.message });
        continue;
      }
      // An install took it meanwhile (building, or linked it just now): not garbage any more.
      if (r.value !== "removed") {
        kept.push({ hash: s.hash, links: liveLinks(p).unwrapOr([]) });
        continue;
      }
    }
    removed.push({ hash: s.hash, dir: s.dir, sizeBytes: s.sizeBytes, state: s.state });
  }
  const swept: Leftover[] = [];
  for (const l of leftovers(root)) {
    const r = dryRun ? null : removeTree(l.dir);
    if (r?.isErr()) failed.push({ hash: path.basename(l.dir), message: r.error.message });
    else swept.push(l);
  }
  const freed = [...removed, ...swept].reduce((n, r) => n + r.sizeBytes, 0);
  const verb = dryRun ? "would remove" : "removed";
  for (const r of removed) out.result(`${verb} _env_${r.hash} (${r.state}, ${formatBytes(r.sizeBytes)})`);
  for (const l of swept) out.result(`${verb} ${path.basename(l.dir)}, left by an interrupted gc (${formatBytes(l.sizeBytes)})`);
  out.result(`${verb} ${removed.length} environment(s), ${formatBytes(freed)}; kept ${kept.length}`);
  const body = { root, dryRun, removed, leftovers: swept, kept, failed, freedBytes: freed };
  for (const f of failed.slice(1)) out.error(renderError({ kind: "command", error: { kind: "remove-failed", ...f } }).message);
  const first = failed[0];
  if (first) return reportError(out, { kind: "command", error: { kind: "remove-failed", ...first } }, body);
  out.document(body, EXIT.OK);
  return EXIT.OK;
}
