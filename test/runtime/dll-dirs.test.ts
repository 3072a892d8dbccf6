// The worker's DLL isolation on Windows: the env's Library\bin added with os.add_dll_directory
// (extension modules do not search PATH), run here with a recording stand-in for that call.
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { BRIDGE_PACKAGE_PARENT } from "../support/cli.ts";
import { tmpdir } from "../support/tmp.ts";

const PY_DIR = BRIDGE_PACKAGE_PARENT;

function run(code: string): string {
  const r = Bun.spawnSync(["python3", "-c", `import sys; sys.path.insert(0, ${JSON.stringify(PY_DIR)})\n${code}`], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(r.stderr.toString());
  return r.stdout.toString().trim();
}

describe("worker DLL folders", () => {
  test("Library\\bin of the env is added (and its handle kept); an env without one adds nothing; no add_dll_directory, no-op", async () => {
    await using dir = await tmpdir();
    const withLib = path.join(dir.path, "env");
    fs.mkdirSync(path.join(withLib, "Library", "bin"), { recursive: true });
    const out = run(`
import json
from comfy_env import _worker
added = []
def add(p):
    added.append(p)
    return "handle:" + p
_worker._add_env_dll_dirs(${JSON.stringify(withLib)}, add)
_worker._add_env_dll_dirs(${JSON.stringify(path.join(dir.path, "bare"))}, add)
_worker._add_env_dll_dirs(${JSON.stringify(withLib)}, None)
print(json.dumps([added, _worker._dll_dirs]))`);
    const lib = path.join(withLib, "Library", "bin");
    expect(JSON.parse(out)).toEqual([[lib], [`handle:${lib}`]]);
  });
});
