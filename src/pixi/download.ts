import { randomBytes } from "node:crypto";
import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { readEnv } from "../util/env.ts";
import { downloadFile, type HttpError } from "../util/http.ts";
import { hostPixiPlatform, osOfPlatform, type PixiPlatform } from "../util/platform.ts";
import { codeOf, err, errAsync, messageOf, ok, okAsync, ResultAsync, type Result } from "../util/result.ts";
import { archiveFormatOf, extractMember, type ArchiveError } from "./archive.ts";

/** The pixi release comfy-env downloads when none is installed (the Python comfy-env's pin; docs/reference.md §1.1). */
export const PIXI_VERSION = "0.75.0";
export const PIXI_DEFAULT_BASE_URL = "https://github.com/prefix-dev/pixi/releases/download";

export interface PixiAsset {
  name: string;
  /** Lowercase hex sha256 of the archive. */
  sha256: string;
}

// Digests of the v0.75.0 release archives, pinned so a swapped download is refused.
const PIXI_ASSETS: Partial<Record<PixiPlatform, PixiAsset>> = {
  "linux-64": { name: "pixi-x86_64-unknown-linux-musl.tar.gz", sha256: "bcd825d62905c29b3c754b71f9cdc9d6f119454398f58330f111a7b6a0de0a3f" },
  "linux-aarch64": { name: "pixi-aarch64-unknown-linux-musl.tar.gz", sha256: "6476588859faa7232def49ff590f199390bd93fae3826617596befc52382724f" },
  "osx-64": { name: "pixi-x86_64-apple-darwin.tar.gz", sha256: "f129e890366ad5502304c8f863cc5585d82143b64731f36bcd1283a27781097e" },
  "osx-arm64": { name: "pixi-aarch64-apple-darwin.tar.gz", sha256: "52a43f9268f3accb7155cf229937f2f5333559b1333615d610362c6151fded66" },
  "win-64": { name: "pixi-x86_64-pc-windows-msvc.zip", sha256: "0c478f9efcb0f8ba984b21c3fa9f484a3d098fc9a46be896f0ac260939ddeaa9" },
};

export function pixiAsset(platform: PixiPlatform): PixiAsset | undefined {
  return PIXI_ASSETS[platform];
}

/** `<base>/v0.75.0/<asset>`; the base is the GitHub releases download URL or a mirror. */
export function pixiAssetUrl(baseUrl: string, asset: PixiAsset): string {
  return `${baseUrl.replace(/\/+$/, "")}/v${PIXI_VERSION}/${asset.name}`;
}

function pixiBinaryName(platform: PixiPlatform): string {
  return osOfPlatform(platform) === "windows" ? "pixi.exe" : "pixi";
}

/** Where the downloaded pixi lives: `<toolsDir>/pixi-0.75.0/pixi[.exe]`. */
export function pixiInstallPath(toolsDir: string, platform: PixiPlatform = hostPixiPlatform()): string {
  return path.join(toolsDir, `pixi-${PIXI_VERSION}`, pixiBinaryName(platform));
}

export type PixiDownloadError =
  | { kind: "unsupported-platform"; platform: PixiPlatform }
  | { kind: "download-failed"; url: string; cause: HttpError }
  | { kind: "checksum-mismatch"; url: string; expected: string; actual: string; bytes: number }
  | { kind: "bad-archive"; url: string; cause: ArchiveError }
  | { kind: "install-failed"; path: string; message: string };

export interface EnsurePixiOptions {
  /** comfy-env's own tools folder (inside the cache root). */
  toolsDir: string;
  platform?: PixiPlatform;
  /** Release download base; default COMFY_ENV_PIXI_URL, else GitHub releases. */
  baseUrl?: string;
  /** Archive name and digest; default the pinned table. Tests pass their own. */
  asset?: PixiAsset;
  onProgress?: (done: number, total: number | null) => void;
  /** Pauses between download retries (see util/http.ts). */
  retryDelaysMs?: readonly number[];
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isFile();
  } catch {
    return false;
  }
}

/** A name no other process will pick, next to the final file so rename stays on one volume. */
function tempName(finalPath: string, suffix: string): string {
  return `${finalPath}.${process.pid}-${randomBytes(4).toString("hex")}.${suffix}`;
}

/**
 * The pinned pixi for `platform`, downloading it on first use: verify the archive's sha256,
 * extract the binary, write it under a temp name and rename it into place. Several processes
 * may race here; each renames a complete, verified file, so the survivor is always good.
 */
export function ensurePixiDownloaded(opts: EnsurePixiOptions): ResultAsync<string, PixiDownloadError> {
  const platform = opts.platform ?? hostPixiPlatform();
  const asset = opts.asset ?? pixiAsset(platform);
  if (!asset) return errAsync({ kind: "unsupported-platform", platform });
  const dest = pixiInstallPath(opts.toolsDir, platform);
  const url = pixiAssetUrl(opts.baseUrl ?? readEnv("COMFY_ENV_PIXI_URL") ?? PIXI_DEFAULT_BASE_URL, asset);

  return ResultAsync.fromSafePromise(isFile(dest)).andThen((present) => {
    if (present) return okAsync(dest);
    return new ResultAsync(download(url, asset, dest, platform, opts));
  });
}

async function download(url: string, asset: PixiAsset, dest: string, platform: PixiPlatform, opts: EnsurePixiOptions): Promise<Result<string, PixiDownloadError>> {
  const installFailed = (p: string, e: unknown) => err<never, PixiDownloadError>({ kind: "install-failed", path: p, message: messageOf(e) });
  try {
    await mkdir(path.dirname(dest), { recursive: true });
  } catch (e) {
    return installFailed(path.dirname(dest), e);
  }
  const archivePath = tempName(dest, "download");
  try {
    const got = await downloadFile(url, archivePath, { onProgress: opts.onProgress, retryDelaysMs: opts.retryDelaysMs });
    if (got.isErr()) return err({ kind: "download-failed", url, cause: got.error });
    const expected = asset.sha256.toLowerCase();
    if (got.value.sha256 !== expected) {
      return err({ kind: "checksum-mismatch", url, expected, actual: got.value.sha256, bytes: got.value.bytes });
    }
    const format = archiveFormatOf(asset.name);
    let binary: Uint8Array;
    if (format === undefined) {
      binary = await readFile(archivePath); // a bare binary asset
    } else {
      const member = extractMember(format, await readFile(archivePath), pixiBinaryName(platform));
      if (member.isErr()) return err({ kind: "bad-archive", url, cause: member.error });
      binary = member.value;
    }
    return await installAtomically(binary, dest);
  } catch (e) {
    return installFailed(dest, e);
  } finally {
    await rm(archivePath, { force: true }).catch(() => undefined);
  }
}

async function installAtomically(binary: Uint8Array, dest: string): Promise<Result<string, PixiDownloadError>> {
  const tmp = tempName(dest, "tmp");
  try {
    await writeFile(tmp, binary, { mode: 0o755 });
    await chmod(tmp, 0o755); // the umask may have masked bits off
    await rename(tmp, dest);
    return ok(dest);
  } catch (e) {
    await rm(tmp, { force: true }).catch(() => undefined);
    // Windows refuses to replace a file another process is running: that process installed it.
    const code = codeOf(e);
    if ((code === "EPERM" || code === "EBUSY" || code === "EACCES") && (await isFile(dest))) return ok(dest);
    return err({ kind: "install-failed", path: dest, message: messageOf(e) });
  }
}
