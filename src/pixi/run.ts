import fs from "node:fs";
import { err, ok, type Result, messageOf } from "../util/result.ts";
import { lastLines } from "../util/log-tail.ts";
import { forEachLine } from "../util/lines.ts";
import { onInterrupt, stopChild } from "../util/interrupt.ts";
import type { BuildPaths } from "../cache/layout.ts";
import { installerTlsEnv } from "../util/tls.ts";

export type PixiRunError =
  | { kind: "pixi-failed"; exitCode: number | null; signal: string | null; log: string; tail: string[] }
  | { kind: "pixi-spawn-failed"; pixi: string; message: string };

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/**
 * `pixi install` in the build folder. Every byte of output goes to install.log; each new
 * output line is passed to onLine (the CLI's progress line). uv is kept off the network for
 * Pythons: the env's Python must come from conda, never from a uv download.
 */
export async function runPixiInstall(
  pixi: string,
  p: BuildPaths,
  onLine: (line: string) => void,
  onSpawn: (pid: number) => void = () => {},
): Promise<Result<void, PixiRunError>> {
  const log = fs.openSync(p.log, "a");
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    proc = Bun.spawn([pixi, "install", "--manifest-path", p.manifest], {
      cwd: p.dir,
      env: {
        ...process.env,
        ...installerTlsEnv(process.env, p.caBundle),
        UV_PYTHON_INSTALL_DIR: p.noPython,
        UV_PYTHON_PREFERENCE: "only-system",
      },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
  } catch (e) {
    fs.closeSync(log);
    return err({ kind: "pixi-spawn-failed", pixi, message: messageOf(e) });
  }
  onSpawn(proc.pid);
  const spawned = proc;
  const unregister = onInterrupt(() => stopChild(spawned));
  const line = (l: string) => {
    const clean = l.replace(ANSI, "").trim();
    if (clean) onLine(clean);
  };
  const write = (chunk: Uint8Array) => void fs.writeSync(log, chunk);
  await Promise.all([
    forEachLine(proc.stdout as ReadableStream<Uint8Array>, line, write),
    forEachLine(proc.stderr as ReadableStream<Uint8Array>, line, write),
  ]);
  const exitCode = await proc.exited;
  unregister();
  fs.closeSync(log);
  if (exitCode === 0) return ok(undefined);
  const text = fs.readFileSync(p.log, "utf8").replace(ANSI, "");
  return err({ kind: "pixi-failed", exitCode, signal: proc.signalCode ? String(proc.signalCode) : null, log: p.log, tail: lastLines(text, 20) });
}
