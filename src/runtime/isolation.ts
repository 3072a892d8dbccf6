import path from "node:path";
import type { OsFamily } from "../util/platform.ts";

export type EnvVars = Record<string, string>;

/** Host variables that would make the env's Python load the host's modules or settings. */
const DROPPED = ["PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONUSERBASE", "PYTHONEXECUTABLE", "VIRTUAL_ENV", "__PYVENV_LAUNCHER__"];

/**
 * The environment a worker runs with: the host's variables, the config's [env_vars], then the
 * library search path of the env prefix first so its native libraries win over the host's.
 * `exists` is injected so this stays a pure function of its inputs.
 */
export function isolationEnv(os: OsFamily, envDir: string, base: EnvVars, configVars: EnvVars, exists: (p: string) => boolean): EnvVars {
  const env: EnvVars = { ...base };
  for (const k of DROPPED) delete env[k];
  Object.assign(env, configVars);
  env.COMFYUI_ISOLATION_WORKER = "1";
  env.PYTHONNOUSERSITE = "1";
  // UTF-8 mode on every OS: a node printing an emoji into the log pipe must not fail on a
  // cp1252 console encoding (https://peps.python.org/pep-0540/).
  env.PYTHONUTF8 = "1";
  const prepend = (name: string, dirs: string[], sep: string) => {
    const cur = env[name];
    env[name] = [...dirs, ...(cur ? [cur] : [])].join(sep);
  };
  switch (os) {
    case "linux": {
      const lib = path.join(envDir, "lib");
      if (exists(lib)) prepend("LD_LIBRARY_PATH", [lib], ":");
      break;
    }
    case "darwin": {
      const lib = path.join(envDir, "lib");
      if (exists(lib)) prepend("DYLD_LIBRARY_PATH", [lib], ":");
      env.KMP_DUPLICATE_LIB_OK ??= "TRUE";
      break;
    }
    case "windows": {
      // DLLs resolve through PATH: the env's folders first, then only the system folders, so a
      // host CUDA or MKL on PATH cannot shadow the env's copies.
      const win = env.WINDIR ?? env.windir ?? env.SystemRoot ?? "C:\\Windows";
      const dirs = [envDir, path.win32.join(envDir, "Library", "bin"), path.win32.join(envDir, "Scripts")].filter((d, i) => i === 0 || exists(d));
      for (const k of Object.keys(env)) if (k.toUpperCase() === "PATH") delete env[k];
      env.PATH = [...dirs, path.win32.join(win, "System32"), win, path.win32.join(win, "System32", "Wbem")].join(";");
      env.KMP_DUPLICATE_LIB_OK = "TRUE";
      env.PYTHONIOENCODING = "utf-8";
      break;
    }
  }
  return env;
}
