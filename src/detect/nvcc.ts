import path from "node:path";
import { err, ok, type Result } from "../util/result.ts";
import { findExecutable, runCommand } from "./run-command.ts";
import type { Env, ProbeError } from "./types.ts";

export interface NvccInfo {
  /** Toolkit release ("13.0"). */
  version: string;
  path: string;
}

const TIMEOUT_MS = 10_000;

/** "Cuda compilation tools, release 13.0, V13.0.88" → "13.0". */
export function parseNvccVersion(text: string): string | null {
  const m = /release\s+(\d+)\.(\d+)/.exec(text);
  return m ? `${m[1]}.${m[2]}` : null;
}

/** nvcc on PATH, else under CUDA_HOME or CUDA_PATH (the toolkit installers' variables). */
export function findNvcc(env: Env, exe: string): string | null {
  const homes = [env.CUDA_HOME, env.CUDA_PATH].filter((h): h is string => Boolean(h));
  return findExecutable("nvcc", env, homes.map((h) => path.join(h, "bin", exe)));
}

export async function probeNvcc(env: Env, exe: string): Promise<Result<NvccInfo, ProbeError>> {
  const found = findNvcc(env, exe);
  if (!found) return err({ kind: "not-found", what: "nvcc", message: "not on PATH, CUDA_HOME or CUDA_PATH" });
  const run = await runCommand([found, "--version"], env, TIMEOUT_MS);
  if (run.isErr()) return err(run.error);
  const version = parseNvccVersion(run.value.stdout);
  if (run.value.code !== 0 || version === null) {
    return err({ kind: "parse-failed", what: "nvcc", message: `exit ${run.value.code}: ${run.value.stdout.trim().split("\n").pop() ?? ""}` });
  }
  return ok({ version, path: found });
}
