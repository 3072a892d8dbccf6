import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { readEnv } from "../util/env.ts";
import { downloadFile, fetchText, type HttpError } from "../util/http.ts";
import { hostOs } from "../util/platform.ts";
import { extractMember, type ArchiveError } from "../pixi/archive.ts";
import { archiveFormat, DEFAULT_DOWNLOAD_URL, executableName, findReleaseAsset, parseSha256Sums, releaseFileUrl, SUMS_FILE, type ReleaseAsset } from "../util/release.ts";
import { codeOf, err, messageOf, ok, type Result } from "../util/result.ts";
import { isCompiled, replaceExecutable, runningExecutable, type ReplaceError } from "../util/self-replace.ts";
import { installsFile } from "../bridge/installs.ts";
import { refreshBridges } from "../bridge/refresh.ts";
import { TARGET, VERSION } from "../version.ts";
import { openCommand, stringFlag } from "./args.ts";
import { reportError } from "./errors/index.ts";
import { EXIT } from "./exit.ts";
import type { Output } from "./output.ts";

export const SELF_UPDATE_HELP = `Usage: comfy-env self-update [--version X.Y.Z] [--json]

Replace this comfy-env executable with the one in the latest release's archive (or the pinned
--version's), after checking the archive's sha256 against the release's SHA256SUMS. Does
nothing when this executable already is that version. After replacing itself it reruns
\`bridge install\` (with the new binary) in every Python that \`bridge install\` recorded for
this executable (${installsFile()}), and prints the command to run for any it could not refresh.

Options:
  --version X.Y.Z     install this release instead of the latest (also downgrades)
  --json              one JSON document on stdout
  -q, --quiet         errors only

Environment: COMFY_ENV_DOWNLOAD_URL (release base URL, default ${DEFAULT_DOWNLOAD_URL}).`;

export type SelfUpdateError =
  | { kind: "not-compiled"; main: string }
  | { kind: "release-not-found"; url: string; version?: string }
  | { kind: "download-failed"; cause: HttpError }
  | { kind: "no-asset"; url: string; target: string; version?: string }
  | { kind: "checksum-mismatch"; url: string; expected: string; actual: string }
  | { kind: "bad-archive"; url: string; cause: ArchiveError }
  | { kind: "bad-binary"; path: string; message: string }
  | { kind: "read-failed"; path: string; message: string }
  | ReplaceError;

export interface SelfUpdated {
  updated: boolean;
  from: string;
  to: string;
  target: string;
  path: string;
  asset: string;
  sha256: string;
}

/** Does the new file run here and call itself the version we asked for? Catches a wrong-arch or cut asset. */
async function checkRuns(file: string, version: string): Promise<Result<void, SelfUpdateError>> {
  try {
    const proc = Bun.spawn([file, "--version"], { stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 30_000 });
    const [stdout, code] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
    if (code === 0 && stdout.startsWith(`comfy-env ${version} `)) return ok(undefined);
    return err({ kind: "bad-binary", path: file, message: `"--version" exited ${code} and printed ${JSON.stringify(stdout.trim().slice(0, 200))}` });
  } catch (e) {
    return err({ kind: "bad-binary", path: file, message: messageOf(e) });
  }
}

export interface SelfUpdateOptions {
  exe: string;
  baseUrl: string;
  target: string;
  version?: string;
  onProgress?: (done: number, total: number | null) => void;
}

