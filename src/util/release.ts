// What a comfy-env release publishes and where: shared by build.ts, self-update and
// (by the same rules, in shell) install.sh / install.ps1.

/** Base of the release downloads: `<base>/latest/download/<file>`, `<base>/download/v<X>/<file>`. */
export const DEFAULT_DOWNLOAD_URL = "https://github.com/comfy-env/comfy-env/releases";

/** The checksum file of a release, in `sha256sum` format. */
export const SUMS_FILE = "SHA256SUMS";

/**
 * The executables of a release. `name` is what `--version` prints and what asset names end
 * with; x64 ships Bun's baseline build so CPUs without AVX2 (old machines, some VMs) run it.
 */
export const RELEASE_TARGETS = [
  { name: "linux-x64", bunTarget: "bun-linux-x64-baseline" },
  { name: "linux-arm64", bunTarget: "bun-linux-arm64" },
  { name: "darwin-x64", bunTarget: "bun-darwin-x64" },
  { name: "darwin-arm64", bunTarget: "bun-darwin-arm64" },
  { name: "windows-x64", bunTarget: "bun-windows-x64-baseline" },
] as const;
export type ReleaseTarget = (typeof RELEASE_TARGETS)[number];

const isWindows = (target: string) => target.startsWith("windows");

/** The executable inside a release archive (and the name installers give it). */
export function executableName(target: string): string {
  return isWindows(target) ? "comfy-env.exe" : "comfy-env";
}

/** `.tar.gz` for Unix targets (tar keeps the executable bit), `.zip` for Windows (Explorer and PowerShell unpack it). */
export function archiveFormat(target: string): "tar.gz" | "zip" {
  return isWindows(target) ? "zip" : "tar.gz";
}

/** The published asset of a target: `comfy-env-0.1.0-linux-x64.tar.gz`, `comfy-env-0.1.0-windows-x64.zip`. */
export function releaseAssetName(version: string, target: string): string {
  return `comfy-env-${version}-${target}.${archiveFormat(target)}`;
}

/** The bare executable `build.ts --target` writes (for running it straight away, e.g. under wine): `comfy-env-0.1.0-windows-x64.exe`. */
export function targetExecutableName(version: string, target: string): string {
  return `comfy-env-${version}-${target}${isWindows(target) ? ".exe" : ""}`;
}

/** Published beside the archives and listed in SHA256SUMS: the README's install URLs point at them. */
export const INSTALLER_FILES = ["install.sh", "install.ps1"] as const;

/** `version` undefined means the latest release. A leading "v" on the version is accepted. */
export function releaseFileUrl(baseUrl: string, version: string | undefined, file: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  return version === undefined ? `${base}/latest/download/${file}` : `${base}/download/v${stripV(version)}/${file}`;
}

export function stripV(version: string): string {
  return version.replace(/^v/, "");
}

/** `<hex>  <name>` lines (sha256sum's text mode; `*name`, its binary mode, too). */
export function formatSha256Sums(entries: readonly { name: string; sha256: string }[]): string {
  return entries.map((e) => `${e.sha256}  ${e.name}\n`).join("");
}

/** name → lowercase hex digest. Lines that are not a digest and a name are ignored. */
export function parseSha256Sums(text: string): Map<string, string> {
  const sums = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line.trim());
    if (m) sums.set((m[2] as string).trim(), (m[1] as string).toLowerCase());
  }
  return sums;
}

export interface ReleaseAsset {
  name: string;
  version: string;
  sha256: string;
}

/**
 * The asset of `target` listed in a release's SHA256SUMS. Without a pinned version the
 * version is read from the asset name: `latest/download/` needs the exact name, and the
 * checksum file is the one place that lists it.
 */
export function findReleaseAsset(sums: Map<string, string>, target: string, version?: string): ReleaseAsset | undefined {
  if (version !== undefined) {
    const name = releaseAssetName(stripV(version), target);
    const sha256 = sums.get(name);
    return sha256 === undefined ? undefined : { name, version: stripV(version), sha256 };
  }
  for (const [name, sha256] of sums) {
    const m = /^comfy-env-(.+)-([a-z]+-[a-z0-9]+)\.(?:tar\.gz|zip)$/.exec(name);
    if (m && m[2] === target && name === releaseAssetName(m[1] as string, target)) return { name, version: m[1] as string, sha256 };
  }
  return undefined;
}
