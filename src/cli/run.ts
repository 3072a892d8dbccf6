import fs from "node:fs";
import { constants } from "node:os";
import path from "node:path";
import { BUILD_DIR_PATTERN } from "../cache/layout.ts";
import { configEnvVars } from "../runtime/config-vars.ts";
import { isolationEnv, type EnvVars } from "../runtime/isolation.ts";
import { envPythonRelPath, hostOs } from "../util/platform.ts";
import { namesIn } from "../util/fs.ts";
import { messageOf } from "../util/result.ts";
import { openCommand, usage } from "./args.ts";
import { errorDocOf, reportError } from "./errors/index.ts";
import type { Output } from "./output.ts";
import { commandLine } from "../util/command-line.ts";

export const RUN_HELP = `Usage: comfy-env run NODE_DIR [--json] [-- COMMAND [ARGS...]]

Run COMMAND inside the environment of a node folder (one holding a comfy-env.toml and the
_env_<hash> link install made), with the environment a worker of that folder gets: its
[env_vars], the host's Python variables (PYTHONPATH, PYTHONHOME, VIRTUAL_ENV, ...) removed, the
env's libraries first on the library path, and its bin folder first on PATH, so \`python\` is
the env's. Without COMMAND, starts a shell ($SHELL, or %COMSPEC% on Windows).
Exits with COMMAND's exit code (128 + the signal's number if a signal ended it).
  comfy-env run ComfyUI/custom_nodes/MyPack/nodes -- python -c "import torch; print(torch.cuda.is_available())"`;

/** The folder's env as the bridge picks it: the newest `_env_<hash>` link whose Python exists. */
export function findNodeEnv(nodeDir: string): string | undefined {
  let best: { mtime: number; dir: string } | undefined;
  for (const n of namesIn(nodeDir)) {
    const dir = path.join(nodeDir, n);
    if (!BUILD_DIR_PATTERN.test(n) || !fs.existsSync(path.join(dir, envPythonRelPath()))) continue;
    const mtime = fs.lstatSync(dir).mtimeMs;
    if (!best || mtime > best.mtime) best = { mtime, dir };
  }
  return best?.dir;
}

/** The env's executables first on PATH (Windows: isolationEnv already rebuilt PATH from the env). */
function withEnvBin(env: EnvVars, envDir: string): EnvVars {
  if (hostOs() === "windows") return env;
  const bin = path.join(envDir, "bin");
  return { ...env, PATH: env.PATH ? `${bin}${path.delimiter}${env.PATH}` : bin };
}

export async function runRun(args: string[], base: Output): Promise<number> {
  const dash = args.indexOf("--");
  const own = dash === -1 ? args : args.slice(0, dash);
  const command = dash === -1 ? [] : args.slice(dash + 1);
  const opened = openCommand(own, {}, RUN_HELP, base);
  if (!opened.ok) return opened.exitCode;
  const { args: a, out } = opened;
  const [dirArg, ...extra] = a.positionals;
  if (dirArg === undefined || extra.length > 0) {
    return reportError(out, usage(dirArg === undefined ? "run needs a NODE_DIR" : `put the command after --: ${commandLine(["comfy-env", "run", dirArg, "--", ...extra])}`));
  }
  const nodeDir = path.resolve(dirArg);
  const envLink = findNodeEnv(nodeDir);
  if (!envLink) {
    return reportError(out, { kind: "command", error: { kind: "no-env", nodeDir } });
  }
  const envDir = fs.realpathSync(envLink);
  const vars = await configEnvVars(nodeDir);
  if (vars.isErr()) return reportError(out, { kind: "runtime", error: vars.error });
  const env = withEnvBin(isolationEnv(hostOs(), envDir, process.env as EnvVars, vars.value, fs.existsSync), envDir);
  const argv = command.length > 0 ? command : [hostOs() === "windows" ? (process.env.COMSPEC ?? "cmd.exe") : (process.env.SHELL ?? "/bin/sh")];

  // Looked up on the env's PATH: Bun.spawn alone would search ours and find the host's python.
  const exe = Bun.which(argv[0] as string, { PATH: env.PATH ?? "" }) ?? (argv[0] as string);
  out.debug(`running ${argv.join(" ")} (${exe}) in ${envDir}`);
  let proc: ReturnType<typeof Bun.spawn>;
  try {
    // Under --json our stdout holds the one document, so the command's output goes to stderr.
    proc = Bun.spawn([exe, ...argv.slice(1)], { env, stdin: "inherit", stdout: out.json ? 2 : "inherit", stderr: "inherit" });
  } catch (e) {
    return reportError(out, { kind: "command", error: { kind: "spawn-failed", program: argv[0] as string, message: messageOf(e) } }, { nodeDir, envDir, argv });
  }
  // Ctrl-C reaches the command too (same terminal group); we wait for it and pass on how it ended.
  const ignore = () => {};
  process.on("SIGINT", ignore);
  const code = await proc.exited;
  process.off("SIGINT", ignore);
  const signal = proc.signalCode ?? null;
  const exitCode = signal ? 128 + (constants.signals[signal as keyof typeof constants.signals] ?? 0) : code;
  const body = { nodeDir, envDir, argv, signal };
  if (exitCode === 0) {
    out.document(body, exitCode);
    return exitCode;
  }
  // The command's own failure: its code is ours; the error only says so (its output said why).
  out.document({ ...body, error: errorDocOf({ kind: "command", error: { kind: "command-failed", program: argv[0] as string, exitCode, signal: signal ? String(signal) : null } }) }, exitCode);
  return exitCode;
}
