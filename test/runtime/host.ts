export { isRunning } from "../support/process.ts";
import fs from "node:fs";
import path from "node:path";
import type { Subprocess } from "bun";
import { runCli, REPO_ROOT } from "../support/cli.ts";
import { standinEnv } from "../support/pixi-standin.ts";
import { python } from "../support/pythons.ts";

export const HARNESS = path.join(REPO_ROOT, "test", "runtime", "harness");
export const PACKS = path.join(REPO_ROOT, "test", "fixtures", "packs");
/** The ComfyUI stand-in's own files every tree gets (the `comfy` package, folder_paths, requirements.txt). */
const COMFY_FILES = ["comfy", "folder_paths.py", "requirements.txt"];

export interface World {
  comfy: string;
  hostPython: string;
  cacheRoot: string;
  mixed: string;
  isoFolder: string;
  /** The environment MixedPack's isolated folder links (resolved). */
  envDir: string;
  /** Whether numpy is importable by the env's Python (the host venv always has it). */
  envHasNumpy: boolean;
}

export interface WorldOptions {
  /** The Python the host venv is made from (ComfyUI's Python); default the 3.11 that findPython picks. */
  hostBase?: string;
  /**
   * Folders added to the env's sys.path (the stand-in's venvs have no packages and there is no
   * index to fetch numpy or torch from); default the folder holding the host base's numpy.
   */
  envSitePaths?: string[];
  /**
   * The Python the pixi stand-in makes the env from (it must be a 3.11); default the 3.11 the stand-in finds.
   * The runtime benchmark gives the host's, so the worker runs the same build as its baseline.
   */
  envBase?: string;
}

/** Debian's python3 when it has torch (CI installs python3-torch), for the tensor tests. */
export function debianTorchPython(): string | undefined {
  const py = "/usr/bin/python3";
  if (!fs.existsSync(py)) return undefined;
  return Bun.spawnSync([py, "-c", "import torch, numpy"]).exitCode === 0 ? py : undefined;
}

/**
 * A ComfyUI stand-in tree (comfy/ stand-in + fixture packs under custom_nodes/), a host venv of
 * Python 3.11 with the bridge installed by `comfy-env bridge install`, and MixedPack's isolated
 * folder built by `comfy-env install` with the pixi stand-in.
 */
export async function makeWorld(dir: string, options: WorldOptions = {}): Promise<World> {
  const comfy = path.join(dir, "ComfyUI");
  fs.mkdirSync(path.join(comfy, "custom_nodes"), { recursive: true });
  for (const f of COMFY_FILES) fs.cpSync(path.join(HARNESS, f), path.join(comfy, f), { recursive: true });
  for (const p of ["MixedPack", "UnbuiltPack"]) fs.cpSync(path.join(PACKS, p), path.join(comfy, "custom_nodes", p), { recursive: true });
  const hostBase = options.hostBase ?? python("3.11");
  const venv = path.join(dir, "host");
  // --system-site-packages: the host sees the machine's numpy (and torch), as ComfyUI's Python would.
  const mk = Bun.spawnSync([hostBase, "-m", "venv", "--without-pip", "--system-site-packages", venv]);
  if (mk.exitCode !== 0) throw new Error(mk.stderr.toString());
  const hostPython = path.join(venv, "bin", "python");
  const b = await runCli(["bridge", "install", "--python", hostPython]);
  if (b.exitCode !== 0) throw new Error(b.stderr);
  const cacheRoot = path.join(dir, "cache");
  const mixed = path.join(comfy, "custom_nodes", "MixedPack");
  const env = standinEnv({ log: path.join(dir, "pixi.jsonl"), pythons: options.envBase && pythonsDirOf(dir, options.envBase) });
  env.COMFY_ENV_ROOT = cacheRoot;
  const inst = await runCli(["install", mixed, "--cuda", "none"], { env });
  if (inst.exitCode !== 0) throw new Error(inst.stderr);
  const isoFolder = path.join(mixed, "nodes", "iso");
  const link = fs.readdirSync(isoFolder).find((n) => n.startsWith("_env_")) as string;
  const envDir = fs.realpathSync(path.join(isoFolder, link));
  const sitePaths = options.envSitePaths ?? numpyParent(hostBase);
  if (sitePaths.length) {
    const site = path.join(envDir, "lib", "python3.11", "site-packages");
    fs.writeFileSync(path.join(site, "machine-packages.pth"), `${sitePaths.join("\n")}\n`);
  }
  return { comfy, hostPython, cacheRoot, mixed, isoFolder, envDir, envHasNumpy: sitePaths.length > 0 };
}

