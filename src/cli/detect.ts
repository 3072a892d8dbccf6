import { detectAll, type DetectReport } from "../detect/index.ts";
import type { Env, GpuInfo } from "../detect/types.ts";
import { openCommand, stringFlag } from "./args.ts";
import { renderError, reportError } from "./errors/index.ts";
import { EXIT } from "./exit.ts";
import type { Output } from "./output.ts";

export const DETECT_HELP = `Usage: comfy-env detect [--python PY] [--json]

Show the host (OS, arch, libc/macOS version), each GPU (name, compute capability,
architecture, VRAM, driver), the driver's CUDA version, nvcc, torch in PY if given, and the
CUDA variant and torch version \`install\` will use, with the reason.

GPU probes, first answer wins: NVML, nvidia-smi, torch in PY, sysfs (Linux); on Windows
nvidia-smi comes first. -v shows why each probe did not answer.

Environment: COMFY_ENV_CUDA_VERSION (CUDA to build for, "none"/"cpu" for CPU),
COMFY_ENV_NVML_LIB (NVML library to load), COMFY_ENV_SYSFS_ROOT (sysfs root, default /sys).`;

function gpuLine(g: GpuInfo): string {
  if (g.vendor !== "nvidia") {
    const who = g.vendor === "amd" ? "AMD" : "Intel";
    return `${who} GPU ${g.pciDeviceId ?? "?"} at ${g.pciBusId ?? "?"} (no CUDA: cpu wheels)`;
  }
  const parts = [g.name ?? `NVIDIA GPU ${g.pciDeviceId ?? ""}`.trim()];
  if (g.computeCapability) parts.push(`${g.architecture ?? "unknown architecture"} (${g.computeCapability})`);
  if (g.vramMiB !== null) parts.push(`${g.vramMiB} MiB`);
  if (g.pciBusId) parts.push(g.pciBusId);
  return parts.join(" · ");
}

/** The human rendering of a report, one "label  value" line per fact. */
export function formatDetectReport(r: DetectReport): string[] {
  const lines: [string, string][] = [];
  const h = r.host;
  const sys = h.libc ? `${h.libc.family} ${h.libc.version ?? "(version unknown)"}` : h.macos ? `macOS ${h.macos}` : `${h.os} ${h.osRelease}`;
  lines.push(["host", `${h.platform} (${h.arch}), ${sys}`]);
  if (r.gpus.length === 0) lines.push(["gpu", "none found"]);
  for (const g of r.gpus) lines.push([`${g.vendor === "nvidia" ? "gpu" : g.vendor} ${g.index}`, gpuLine(g)]);
  lines.push(["probes", r.attempts.map((a) => `${a.method}: ${a.outcome}`).join(", ") || "none on this OS"]);
  if (r.driver.version || r.driver.cuda) {
    lines.push(["driver", `${r.driver.version ?? "version unknown"}${r.driver.cuda ? `, supports CUDA ${r.driver.cuda}` : ""}`]);
  }
  lines.push(["nvcc", r.nvcc ? `${r.nvcc.version} (${r.nvcc.path})` : "not found"]);
  if (r.torch) {
    const t = r.torch;
    lines.push(["torch", t.version ? `${t.version}${t.cuda ? ` (CUDA ${t.cuda})` : " (CPU build)"} in ${t.python}` : `not importable in ${t.python}: ${t.error ?? "unknown error"}`]);
  } else {
    lines.push(["torch", r.torchError ? renderError({ kind: "detect", error: r.torchError }).message : "not checked (pass --python PY)"]);
  }
  if (r.decision) lines.push(["install", `${r.decision.variant}, torch ${r.decision.torch ?? "?"}: ${r.decision.reason}`]);
  else lines.push(["install", "undecided (see the error below)"]);
  return lines.map(([k, v]) => `${k.padEnd(8)} ${v}`);
}

export async function runDetect(args: string[], base: Output, env: Env = process.env): Promise<number> {
  const opened = openCommand(args, { python: { type: "string" } }, DETECT_HELP, base);
  if (!opened.ok) return opened.exitCode;
  const { args: a, out } = opened;
  const report = await detectAll({ python: stringFlag(a, "python"), env });
  for (const at of report.attempts) if (at.error) out.debug(`${at.method} probe: ${renderError({ kind: "detect", error: at.error }).message}`);
  if (report.nvccError) out.debug(renderError({ kind: "detect", error: report.nvccError }).message);
  out.result(formatDetectReport(report).join("\n"));
  // The envelope's schema versions the whole document; the report's own field would repeat it.
  const { schema: _, ...body } = report;
  if (report.decisionError) return reportError(out, { kind: "detect", error: report.decisionError }, body);
  out.document(body, EXIT.OK);
  return EXIT.OK;
}
