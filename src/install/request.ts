import fs from "node:fs";
import { readEnv } from "../util/env.ts";
import { err, ok, type Result } from "../util/result.ts";
import type { BuildError } from "./errors.ts";

/** A CUDA target asked for by `--cuda` or COMFY_ENV_CUDA_VERSION: a version, or null for CPU. */
export interface CudaRequest {
  cuda: string | null;
  reason: string;
}

/**
 * What the user asked of this run beyond the configs. The fast path compares it with what a
 * done build was made for, so it is parsed and checked on every path, built or not.
 */
export interface BuildRequest {
  /** Undefined: keep what a build was made for (or detect, for a first build). */
  cuda?: CudaRequest;
  /** `--python PATH`: the host interpreter whose version pins configs without one. */
  python?: string;
  /** `--refresh`: re-detect CUDA and the host Python instead of reusing a build's record. */
  refresh: boolean;
  /** `--force`: rebuild every env, beside its current build. */
  force: boolean;
}

/** A flag or variable that cannot mean anything: refused before anything is reused or built. */
export type RequestError = Extract<BuildError, { kind: "install" | "detect" }>;

const CUDA_RE = /^\d+\.\d+(\.\d+)?$/;

/**
 * `--cuda X.Y[.Z]|none|cpu`: "none"/"cpu" mean a CPU build. "12.8.1" is "12.8": variants and
 * the manifest work in major.minor, so both name one build.
 */
export function parseCudaFlag(v: string): Result<string | null, RequestError> {
  const t = v.trim();
  if (/^(none|cpu)$/i.test(t)) return ok(null);
  return CUDA_RE.test(t) ? ok(t.split(".").slice(0, 2).join(".")) : err({ kind: "install", error: { kind: "invalid-cuda", cuda: v } });
}

/** `--cuda` first, then COMFY_ENV_CUDA_VERSION; undefined when neither is set. */
export function cudaRequest(flag: string | undefined): Result<CudaRequest | undefined, RequestError> {
  if (flag !== undefined) return parseCudaFlag(flag).map((cuda) => ({ cuda, reason: `--cuda ${flag}` }));
  const raw = readEnv("COMFY_ENV_CUDA_VERSION");
  if (raw === undefined) return ok(undefined);
  const parsed = parseCudaFlag(raw);
  if (parsed.isErr()) return err({ kind: "detect", error: { kind: "bad-cuda-override", value: raw } });
  return ok({ cuda: parsed.value, reason: `COMFY_ENV_CUDA_VERSION=${raw.trim()}` });
}

/** A `--python` that names no file (or no command on PATH) is refused before anything is reused. */
export function checkPythonFlag(flag: string | undefined): Result<string | undefined, RequestError> {
  if (flag === undefined) return ok(undefined);
  const isPath = /[\\/]/.test(flag);
  const found = isPath ? fs.existsSync(flag) && !fs.statSync(flag).isDirectory() : Bun.which(flag) !== null;
  return found ? ok(flag) : err({ kind: "install", error: { kind: "host-python-failed", python: flag, message: isPath ? "no such file" : "not found on PATH" } });
}

export function parseRequest(flags: { cuda?: string; python?: string; refresh?: boolean; force?: boolean }): Result<BuildRequest, RequestError> {
  return cudaRequest(flags.cuda).andThen((cuda) =>
    checkPythonFlag(flags.python).map((python) => ({
      ...(cuda === undefined ? {} : { cuda }),
      ...(python === undefined ? {} : { python }),
      refresh: flags.refresh === true,
      force: flags.force === true,
    })),
  );
}
