import type { WheelCombo, WheelsError } from "../../wheels/types.ts";
import { describeHttpError, httpHints } from "./http.ts";
import type { RenderedError } from "./types.ts";
import { commandLine } from "../../util/command-line.ts";

/** `cu128 torch2.8 cp311/cp312`, with its platforms in brackets when asked. */
function describeCombo(c: WheelCombo, withPlatforms: boolean): string {
  const base = `${c.cuda} torch${c.torch} ${c.pythons.join("/")}`;
  return withPlatforms ? `${base} (${c.platforms.join(", ")})` : base;
}

export function renderWheelsError(e: WheelsError): RenderedError {
  switch (e.kind) {
    case "bad-wheel-query":
      if (e.field === "pkg") return { message: `invalid package name "${e.value}"`, hints: ["give a PyPI project name such as nvdiffrast (no /, no ..)"] };
      return { message: `invalid ${e.field} version "${e.value}"`, hints: ["use major.minor, e.g. --cuda 12.8 --torch 2.8 --python 3.11 --glibc 2.35"] };
    case "no-matching-wheel": {
      const q = e.query;
      const py = `cp${q.python.replace(".", "")}`;
      const want = `No ${q.pkg} wheel for CUDA ${q.cuda} + torch ${q.torch} + ${py} + ${q.platform}`;
      if (e.needs !== undefined) {
        const [lib, needed, have] = "glibc" in e.needs ? ["glibc", e.needs.glibc, q.glibc] : ["macOS", e.needs.macos, q.macos];
        return {
          message: `${want} on ${lib} ${have}: its wheels for this build need ${lib} ${needed} or newer`,
          causes: e.page ? [`read ${e.page}`] : undefined,
          hints: [`build on a system with ${lib} ${needed} or newer (--glibc / --macos name another target's), or move the package from [cuda] to [pypi-dependencies] to build it from source`],
        };
      }
      const has = e.available.length === 0
        ? "the index lists no CUDA wheels for it"
        : e.platformCovered
          ? `the index has: ${e.available.map((c) => describeCombo(c, false)).join(", ")}`
          : `the index has no ${q.platform} wheels; it has: ${e.available.map((c) => describeCombo(c, true)).join(", ")}`;
      return {
        message: `${want}; ${has}`,
        causes: e.page ? [`read ${e.page}`] : undefined,
        hints: [
          "pick a CUDA/torch/Python the index builds (COMFY_ENV_CUDA_VERSION, python = in comfy-env.toml)",
          "or move the package from [cuda] to [pypi-dependencies] to build it from source",
        ],
      };
    }
    case "index-unreachable":
      return {
        message: `cannot read the CUDA-wheel index page ${e.url}`,
        causes: [describeHttpError(e.cause)],
        hints: [...httpHints(e.cause), "another index can be set with COMFY_ENV_WHEELS_INDEX"],
      };
    case "installer-spawn-failed":
      return { message: `cannot run ${e.command[0]}: ${e.message}`, hints: ["the environment's Python is missing; rebuild the environment"] };
    case "wheel-install-failed":
      return {
        message: `installing CUDA wheels failed (exit code ${e.exitCode}): ${commandLine(e.command)}`,
        causes: e.tail,
      };
  }
}
