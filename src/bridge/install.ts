import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { BINARY_FILE, PACKAGE_FILES } from "./files.ts";
import { err, ok, type Result, messageOf } from "../util/result.ts";
import { namesIn } from "../util/fs.ts";
import { VERSION } from "../version.ts";

export const PACKAGE_DIR = "comfy_env";
export const INSTALLER = "comfy-env";
const MIN_PYTHON: [number, number] = [3, 9];

export interface PythonInfo {
  executable: string;
  version: [number, number, number];
  sitePackages: string;
}

export type BridgeError =
  | { kind: "python-failed"; python: string; message: string }
  | { kind: "python-too-old"; python: string; version: string }
  | { kind: "foreign-package"; dir: string; installer: string; version: string }
  | { kind: "write-failed"; path: string; message: string };

const PROBE = "import sys, sysconfig, json; print(json.dumps({'executable': sys.executable, 'version': list(sys.version_info[:3]), 'purelib': sysconfig.get_paths()['purelib']}))";

export function probePython(python: string): Result<PythonInfo, BridgeError> {
  try {
    const r = Bun.spawnSync([python, "-c", PROBE], { stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) return err({ kind: "python-failed", python, message: r.stderr.toString().trim() || `exit code ${r.exitCode}` });
    const v = JSON.parse(r.stdout.toString()) as { executable: string; version: [number, number, number]; purelib: string };
    if (v.version[0] < MIN_PYTHON[0] || (v.version[0] === MIN_PYTHON[0] && v.version[1] < MIN_PYTHON[1])) return err({ kind: "python-too-old", python, version: v.version.join(".") });
    return ok({ executable: v.executable, version: v.version, sitePackages: v.purelib });
  } catch (e) {
    return err({ kind: "python-failed", python, message: messageOf(e) });
  }
}

/** How the bridge starts this binary: itself when compiled, `bun src/main.ts` from sources. */
export function selfCommand(): string[] {
  const main = Bun.main;
  return main.endsWith(".ts") && fs.existsSync(main) ? [process.execPath, main] : [process.execPath];
}

interface DistInfo {
  dir: string;
  installer: string;
  version: string;
}

function distInfos(site: string): DistInfo[] {
  const names = namesIn(site);
  return names
    .filter((n) => /^comfy_env-[^-]+\.dist-info$/i.test(n))
    .map((n) => {
      const dir = path.join(site, n);
      const read = (f: string) => {
        try {
          return fs.readFileSync(path.join(dir, f), "utf8").trim();
        } catch {
          return "";
        }
      };
      return { dir, installer: read("INSTALLER"), version: n.slice("comfy_env-".length, -".dist-info".length) };
    });
}

function sha256Record(bytes: string): string {
  return `sha256=${crypto.createHash("sha256").update(bytes).digest("base64url")}`;
}

export interface BridgeStatus {
  python: string;
  pythonVersion: string;
  sitePackages: string;
  installed: boolean;
  /** comfy-env wrote it; false when another comfy_env (the PyPI package) is there. */
  ours: boolean;
  version: string | null;
  /** Files differ from the ones this binary embeds (installed by another version). */
  outdated: boolean;
  binary: string[] | null;
}

export function bridgeStatus(info: PythonInfo): BridgeStatus {
  const site = info.sitePackages;
  const dists = distInfos(site);
  const pkg = path.join(site, PACKAGE_DIR);
  const installed = fs.existsSync(path.join(pkg, "__init__.py"));
  const mine = dists.find((d) => d.installer === INSTALLER);
  let outdated = false;
  for (const [rel, text] of Object.entries(PACKAGE_FILES)) {
    try {
      if (fs.readFileSync(path.join(site, rel), "utf8") !== text) outdated = true;
    } catch {
      outdated = true;
    }
  }
  let binary: string[] | null = null;
  try {
    binary = (JSON.parse(fs.readFileSync(path.join(site, BINARY_FILE), "utf8")) as { command: string[] }).command;
  } catch {
    binary = null;
  }
  return {
    python: info.executable,
    pythonVersion: info.version.join("."),
    sitePackages: site,
    installed,
    ours: installed && mine !== undefined,
    version: (mine ?? dists[0])?.version ?? null,
    outdated: installed && outdated,
    binary,
  };
}

function removePackage(site: string, dists: DistInfo[]): void {
  fs.rmSync(path.join(site, PACKAGE_DIR), { recursive: true, force: true });
  for (const d of dists) fs.rmSync(d.dir, { recursive: true, force: true });
}

/**
 * The Python comfy-env release whose API and call forms the bridge provides. Packs pin that tool
 * (`comfy-env>=0.4`, `==0.4.22`) in requirements.txt; the dist-info claims this version with our
 * own as a local label, so pip finds such pins satisfied and never pulls the Python tool over the
 * bridge (a pin without a local label ignores the candidate's, PEP 440).
 */
export const API_VERSION = "0.4.22";
export const DIST_VERSION = `${API_VERSION}+ce.${VERSION}`;

/**
 * Write `comfy_env/` and `comfy_env-<version>.dist-info/` into the interpreter's site-packages,
 * so `import comfy_env` finds the bridge and pip sees the requirement as satisfied. A comfy_env
 * installed by pip (the Python tool) is only replaced with `force`.
 */
export function installBridge(info: PythonInfo, command: string[], force: boolean): Result<BridgeStatus, BridgeError> {
  const site = info.sitePackages;
  const dists = distInfos(site);
  const foreign = dists.find((d) => d.installer !== INSTALLER);
  if (foreign && !force) return err({ kind: "foreign-package", dir: foreign.dir, installer: foreign.installer || "unknown", version: foreign.version });
  const files: Record<string, string> = { ...PACKAGE_FILES, [BINARY_FILE]: `${JSON.stringify({ command, version: VERSION, dist_version: DIST_VERSION }, null, 2)}\n` };
  const distDir = `comfy_env-${DIST_VERSION}.dist-info`;
  files[`${distDir}/METADATA`] = `Metadata-Version: 2.1\nName: comfy-env\nVersion: ${DIST_VERSION}\nSummary: comfy-env bridge: runs ComfyUI node packs in isolated environments (installed by the comfy-env binary)\nRequires-Python: >=3.9\n`;
  files[`${distDir}/INSTALLER`] = `${INSTALLER}\n`;
  files[`${distDir}/top_level.txt`] = `${PACKAGE_DIR}\n`;
  files[`${distDir}/WHEEL`] = "Wheel-Version: 1.0\nGenerator: comfy-env\nRoot-Is-Purelib: true\nTag: py3-none-any\n";
  const record = Object.entries(files).map(([rel, text]) => `${rel},${sha256Record(text)},${Buffer.byteLength(text)}`);
  files[`${distDir}/RECORD`] = `${[...record, `${distDir}/RECORD,,`].join("\n")}\n`;
  // Stage next to the target, then swap: an interrupted install never leaves half a package.
  const stage = path.join(site, `.comfy_env-stage-${process.pid}`);
  try {
    fs.rmSync(stage, { recursive: true, force: true });
    for (const [rel, text] of Object.entries(files)) {
      const dest = path.join(stage, rel);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, text);
    }
    removePackage(site, dists);
    fs.renameSync(path.join(stage, PACKAGE_DIR), path.join(site, PACKAGE_DIR));
    fs.renameSync(path.join(stage, distDir), path.join(site, distDir));
    fs.rmSync(stage, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(stage, { recursive: true, force: true });
    return err({ kind: "write-failed", path: site, message: messageOf(e) });
  }
  return ok(bridgeStatus(info));
}

/** Remove the bridge; a comfy_env that pip installed is left alone unless `force`. */
export function uninstallBridge(info: PythonInfo, force: boolean): Result<{ removed: boolean }, BridgeError> {
  const site = info.sitePackages;
  const dists = distInfos(site);
  const foreign = dists.find((d) => d.installer !== INSTALLER);
  if (foreign && !force) return err({ kind: "foreign-package", dir: foreign.dir, installer: foreign.installer || "unknown", version: foreign.version });
  const present = fs.existsSync(path.join(site, PACKAGE_DIR)) || dists.length > 0;
  try {
    removePackage(site, dists);
  } catch (e) {
    return err({ kind: "write-failed", path: site, message: messageOf(e) });
  }
  return ok({ removed: present });
}
