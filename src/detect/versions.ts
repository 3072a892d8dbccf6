import { err, ok, type Result } from "../util/result.ts";

/** torch with the torchvision/torchaudio releases built against it (pinned as ==X.Y.*). */
export interface TorchFamily {
  torch: string;
  torchvision: string;
  torchaudio: string;
}

export const TORCH_FAMILIES: Record<string, TorchFamily> = {
  "2.4": { torch: "2.4", torchvision: "0.19", torchaudio: "2.4" },
  "2.8": { torch: "2.8", torchvision: "0.23", torchaudio: "2.8" },
};

/**
 * CUDA wheel variants comfy-env builds for, oldest first, with the torch minor chosen for each.
 * Follows the Python comfy-env's mapping (12.8 → 2.8, 12.4 → 2.4); the other rows are the variants the
 * PyTorch index publishes for those two releases (docs/reference.md §3.2).
 */
export const CUDA_VARIANTS: readonly { cuda: string; variant: string; torch: string }[] = [
  { cuda: "11.8", variant: "cu118", torch: "2.4" },
  { cuda: "12.1", variant: "cu121", torch: "2.4" },
  { cuda: "12.4", variant: "cu124", torch: "2.4" },
  { cuda: "12.6", variant: "cu126", torch: "2.8" },
  { cuda: "12.8", variant: "cu128", torch: "2.8" },
];

/** torch version for CPU-only builds. */
export const CPU_TORCH = "2.8";
export const PYTORCH_INDEX = "https://download.pytorch.org/whl";

export interface TorchBuild {
  /** "cu128", "cu124"... or "cpu". */
  variant: string;
  /** CUDA version of the variant ("12.8"), null for cpu. */
  cuda: string | null;
  family: TorchFamily;
  /** Per-package index URL for the torch family. */
  index: string;
}

export type TorchSelectError = {
  kind: "unsupported-cuda";
  cuda: string;
  /** CUDA versions that have a torch build, e.g. ["11.8", "12.1", ...]. */
  available: string[];
};

function cudaKey(v: string): number {
  const [maj, min] = v.split(".");
  return Number(maj) * 100 + Number(min ?? 0);
}

/**
 * The torch build for a CUDA version (null = CPU). A newer CUDA than the newest variant uses
 * that variant (drivers run older CUDA builds); an older one than every variant is an error.
 */
export function selectTorchBuild(cuda: string | null): Result<TorchBuild, TorchSelectError> {
  const cpuFamily = TORCH_FAMILIES[CPU_TORCH] as TorchFamily;
  if (cuda === null) return ok({ variant: "cpu", cuda: null, family: cpuFamily, index: `${PYTORCH_INDEX}/cpu` });
  const wanted = cudaKey(cuda);
  let chosen: (typeof CUDA_VARIANTS)[number] | undefined;
  for (const row of CUDA_VARIANTS) if (cudaKey(row.cuda) <= wanted) chosen = row;
  if (!chosen || Number.isNaN(wanted)) {
    return err({ kind: "unsupported-cuda", cuda, available: CUDA_VARIANTS.map((r) => r.cuda) });
  }
  return ok({
    variant: chosen.variant,
    cuda: chosen.cuda,
    family: TORCH_FAMILIES[chosen.torch] as TorchFamily,
    index: `${PYTORCH_INDEX}/${chosen.variant}`,
  });
}

/** Packages pixi installs from the PyTorch index when named in `[cuda]`. */
export const TORCH_PACKAGES = ["torch", "torchvision", "torchaudio"] as const;
