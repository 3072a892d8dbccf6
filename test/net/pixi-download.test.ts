import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import {
  ensurePixiDownloaded,
  PIXI_DEFAULT_BASE_URL,
  PIXI_VERSION,
  pixiAsset,
  pixiAssetUrl,
  pixiInstallPath,
  type PixiAsset,
} from "../../src/pixi/download.ts";
import { USER_AGENT } from "../../src/util/http.ts";
import { VERSION } from "../../src/version.ts";
import { tmpdir } from "../support/tmp.ts";
import { sendBytes, startCountingProxy, startServer, type LocalServer } from "./support/servers.ts";
import { FAKE_PIXI, makePixiTarGz, makeZip, sha256 } from "./support/pixi-archive.ts";

const ASSET_NAME = "pixi-x86_64-unknown-linux-musl.tar.gz";
const ARCHIVE = makePixiTarGz();
const ASSET: PixiAsset = { name: ASSET_NAME, sha256: sha256(ARCHIVE) };
const FAST = [20, 20, 20];
const ASSET_PATH = `/v${PIXI_VERSION}/${ASSET_NAME}`;

// The proxy variables change what util/http does; keep the test process's own out of the way.
const PROXY_VARS = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy", "COMFY_ENV_PIXI_URL"];
let saved: Record<string, string | undefined> = {};
beforeEach(() => {
  saved = Object.fromEntries(PROXY_VARS.map((k) => [k, process.env[k]]));
  for (const k of PROXY_VARS) delete process.env[k];
});
afterEach(() => {
  for (const k of PROXY_VARS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

/** Files in the install folder other than pixi itself: temp files must never be left behind. */
function leftovers(toolsDir: string): string[] {
  const dir = path.join(toolsDir, `pixi-${PIXI_VERSION}`);
  try {
    return readdirSync(dir).filter((f) => f !== "pixi" && f !== "pixi.exe");
  } catch {
    return [];
  }
}

function releaseServer(body: Uint8Array = ARCHIVE): Promise<LocalServer> {
  return startServer((req, res) => {
    if (req.url === ASSET_PATH) return sendBytes(res, body);
    res.writeHead(404);
    res.end();
  });
}

describe("pinned table", () => {
  test("every supported platform has an asset and a sha256 pinned in the source (docs/reference.md §1.1)", () => {
    expect(PIXI_VERSION).toBe("0.75.0");
    expect(pixiAsset("linux-64")).toEqual({ name: "pixi-x86_64-unknown-linux-musl.tar.gz", sha256: "bcd825d62905c29b3c754b71f9cdc9d6f119454398f58330f111a7b6a0de0a3f" });
    expect(pixiAsset("linux-aarch64")?.sha256).toBe("6476588859faa7232def49ff590f199390bd93fae3826617596befc52382724f");
    expect(pixiAsset("osx-64")?.sha256).toBe("f129e890366ad5502304c8f863cc5585d82143b64731f36bcd1283a27781097e");
    expect(pixiAsset("osx-arm64")?.name).toBe("pixi-aarch64-apple-darwin.tar.gz");
    expect(pixiAsset("win-64")).toEqual({ name: "pixi-x86_64-pc-windows-msvc.zip", sha256: "0c478f9efcb0f8ba984b21c3fa9f484a3d098fc9a46be896f0ac260939ddeaa9" });
    expect(pixiAssetUrl(PIXI_DEFAULT_BASE_URL, pixiAsset("linux-64")!)).toBe(
      "https://github.com/prefix-dev/pixi/releases/download/v0.75.0/pixi-x86_64-unknown-linux-musl.tar.gz",
    );
    expect(pixiAssetUrl("http://mirror.local/pixi/", ASSET)).toBe(`http://mirror.local/pixi/v0.75.0/${ASSET_NAME}`);
    expect(pixiInstallPath("/t", "win-64")).toBe(path.join("/t", "pixi-0.75.0", "pixi.exe"));
  });
});

describe("ensurePixiDownloaded", () => {
  test("downloads, verifies, installs executable, reports progress; then reuses without network", async () => {
    await using dir = await tmpdir();
    const server = await releaseServer();
    try {
      const progress: [number, number | null][] = [];
      const r = await ensurePixiDownloaded({
        toolsDir: dir.path,
        baseUrl: server.origin,
        platform: "linux-64",
        asset: ASSET,
        onProgress: (d, t) => progress.push([d, t]),
      });
      const pixi = r._unsafeUnwrap();
      expect(pixi).toBe(path.join(dir.path, "pixi-0.75.0", "pixi"));
      expect(readFileSync(pixi, "utf8")).toBe(FAKE_PIXI);
      expect(statSync(pixi).mode & 0o111).toBe(0o111);
      expect(leftovers(dir.path)).toEqual([]);
      expect(progress.at(-1)).toEqual([ARCHIVE.length, ARCHIVE.length]);
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]?.userAgent).toBe(`comfy-env/${VERSION}`);
      expect(USER_AGENT).toBe(`comfy-env/${VERSION}`);
      const run = Bun.spawnSync([pixi], { stdout: "pipe" });
      expect(run.stdout.toString()).toContain("pixi 0.75.0");

      const again = await ensurePixiDownloaded({ toolsDir: dir.path, baseUrl: server.origin, platform: "linux-64", asset: ASSET });
      expect(again._unsafeUnwrap()).toBe(pixi);
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  test("a tampered archive is refused and nothing is left at the install path", async () => {
    await using dir = await tmpdir();
    const tampered = makePixiTarGz("#!/bin/sh\necho evil\n");
    const server = await releaseServer(tampered);
    try {
      const r = await ensurePixiDownloaded({ toolsDir: dir.path, baseUrl: server.origin, platform: "linux-64", asset: ASSET });
      const e = r._unsafeUnwrapErr();
      expect(e).toMatchObject({ kind: "checksum-mismatch", expected: ASSET.sha256, actual: sha256(tampered), bytes: tampered.length });
      expect(statSync(pixiInstallPath(dir.path, "linux-64"), { throwIfNoEntry: false })).toBeUndefined();
      expect(leftovers(dir.path)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  test("a truncated download (connection cut mid-body) is retried, then refused", async () => {
    await using dir = await tmpdir();
    const server = await startServer((req, res) => {
      res.writeHead(200, { "content-length": String(ARCHIVE.length) });
      res.write(ARCHIVE.subarray(0, Math.floor(ARCHIVE.length / 2)));
      setTimeout(() => res.socket?.destroy(), 10);
    });
    try {
      const r = await ensurePixiDownloaded({ toolsDir: dir.path, baseUrl: server.origin, platform: "linux-64", asset: ASSET, retryDelaysMs: FAST });
      const e = r._unsafeUnwrapErr();
      expect(e.kind).toBe("download-failed");
      if (e.kind === "download-failed") {
        expect(["network", "truncated"]).toContain(e.cause.kind);
        expect("attempts" in e.cause && e.cause.attempts).toBe(4);
      }
      expect(server.requests).toHaveLength(4);
      expect(statSync(pixiInstallPath(dir.path, "linux-64"), { throwIfNoEntry: false })).toBeUndefined();
      expect(leftovers(dir.path)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  test("a connection reset on the first request is retried", async () => {
    await using dir = await tmpdir();
    const server = await startServer((req, res, n) => {
      if (n === 1) return void req.socket.destroy();
      sendBytes(res, ARCHIVE);
    });
    try {
      const r = await ensurePixiDownloaded({ toolsDir: dir.path, baseUrl: server.origin, platform: "linux-64", asset: ASSET, retryDelaysMs: FAST });
      expect(readFileSync(r._unsafeUnwrap(), "utf8")).toBe(FAKE_PIXI);
      expect(server.requests).toHaveLength(2);
    } finally {
      await server.close();
    }
  });

  test("the default retry schedule also recovers from a reset (real backoff)", async () => {
    await using dir = await tmpdir();
    const server = await startServer((req, res, n) => {
      if (n === 1) return void req.socket.destroy();
      sendBytes(res, ARCHIVE);
    });
    try {
      const r = await ensurePixiDownloaded({ toolsDir: dir.path, baseUrl: server.origin, platform: "linux-64", asset: ASSET });
      expect(r.isOk()).toBe(true);
      expect(server.requests).toHaveLength(2);
    } finally {
      await server.close();
    }
  }, 15_000);

  test("HTTP 404 fails at once, naming the URL", async () => {
    await using dir = await tmpdir();
    const server = await releaseServer();
    try {
      const asset = { name: "pixi-nope.tar.gz", sha256: ASSET.sha256 };
      const e = (await ensurePixiDownloaded({ toolsDir: dir.path, baseUrl: server.origin, platform: "linux-64", asset, retryDelaysMs: FAST }))._unsafeUnwrapErr();
      expect(e).toEqual({
        kind: "download-failed",
        url: `${server.origin}/v0.75.0/pixi-nope.tar.gz`,
        cause: { kind: "http-status", url: `${server.origin}/v0.75.0/pixi-nope.tar.gz`, status: 404 },
      });
      expect(server.requests).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  test("redirects are followed (GitHub serves release assets through a 302)", async () => {
    await using dir = await tmpdir();
    const server = await startServer((req, res) => {
      if (req.url === ASSET_PATH) {
        res.writeHead(302, { location: "/objects/blob-123" });
        return void res.end();
      }
      if (req.url === "/objects/blob-123") return sendBytes(res, ARCHIVE);
      res.writeHead(404);
      res.end();
    });
    try {
      const r = await ensurePixiDownloaded({ toolsDir: dir.path, baseUrl: server.origin, platform: "linux-64", asset: ASSET });
      expect(r.isOk()).toBe(true);
      expect(server.requests.map((q) => q.url)).toEqual([ASSET_PATH, "/objects/blob-123"]);
    } finally {
      await server.close();
    }
  });

  test("COMFY_ENV_PIXI_URL is the base when none is passed", async () => {
    await using dir = await tmpdir();
    const server = await releaseServer();
    try {
      process.env.COMFY_ENV_PIXI_URL = `${server.origin}/`;
      const r = await ensurePixiDownloaded({ toolsDir: dir.path, platform: "linux-64", asset: ASSET });
      expect(r.isOk()).toBe(true);
      expect(server.requests.map((q) => q.url)).toEqual([ASSET_PATH]);
    } finally {
      await server.close();
    }
  });

  test("HTTP_PROXY is honoured, and NO_PROXY bypasses it", async () => {
    await using dir = await tmpdir();
    const server = await releaseServer();
    const proxy = await startCountingProxy();
    try {
      process.env.HTTP_PROXY = proxy.origin;
      const r = await ensurePixiDownloaded({ toolsDir: dir.path, baseUrl: server.origin, platform: "linux-64", asset: ASSET });
      expect(r.isOk()).toBe(true);
      expect(proxy.requests.map((q) => q.url)).toEqual([`${server.origin}${ASSET_PATH}`]);
      expect(proxy.requests[0]?.userAgent).toBe(`comfy-env/${VERSION}`);
      expect(server.requests).toHaveLength(1);

      await using dir2 = await tmpdir();
      process.env.NO_PROXY = "127.0.0.1";
      const r2 = await ensurePixiDownloaded({ toolsDir: dir2.path, baseUrl: server.origin, platform: "linux-64", asset: ASSET });
      expect(r2.isOk()).toBe(true);
      expect(proxy.requests).toHaveLength(1);
      expect(server.requests).toHaveLength(2);
    } finally {
      await proxy.close();
      await server.close();
    }
  });

  test("a Windows .zip asset installs pixi.exe", async () => {
    await using dir = await tmpdir();
    const zip = makeZip({ "pixi.exe": "MZ fake pixi" });
    const name = "pixi-x86_64-pc-windows-msvc.zip";
    const server = await startServer((req, res) => {
      if (req.url === `/v0.75.0/${name}`) return sendBytes(res, zip);
      res.writeHead(404);
      res.end();
    });
    try {
      const r = await ensurePixiDownloaded({ toolsDir: dir.path, baseUrl: server.origin, platform: "win-64", asset: { name, sha256: sha256(zip) } });
      const exe = r._unsafeUnwrap();
      expect(exe).toBe(path.join(dir.path, "pixi-0.75.0", "pixi.exe"));
      expect(readFileSync(exe, "utf8")).toBe("MZ fake pixi");
    } finally {
      await server.close();
    }
  });

  test("an archive without pixi is refused", async () => {
    await using dir = await tmpdir();
    const zip = makeZip({ "README.md": "no binary here" });
    const name = "pixi-x86_64-pc-windows-msvc.zip";
    const server = await startServer((req, res) => sendBytes(res, zip));
    try {
      const e = (await ensurePixiDownloaded({ toolsDir: dir.path, baseUrl: server.origin, platform: "win-64", asset: { name, sha256: sha256(zip) } }))._unsafeUnwrapErr();
      expect(e).toMatchObject({ kind: "bad-archive", cause: { kind: "archive-member-missing", member: "pixi.exe" } });
      expect(leftovers(dir.path)).toEqual([]);
    } finally {
      await server.close();
    }
  });

  test("concurrent downloads from several processes end with one good file", async () => {
    await using dir = await tmpdir();
    // Slow chunks so the four downloads overlap and race on the final rename.
    const server = await startServer((req, res) => sendBytes(res, ARCHIVE, { chunks: 10, delayMs: 60 }));
    try {
      const child = path.join(import.meta.dir, "support", "ensure-pixi-child.ts");
      const procs = Array.from({ length: 4 }, () =>
        Bun.spawn([process.execPath, child, dir.path, server.origin, ASSET.name, ASSET.sha256], { stdout: "pipe", stderr: "pipe" }),
      );
      const results = await Promise.all(procs.map(async (p) => ({ code: await p.exited, out: await new Response(p.stdout).text(), err: await new Response(p.stderr).text() })));
      for (const r of results) {
        expect(r.err).toBe("");
        expect(r.code).toBe(0);
        expect(JSON.parse(r.out)).toEqual({ ok: path.join(dir.path, "pixi-0.75.0", "pixi") });
      }
      // At least two downloads overlapped (each request comes from a process that found no pixi).
      expect(server.requests.length).toBeGreaterThanOrEqual(2);
      const pixi = pixiInstallPath(dir.path, "linux-64");
      expect(readFileSync(pixi, "utf8")).toBe(FAKE_PIXI);
      expect(leftovers(dir.path)).toEqual([]);
      expect(Bun.spawnSync([pixi], { stdout: "pipe" }).stdout.toString()).toContain("pixi 0.75.0");
    } finally {
      await server.close();
    }
  }, 30_000);
});
