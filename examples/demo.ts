// The README's main job: compile comfy-env, build examples/hello-pack's environment with it, and
// run the pack's node inside that environment.
//
// This machine class has no internet, so by default pixi is the test stand-in (a real Python
// env from the machine's Pythons) and PyPI is a local index serving a cowsay double.
// `npm run demo -- --real` uses the real pixi on PATH and the real PyPI/conda-forge instead.
import fs from "node:fs";
import path from "node:path";
import { buildTorchStandins, buildWheel } from "../test/support/wheel.ts";
import { startIndexServer } from "../test/support/index-server.ts";
import { standinEnv } from "../test/support/pixi-standin.ts";

const repo = path.resolve(import.meta.dir, "..");
const real = process.argv.includes("--real");
const exe = path.join(repo, "dist", process.platform === "win32" ? "comfy-env.exe" : "comfy-env");

// Async spawn: the local index below is served by this same process, so it must not block.
async function run(cmd: string[], env: Record<string, string>): Promise<number> {
  console.log(`\n$ ${cmd.map((c) => path.relative(repo, c) || c).join(" ")}`);
  return Bun.spawn(cmd, { cwd: repo, env, stdout: "inherit", stderr: "inherit" }).exited;
}

if ((await run([process.execPath, "run", "build.ts"], process.env as Record<string, string>)) !== 0) process.exit(1);

const work = path.join(repo, ".demo");
fs.mkdirSync(work, { recursive: true });
let env: Record<string, string> = { ...(process.env as Record<string, string>), COMFY_ENV_ROOT: path.join(work, "cache") };
let stop = async () => {};
if (!real) {
  const wheels = path.join(work, "wheels");
  fs.mkdirSync(wheels, { recursive: true });
  const src = fs.readFileSync(path.join(repo, "test", "fixtures", "packages", "cowsay", "cowsay", "__init__.py"), "utf8");
  await buildWheel({ name: "cowsay", version: "6.1", files: { "cowsay/__init__.py": src } }, wheels);
  await buildTorchStandins(wheels);
  const index = await startIndexServer(wheels);
  stop = index.stop;
  env = { ...standinEnv({ indexUrl: index.url }, env) };
  console.log(`offline demo: pixi = test/stand-ins/pixi, PyPI = ${index.url}`);
}

const pack = path.join(repo, "examples", "hello-pack");
let code = await run([exe, "install", pack, "--cuda", "none"], env);
if (code === 0) code = await run([exe, "status"], env);
if (code === 0) {
  const link = fs.readdirSync(path.join(pack, "nodes")).find((n) => n.startsWith("_env_"));
  const python = path.join(pack, "nodes", link as string, "bin", "python");
  code = await run([python, "-c", "import sys; sys.path.insert(0, sys.argv[1]); from nodes import HelloCow; print(HelloCow().say('hello from hello-pack')[0])", pack], env);
}
await stop();
process.exit(code);