/**
 * Another ComfyUI tree beside the world's: the ComfyUI stand-in plus the harness folders named in `harness`, and
 * `custom_nodes/` holding copies of fixture packs, whose isolated `folders` link the world's
 * env (the forms under test are the bridge's, not install's). Returns the ComfyUI folder.
 */
export function comfyTree(world: World, root: string, harness: string[], packs: Record<string, string>, folders: string[]): string {
  const customNodes = path.join(root, "custom_nodes");
  fs.mkdirSync(customNodes, { recursive: true });
  for (const d of [...COMFY_FILES, ...harness]) fs.cpSync(path.join(HARNESS, d), path.join(root, d), { recursive: true });
  for (const [from, to] of Object.entries(packs)) fs.cpSync(path.join(PACKS, from), path.join(customNodes, to), { recursive: true });
  for (const folder of folders) fs.symlinkSync(world.envDir, path.join(customNodes, folder, "_env_abc123"));
  return root;
}

/** A folder in the stand-in's layout (X.Y.Z/bin/pythonX.Y) holding only `python`. */
function pythonsDirOf(dir: string, python: string): string {
  const r = Bun.spawnSync([python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"]);
  if (r.exitCode !== 0) throw new Error(`${python} does not run: ${r.stderr.toString()}`);
  const version = r.stdout.toString().trim();
  const bin = path.join(dir, "pythons", version, "bin");
  fs.mkdirSync(bin, { recursive: true });
  fs.symlinkSync(python, path.join(bin, `python${version.split(".").slice(0, 2).join(".")}`));
  return path.join(dir, "pythons");
}

function numpyParent(python: string): string[] {
  const r = Bun.spawnSync([python, "-c", "import numpy, os; print(os.path.dirname(os.path.dirname(numpy.__file__)))"]);
  return r.exitCode === 0 ? [r.stdout.toString().trim()] : [];
}

/** The host harness (a ComfyUI stand-in process), driven one JSON command at a time. */
export class Host {
  readonly proc: Subprocess<"pipe", "pipe", "pipe">;
  private reader: { read(): Promise<{ done: boolean; value?: Uint8Array }> };
  private buf = "";
  private decoder = new TextDecoder();
  pid = 0;

  /** `comfyArgs`: ComfyUI's command line (`--cpu`, `--output-directory X`...). */
  constructor(world: World, extraEnv: Record<string, string> = {}, comfyArgs: string[] = []) {
    this.proc = Bun.spawn([world.hostPython, path.join(HARNESS, "host.py"), world.comfy, ...comfyArgs], {
      cwd: world.comfy,
      env: { ...(process.env as Record<string, string>), ...extraEnv },
      stdin: "pipe",
      stdout: "pipe",
      stderr: "pipe",
    });
    this.reader = this.proc.stdout.getReader();
  }

  async start(): Promise<void> {
    const hello = (await this.line()) as { pid: number };
    this.pid = hello.pid;
  }

  private async line(): Promise<Record<string, unknown>> {
    for (;;) {
      const i = this.buf.indexOf("\n");
      if (i >= 0) {
        const l = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 1);
        return JSON.parse(l);
      }
      const { done, value } = await this.reader.read();
      if (done) throw new Error(`host exited: ${await new Response(this.proc.stderr).text()}`);
      this.buf += this.decoder.decode(value, { stream: true });
    }
  }

  // biome-ignore lint: test helper returns loosely typed JSON
  async send(cmd: Record<string, unknown>): Promise<any> {
    this.proc.stdin.write(`${JSON.stringify(cmd)}\n`);
    await this.proc.stdin.flush();
    return this.line();
  }

  async close(): Promise<string> {
    this.proc.stdin.end();
    await this.proc.exited;
    return new Response(this.proc.stderr).text();
  }
}


export async function waitUntil(cond: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await Bun.sleep(50);
  }
  return cond();
}
