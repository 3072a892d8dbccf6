import path from "node:path";

const REPO = path.resolve(import.meta.dir, "..", "..");
export const BUN = process.execPath;

/**
 * How tests run comfy-env: the compiled binary when COMFY_ENV_TEST_BINARY names it (CI does),
 * else the sources through bun.
 */
export function cliCommand(): string[] {
  const bin = process.env.COMFY_ENV_TEST_BINARY;
  return bin ? [path.resolve(REPO, bin)] : [BUN, path.join(REPO, "src", "main.ts")];
}

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function runCli(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliRun> {
  const proc = Bun.spawn([...cliCommand(), ...args], {
    cwd: opts.cwd ?? REPO,
    env: opts.env ?? (process.env as Record<string, string>),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}

/** Start comfy-env without waiting (for kill and concurrency tests). */
export function spawnCli(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}) {
  return Bun.spawn([...cliCommand(), ...args], {
    cwd: opts.cwd ?? REPO,
    env: opts.env ?? (process.env as Record<string, string>),
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
}

export const REPO_ROOT = REPO;
/** The folder holding the `comfy_env` package, for tests that import it straight from the sources. */
export const BRIDGE_PACKAGE_PARENT = path.join(REPO, "src", "bridge");
