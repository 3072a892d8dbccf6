import fs from "node:fs";
import path from "node:path";
import type { EnvConfig } from "../config/types.ts";
import { cudaWheelPackages } from "../config/cuda-packages.ts";
import type { BuildPaths } from "../cache/layout.ts";
import { selectTorchBuild, type TorchSelectError } from "../detect/versions.ts";
import { envPythonRelPath, osOfPlatform, type PixiPlatform } from "../util/platform.ts";
import { err, ok, type Result } from "../util/result.ts";
import { installWheels } from "../wheels/install.ts";
import { resolveCudaWheel } from "../wheels/resolve.ts";
import type { WheelsError, WheelResolution } from "../wheels/types.ts";

/** The `[cuda]` wheels of one env: resolved ones to install, or the packages a CPU build skips. */
export type CudaWheelPlan = { kind: "install"; wheels: WheelResolution[] } | { kind: "skip"; packages: string[]; reason: string };

/**
 * The CUDA and torch a `[cuda]` wheel must be built for, given the build's CUDA: those of the
 * torch build the env gets (CUDA 13.0 → the cu128 torch 2.8 build → cu12x torch 2.8 wheels),
 * since an extension runs against that torch, for the env's Python when given. `install` and
 * `comfy-env wheels` both use it.
 */
export function cudaWheelBuild(cuda: string, python?: string): Result<{ cuda: string; torch: string; variant: string }, TorchSelectError> {
  // The env's Python can change the torch release (3.14 envs get torch 2.9), so wheels follow it.
  return selectTorchBuild(cuda, python).map((b) => ({ cuda: b.cuda ?? cuda, torch: b.family.torch, variant: b.variant }));
}

/**
 * Seed step 7, first half: resolve every non-torch `[cuda]` package for the env's CUDA, torch,
 * Python and platform (and the host's glibc: wheels it cannot load are not chosen). Done before
 * the build starts, so a missing combination fails with the cache untouched. A CPU (or macOS)
 * build has no CUDA to match: those packages are skipped.
 */
export async function planCudaWheels(
  config: EnvConfig,
  target: { cuda: string | null; python: string; platform: PixiPlatform; glibc?: string },
): Promise<Result<CudaWheelPlan, WheelsError>> {
  const packages = cudaWheelPackages(config);
  if (packages.length === 0) return ok({ kind: "install", wheels: [] });
  const build = target.cuda === null ? undefined : cudaWheelBuild(target.cuda, target.python);
  if (build === undefined || osOfPlatform(target.platform) === "darwin" || build.isErr()) {
    return ok({ kind: "skip", packages, reason: build === undefined || build.isOk() ? "CPU build" : `no torch build for CUDA ${target.cuda} and Python ${target.python}` });
  }
  const python = target.python.split(".").slice(0, 2).join(".");
  const wheels: WheelResolution[] = [];
  for (const pkg of packages) {
    const query = { pkg, cuda: build.value.cuda, torch: build.value.torch, python, platform: target.platform };
    const r = await resolveCudaWheel(target.glibc === undefined ? query : { ...query, glibc: target.glibc });
    if (r.isErr()) return err(r.error);
    wheels.push(r.value);
  }
  return ok({ kind: "install", wheels });
}

/** Second half, after pixi: install the resolved wheels `--no-deps` with the env's installer; output to install.log. */
export async function installCudaWheels(
  p: BuildPaths,
  plan: CudaWheelPlan,
  platform: PixiPlatform,
  onSpawn: (pid: number) => void,
): Promise<Result<void, WheelsError>> {
  if (plan.kind === "skip" || plan.wheels.length === 0) return ok(undefined);
  const log = fs.openSync(p.log, "a");
  try {
    for (const w of plan.wheels) fs.writeSync(log, `# cuda wheel: ${w.reason}\n`);
    const python = path.join(p.env, envPythonRelPath(osOfPlatform(platform)));
    return await installWheels(python, plan.wheels, { log: (line) => fs.writeSync(log, `${line}\n`), caBundle: p.caBundle, onSpawn });
  } finally {
    fs.closeSync(log);
  }
}

/** What meta records: wheel file names, or PyPI names for PyPI fallbacks. */
export function installedNames(plan: CudaWheelPlan): string[] {
  return plan.kind === "install" ? plan.wheels.map((w) => (w.source === "index" ? w.filename : w.requirement)) : [];
}
