import { existsSync } from "node:fs";
import path from "node:path";
import { err, messageOf, ok, type Result } from "../util/result.ts";
import type { Env, ProbeError } from "./types.ts";

export interface CommandOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * An executable by name on env.PATH, else the first existing fallback path.
 * PATH comes from `env` (not this process) so callers and tests choose what is visible.
 */
export function findExecutable(name: string, env: Env, fallbacks: string[] = []): string | null {
  const onPath = Bun.which(name, { PATH: env.PATH ?? env.Path ?? "" });
  if (onPath) return onPath;
  return fallbacks.find((p) => path.isAbsolute(p) && existsSync(p)) ?? null;
}

/** Run a probe command to completion with a deadline; a non-zero exit is data, not an error. */
export async function runCommand(argv: string[], env: Env, timeoutMs: number): Promise<Result<CommandOutput, ProbeError>> {
  const what = path.basename(argv[0] ?? "");
  let proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  try {
    proc = Bun.spawn(argv, { env, stdin: "ignore", stdout: "pipe", stderr: "pipe", windowsHide: true });
  } catch (e) {
    return err({ kind: "not-found", what, message: messageOf(e) });
  }
  // Own timer rather than spawn's `timeout`: Bun reports `killed` even for children that exited alone.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill("SIGKILL");
  }, timeoutMs);
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  if (timedOut) return err({ kind: "timeout", what, seconds: timeoutMs / 1000 });
  if (proc.signalCode !== null) return err({ kind: "call-failed", what, message: `killed by ${proc.signalCode}` });
  return ok({ code, stdout, stderr });
}
