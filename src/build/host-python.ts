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

/** The interpreter `--python` names, else python3/python on PATH. */
export function findHostPython(flag?: string): string | undefined {
  if (flag) return flag;
  return Bun.which("python3") ?? Bun.which("python") ?? undefined;
}
