import { afterAll, beforeAll } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { buildTorchStandins, buildWheel } from "../support/wheel.ts";
import { startIndexServer, type TestServer } from "../support/index-server.ts";
import { standinEnv, type StandinOptions } from "../support/pixi-standin.ts";
import { REPO_ROOT } from "../support/cli.ts";
import { CONFIGS_DIR } from "../support/fixtures.ts";
import { tmpdir, type TmpDir } from "../support/tmp.ts";
export { isRunning } from "../support/process.ts";

export const FIXTURES = CONFIGS_DIR;

/** A local PEP 503 index with the wheels the e2e packs need (cowsay double + tiny stand-ins, torch family included). */
export async function startPackIndex(dir: string): Promise<TestServer> {
  const wheels = path.join(dir, "wheels");
  fs.mkdirSync(wheels, { recursive: true });
  const cowsaySrc = path.join(REPO_ROOT, "test", "fixtures", "packages", "cowsay", "cowsay", "__init__.py");
  await buildWheel({ name: "cowsay", version: "6.1", files: { "cowsay/__init__.py": fs.readFileSync(cowsaySrc, "utf8") } }, wheels);
  for (const [name, version] of [
    ["bpy", "4.2.0"],
    ["trimesh", "4.0.0"],
    ["numpy", "1.26.4"],
  ] as const) {
    await buildWheel({ name, version, files: { [`${name}/__init__.py`]: `__version__ = "${version}"\n` } }, wheels);
  }
  await buildTorchStandins(wheels);
  return startIndexServer(wheels);
}

/** The pack index of a test file: started before its tests in a fresh temp dir, stopped after. */
export function sharedPackIndex(prefix: string): TestServer {
  let dir: TmpDir | undefined;
  let server: TestServer | undefined;
  beforeAll(async () => {
    dir = await tmpdir(prefix);
    server = await startPackIndex(dir.path);
  });
  afterAll(async () => {
    await server?.stop();
    await dir?.[Symbol.asyncDispose]();
  });
  const live = () => {
    if (!server) throw new Error("the pack index is used outside a test");
    return server;
  };
  return {
    get url() {
      return live().url;
    },
    get requests() {
      return live().requests;
    },
    stop: () => live().stop(),
  };
}

/** Copy a folder tree (the example pack) into a test's temp dir. */
export function copyTree(src: string, dest: string): void {
  fs.cpSync(src, dest, { recursive: true });
}

/** A one-env pack whose nodes/comfy-env.toml is `config`. */
export function makePack(dir: string, name: string, config: string | Uint8Array): string {
  const pack = path.join(dir, name);
  fs.mkdirSync(path.join(pack, "nodes"), { recursive: true });
  fs.writeFileSync(path.join(pack, "__init__.py"), "");
  fs.writeFileSync(path.join(pack, "nodes", "comfy-env.toml"), config);
  return pack;
}

export function envFor(root: string, index: TestServer, opts: StandinOptions & { log: string }): Record<string, string> {
  const env = standinEnv({ indexUrl: index.url, ...opts });
  env.COMFY_ENV_ROOT = root;
  env.NO_COLOR = "1";
  delete env.COMFY_ENV_CUDA_VERSION;
  return env;
}

/** The JSON lines the stand-in wrote: one per pixi invocation. */
export function pixiRuns(log: string): { pid: number; argv: string[]; env: Record<string, string> }[] {
  if (!fs.existsSync(log)) return [];
  return fs
    .readFileSync(log, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((r) => r.argv.includes("install"));
}

/** Run the env's python and return stdout. */
export function runEnvPython(link: string, code: string): { exitCode: number; stdout: string; stderr: string } {
  const r = Bun.spawnSync([path.join(link, "bin", "python"), "-c", code], { stdout: "pipe", stderr: "pipe" });
  return { exitCode: r.exitCode, stdout: r.stdout.toString().trim(), stderr: r.stderr.toString() };
}

export function linksIn(nodeDir: string): string[] {
  return fs.readdirSync(nodeDir).filter((n) => n.startsWith("_env_"));
}

