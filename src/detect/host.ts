import { readFileSync } from "node:fs";
import os from "node:os";
import { hostOs, hostPixiPlatform, type OsFamily, type PixiPlatform } from "../util/platform.ts";

export interface LibcInfo {
  family: "glibc" | "musl";
  /** "2.36"; null where unknown (musl has no runtime query). */
  version: string | null;
}

export interface HostInfo {
  os: OsFamily;
  /** Node-style arch: "x64", "arm64". */
  arch: string;
  platform: PixiPlatform;
  /** Kernel release (Linux, Darwin) or Windows build ("10.0.22631"). */
  osRelease: string;
  /** Linux only. */
  libc: LibcInfo | null;
  /** macOS product version ("15.1"), macOS only. */
  macos: string | null;
}

const MACOS_VERSION_PLIST = "/System/Library/CoreServices/SystemVersion.plist";

/** ProductVersion from SystemVersion.plist (read as a file: no sw_vers process). */
export function parseMacosVersionPlist(text: string): string | null {
  return /<key>ProductVersion<\/key>\s*<string>([^<]+)<\/string>/.exec(text)?.[1]?.trim() ?? null;
}

/** glibc version from the process report header; absent on musl. */
function linuxLibc(): LibcInfo {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  const glibc = report?.header?.glibcVersionRuntime;
  return glibc ? { family: "glibc", version: glibc } : { family: "musl", version: null };
}

function macosVersion(): string | null {
  try {
    return parseMacosVersionPlist(readFileSync(MACOS_VERSION_PLIST, "utf8"));
  } catch {
    return null;
  }
}

export function detectHost(): HostInfo {
  const family = hostOs();
  return {
    os: family,
    arch: process.arch,
    platform: hostPixiPlatform(),
    osRelease: os.release(),
    libc: family === "linux" ? linuxLibc() : null,
    macos: family === "darwin" ? macosVersion() : null,
  };
}
