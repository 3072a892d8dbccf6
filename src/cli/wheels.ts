import { cudaWheelBuild } from "../install/cuda-wheels.ts";
import { hostGlibc, hostPixiPlatform, isPixiPlatform, PIXI_PLATFORMS } from "../util/platform.ts";
import { resolveCudaWheel, wheelsIndexUrl } from "../wheels/resolve.ts";
import type { WheelQuery } from "../wheels/types.ts";
import { openCommand, stringFlag, usage } from "./args.ts";
import { reportError } from "./errors/index.ts";
import { EXIT } from "./exit.ts";
import type { Output } from "./output.ts";

const DEFAULT_CUDA = "12.8";
const DEFAULT_PYTHON = "3.11";

export const WHEELS_HELP = `Usage: comfy-env wheels PACKAGE [--cuda 12.8] [--torch 2.8] [--python 3.11] [--platform linux-64] [--glibc 2.35] [--macos 14.0] [--index URL] [--json]

Show which wheel a [cuda] package resolves to in the CUDA-wheel index, and why; or that it
comes from PyPI because the index has no page for it. Defaults: CUDA ${DEFAULT_CUDA}; the torch
build install would use for that CUDA (and its CUDA: --cuda 13.0 looks for the cu128 torch 2.8
build's wheels); Python ${DEFAULT_PYTHON}; this machine's platform and, on Linux, its glibc (wheels
needing a newer glibc or macOS than --glibc / --macos are not chosen); the index from
COMFY_ENV_WHEELS_INDEX or the public one.`;

/** `comfy-env wheels`: which CUDA wheel (or PyPI package) a `[cuda]` entry resolves to, and why. */
export async function runWheels(args: string[], base: Output): Promise<number> {
  const opened = openCommand(
    args,
    {
      cuda: { type: "string" },
      torch: { type: "string" },
      python: { type: "string" },
      platform: { type: "string" },
      glibc: { type: "string" },
      macos: { type: "string" },
      index: { type: "string" },
    },
    WHEELS_HELP,
    base,
  );
  if (!opened.ok) return opened.exitCode;
  const { args: a, out } = opened;
  const [pkg, ...extra] = a.positionals;
  if (pkg === undefined || extra.length > 0) return reportError(out, usage("expected exactly one PACKAGE", ["`comfy-env wheels --help` shows the usage"]));
  const platform = stringFlag(a, "platform") ?? hostPixiPlatform();
  if (!isPixiPlatform(platform)) {
    return reportError(out, usage(`unknown platform "${platform}"`, [`use one of: ${PIXI_PLATFORMS.join(", ")}`]));
  }
  let cuda = stringFlag(a, "cuda") ?? DEFAULT_CUDA;
  let torch = stringFlag(a, "torch");
  if (torch === undefined) {
    const build = cudaWheelBuild(cuda, stringFlag(a, "python") ?? DEFAULT_PYTHON);
    if (build.isErr()) {
      const e = build.error;
      // Without --torch, wheels pairs the CUDA with a torch build itself: say so, and offer --torch.
      return reportError(out, e.kind === "unsupported-cuda" ? { kind: "command", error: { kind: "unsupported-cuda", cuda, available: e.available } } : { kind: "detect", error: e });
    }
    ({ cuda, torch } = build.value);
  }
  const query: WheelQuery = { pkg, cuda, torch, python: stringFlag(a, "python") ?? DEFAULT_PYTHON, platform };
  const glibc = stringFlag(a, "glibc") ?? (platform === hostPixiPlatform() ? hostGlibc() : undefined);
  if (glibc !== undefined && platform.startsWith("linux")) query.glibc = glibc;
  const macos = stringFlag(a, "macos");
  if (macos !== undefined && platform.startsWith("osx")) query.macos = macos;
  const index = wheelsIndexUrl(stringFlag(a, "index"));

  const resolved = await resolveCudaWheel(query, { indexUrl: index });
  if (resolved.isErr()) {
    return reportError(out, { kind: "wheels", error: resolved.error });
  }
  const r = resolved.value;
  out.document({ query, index, resolution: r }, EXIT.OK);
  if (out.json) return EXIT.OK;
  else if (r.source === "index") out.result(`${r.filename}\n  url:    ${r.url}\n  reason: ${r.reason}`);
  else out.result(`${r.requirement} (from PyPI)\n  reason: ${r.reason}`);
  return EXIT.OK;
}
