import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import path from "node:path";
import { VERSION } from "../../src/version.ts";
import { DEFAULT_WHEELS_INDEX, resolveCudaWheel, wheelsIndexUrl } from "../../src/wheels/resolve.ts";
import type { WheelQuery } from "../../src/wheels/types.ts";
import { startServer, type LocalServer } from "../net/support/servers.ts";

const FIXTURES = path.join(import.meta.dir, "..", "fixtures", "wheels");
const PAGES = ["nvdiffrast", "pytorch3d", "torch-scatter", "gsplat", "demo-ext"];
const FAST = [10, 10];

// A stand-in for the GitHub Pages index: /v2/<page>/ serves a recorded page, anything else 404.
let index: LocalServer;
let failNext = 0;
beforeAll(async () => {
  index = await startServer((req, res) => {
    if (failNext > 0) {
      failNext--;
      res.writeHead(503);
      return void res.end("busy");
    }
    const m = /^\/v2\/([^/]+)\/$/.exec(req.url ?? "");
    if (m && PAGES.includes(m[1] ?? "")) {
      res.writeHead(200, { "content-type": "text/html" });
      return void res.end(readFileSync(path.join(FIXTURES, `${m[1]}.html`)));
    }
    res.writeHead(404);
    res.end("Not Found");
  });
});
afterAll(() => index.close());

let savedIndexEnv: string | undefined;
beforeEach(() => {
  index.requests.length = 0;
  failNext = 0;
  savedIndexEnv = process.env.COMFY_ENV_WHEELS_INDEX;
  delete process.env.COMFY_ENV_WHEELS_INDEX;
});
afterEach(() => {
  if (savedIndexEnv === undefined) delete process.env.COMFY_ENV_WHEELS_INDEX;
  else process.env.COMFY_ENV_WHEELS_INDEX = savedIndexEnv;
});

const q = (pkg: string, over: Partial<WheelQuery> = {}): WheelQuery => ({ pkg, cuda: "12.8", torch: "2.8", python: "3.11", platform: "linux-64", ...over });
const urls = () => index.requests.map((r) => r.url);

describe("resolveCudaWheel", () => {
  test("default index and the override variable", () => {
    expect(DEFAULT_WHEELS_INDEX).toBe("https://pozzettiandrea.github.io/cuda-wheels/v2/");
    expect(wheelsIndexUrl()).toBe(DEFAULT_WHEELS_INDEX);
    process.env.COMFY_ENV_WHEELS_INDEX = "http://mirror.local/v2";
    expect(wheelsIndexUrl()).toBe("http://mirror.local/v2/");
    expect(wheelsIndexUrl("http://x/")).toBe("http://x/");
  });

  test("reads the package page and picks the wheel", async () => {
    const r = (await resolveCudaWheel(q("nvdiffrast"), { indexUrl: `${index.origin}/v2/` }))._unsafeUnwrap();
    expect(r).toMatchObject({
      source: "index",
      filename: "nvdiffrast-0.4.0+cu128torch2.8-cp311-cp311-manylinux_2_34_x86_64.manylinux_2_35_x86_64.whl",
      version: "0.4.0+cu128torch2.8",
      url: "https://github.com/PozzettiAndrea/cuda-wheels/releases/download/nvdiffrast-latest/nvdiffrast-0.4.0%2Bcu128torch2.8-cp311-cp311-manylinux_2_34_x86_64.manylinux_2_35_x86_64.whl",
    });
    expect(urls()).toEqual(["/v2/nvdiffrast/"]);
    expect(index.requests[0]?.userAgent).toBe(`comfy-env/${VERSION}`);
  });

  test("COMFY_ENV_WHEELS_INDEX is used when no index is passed", async () => {
    process.env.COMFY_ENV_WHEELS_INDEX = `${index.origin}/v2`;
    const r = await resolveCudaWheel(q("gsplat", { cuda: "12.6" }));
    expect(r._unsafeUnwrap().source).toBe("index");
    expect(urls()).toEqual(["/v2/gsplat/"]);
  });

  test("name variants are tried in order until a page exists", async () => {
    const r = await resolveCudaWheel(q("torch_scatter", { cuda: "12.4", torch: "2.4" }), { indexUrl: `${index.origin}/v2/` });
    expect(r._unsafeUnwrap()).toMatchObject({ source: "index", version: "2.1.2+cu124torch2.4" });
    expect(urls()).toEqual(["/v2/torch_scatter/", "/v2/torch-scatter/"]);
  });

  test("no page under any name: the package comes from PyPI", async () => {
    const r = (await resolveCudaWheel(q("einops_x"), { indexUrl: `${index.origin}/v2/` }))._unsafeUnwrap();
    expect(r.source).toBe("pypi");
    expect(r).toMatchObject({ requirement: "einops_x" });
    expect(r.reason).toContain("tried einops_x, einops-x");
    expect(urls()).toEqual(["/v2/einops_x/", "/v2/einops-x/"]);
  });

  test("a page without a fitting wheel is an error naming the page and what exists", async () => {
    const e = (await resolveCudaWheel(q("pytorch3d"), { indexUrl: `${index.origin}/v2/` }))._unsafeUnwrapErr();
    expect(e).toMatchObject({ kind: "no-matching-wheel", page: `${index.origin}/v2/pytorch3d/`, platformCovered: true });
    if (e.kind === "no-matching-wheel") expect(e.available[0]).toEqual({ cuda: "cu126", torch: "2.8", pythons: ["cp310"], platforms: ["linux-64"] });
  });

  test("a server error is retried, then reported; never a silent PyPI fallback", async () => {
    failNext = 1;
    const ok = await resolveCudaWheel(q("nvdiffrast"), { indexUrl: `${index.origin}/v2/`, retryDelaysMs: FAST });
    expect(ok.isOk()).toBe(true);
    expect(urls()).toEqual(["/v2/nvdiffrast/", "/v2/nvdiffrast/"]);

    failNext = 10;
    const e = (await resolveCudaWheel(q("nvdiffrast"), { indexUrl: `${index.origin}/v2/`, retryDelaysMs: FAST }))._unsafeUnwrapErr();
    expect(e).toEqual({
      kind: "index-unreachable",
      url: `${index.origin}/v2/nvdiffrast/`,
      cause: { kind: "http-status", url: `${index.origin}/v2/nvdiffrast/`, status: 503 },
    });
  });

  test("an index nobody listens on is unreachable", async () => {
    const dead = await startServer(() => undefined);
    const origin = dead.origin;
    await dead.close();
    const e = (await resolveCudaWheel(q("nvdiffrast"), { indexUrl: `${origin}/v2/`, retryDelaysMs: FAST }))._unsafeUnwrapErr();
    expect(e.kind).toBe("index-unreachable");
    if (e.kind === "index-unreachable") expect(e.cause.kind).toBe("network");
  });

  test("a malformed query fails before any request", async () => {
    const e = (await resolveCudaWheel(q("nvdiffrast", { python: "three" }), { indexUrl: `${index.origin}/v2/` }))._unsafeUnwrapErr();
    expect(e).toEqual({ kind: "bad-wheel-query", field: "python", value: "three" });
    expect(urls()).toEqual([]);
  });
});
