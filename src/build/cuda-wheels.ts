import fs from "node:fs";
import path from "node:path";
import type { EnvConfig } from "../config/types.ts";
import { cudaWheelPackages } from "../config/cuda-packages.ts";
import type { BuildPaths } from "../cache/layout.ts";
import { selectTorchBuild } from "../detect/versions.ts";
import { envPythonRelPath, osOfPlatform, type PixiPlatform } from "../util/platform.ts";
import { err, ok, type Result } from "../util/result.ts";
import { installWheels } from "../wheels/install.ts";
import { resolveCudaWheel } from "../wheels/resolve.ts";
import type { WheelError, WheelResolution } from "../wheels/types.ts";

/** The `[cuda]` wheels of one env: resolved ones to install, or the packages a CPU build skips. */
export type CudaWheelPlan = { kind: "install"; wheels: WheelResolution[] } | { kind: "skip"; packages: string[]; reason: string };

/**
 * Seed step 7, first half: resolve every non-torch `[cuda]` package for the env's CUDA, torch,
 * Python and platform. Done before the build starts, so a missing combination fails with the
 * cache untouched. A CPU (or macOS) build has no CUDA to match: those packages are skipped.
 */
export async function planCudaWheels(
  config: EnvConfig,
  target: { cuda: string | null; python: string; platform: PixiPlatform },
): Promise<Result<CudaWheelPlan, WheelError>> {
  const packages = cudaWheelPackages(config);
  if (packages.length === 0) return ok({ kind: "install", wheels: [] });
  const torch = selectTorchBuild(target.cuda);
  if (target.cuda === null || osOfPlatform(target.platform) === "darwin" || torch.isErr()) {
    return ok({ kind: "skip", packages, reason: target.cuda === null || torch.isOk() ? "CPU build" : `no torch build for CUDA ${target.cuda}` });
  }
  const python = target.python.split(".").slice(0, 2).join(".");
  const wheels: WheelResolution[] = [];
  for (const pkg of packages) {
    const r = await resolveCudaWheel({ pkg, cuda: target.cuda, torch: torch.value.family.torch, python, platform: target.platform });
    if (r.isErr()) return err(r.error);
    wheels.push(r.value);
  }
  return ok({ kind: "install", wheels });
}

/** Second half, after pixi: install the resolved wheels `--no-deps` with the env's installer; output to install.log. */
export async function installCudaWheels(p: BuildPaths, plan: CudaWheelPlan, platform: PixiPlatform): Promise<Result<void, WheelError>> {
  if (plan.kind === "skip" || plan.wheels.length === 0) return ok(undefined);
  const log = fs.openSync(p.log, "a");
  try {
    for (const w of plan.wheels) fs.writeSync(log, `# cuda wheel: ${w.reason}\n`);
    const python = path.join(p.env, envPythonRelPath(osOfPlatform(platform)));
    return await installWheels(python, plan.wheels, { log: (line) => fs.writeSync(log, `${line}\n`), caBundle: p.caBundle });
  } finally {
    fs.closeSync(log);
  }
}

/** What meta records: wheel file names, or PyPI names for PyPI fallbacks. */
export function installedNames(plan: CudaWheelPlan): string[] {
  return plan.kind === "install" ? plan.wheels.map((w) => (w.source === "index" ? w.filename : w.requirement)) : [];
}
