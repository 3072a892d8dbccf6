import { forEachLine } from "../util/lines.ts";
import { onInterrupt, stopChild } from "../util/interrupt.ts";
import { err, messageOf, ok, ResultAsync, type Result } from "../util/result.ts";
import { installerTlsEnv } from "../util/tls.ts";
import type { WheelsError, WheelResolution } from "./types.ts";

/** Lines of installer output kept for the error message. */
const TAIL_LINES = 20;

/** What to hand the installer: the wheel URL, or the plain PyPI requirement. */
export function installSpec(r: WheelResolution): string {
  return r.source === "index" ? r.url : r.requirement;
}

/**
 * The install command: uv when it is on PATH (fast, no cache pollution), else the env's own pip.
 * `--no-deps`: a CUDA wheel's dependencies (torch...) are already pinned by pixi, and letting
 * the installer resolve them again could swap torch for another build. `--` ends the options, so
 * no requirement can be read as one (`--target=…`, `--index-url=…`).
 */
export function installCommand(envPython: string, specs: string[], uv: string | null): string[] {
  return uv
    ? [uv, "pip", "install", "--no-deps", "--no-cache", "--python", envPython, "--", ...specs]
    : [envPython, "-m", "pip", "install", "--no-deps", "--no-cache-dir", "--", ...specs];
}

/**
 * Install the resolved wheels into the environment of `envPython`, streaming output lines to
 * `log`; `onSpawn` gets the installer's pid (the build lock records it, as it does pixi's).
 */
export function installWheels(
  envPython: string,
  resolutions: WheelResolution[],
  opts: { log: (line: string) => void; caBundle?: string; onSpawn?: (pid: number) => void },
): ResultAsync<void, WheelsError> {
  if (resolutions.length === 0) return new ResultAsync(Promise.resolve(ok(undefined)));
  const uv = Bun.which("uv", { PATH: process.env.PATH ?? "" });
  const command = installCommand(envPython, resolutions.map(installSpec), uv);
  return new ResultAsync(run(command, opts.log, opts.caBundle, opts.onSpawn));
}

async function run(command: string[], log: (line: string) => void, caBundle: string | undefined, onSpawn?: (pid: number) => void): Promise<Result<void, WheelsError>> {
  let proc;
  try {
    // pip's self-update check would ask PyPI on every build; this step needs only the wheel URLs.
    const env = { ...process.env, ...installerTlsEnv(process.env, caBundle), PIP_DISABLE_PIP_VERSION_CHECK: "1", PIP_NO_INPUT: "1" };
    proc = Bun.spawn(command, { env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  } catch (e) {
    return err({ kind: "installer-spawn-failed", command, message: messageOf(e) });
  }
  onSpawn?.(proc.pid);
  const spawned = proc;
  const unregister = onInterrupt(() => stopChild(spawned));
  const lines: string[] = [];
  const onLine = (line: string) => {
    lines.push(line);
    log(line);
  };
  await Promise.all([forEachLine(proc.stdout, onLine), forEachLine(proc.stderr, onLine)]);
  const exitCode = await proc.exited;
  unregister();
  if (exitCode === 0) return ok(undefined);
  return err({ kind: "wheel-install-failed", command, exitCode, tail: lines.slice(-TAIL_LINES) });
}
