// Finds a ComfyUI Windows portable build: the 7z unpacks to ComfyUI_windows_portable/ with
// python_embeded/python.exe (sic) and ComfyUI/, and people drop comfy-env.exe beside it or in it.
import fs from "node:fs";
import path from "node:path";

export interface Portable {
  /** The portable folder (ComfyUI_windows_portable, or however it was renamed). */
  root: string;
  /** Its embedded interpreter, `<root>/python_embeded/python.exe`. */
  python: string;
  /** `<root>/ComfyUI`. */
  comfyui: string;
  /** `<root>/ComfyUI/custom_nodes`. */
  customNodes: string;
}

/** The folder name the portable archive unpacks to; tried first among a folder's children. */
export const PORTABLE_DIR_NAME = "ComfyUI_windows_portable";

function isFile(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isFile() ?? false;
}

function isDir(p: string): boolean {
  return fs.statSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

/** `dir` as a portable root, if it is one. */
export function portableAt(dir: string): Portable | undefined {
  const root = path.resolve(dir);
  const python = path.join(root, "python_embeded", "python.exe");
  const comfyui = path.join(root, "ComfyUI");
  const customNodes = path.join(comfyui, "custom_nodes");
  return isFile(python) && isDir(customNodes) ? { root, python, comfyui, customNodes } : undefined;
}

function children(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() || e.isSymbolicLink())
      .map((e) => e.name)
      .sort((a, b) => (a === PORTABLE_DIR_NAME ? -1 : b === PORTABLE_DIR_NAME ? 1 : a < b ? -1 : a > b ? 1 : 0));
  } catch {
    return [];
  }
}

/**
 * The portable build `startDir` is in (itself or an ancestor is the root, so
 * `ComfyUI/custom_nodes/X` finds it too), else one beside it (a child folder of `startDir`,
 * ComfyUI_windows_portable first, then by name).
 */
export function findPortable(startDir: string): Portable | undefined {
  const start = path.resolve(startDir);
  for (let dir = start; ; dir = path.dirname(dir)) {
    const found = portableAt(dir);
    if (found) return found;
    if (path.dirname(dir) === dir) break;
  }
  for (const name of children(start)) {
    const found = portableAt(path.join(start, name));
    if (found) return found;
  }
  return undefined;
}

/** Whether `p` is `dir` or inside it. */
export function isInside(p: string, dir: string): boolean {
  const rel = path.relative(dir, p);
  return rel === "" || (rel !== ".." && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

export interface PortableMatch {
  portable: Portable;
  /** "cwd": found from the current folder; "executable": beside or around comfy-env itself. */
  from: "cwd" | "executable";
}

/** The portable build a command given no folder refers to: from cwd first, then from the executable's folder. */
export function findPortableNear(cwd: string, execPath: string = process.execPath): PortableMatch | undefined {
  const here = findPortable(cwd);
  if (here) return { portable: here, from: "cwd" };
  const beside = findPortable(path.dirname(execPath));
  return beside ? { portable: beside, from: "executable" } : undefined;
}
