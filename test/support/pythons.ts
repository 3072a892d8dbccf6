import { describe, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";

// Tests need several Python minors (3.9 … 3.13). They are looked for where contributors have
// them, in the same places and with the same pick as the pixi stand-in (`find_python` in
// test/stand-ins/pixi): only PIXI_STANDIN_PYTHONS when it is set, else python3.X on PATH,
// pyenv's versions and uv's managed Pythons; the highest patch of the minor wins.

/** CI sets this: a test whose Python is missing fails instead of being skipped. */
export const REQUIRE_PYTHONS = process.env.COMFY_ENV_REQUIRE_PYTHONS === "1";

export interface Found {
  exe: string;
  version: number[];
}

/** Pythons in a folder laid out as X.Y.Z/bin/pythonX.Y (pyenv's versions/, PIXI_STANDIN_PYTHONS). */
function versionFolders(root: string): Found[] {
  return entries(root).flatMap((e) => {
    if (!/^\d+\.\d+\.\d+$/.test(e)) return [];
    const version = e.split(".").map(Number);
    return [{ exe: path.join(root, e, "bin", `python${version[0]}.${version[1]}`), version }];
  });
}

/** uv's managed Pythons: <dir>/cpython-X.Y.Z-<os>-<arch>-<libc>/bin/pythonX.Y. */
function uvPythons(root: string): Found[] {
  return entries(root).flatMap((e) => {
    const m = /^cpython-(\d+)\.(\d+)\.(\d+)-/.exec(e);
    if (!m) return [];
    const version = [Number(m[1]), Number(m[2]), Number(m[3])];
    return [{ exe: path.join(root, e, "bin", `python${m[1]}.${m[2]}`), version }];
  });
}

/** python3.X on PATH (pyenv's shims skipped: pyenv is searched directly), asked for its version. */
function pathPythons(pathVar: string): Found[] {
  const seen = new Set<string>();
  return pathVar.split(path.delimiter).flatMap((dir) => {
    if (!dir || path.basename(dir) === "shims") return [];
    return entries(dir).flatMap((e) => {
      if (!/^python3\.\d+$/.test(e) || seen.has(e)) return [];
      seen.add(e);
      const exe = path.join(dir, e);
      const r = Bun.spawnSync([exe, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"], { stdout: "pipe", stderr: "ignore" });
      return r.exitCode === 0 ? [{ exe, version: r.stdout.toString().trim().split(".").map(Number) }] : [];
    });
  });
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Every Python the environment `env` offers, in the order the sources are searched. */
export function pythonsIn(env: Record<string, string | undefined>): Found[] {
  const home = env.HOME || os.homedir();
  const uvRoot = env.UV_PYTHON_INSTALL_DIR || path.join(env.XDG_DATA_HOME || path.join(home, ".local", "share"), "uv", "python");
  const all = env.PIXI_STANDIN_PYTHONS
    ? versionFolders(env.PIXI_STANDIN_PYTHONS)
    : [...pathPythons(env.PATH ?? ""), ...versionFolders(path.join(env.PYENV_ROOT || path.join(home, ".pyenv"), "versions")), ...uvPythons(uvRoot)];
  return all.filter((f) => existsSync(f.exe));
}

let found: Found[] | undefined;

function candidates(): Found[] {
  found ??= pythonsIn(process.env);
  return found;
}

/** Interpreter of the highest patch of `minor` ("3.11") found, as the stand-in would pick it. */
export function findPython(minor: string): string | undefined {
  const [major, min] = minor.split(".").map(Number);
  let best: Found | undefined;
  for (const f of candidates()) {
    if (f.version[0] !== major || f.version[1] !== min) continue;
    if (!best || (f.version[2] ?? 0) > (best.version[2] ?? 0)) best = f;
  }
  return best?.exe;
}

/** What to tell a contributor who lacks a Python minor. */
export function missingPython(minor: string): string {
  const where = process.env.PIXI_STANDIN_PYTHONS
    ? `PIXI_STANDIN_PYTHONS (${process.env.PIXI_STANDIN_PYTHONS})`
    : `PATH (python${minor}), pyenv's versions or uv's managed Pythons`;
  return `Python ${minor} not found in ${where}: get it with \`uv python install ${minor}\` or \`pyenv install ${minor}\``;
}

/** The interpreter for `minor`; throws the missing-Python message (inside a test: its failure). */
export function python(minor: string): string {
  const exe = findPython(minor);
  if (!exe) throw new Error(missingPython(minor));
  return exe;
}

const warned = new Set<string>();

/**
 * `test` when every minor is found (or CI requires them: the test then fails on `python()`),
 * else `test.skip`, with one warning per missing minor naming it and how to get it.
 */
export function testWithPythons(...minors: string[]): typeof test {
  const missing = minors.filter((m) => !findPython(m));
  if (missing.length === 0 || REQUIRE_PYTHONS) return test;
  for (const m of missing) {
    if (warned.has(m)) continue;
    warned.add(m);
    console.warn(`skipped tests that need Python ${m}: ${missingPython(m)}`);
  }
  return test.skip;
}

/** `describe`, or `describe.skip` when a minor is missing (as `testWithPythons`). */
export function describeWithPythons(...minors: string[]): typeof describe {
  return testWithPythons(...minors) === test ? describe : describe.skip;
}
