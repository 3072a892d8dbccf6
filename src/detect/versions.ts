import { err, ok, type Result } from "../util/result.ts";

/** torch with the torchvision/torchaudio releases built against it (pinned as ==X.Y.*). */
export interface TorchFamily {
  torch: string;
  torchvision: string;
  torchaudio: string;
}

export const TORCH_FAMILIES: Record<string, TorchFamily> = {
  "2.4": { torch: "2.4", torchvision: "0.19", torchaudio: "2.4" },
  "2.6": { torch: "2.6", torchvision: "0.21", torchaudio: "2.6" },
  "2.8": { torch: "2.8", torchvision: "0.23", torchaudio: "2.8" },
  "2.9": { torch: "2.9", torchvision: "0.24", torchaudio: "2.9" },
};

/**
 * Python minors and index variants each family publishes wheels for (docs/reference.md §3.2,
 * from https://github.com/pytorch/pytorch/blob/main/RELEASE.md). Used when a
 * variant's usual family has no wheels for the env's Python (3.14 has none before torch 2.9).
 */
const FAMILY_SUPPORT: Record<string, { pythons: [number, number]; variants: string[] }> = {
  "2.4": { pythons: [8, 12], variants: ["cpu", "cu118", "cu121", "cu124"] },
  "2.6": { pythons: [9, 13], variants: ["cpu", "cu118", "cu124", "cu126"] },
  "2.8": { pythons: [9, 13], variants: ["cpu", "cu126", "cu128", "cu129"] },
  "2.9": { pythons: [10, 14], variants: ["cpu", "cu126", "cu128", "cu130"] },
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
  /** Set when the variant's usual family was replaced because it has no wheels for the Python. */
  note?: string;
}

/** No torch build for a CUDA version: one kind wherever it is found out. */
export type UnsupportedCuda = {
  kind: "unsupported-cuda";
  cuda: string;
  /** CUDA versions that have a torch build, e.g. ["11.8", "12.1", ...]. */
  available: string[];
  /** Why that CUDA was chosen, when the CUDA decision chose it (a driver, COMFY_ENV_CUDA_VERSION). */
  source?: string;
};

export type TorchSelectError =
  | UnsupportedCuda
  | {
      kind: "no-torch-for-python";
      python: string;
      variant: string;
      /** What exists for that Python: "torch 2.9: cpu, cu126, cu128, cu130". */
      offers: string[];
    };

function cudaKey(v: string): number {
  const [maj, min] = v.split(".");
  return Number(maj) * 100 + Number(min ?? 0);
}

/** "3.14" / "3.14.1" / "3.14.*" → 14 (the minor of a CPython 3 pin); undefined when not such a pin. */
function python3Minor(python: string): number | undefined {
  const m = /^3\.(\d+)(\.|$)/.exec(python.trim());
  return m ? Number(m[1]) : undefined;
}

function familyKey(v: string): number {
  const [maj, min] = v.split(".");
  return Number(maj) * 1000 + Number(min ?? 0);
}

function supports(family: string, variant: string, minor: number): boolean {
  const s = FAMILY_SUPPORT[family];
  return s !== undefined && s.variants.includes(variant) && minor >= s.pythons[0] && minor <= s.pythons[1];
}

/**
 * The family for `variant` and the env's Python: the variant's usual one when it has wheels for
 * that Python, else the oldest newer family that has (then older ones), else an error listing
 * what each family offers for that Python.
 */
function familyFor(usual: string, variant: string, python: string | undefined): Result<{ family: string; note?: string }, TorchSelectError> {
  const minor = python === undefined ? undefined : python3Minor(python);
  if (minor === undefined || supports(usual, variant, minor)) return ok({ family: usual });
  const all = Object.keys(FAMILY_SUPPORT).sort((a, b) => familyKey(a) - familyKey(b));
  const newer = all.filter((f) => familyKey(f) > familyKey(usual));
  const older = all.filter((f) => familyKey(f) < familyKey(usual)).reverse();
  const found = [...newer, ...older].find((f) => supports(f, variant, minor));
  if (found) return ok({ family: found, note: `torch ${usual} has no Python 3.${minor} builds for ${variant}: using torch ${found}` });
  const offers = all.filter((f) => {
    const s = FAMILY_SUPPORT[f] as { pythons: [number, number] };
    return minor >= s.pythons[0] && minor <= s.pythons[1];
  });
  return err({
    kind: "no-torch-for-python",
    python: `3.${minor}`,
    variant,
    offers: offers.map((f) => `torch ${f}: ${(FAMILY_SUPPORT[f] as { variants: string[] }).variants.join(", ")}`),
  });
}

/**
 * The torch build for a CUDA version (null = CPU) and, when known, the env's Python. A newer
 * CUDA than the newest variant uses that variant (drivers run older CUDA builds); an older one
 * than every variant is an error, and so is a Python no family of the variant has wheels for.
 */
export function selectTorchBuild(cuda: string | null): Result<TorchBuild, UnsupportedCuda>;
export function selectTorchBuild(cuda: string | null, python: string | undefined): Result<TorchBuild, TorchSelectError>;
export function selectTorchBuild(cuda: string | null, python?: string): Result<TorchBuild, TorchSelectError> {
  let row: { variant: string; cuda: string | null; torch: string };
  if (cuda === null) {
    row = { variant: "cpu", cuda: null, torch: CPU_TORCH };
  } else {
    const wanted = cudaKey(cuda);
    let chosen: (typeof CUDA_VARIANTS)[number] | undefined;
    for (const r of CUDA_VARIANTS) if (cudaKey(r.cuda) <= wanted) chosen = r;
    if (!chosen || Number.isNaN(wanted)) {
      return err({ kind: "unsupported-cuda", cuda, available: CUDA_VARIANTS.map((r) => r.cuda) });
    }
    row = chosen;
  }
  const picked = familyFor(row.torch, row.variant, python);
  if (picked.isErr()) return err(picked.error);
  return ok({
    variant: row.variant,
    cuda: row.cuda,
    family: TORCH_FAMILIES[picked.value.family] as TorchFamily,
    index: `${PYTORCH_INDEX}/${row.variant}`,
    ...(picked.value.note === undefined ? {} : { note: picked.value.note }),
  });
}

/** Packages pixi installs from the PyTorch index when named in `[cuda]`. */
export const TORCH_PACKAGES = ["torch", "torchvision", "torchaudio"] as const;
