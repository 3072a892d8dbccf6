import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { readEnv } from "../util/env.ts";
import { downloadFile, fetchText, type HttpError } from "../util/http.ts";
import { hostOs } from "../util/platform.ts";
import { DEFAULT_DOWNLOAD_URL, findReleaseAsset, parseSha256Sums, releaseFileUrl, stripV, SUMS_FILE, type ReleaseAsset } from "../util/release.ts";
import { codeOf, err, messageOf, ok, type Result } from "../util/result.ts";
import { replaceExecutable, type ReplaceError } from "../util/self-replace.ts";
import { TARGET, VERSION } from "../version.ts";
import { openCommand, stringFlag } from "./args.ts";
import { describeHttpError } from "./errors/network.ts";
import type { RenderedError } from "./errors/types.ts";
import { EXIT, type ExitCode } from "./exit.ts";
import type { Output } from "./output.ts";
import { reportError } from "./render-error.ts";

export const SELF_UPDATE_HELP = `Usage: comfy-env self-update [--version X.Y.Z] [--json]

Replace this comfy-env executable with the latest release (or the pinned --version), after
checking its sha256 against the release's SHA256SUMS. Does nothing when already current.

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

/** Inside a `bun build --compile` executable the entry point lives in Bun's virtual file system. */
export function isCompiled(main: string = Bun.main): boolean {
  return main.startsWith("/$bunfs/") || /^B:[\\/]~BUN[\\/]/.test(main) || main.startsWith("file:///B:/~BUN/");
}

function sha256File(p: string): Result<string, SelfUpdateError> {
  try {
    return ok(new Bun.CryptoHasher("sha256").update(fs.readFileSync(p)).digest("hex"));
  } catch (e) {
    return err({ kind: "read-failed", path: p, message: messageOf(e) });
  }
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

/** Find the release asset, skip if `exe` already is it, else download beside `exe`, verify, run it once, swap. */
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

  const current = sha256File(opts.exe);
  if (current.isErr()) return err(current.error);
  if (current.value === asset.sha256) return ok(done(false));

  // Same folder, so the final rename never crosses file systems; .exe so Windows will run it.
  const tmp = path.join(path.dirname(opts.exe), `.${path.basename(opts.exe)}.${process.pid}-${randomBytes(4).toString("hex")}.update${hostOs() === "windows" ? ".exe" : ""}`);
  const installed = await fetchVerifyReplace(opts, asset, tmp);
  if (installed.isErr()) fs.rmSync(tmp, { force: true });
  return installed.map(() => done(true));
}

async function fetchVerifyReplace(opts: SelfUpdateOptions, asset: ReleaseAsset, tmp: string): Promise<Result<void, SelfUpdateError>> {
  // The versioned folder, even for "latest": a release published meanwhile cannot swap the file under us.
  const url = releaseFileUrl(opts.baseUrl, asset.version, asset.name);
  const got = await downloadFile(url, tmp, { onProgress: opts.onProgress });
  if (got.isErr()) return err({ kind: "download-failed", cause: got.error });
  if (got.value.sha256 !== asset.sha256) return err({ kind: "checksum-mismatch", url, expected: asset.sha256, actual: got.value.sha256 });
  try {
    fs.chmodSync(tmp, 0o755);
  } catch (e) {
    return err({ kind: "replace-failed", path: tmp, code: codeOf(e), message: messageOf(e) });
  }
  const runs = await checkRuns(tmp, asset.version);
  if (runs.isErr()) return runs;
  return replaceExecutable(opts.exe, tmp);
}

function describeHttp(e: HttpError): string {
  switch (e.kind) {
    case "http-status":
      return `${e.url}: HTTP ${e.status}`;
    case "network":
      return `${e.url}: ${e.message}${e.attempts > 1 ? ` (${e.attempts} attempts)` : ""}`;
    case "truncated":
      return `${e.url}: connection closed after ${e.received} of ${e.expected} bytes`;
    case "too-slow":
    case "timed-out":
      return `${e.url}: ${describeHttpError(e)}`;
    case "write-failed":
      return `cannot write ${e.path}: ${e.message}`;
  }
}

export function renderSelfUpdateError(e: SelfUpdateError): RenderedError {
  const url = "COMFY_ENV_DOWNLOAD_URL";
  switch (e.kind) {
    case "not-compiled":
      return { message: "self-update replaces the compiled comfy-env executable; this is running from sources", hints: ["update the checkout (git pull) instead, or run a released comfy-env"] };
    case "release-not-found":
      return e.version
        ? { message: `release v${stripV(e.version)} not found (${e.url})`, hints: ["check the version number"] }
        : { message: `no latest release found at ${e.url}`, hints: [`check ${url}`] };
    case "download-failed":
      return { message: `download failed: ${describeHttp(e.cause)}`, hints: ["check the network or proxy (HTTPS_PROXY), then rerun", `a mirror can be set with ${url}`] };
    case "no-asset":
      return { message: `the release ${e.version ? `v${stripV(e.version)} ` : ""}has no build for ${e.target}`, causes: [`checked ${e.url}`] };
    case "checksum-mismatch":
      return { message: `sha256 of ${e.url} does not match SHA256SUMS; nothing was replaced`, causes: [`expected ${e.expected}`, `got      ${e.actual}`], hints: ["rerun later; if it persists, report it"] };
    case "bad-binary":
      return { message: `the downloaded comfy-env does not run here; nothing was replaced`, causes: [e.message] };
    case "read-failed":
      return { message: `cannot read ${e.path}: ${e.message}` };
    case "replace-failed":
      return {
        message: `cannot replace ${e.path}: ${e.message}`,
        hints: e.code === "EACCES" || e.code === "EPERM" ? ["the folder is not writable by you: rerun with the rights of its owner, or reinstall to a folder you own with install.sh"] : [],
      };
  }
}

export function selfUpdateExitCode(e: SelfUpdateError): ExitCode {
  return e.kind === "not-compiled" || (e.kind === "release-not-found" && e.version !== undefined) ? EXIT.USER_ERROR : EXIT.FAILED;
}

/** The file to replace: through any symlink (~/.local/bin/comfy-env → the real file). */
function realExecPath(): string {
  try {
    return fs.realpathSync(process.execPath);
  } catch {
    return process.execPath;
  }
}

export async function runSelfUpdate(args: string[], base: Output): Promise<number> {
  const opened = openCommand(args, { version: { type: "string" } }, SELF_UPDATE_HELP, base);
  if (!opened.ok) return opened.exitCode;
  const { args: a, out } = opened;

  const r: Result<SelfUpdated, SelfUpdateError> = !isCompiled()
    ? err({ kind: "not-compiled", main: Bun.main })
    : await selfUpdate({
        exe: realExecPath(),
        baseUrl: readEnv("COMFY_ENV_DOWNLOAD_URL") ?? DEFAULT_DOWNLOAD_URL,
        target: TARGET,
        version: stringFlag(a, "version"),
        onProgress: (done, total) => out.progress(`downloading ${(done / 1e6).toFixed(1)}${total ? ` of ${(total / 1e6).toFixed(1)}` : ""} MB`),
      });
  out.clearProgress();
  if (r.isErr()) {
    return reportError(out, renderSelfUpdateError(r.error), r.error.kind, selfUpdateExitCode(r.error));
  }
  const u = r.value;
  out.document({ ...u }, EXIT.OK);
  out.result(u.updated ? `updated comfy-env ${u.from} → ${u.to} (${u.target}) at ${u.path}` : `comfy-env ${u.to} (${u.target}) is already installed at ${u.path}`);
  return EXIT.OK;
}
