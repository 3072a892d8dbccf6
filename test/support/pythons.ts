import { existsSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** Where the pixi stand-in looks for Pythons (PIXI_STANDIN_PYTHONS, default ~/.pyenv/versions). */
export function pythonsDir(): string {
  return process.env.PIXI_STANDIN_PYTHONS || path.join(os.homedir(), ".pyenv", "versions");
}

/** Interpreter of the highest installed patch of `minor` ("3.11"), as the stand-in would pick it. */
export function findPython(minor: string): string | undefined {
  let entries: string[];
  try {
    entries = readdirSync(pythonsDir());
  } catch {
    return undefined;
  }
  const patches = entries
    .filter((e) => e.startsWith(`${minor}.`) && /^\d+\.\d+\.\d+$/.test(e))
    .map((e) => ({ e, patch: Number(e.split(".")[2]) }))
    .sort((a, b) => b.patch - a.patch);
  for (const { e } of patches) {
    const exe = path.join(pythonsDir(), e, "bin", `python${minor}`);
    if (existsSync(exe)) return exe;
  }
  return undefined;
}
