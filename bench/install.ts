// Warm `install` of a 3-env pack (every env already built) against `python3 -S -c pass`, in one
// run. Goal: ≤ 1.0× the Python start. Builds the pack once with the pixi stand-in first (no
// PyPI index, so the envs opt out of the default torch family).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { report, timeCommands } from "./timing.ts";
import { standinEnv } from "../test/support/pixi-standin.ts";

const repo = path.resolve(import.meta.dir, "..");
const exe = path.join(repo, "dist", "comfy-env");
if (!fs.existsSync(exe)) throw new Error("run `npm run build` first");

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ce-bench-"));
const pack = path.join(dir, "ThreeEnvPack");
for (const [sub, py] of [["a", "3.10"], ["b", "3.11"], ["c", "3.12"]]) {
  fs.mkdirSync(path.join(pack, "nodes", sub as string), { recursive: true });
  fs.writeFileSync(path.join(pack, "nodes", sub as string, "comfy-env.toml"), `python = "${py}"\n[cuda]\ntorch = false\n[dependencies]\nzlib = "*"\n`);
}
const env = { ...standinEnv(), COMFY_ENV_ROOT: path.join(dir, "cache") };
const first = Bun.spawnSync([exe, "install", pack, "--cuda", "none"], { env, stdout: "inherit", stderr: "inherit" });
if (first.exitCode !== 0) throw new Error("initial build failed");

// The interpreter python3 resolves to, without a pyenv/asdf shim in front of it.
const realPython = Bun.spawnSync(["python3", "-c", "import sys; print(sys.executable)"]).stdout.toString().trim();
const samples = timeCommands([
  { label: "comfy-env install (3 envs, warm)", argv: [exe, "install", pack, "-q"], env },
  { label: `python3 -S -c pass (${realPython})`, argv: [realPython, "-S", "-c", "pass"] },
  { label: "comfy-env --version", argv: [exe, "--version"] },
]);
report("warm install of a 3-env pack", samples, `python3 -S -c pass (${realPython})`);
fs.rmSync(dir, { recursive: true, force: true });
