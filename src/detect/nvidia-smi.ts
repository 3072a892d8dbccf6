import { err, ok, type Result } from "../util/result.ts";
import { architectureOfText, formatComputeCapability, parseComputeCapability } from "./arch.ts";
import { findExecutable, runCommand, type CommandOutput } from "./run-command.ts";
import type { DriverInfo, Env, GpuInfo, GpuProbeAnswer, ProbeError } from "./types.ts";

const TIMEOUT_MS = 10_000;

/** `--query-gpu` field list; R470-era drivers reject compute_cap, so it can be left out. */
export function smiQueryArgs(withComputeCap: boolean): string[] {
  const fields = ["index", "name", "pci.bus_id", ...(withComputeCap ? ["compute_cap"] : []), "memory.total", "driver_version"];
  return [`--query-gpu=${fields.join(",")}`, "--format=csv,noheader,nounits"];
}

function field(v: string | undefined): string | null {
  const s = (v ?? "").trim();
  return s === "" || /^\[?(N\/A|Not Supported|Unknown Error)\]?$/i.test(s) ? null : s;
}

/** Rows of `--query-gpu=... --format=csv,noheader,nounits` (CRLF tolerated). */
export function parseSmiQuery(text: string, withComputeCap: boolean): Result<GpuInfo[], ProbeError> {
  const width = withComputeCap ? 6 : 5;
  const gpus: GpuInfo[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === "") continue;
    const cols = line.split(",").map((c) => c.trim());
    if (cols.length !== width) {
      return err({ kind: "parse-failed", what: "nvidia-smi", message: `expected ${width} columns, got: ${line.trim()}` });
    }
    const [index, name, bus, ...rest] = cols;
    const cc = withComputeCap ? parseComputeCapability(field(rest.shift()) ?? "") : null;
    const [mem, driver] = rest;
    const ccText = cc ? formatComputeCapability(cc) : null;
    const memText = field(mem);
    const vram = memText === null ? Number.NaN : Number(memText);
    gpus.push({
      index: Number(index),
      vendor: "nvidia",
      name: field(name),
      pciBusId: field(bus),
      pciDeviceId: null,
      computeCapability: ccText,
      architecture: architectureOfText(ccText),
      vramMiB: Number.isFinite(vram) ? vram : null,
      driverVersion: field(driver),
      source: "nvidia-smi",
    });
  }
  return ok(gpus);
}

/** Old drivers answer a query naming compute_cap with this error instead of rows. */
export function isUnknownFieldError(text: string): boolean {
  return /is not a valid field to query/i.test(text);
}

/** Driver and its newest CUDA from the banner of plain `nvidia-smi`. */
export function parseSmiBanner(text: string): DriverInfo {
  const cuda = /CUDA Version:\s*(\d+)\.(\d+)/.exec(text);
  const driver = /Driver Version:\s*([0-9.]+)/.exec(text);
  return { version: driver?.[1] ?? null, cuda: cuda ? `${cuda[1]}.${cuda[2]}` : null };
}

/** First meaningful line of a failed run ("NVIDIA-SMI has failed because it couldn't communicate..."). */
export function smiFailure(out: CommandOutput): ProbeError {
  const line = `${out.stdout}\n${out.stderr}`.split(/\r?\n/).find((l) => l.trim() !== "");
  return { kind: "call-failed", what: "nvidia-smi", message: `exit ${out.code}: ${line?.trim() ?? "no output"}` };
}

/** Query GPUs (retrying without compute_cap on old drivers) and read the CUDA version from the banner. */
export async function probeNvidiaSmi(env: Env, fallbacks: string[]): Promise<Result<GpuProbeAnswer, ProbeError>> {
  const exe = findExecutable("nvidia-smi", env, fallbacks);
  if (!exe) return err({ kind: "not-found", what: "nvidia-smi", message: "not on PATH" });
  const [first, banner] = await Promise.all([runCommand([exe, ...smiQueryArgs(true)], env, TIMEOUT_MS), runCommand([exe], env, TIMEOUT_MS)]);
  if (first.isErr()) return err(first.error);
  let query = first.value;
  let withCc = true;
  if (query.code !== 0 && isUnknownFieldError(query.stdout + query.stderr)) {
    const retry = await runCommand([exe, ...smiQueryArgs(false)], env, TIMEOUT_MS);
    if (retry.isErr()) return err(retry.error);
    query = retry.value;
    withCc = false;
  }
  if (query.code !== 0) return err(smiFailure(query));
  const gpus = parseSmiQuery(query.stdout, withCc);
  if (gpus.isErr()) return err(gpus.error);
  const fromBanner = banner.isOk() && banner.value.code === 0 ? parseSmiBanner(banner.value.stdout) : { version: null, cuda: null };
  return ok({ gpus: gpus.value, driver: { version: gpus.value[0]?.driverVersion ?? fromBanner.version, cuda: fromBanner.cuda } });
}
