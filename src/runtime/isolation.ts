import path from "node:path";
import type { OsFamily } from "../util/platform.ts";
import { WORKER_CONTRACT } from "./worker-contract.ts";

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
  env[WORKER_CONTRACT.env.mark] = "1";
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
      // The env's folders (the ones `conda activate` puts on PATH) go before the user's PATH, so
      // its DLLs and tools win while git, ffmpeg, nvcc or Blender stay reachable. Extension
      // modules do not load DLLs through PATH (Python 3.8+): the worker adds Library\bin with
      // os.add_dll_directory, which is what keeps a host CUDA or MKL from shadowing the env's.
      const dirs = [
        envDir,
        path.win32.join(envDir, "Library", "mingw-w64", "bin"),
        path.win32.join(envDir, "Library", "usr", "bin"),
        path.win32.join(envDir, "Library", "bin"),
        path.win32.join(envDir, "Scripts"),
        path.win32.join(envDir, "bin"),
      ].filter((d, i) => i === 0 || exists(d));
      // Windows variable names ignore case: the user's may be "Path"; keep one, named PATH.
      const keys = Object.keys(env).filter((k) => k.toUpperCase() === "PATH");
      const user = keys.map((k) => env[k]).find((v) => v) ?? "";
      for (const k of keys) delete env[k];
      env.PATH = [...dirs, ...(user ? [user] : [])].join(";");
      env.KMP_DUPLICATE_LIB_OK = "TRUE";
      env.PYTHONIOENCODING = "utf-8";
      break;
    }
  }
  return env;
}
