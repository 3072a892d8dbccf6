import fs from "node:fs";
import { err, ok, type Result, messageOf } from "../util/result.ts";
import { lastLines } from "../util/log-tail.ts";
import type { BuildPaths } from "../cache/layout.ts";

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
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    let partial = "";
    for await (const chunk of stream) {
      fs.writeSync(log, chunk);
      partial += decoder.decode(chunk, { stream: true });
      const parts = partial.split(/\r?\n|\r/);
      partial = parts.pop() ?? "";
      for (const line of parts) {
        const clean = line.replace(ANSI, "").trim();
        if (clean) onLine(clean);
      }
    }
  };
  await Promise.all([pump(proc.stdout as ReadableStream<Uint8Array>), pump(proc.stderr as ReadableStream<Uint8Array>)]);
  const exitCode = await proc.exited;
  fs.closeSync(log);
  if (exitCode === 0) return ok(undefined);
  const text = fs.readFileSync(p.log, "utf8").replace(ANSI, "");
  return err({ kind: "pixi-failed", exitCode, signal: proc.signalCode ? String(proc.signalCode) : null, log: p.log, tail: lastLines(text, 20) });
}
