import { readEnv } from "../util/env.ts";
import { fetchText, type HttpOptions } from "../util/http.ts";
import { err, ok, ResultAsync, type Result } from "../util/result.ts";
import { chooseWheel, parseWheelQuery } from "./choose.ts";
import { nameVariants, parseWheelLinks } from "./index-page.ts";
import type { WheelsError, WheelQuery, WheelResolution } from "./types.ts";

/** The public CUDA-wheel index (docs/reference.md §4): one simple page per package. */
export const DEFAULT_WHEELS_INDEX = "https://pozzettiandrea.github.io/cuda-wheels/v2/";

/** The index to read: the argument, else COMFY_ENV_WHEELS_INDEX, else the public one; always ending in "/". */
export function wheelsIndexUrl(override?: string): string {
  const base = override ?? readEnv("COMFY_ENV_WHEELS_INDEX") ?? DEFAULT_WHEELS_INDEX;
  return base.endsWith("/") ? base : `${base}/`;
}

export interface ResolveOptions extends HttpOptions {
  indexUrl?: string;
}

/**
 * Resolve one `[cuda]` package: read `<index><name>/` for each name variant until a page
 * exists, then pick the wheel for the query. No page at all means the index does not build
 * this package, so it comes from PyPI; a page without a fitting wheel is an error naming what
 * the index does have. Network failures are errors too, never a silent PyPI fallback.
 */
export function resolveCudaWheel(query: WheelQuery, opts: ResolveOptions = {}): ResultAsync<WheelResolution, WheelsError> {
  const index = wheelsIndexUrl(opts.indexUrl);
  const run = async (): Promise<Result<WheelResolution, WheelsError>> => {
    const valid = parseWheelQuery(query);
    if (valid.isErr()) return err(valid.error);
    const tried: string[] = [];
    for (const variant of nameVariants(query.pkg)) {
      const page = `${index}${encodeURIComponent(variant)}/`;
      tried.push(variant);
      const html = await fetchText(page, opts);
      if (html.isErr()) {
        const e = html.error;
        if (e.kind === "http-status" && (e.status === 404 || e.status === 410)) continue;
        return err({ kind: "index-unreachable", url: page, cause: e });
      }
      const chosen = chooseWheel(query, parseWheelLinks(html.value, page));
      if (chosen.isErr()) {
        return err(chosen.error.kind === "no-matching-wheel" ? { ...chosen.error, page } : chosen.error);
      }
      return ok(chosen.value);
    }
    return ok({
      source: "pypi",
      requirement: query.pkg,
      reason: `${index} has no page for ${query.pkg} (tried ${tried.join(", ")}); installing it from PyPI`,
    });
  };
  return new ResultAsync(run());
}