/** Find the release asset, skip if `exe` already is its version, else download beside `exe`, verify, unpack, run it once, swap. */
export async function selfUpdate(opts: SelfUpdateOptions): Promise<Result<SelfUpdated, SelfUpdateError>> {
  const sumsUrl = releaseFileUrl(opts.baseUrl, opts.version, SUMS_FILE);
  const sums = await fetchText(sumsUrl);
  if (sums.isErr()) {
    const e = sums.error;
    return err(e.kind === "http-status" && e.status === 404 ? { kind: "release-not-found", url: sumsUrl, version: opts.version } : { kind: "download-failed", cause: e });
  }
  const asset = findReleaseAsset(parseSha256Sums(sums.value), opts.target, opts.version);
  if (!asset) return err({ kind: "no-asset", url: sumsUrl, target: opts.target, version: opts.version });
  const done = (updated: boolean): SelfUpdated => ({ updated, from: VERSION, to: asset.version, target: opts.target, path: opts.exe, asset: asset.name, sha256: asset.sha256 });
  // SHA256SUMS lists archives, not executables: the version this one reports is what compares.
  if (asset.version === VERSION) return ok(done(false));

  // Same folder, so the final rename never crosses file systems; .exe so Windows will run it.
  const stem = path.join(path.dirname(opts.exe), `.${path.basename(opts.exe)}.${process.pid}-${randomBytes(4).toString("hex")}.update`);
  const tmp = { archive: `${stem}.${archiveFormat(opts.target)}`, exe: `${stem}${hostOs() === "windows" ? ".exe" : ""}` };
  const installed = await fetchVerifyReplace(opts, asset, tmp);
  fs.rmSync(tmp.archive, { force: true });
  if (installed.isErr()) fs.rmSync(tmp.exe, { force: true });
  return installed.map(() => done(true));
}

async function fetchVerifyReplace(opts: SelfUpdateOptions, asset: ReleaseAsset, tmp: { archive: string; exe: string }): Promise<Result<void, SelfUpdateError>> {
  // The versioned folder, even for "latest": a release published meanwhile cannot swap the file under us.
  const url = releaseFileUrl(opts.baseUrl, asset.version, asset.name);
  const got = await downloadFile(url, tmp.archive, { onProgress: opts.onProgress });
  if (got.isErr()) return err({ kind: "download-failed", cause: got.error });
  if (got.value.sha256 !== asset.sha256) return err({ kind: "checksum-mismatch", url, expected: asset.sha256, actual: got.value.sha256 });
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(tmp.archive);
  } catch (e) {
    return err({ kind: "read-failed", path: tmp.archive, message: messageOf(e) });
  }
  const member = extractMember(archiveFormat(opts.target), bytes, executableName(opts.target));
  if (member.isErr()) return err({ kind: "bad-archive", url, cause: member.error });
  try {
    fs.writeFileSync(tmp.exe, member.value);
    fs.chmodSync(tmp.exe, 0o755);
  } catch (e) {
    return err({ kind: "replace-failed", path: tmp.exe, code: codeOf(e), message: messageOf(e) });
  }
  const runs = await checkRuns(tmp.exe, asset.version);
  if (runs.isErr()) return runs;
  return replaceExecutable(opts.exe, tmp.exe);
}

export async function runSelfUpdate(args: string[], base: Output): Promise<number> {
  const opened = openCommand(args, { version: { type: "string" } }, SELF_UPDATE_HELP, base);
  if (!opened.ok) return opened.exitCode;
  const { args: a, out } = opened;

  const r: Result<SelfUpdated, SelfUpdateError> = !isCompiled()
    ? err({ kind: "not-compiled", main: Bun.main })
    : await selfUpdate({
        exe: runningExecutable(),
        baseUrl: readEnv("COMFY_ENV_DOWNLOAD_URL") ?? DEFAULT_DOWNLOAD_URL,
        target: TARGET,
        version: stringFlag(a, "version"),
        onProgress: (done, total) => out.progress(`downloading ${(done / 1e6).toFixed(1)}${total ? ` of ${(total / 1e6).toFixed(1)}` : ""} MB`),
      });
  out.clearProgress();
  if (r.isErr()) {
    return reportError(out, { kind: "self-update", error: r.error });
  }
  const u = r.value;
  // Only a new binary changes the bridge it would write; refreshing is best effort, never a failure.
  const bridges = u.updated ? await refreshBridges(u.path) : [];
  out.document({ ...u, bridges }, EXIT.OK);
  out.result(u.updated ? `updated comfy-env ${u.from} → ${u.to} (${u.target}) at ${u.path}` : `comfy-env ${u.to} (${u.target}) is already installed at ${u.path}`);
  for (const b of bridges) {
    if (b.status === "refreshed") out.result(`refreshed the bridge in ${b.python}`);
    if (b.status === "failed") {
      out.warn(`could not refresh the bridge in ${b.python}: ${b.message}`);
      out.note(`run: ${b.command}`);
    }
  }
  return EXIT.OK;
}
