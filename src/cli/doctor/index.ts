import fs from "node:fs";
import path from "node:path";
import { cacheRoot } from "../../cache/root.ts";
import { liveLinks } from "../../cache/links.ts";
import { listBuilds } from "../../cache/status.ts";
import { decideCuda } from "../../detect/decision.ts";
import { longPathsEnabled } from "../../link/windows.ts";
import { hostOs } from "../../util/platform.ts";
import { existingRuntimeBases } from "../../runtime/paths.ts";
import { openCommand, stringFlag, usage } from "../args.ts";
import { envelope } from "../document.ts";
import { errorDocOf, exitCodeOf, reportError, type CliError } from "../errors/index.ts";
import { EXIT } from "../exit.ts";
import { formatBytes } from "../format.ts";
import type { Output } from "../output.ts";
import { writeBundle } from "./bundle.ts";
import { cacheChecks, comfyuiDriveCheck } from "./cache.ts";
import type { Status } from "./check.ts";
import { comfyuiChecks } from "./comfyui.ts";
import { envChecks } from "./envs.ts";
import { gpuChecks } from "./gpu.ts";
import { longPathChecks } from "./long-paths.ts";
import { networkChecks, toolChecks } from "./tools.ts";

export const DOCTOR_HELP = `Usage: comfy-env doctor [--root DIR] [--comfyui DIR [--python PY]] [--offline]
                        [--bundle FILE] [--json]

Answer "why does this not work" and "where did my disk go": each check prints its status
(ok, warn, fail) and, when not ok, the fix.
  tools     pixi (found, or the release install would download), git
  network   the hosts a build needs (pixi releases, PyTorch index, CUDA-wheel index, conda-forge),
            through HTTPS_PROXY/NO_PROXY; --offline skips these
  cache     the cache root: writable, free space, on the same file system as pixi's package
            cache (hardlinks work only then), on ComfyUI's drive (with --comfyui); on Windows
            whether long paths are enabled, and each env's longest path against 260 characters
  envs      each cached env: state, size unique to it and shared through hardlinks, its links
  gpu       the CUDA a build would target now (detection, with PY's torch; COMFY_ENV_CUDA_VERSION)
            against the one each env was built for
  comfyui   with --comfyui DIR: the bridge in ComfyUI's Python (PY, or its portable Python), and
            each isolated folder of its packs imported in its env as its worker would
--bundle FILE writes the --json document, each env's install log (its last 1 MiB), manifest and
meta, and the worker logs into one .tar.gz to attach to a bug report (credentials in URLs are
masked; worker secrets and sockets are never read). Exit 1 if any check fails.`;

const MARK: Record<Status, string> = { ok: "✓", warn: "!", fail: "✗" };

export async function runDoctor(args: string[], base: Output): Promise<number> {
  const opened = openCommand(args, { root: { type: "string" }, comfyui: { type: "string" }, python: { type: "string" }, offline: { type: "boolean", default: false }, bundle: { type: "string" } }, DOCTOR_HELP, base);
  if (!opened.ok) return opened.exitCode;
  const { args: a, out } = opened;
  const comfyui = stringFlag(a, "comfyui");
  if (comfyui !== undefined && !fs.existsSync(comfyui)) return reportError(out, usage(`--comfyui ${comfyui}: no such folder`));
  // The root install would use for this ComfyUI (on Windows, its drive decides the default).
  const root = cacheRoot(stringFlag(a, "root"), process.env, comfyui);

  const envs = envChecks(root);
  const checks = [
    ...toolChecks(root),
    ...(a.values.offline === true ? [] : await networkChecks()),
    ...cacheChecks(root, envs.bytes),
    ...(comfyui !== undefined ? [comfyuiDriveCheck(root, comfyui)] : []),
    ...(hostOs() === "windows" ? longPathChecks(listBuilds(root).map((p) => ({ hash: p.hash, env: p.env, links: liveLinks(p).unwrapOr([]) })), longPathsEnabled()) : []),
    ...envs.checks,
    ...gpuChecks(root, await decideCuda({ python: stringFlag(a, "python") })),
    ...(comfyui !== undefined ? await comfyuiChecks(comfyui, stringFlag(a, "python")) : []),
  ];
  for (const c of checks) {
    out.result(`${MARK[c.status]} ${c.group} ${c.name}: ${c.summary}`);
    if (c.fix) out.result(`    fix: ${c.fix}`);
  }
  const failed = checks.filter((c) => c.status === "fail");
  const counts = { ok: checks.filter((c) => c.status === "ok").length, warn: checks.filter((c) => c.status === "warn").length, fail: failed.length };
  out.result(`${counts.ok} ok, ${counts.warn} warning(s), ${counts.fail} failed`);
  const first = failed[0];
  const error: CliError | undefined = first
    ? { kind: "command", error: { kind: "check-failed", count: failed.length, of: "checks", first: `${first.group} ${first.name}: ${first.summary}`, hints: first.fix ? [first.fix] : [] } }
    : undefined;
  const exitCode = error ? exitCodeOf(error) : EXIT.OK;
  const body: Record<string, unknown> = { root, checks, counts, ...(error ? { error: errorDocOf(error) } : {}) };
  const bundle = stringFlag(a, "bundle");
  if (bundle !== undefined) {
    const file = path.resolve(bundle);
    const written = writeBundle(file, envelope(out.command, body, exitCode), root, existingRuntimeBases());
    if (written.isErr()) return reportError(out, { kind: "command", error: { kind: "bundle-failed", file, cause: written.error } }, { root, checks, counts });
    out.result(`bundle: ${file} (${formatBytes(written.value)}): attach it to the bug report`);
    body.bundle = { path: file, bytes: written.value };
  }
  out.document(body, exitCode);
  return exitCode;
}
