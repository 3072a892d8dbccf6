import { cacheRoot } from "../cache/root.ts";
import { envStatus, listBuilds } from "../cache/status.ts";
import { openCommand, stringFlag } from "./args.ts";
import { EXIT } from "./exit.ts";
import type { Output } from "./output.ts";
import { formatBytes } from "./format.ts";
import { renderError } from "./errors/index.ts";

export const STATUS_HELP = `Usage: comfy-env status [--root DIR] [--json]

List every environment in the cache: hash, state (done, broken: done but its env was deleted,
building, stale: its builder died, failed: not finished and not building), size, the node folder it was built for, and the
_env_<hash> links that point at it.`;

export async function runStatus(args: string[], base: Output): Promise<number> {
  const opened = openCommand(args, { root: { type: "string" } }, STATUS_HELP, base);
  if (!opened.ok) return opened.exitCode;
  const { args: a, out } = opened;
  const root = cacheRoot(stringFlag(a, "root"));
  const envs = listBuilds(root).map((p) => envStatus(p));
  if (out.json) {
    out.document({ root, envs }, EXIT.OK);
    return EXIT.OK;
  }
  if (envs.length === 0) {
    out.result(`no environments in ${root}`);
    return EXIT.OK;
  }
  out.result(`cache: ${root}`);
  for (const e of envs) {
    out.result(`_env_${e.hash}  ${e.state.padEnd(8)}  ${formatBytes(e.sizeBytes).padStart(9)}  ${e.source ?? "-"}`);
    for (const l of e.links) out.result(`    ← ${l}`);
    if (e.linksError) out.result(`    (links unknown: ${renderError({ kind: "cache", error: e.linksError }).message}; kept by \`comfy-env gc\`)`);
    else if (e.links.length === 0) out.result("    (no links: removed by `comfy-env gc`)");
  }
  return EXIT.OK;
}
