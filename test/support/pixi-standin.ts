import path from "node:path";

/** Absolute path of the pixi stand-in executable (point COMFY_ENV_PIXI at it). */
export const STANDIN_PIXI = path.resolve(import.meta.dir, "..", "stand-ins", "pixi");

export interface StandinOptions {
  /** PEP 503 index base every PyPI package is taken from (PIXI_STANDIN_INDEX_URL). */
  indexUrl?: string;
  /** File that gets one JSON line per pixi invocation (PIXI_STANDIN_LOG). */
  log?: string;
  /** Seconds to sleep after the env exists, before PyPI installs (PIXI_STANDIN_SLEEP). */
  sleep?: number;
  /** Make every invocation fail with this message after 30 log lines (PIXI_STANDIN_FAIL). */
  fail?: string;
  /** Directory of Pythons laid out as X.Y.Z/bin/pythonX.Y (PIXI_STANDIN_PYTHONS). */
  pythons?: string;
  /** Install PyPI dependencies with the real uv from PyPI (PIXI_STANDIN_UV=1). */
  uv?: boolean;
  /** With `uv`: folder of local wheels standing in for the torch family (PIXI_STANDIN_TORCH_WHEELS). */
  torchWheels?: string;
}

/** process.env plus COMFY_ENV_PIXI and the stand-in knobs, for Bun.spawn({ env }). */
export function standinEnv(opts: StandinOptions = {}, base: Record<string, string | undefined> = process.env): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined && !k.startsWith("PIXI_STANDIN_")) env[k] = v;
  env.COMFY_ENV_PIXI = STANDIN_PIXI;
  if (opts.indexUrl !== undefined) env.PIXI_STANDIN_INDEX_URL = opts.indexUrl;
  if (opts.log !== undefined) env.PIXI_STANDIN_LOG = opts.log;
  if (opts.sleep !== undefined) env.PIXI_STANDIN_SLEEP = String(opts.sleep);
  if (opts.fail !== undefined) env.PIXI_STANDIN_FAIL = opts.fail;
  if (opts.pythons !== undefined) env.PIXI_STANDIN_PYTHONS = opts.pythons;
  if (opts.uv) env.PIXI_STANDIN_UV = "1";
  if (opts.torchWheels !== undefined) env.PIXI_STANDIN_TORCH_WHEELS = opts.torchWheels;
  return env;
}
