// The real CUDA-wheel index pages (test/fixtures/cuda-wheels) on loopback, laid out as GitHub
// Pages serves them: /v2/ and /v2/<pkg>/ answer their index.html, anything else 404.
import fs from "node:fs";
import path from "node:path";
import { CUDA_WHEELS_DIR } from "./fixtures.ts";

export interface PagesServer {
  /** http://127.0.0.1:PORT/v2/ — what COMFY_ENV_WHEELS_INDEX / --index take. */
  index: string;
  /** Request paths, in arrival order. */
  requests: string[];
  stop(): void;
}

/** Package pages present in the fixture. */
export const REAL_PAGES = fs
  .readdirSync(path.join(CUDA_WHEELS_DIR, "v2"), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

export function realPage(pkg: string): string {
  return fs.readFileSync(path.join(CUDA_WHEELS_DIR, "v2", pkg, "index.html"), "utf8");
}

export function startRealWheelsIndex(): PagesServer {
  const requests: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const p = new URL(req.url).pathname;
      requests.push(p);
      const m = /^\/v2\/(?:([^/]+)\/)?$/.exec(p);
      const page = m && (m[1] === undefined || REAL_PAGES.includes(m[1])) ? path.join(CUDA_WHEELS_DIR, "v2", m[1] ?? "", "index.html") : undefined;
      if (page === undefined) return new Response("not found", { status: 404 });
      return new Response(Bun.file(page), { headers: { "content-type": "text/html" } });
    },
  });
  return { index: `http://127.0.0.1:${server.port}/v2/`, requests, stop: () => server.stop(true) };
}
