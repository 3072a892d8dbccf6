// `detect --json` against `comfy-env --version` in the same run: what GPU/CUDA detection adds
// to a start. Uses dist/comfy-env when built, else the sources through bun. A second row loads
// the test's fake NVML (built with gcc) to time the path where NVML answers and nothing is spawned
// for GPUs.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { report, timeCommands } from "./timing.ts";

const repo = path.resolve(import.meta.dir, "..");
const exe = path.join(repo, "dist", "comfy-env");
const cli = fs.existsSync(exe) ? [exe] : [process.execPath, path.join(repo, "src", "main.ts")];

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ce-bench-detect-"));
const fakeNvml = path.join(dir, "fake-nvml.so");
const gcc = Bun.spawnSync(["gcc", "-shared", "-fPIC", "-o", fakeNvml, path.join(repo, "test", "fixtures", "detect", "fake-nvml.c")]);

const env = process.env as Record<string, string>;
const cmds = [
  { label: "comfy-env --version", argv: [...cli, "--version"] },
  { label: "comfy-env detect --json (this host)", argv: [...cli, "detect", "--json"] },
  ...(gcc.exitCode === 0 ? [{ label: "comfy-env detect --json (fake NVML)", argv: [...cli, "detect", "--json"], env: { ...env, COMFY_ENV_NVML_LIB: fakeNvml } }] : []),
];
report(`detect vs --version (${cli.length === 1 ? "compiled binary" : "bun src/main.ts"})`, timeCommands(cmds), "comfy-env --version");
fs.rmSync(dir, { recursive: true, force: true });
