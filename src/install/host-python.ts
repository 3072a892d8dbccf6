import path from "node:path";
import { err, ok, type Result, messageOf } from "../util/result.ts";

export type HostPythonError = { kind: "host-python-failed"; python: string; message: string };

/** "3.11" of an interpreter: the pin for configs that do not name a Python (DESIGN: the host ComfyUI's). */
export function pythonVersionOf(python: string): Result<string, HostPythonError> {
  try {
    const r = Bun.spawnSync([python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { stdout: "pipe", stderr: "pipe" });
    const out = r.stdout.toString().trim();
    if (r.exitCode === 0 && /^\d+\.\d+$/.test(out)) return ok(out);
    return err({ kind: "host-python-failed", python, message: r.stderr.toString().trim() || `exit code ${r.exitCode}` });
  } catch (e) {
    return err({ kind: "host-python-failed", python, message: messageOf(e) });
  }
}

/**
 * Windows' App Execution Alias for the Microsoft Store Python: a stub `python3.exe` in
 * `%LOCALAPPDATA%\Microsoft\WindowsApps` that opens the Store (or prints nothing, exit 9009)
 * when that Python is not installed. It is first on a default PATH, so it must be skipped.
 */
export function isStoreAlias(p: string): boolean {
  return /[\\/]Microsoft[\\/]WindowsApps[\\/][^\\/]+$/i.test(p);
}

/** The interpreter `--python` names, else the first python3, then python, on PATH that is not the Store alias. */
export function findHostPython(flag?: string, env: Record<string, string | undefined> = process.env): string | undefined {
  if (flag) return flag;
  const dirs = (env.PATH ?? env.Path ?? "").split(path.delimiter).filter(Boolean);
  for (const name of ["python3", "python"]) {
    for (const dir of dirs) {
      const found = Bun.which(name, { PATH: dir });
      if (found && !isStoreAlias(found)) return found;
    }
  }
  return undefined;
}
