// A download that stalls, trickles or runs past its time bound fails in bounded time, and
// leaves no partial file, also when comfy-env is stopped by a signal mid-download.
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { downloadFile, downloadLimits, fetchText, type DownloadLimits } from "../../src/util/http.ts";
import { describeHttpError } from "../../src/cli/errors/http.ts";
import { tmpdir } from "../support/tmp.ts";
import { startServer, type LocalServer } from "./support/servers.ts";

const FAST = [20, 20, 20];
const PROXY_VARS = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"];
let saved: Record<string, string | undefined> = {};
beforeEach(() => {
  saved = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]));
  for (const k of PROXY_VARS) delete process.env[k];
});
afterEach(() => {
  for (const k of PROXY_VARS) if (saved[k] === undefined) delete process.env[k];
  else process.env[k] = saved[k];
});

/** Headers and `first` bytes, then one byte every `everyMs` (never, when null) of a 1 MB body. */
function slowServer(first: number, everyMs: number | null): Promise<LocalServer> {
  return startServer((_req, res) => {
    res.writeHead(200, { "content-length": String(1 << 20) });
    res.write(Buffer.alloc(first));
    if (everyMs === null) return;
    const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(Buffer.alloc(1))), everyMs);
    res.on("close", () => clearInterval(t));
  });
}

describe("download limits", () => {
  test("from the environment, with defaults", () => {
    expect(downloadLimits({})).toEqual({ totalMs: 600_000, minBytesPerSecond: 1024, windowMs: 30_000 });
    expect(downloadLimits({ COMFY_ENV_DOWNLOAD_TIMEOUT: "2", COMFY_ENV_DOWNLOAD_MIN_RATE: "500", COMFY_ENV_DOWNLOAD_RATE_WINDOW: "0.5" })).toEqual({
      totalMs: 2000,
      minBytesPerSecond: 500,
      windowMs: 500,
    });
  });

  const rate: DownloadLimits = { totalMs: 60_000, minBytesPerSecond: 10_000, windowMs: 300 };
  test.each([
    ["a stalled connection (headers and some bytes, then nothing)", null],
    ["a trickling one (a byte every 20 ms)", 20],
  ] as const)("%s fails as too slow, each attempt within the window, and the file is removed", async (_name, everyMs) => {
    await using dir = await tmpdir();
    const server = await slowServer(1000, everyMs);
    const dest = path.join(dir.path, "pixi.download");
    try {
      const t0 = performance.now();
      const e = (await downloadFile(`${server.origin}/pixi`, dest, { retryDelaysMs: FAST, limits: rate }))._unsafeUnwrapErr();
      expect(performance.now() - t0).toBeLessThan(4000);
      expect(e).toMatchObject({ kind: "too-slow", minimum: 10_000, windowSeconds: 0.3, attempts: 4 });
      expect(describeHttpError(e)).toContain("below the minimum of 10000 B/s");
      expect(server.requests).toHaveLength(4);
      expect(existsSync(dest)).toBe(false);
    } finally {
      await server.close();
    }
  });

  test("the whole download is bounded, retries and pauses included", async () => {
    await using dir = await tmpdir();
    // Fast enough for the rate check, far too long for the bound.
    const server = await slowServer(0, 1);
    const dest = path.join(dir.path, "pixi.download");
    try {
      const t0 = performance.now();
      const e = (await downloadFile(`${server.origin}/pixi`, dest, { retryDelaysMs: FAST, limits: { totalMs: 700, minBytesPerSecond: 1, windowMs: 200 } }))._unsafeUnwrapErr();
      expect(performance.now() - t0).toBeLessThan(2500);
      expect(e).toMatchObject({ kind: "timed-out", seconds: 0.7 });
      expect(existsSync(dest)).toBe(false);
    } finally {
      await server.close();
    }
  });

  // An index page comes through fetchText: before these bounds, a server trickling a byte
  // every few seconds (under undici's 60 s idle limit) held an install forever, and one
  // streaming without end filled memory.
  test("an index page that trickles fails as too slow, in bounded time", async () => {
    const server = await slowServer(100, 20);
    try {
      const t0 = performance.now();
      const e = (await fetchText(`${server.origin}/nvdiffrast/`, { retryDelaysMs: FAST, limits: rate }))._unsafeUnwrapErr();
      expect(performance.now() - t0).toBeLessThan(4000);
      expect(e).toMatchObject({ kind: "too-slow", attempts: 4 });
    } finally {
      await server.close();
    }
  });

  test("an index page past the size bound is refused once, not retried, not held in memory", async () => {
    // 16 KiB chunks without end, as fast as the socket takes them.
    const server = await startServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/html" });
      const chunk = Buffer.alloc(16 << 10, 0x61);
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on("drain", pump);
      pump();
    });
    try {
      const e = (await fetchText(`${server.origin}/nvdiffrast/`, { retryDelaysMs: FAST, maxBytes: 1 << 20 }))._unsafeUnwrapErr();
      expect(e).toEqual({ kind: "too-large", url: `${server.origin}/nvdiffrast/`, limit: 1 << 20 });
      expect(describeHttpError(e)).toContain("ran past 1048576 bytes");
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  test("an index page within the bounds arrives whole", async () => {
    const page = "<a href='x.whl'>x.whl</a>\n".repeat(5000);
    const server = await startServer((_req, res) => void res.end(page));
    try {
      expect((await fetchText(`${server.origin}/x/`, { maxBytes: page.length, limits: rate }))._unsafeUnwrap()).toBe(page);
    } finally {
      await server.close();
    }
  });

  test("install stopped by SIGTERM while downloading pixi: no partial file is left", async () => {
    await using dir = await tmpdir();
    const server = await slowServer(4096, 50);
    const child = path.join(import.meta.dir, "support", "download-child.ts");
    try {
      const proc = Bun.spawn([process.execPath, child, dir.path, `${server.origin}/pixi`], { stdout: "pipe", stderr: "pipe" });
      const partial = () => readdirSync(dir.path);
      for (let i = 0; i < 200 && partial().length === 0; i++) await Bun.sleep(25);
      expect(partial()).toEqual(["pixi.download"]);
      proc.kill("SIGTERM");
      expect(await proc.exited).toBe(143);
      expect(partial()).toEqual([]);
    } finally {
      await server.close();
    }
  });
});
