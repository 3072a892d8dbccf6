// Which Pythons a compiled comfy-env installed the bridge into, so `self-update` can rerun
// `bridge install` there with the new binary (a bridge older than its binary is refused at the
// first node call). One small JSON file per user, outside the cache root: on Windows that root
// depends on the drive of the ComfyUI, and removing the cache should not lose the list.
import path from "node:path";
import { readEnv } from "../util/env.ts";
import { ensureDir, readText, writeFileAtomic, type FsError } from "../util/fs.ts";
import { homeDir, hostOs, type OsFamily } from "../util/platform.ts";
import { ok, type Result } from "../util/result.ts";

export interface BridgeInstall {
  /** The interpreter's sys.executable. */
  python: string;
  /** The comfy-env executable the bridge there starts. */
  binary: string;
}

/**
 * `%APPDATA%\comfy-env\bridges.json` on Windows, else `$XDG_CONFIG_HOME/comfy-env/bridges.json`
 * (default `~/.config`, https://specifications.freedesktop.org/basedir-spec/latest/).
 */
export function installsFile(env: Record<string, string | undefined> = process.env, os: OsFamily = hostOs()): string {
  const base = os === "windows" ? (readEnv("APPDATA", env) ?? path.join(homeDir(), "AppData", "Roaming")) : (readEnv("XDG_CONFIG_HOME", env) ?? path.join(homeDir(), ".config"));
  return path.join(base, "comfy-env", "bridges.json");
}

/** The recorded installs; a missing or unreadable file is an empty list (nothing to refresh). */
export function readInstalls(file: string = installsFile()): BridgeInstall[] {
  const text = readText(file);
  if (text.isErr()) return [];
  try {
    const v = JSON.parse(text.value) as { installs?: unknown };
    return Array.isArray(v.installs) ? v.installs.filter((i): i is BridgeInstall => typeof i?.python === "string" && typeof i?.binary === "string") : [];
  } catch {
    return [];
  }
}

function writeInstalls(installs: BridgeInstall[], file: string): Result<void, FsError> {
  return ensureDir(path.dirname(file)).andThen(() => writeFileAtomic(file, `${JSON.stringify({ installs }, null, 2)}\n`));
}

/** Record (or update) the install into `python`; one entry per Python. */
export function rememberInstall(install: BridgeInstall, file: string = installsFile()): Result<void, FsError> {
  const others = readInstalls(file).filter((i) => i.python !== install.python);
  return writeInstalls([...others, install], file);
}

/** Drop `python` from the list (after `bridge uninstall`, or when it no longer exists). */
export function forgetInstall(python: string, file: string = installsFile()): Result<void, FsError> {
  const installs = readInstalls(file);
  const kept = installs.filter((i) => i.python !== python);
  return kept.length === installs.length ? ok(undefined) : writeInstalls(kept, file);
}
