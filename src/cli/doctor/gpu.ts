import { readMeta } from "../../cache/meta.ts";
import { listBuilds } from "../../cache/status.ts";
import { packDirOfConfigDir } from "../../config/discover.ts";
import type { CudaDecision } from "../../detect/decision.ts";
import type { CudaDecisionError } from "../../detect/types.ts";
import { effectiveCuda } from "../../pixi/manifest.ts";
import type { Result } from "../../util/result.ts";
import { hostPixiPlatform } from "../../util/platform.ts";
import { renderError } from "../errors/index.ts";
import type { Check } from "./check.ts";
import { commandLine } from "../../util/command-line.ts";

function label(cuda: string | null, variant: string | null): string {
  if (cuda === null) return "CPU";
  return variant ? `CUDA ${cuda} (${variant})` : `CUDA ${cuda}`;
}

/**
 * The CUDA decision made now (detection, or COMFY_ENV_CUDA_VERSION) against what each env of
 * this machine's platform was built for: install keeps a build's CUDA until `--refresh`, so a
 * new GPU or driver leaves envs built for the old one.
 */
export function gpuChecks(root: string, now: Result<CudaDecision, CudaDecisionError>): Check[] {
  if (now.isErr()) {
    const r = renderError({ kind: "detect", error: now.error });
    return [{ group: "gpu", name: "decision", status: "warn", summary: `no CUDA decision: ${r.message}`, fix: r.hints?.[0] ?? "unset COMFY_ENV_CUDA_VERSION to detect", details: { error: now.error.kind } }];
  }
  const d = now.value;
  const checks: Check[] = [{ group: "gpu", name: "decision", status: "ok", summary: `a build now targets ${label(d.cuda, d.variant)}: ${d.reason}`, details: { cuda: d.cuda, variant: d.variant, torch: d.torch, reason: d.reason } }];
  const platform = hostPixiPlatform();
  const want = effectiveCuda({ platform, cuda: d.cuda });
  for (const p of listBuilds(root)) {
    const meta = readMeta(p);
    const built = meta?.identity;
    if (!built || built.platform !== platform) continue;
    const name = `_env_${p.hash}`;
    const details = { built: { cuda: built.cuda, variant: built.variant }, now: { cuda: want, variant: d.variant } };
    if (built.cuda === want) {
      checks.push({ group: "gpu", name, status: "ok", summary: `built for ${label(built.cuda, built.variant)}, as a build now would be`, details });
      continue;
    }
    const refresh = meta.source ? commandLine(["comfy-env", "install", "--refresh", packDirOfConfigDir(meta.source)]) : "comfy-env install --refresh <pack>";
    checks.push({
      group: "gpu",
      name,
      status: "warn",
      summary: `built for ${label(built.cuda, built.variant)}, but a build now targets ${label(want, d.variant)} (${d.reason})`,
      fix: `${refresh} rebuilds it for this machine (keep it if it was built with --cuda on purpose)`,
      details,
    });
  }
  return checks;
}
