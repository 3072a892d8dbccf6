import path from "node:path";
import { PYTORCH_INDEX } from "../../detect/versions.ts";
import { pixiAsset, pixiAssetUrl, pixiInstallPath, PIXI_DEFAULT_BASE_URL } from "../../pixi/download.ts";
import { findPixi } from "../../pixi/find.ts";
import { readEnv } from "../../util/env.ts";
import { probeReachable } from "../../util/http.ts";
import { hostPixiPlatform } from "../../util/platform.ts";
import { wheelsIndexUrl } from "../../wheels/resolve.ts";
import { describeHttpError, PROXY_HINT } from "../errors/http.ts";
import type { Check } from "./check.ts";
import { redactUrlCredentials } from "../../util/redact.ts";

const PROBE_TIMEOUT_MS = 5000;

export function toolChecks(root: string): Check[] {
  const checks: Check[] = [];
  const pixi = findPixi([path.dirname(pixiInstallPath(path.join(root, ".tools")))]);
  if (pixi.isOk()) checks.push({ group: "tools", name: "pixi", status: "ok", summary: pixi.value });
  else if (pixi.error.override) checks.push({ group: "tools", name: "pixi", status: "fail", summary: `COMFY_ENV_PIXI=${pixi.error.override} is not an executable file`, fix: "fix or unset COMFY_ENV_PIXI" });
  else {
    const asset = pixiAsset(hostPixiPlatform());
    checks.push(
      asset
        ? { group: "tools", name: "pixi", status: "ok", summary: `not installed; the first build downloads ${pixiAssetUrl(readEnv("COMFY_ENV_PIXI_URL") ?? PIXI_DEFAULT_BASE_URL, asset)}` }
        : { group: "tools", name: "pixi", status: "fail", summary: `not found, and no pinned pixi download for ${hostPixiPlatform()}`, fix: "install pixi (https://pixi.sh) and set COMFY_ENV_PIXI to its path" },
    );
  }
  const git = Bun.which("git");
  checks.push(git ? { group: "tools", name: "git", status: "ok", summary: git } : { group: "tools", name: "git", status: "warn", summary: "not on PATH", fix: "install git: packs that depend on other node packs are cloned with it" });
  return checks;
}

/** The hosts a build downloads from, as configured (mirrors included). */
function buildHosts(): { name: string; url: string }[] {
  const asset = pixiAsset(hostPixiPlatform());
  return [
    ...(asset ? [{ name: "pixi releases", url: pixiAssetUrl(readEnv("COMFY_ENV_PIXI_URL") ?? PIXI_DEFAULT_BASE_URL, asset) }] : []),
    { name: "PyTorch index", url: `${PYTORCH_INDEX}/` },
    { name: "CUDA-wheel index", url: wheelsIndexUrl() },
    { name: "conda-forge", url: "https://conda.anaconda.org/conda-forge/noarch/repodata.json" },
  ];
}

export async function networkChecks(): Promise<Check[]> {
  // Named in checks that reach the terminal and --json: a proxy URL's password stays out.
  const rawProxy = process.env.HTTPS_PROXY ?? process.env.https_proxy;
  const proxy = rawProxy === undefined ? undefined : redactUrlCredentials(rawProxy);
  return Promise.all(
    buildHosts().map(async (h): Promise<Check> => {
      const r = await probeReachable(h.url, PROBE_TIMEOUT_MS);
      if (r.isOk()) return { group: "network", name: h.name, status: "ok", summary: `${new URL(h.url).host} answers (HTTP ${r.value})`, details: { url: h.url } };
      return {
        group: "network",
        name: h.name,
        status: "fail",
        summary: `${new URL(h.url).host} is not reachable${proxy ? ` through the proxy ${proxy}` : ""}: ${describeHttpError(r.error)}`,
        fix: proxy ? `let the proxy reach ${new URL(h.url).host}, or add it to NO_PROXY if it is reachable directly` : PROXY_HINT,
        details: { url: h.url },
      };
    }),
  );
}
