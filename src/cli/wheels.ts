import { selectTorchBuild } from "../detect/versions.ts";
import { hostPixiPlatform, isPixiPlatform, PIXI_PLATFORMS } from "../util/platform.ts";
import { resolveCudaWheel, wheelsIndexUrl } from "../wheels/resolve.ts";
import type { WheelQuery } from "../wheels/types.ts";
import { parseCommandArgs, stringFlag } from "./args.ts";
import { renderWheelError } from "./errors/network.ts";
import type { RenderedError } from "./errors/types.ts";
import { EXIT } from "./exit.ts";
import type { Output } from "./output.ts";
import { errorJson, printError } from "./render-error.ts";

const USAGE = "comfy-env wheels PACKAGE [--cuda 12.8] [--torch 2.8] [--python 3.11] [--platform linux-64] [--index URL] [--json]";
const DEFAULT_CUDA = "12.8";
const DEFAULT_PYTHON = "3.11";

function fail(out: Output, json: boolean, r: RenderedError, kind: string, code: number): number {
  printError(out, r);
  if (json) out.data(errorJson(r, kind, code));
  return code;
}

/** `comfy-env wheels`: which CUDA wheel (or PyPI package) a `[cuda]` entry resolves to, and why. */
export async function runWheels(args: string[], out: Output): Promise<number> {
  const parsed = parseCommandArgs(args, {
    cuda: { type: "string" },
    torch: { type: "string" },
    python: { type: "string" },
    platform: { type: "string" },
    index: { type: "string" },
  });
  if (parsed.isErr()) return fail(out, out.json, { message: parsed.error.message, hints: [`usage: ${USAGE}`] }, "usage", EXIT.USER_ERROR);
  const p = parsed.value;
  const json = out.json || p.json;
  if (p.help) {
    out.result(`usage: ${USAGE}\n\nDefaults: CUDA ${DEFAULT_CUDA}, the torch comfy-env pairs with that CUDA, Python ${DEFAULT_PYTHON}, this machine's platform.`);
    return EXIT.OK;
  }
  const [pkg, ...extra] = p.positionals;
  if (pkg === undefined || extra.length > 0) {
    return fail(out, json, { message: "expected exactly one PACKAGE", hints: [`usage: ${USAGE}`] }, "usage", EXIT.USER_ERROR);
  }
  const platform = stringFlag(p, "platform") ?? hostPixiPlatform();
  if (!isPixiPlatform(platform)) {
    return fail(out, json, { message: `unknown platform "${platform}"`, hints: [`use one of: ${PIXI_PLATFORMS.join(", ")}`] }, "usage", EXIT.USER_ERROR);
  }
  const cuda = stringFlag(p, "cuda") ?? DEFAULT_CUDA;
  let torch = stringFlag(p, "torch");
  if (torch === undefined) {
    const build = selectTorchBuild(cuda);
    if (build.isErr()) {
      return fail(
        out,
        json,
        { message: `no torch build is paired with CUDA ${cuda}`, hints: [`pass --torch, or a CUDA of: ${build.error.available.join(", ")}`] },
        build.error.kind,
        EXIT.USER_ERROR,
      );
    }
    torch = build.value.family.torch;
  }
  const query: WheelQuery = { pkg, cuda, torch, python: stringFlag(p, "python") ?? DEFAULT_PYTHON, platform };
  const index = wheelsIndexUrl(stringFlag(p, "index"));

  const resolved = await resolveCudaWheel(query, { indexUrl: index });
  if (resolved.isErr()) {
    const e = resolved.error;
    const code = e.kind === "index-unreachable" ? EXIT.FAILED : EXIT.USER_ERROR;
    return fail(out, json, renderWheelError(e), e.kind, code);
  }
  const r = resolved.value;
  if (json) {
    out.data({ ok: true, query, index, resolution: r });
  } else if (r.source === "index") {
    out.result(`${r.filename}\n  url:    ${r.url}\n  reason: ${r.reason}`);
  } else {
    out.result(`${r.requirement} (from PyPI)\n  reason: ${r.reason}`);
  }
  return EXIT.OK;
}
