import { TORCH_PACKAGES } from "../detect/versions.ts";
import { normalizeName } from "../util/pep503.ts";
import type { EnvConfig } from "./types.ts";

const TORCH = new Set<string>(TORCH_PACKAGES);

/**
 * `[cuda]` packages that come from the CUDA-wheel index after pixi: everything but the torch
 * family, which pixi installs from the PyTorch index. First spelling wins for duplicates.
 */
export function cudaWheelPackages(config: EnvConfig): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const p of config.cudaPackages) {
    const n = normalizeName(p);
    if (TORCH.has(n) || seen.has(n)) continue;
    seen.add(n);
    out.push(p);
  }
  return out;
}
