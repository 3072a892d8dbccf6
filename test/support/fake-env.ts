import fs from "node:fs";
import path from "node:path";

/**
 * A node folder `<base>/<pack>/nodes` (comfy-env.toml with `[env_vars] MY_FLAG = "on"`) linked
 * as `_env_abcdef` to a stand-in env whose bin/python is this machine's Python 3.
 */
export function linkedNodeDir(base: string, pack = "Pack"): { nodeDir: string; envDir: string } {
  const envDir = path.join(base, "cache", "_env_abcdef", ".pixi", "envs", "default");
  fs.mkdirSync(path.join(envDir, "bin"), { recursive: true });
  fs.mkdirSync(path.join(envDir, "lib"), { recursive: true });
  // The interpreter itself, not a shim (pyenv's rewrites PATH before it starts Python).
  const python3 = Bun.spawnSync(["python3", "-c", "import sys; print(sys.executable)"]).stdout.toString().trim();
  fs.symlinkSync(python3, path.join(envDir, "bin", "python"));
  const nodeDir = path.join(base, pack, "nodes");
  fs.mkdirSync(nodeDir, { recursive: true });
  fs.writeFileSync(path.join(nodeDir, "comfy-env.toml"), 'python = "3.11"\n\n[env_vars]\nMY_FLAG = "on"\n');
  fs.symlinkSync(envDir, path.join(nodeDir, "_env_abcdef"));
  return { nodeDir, envDir };
}
