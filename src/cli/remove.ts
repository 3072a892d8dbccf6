import fs from "node:fs";
import path from "node:path";
import { cacheRoot } from "../cache/root.ts";
import { linkedBuilds } from "../install/reuse.ts";
import { removeLink } from "../link/index.ts";
import { openCommand, stringFlag, usage } from "./args.ts";
import { renderError, reportError } from "./errors/index.ts";
import { EXIT } from "./exit.ts";
import type { Output } from "./output.ts";

export const REMOVE_HELP = `Usage: comfy-env remove PACK_DIR... [--root DIR] [--json]

Remove the _env_<hash> links that a node pack's folders have into the cache, so that
\`comfy-env gc\` can free the builds no other pack links to. Only links are removed: the pack's
files and the cache are not touched.`;

/** Every folder of a pack, depth first, skipping hidden and `_`-prefixed ones (as discovery does); links are not followed. */
function packFolders(dir: string, out: string[] = []): string[] {
  out.push(dir);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (e.isDirectory() && !/^[._]/.test(e.name) && e.name !== "node_modules" && e.name !== "__pycache__") packFolders(path.join(dir, e.name), out);
  }
  return out;
}

export async function runRemove(args: string[], base: Output): Promise<number> {
  const opened = openCommand(args, { root: { type: "string" } }, REMOVE_HELP, base);
  if (!opened.ok) return opened.exitCode;
  const { args: a, out } = opened;
  if (a.positionals.length === 0) return reportError(out, usage("expected at least one PACK_DIR", ["`comfy-env remove --help` shows the usage"]));
  const root = cacheRoot(stringFlag(a, "root"));
  const removed: string[] = [];
  const failed: { link: string; message: string }[] = [];
  for (const raw of a.positionals) {
    const pack = path.resolve(raw);
    if (!fs.existsSync(pack) || !fs.statSync(pack).isDirectory()) return reportError(out, usage(`${pack} is not a folder`), { root, removed });
    for (const dir of packFolders(pack)) {
      for (const { link } of linkedBuilds(dir, root)) {
        const r = removeLink(link);
        if (r.isErr()) failed.push({ link, message: r.error.kind === "link-failed" ? r.error.message : "not a link" });
        else removed.push(link);
      }
    }
  }
  for (const l of removed) out.result(`removed ${l}`);
  out.result(`removed ${removed.length} link(s); \`comfy-env gc\` frees builds nothing links to`);
  for (const f of failed.slice(1)) out.error(renderError({ kind: "command", error: { kind: "unlink-failed", ...f } }).message);
  const first = failed[0];
  if (first) return reportError(out, { kind: "command", error: { kind: "unlink-failed", ...first } }, { root, removed, failed });
  out.document({ root, removed, failed }, EXIT.OK);
  return EXIT.OK;
}
