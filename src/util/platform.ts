import os from "node:os";

/** pixi/conda platform names comfy-env can build for. */
export const PIXI_PLATFORMS = ["linux-64", "linux-aarch64", "osx-64", "osx-arm64", "win-64"] as const;
export type PixiPlatform = (typeof PIXI_PLATFORMS)[number];

export type OsFamily = "linux" | "darwin" | "windows";

export function isPixiPlatform(s: string): s is PixiPlatform {
  return (PIXI_PLATFORMS as readonly string[]).includes(s);
}

export function osOfPlatform(p: PixiPlatform): OsFamily {
  if (p.startsWith("linux")) return "linux";
  if (p.startsWith("osx")) return "darwin";
  return "windows";
}

/** The one place that reads process.platform: everything else asks this module. */
export function hostOs(): OsFamily {
  if (process.platform === "win32") return "windows";
  if (process.platform === "darwin") return "darwin";
  return "linux";
}

export function hostPixiPlatform(): PixiPlatform {
  const arm = process.arch === "arm64";
  switch (hostOs()) {
    case "windows":
      return "win-64";
    case "darwin":
      return arm ? "osx-arm64" : "osx-64";
    case "linux":
      return arm ? "linux-aarch64" : "linux-64";
  }
}

export function homeDir(): string {
  return os.homedir();
}

/** Executable file name on this OS ("pixi" → "pixi.exe" on Windows). */
export function exeName(base: string): string {
  return hostOs() === "windows" ? `${base}.exe` : base;
}

/** Relative path of the interpreter inside a conda/pixi environment prefix. */
export function envPythonRelPath(o: OsFamily = hostOs()): string {
  return o === "windows" ? "python.exe" : "bin/python";
}

/** Folder of a virtualenv holding its executables. */
export function venvBinName(): string {
  return hostOs() === "windows" ? "Scripts" : "bin";
}

/** glibc version of this process ("2.36"), undefined on musl, macOS and Windows. */
export function hostGlibc(): string | undefined {
  const header = (process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined)?.header;
  return header?.glibcVersionRuntime;
}
