// Cloning a pack with the `git` on PATH, as 0.4.x does: shallow at a tag or branch; a full
// clone and a checkout for a commit (a shallow fetch of an arbitrary commit is not allowed by
// every server).
import { removeTree } from "../util/fs.ts";
import { onInterrupt, stopChild } from "../util/interrupt.ts";
import { err, messageOf, ok, type Result } from "../util/result.ts";
import { installerTlsEnv } from "../util/tls.ts";
import type { NodePackError, PackSource } from "./types.ts";

type GitSource = Extract<PackSource, { kind: "git" }>;

const TAIL_LINES = 12;

/** The git commands that put `src` into `dir`, in order. */
export function cloneCommands(src: GitSource, dir: string): string[][] {
  const ref = src.ref;
  if (ref?.kind === "commit") return [["git", "clone", "--quiet", src.url, dir], ["git", "-C", dir, "checkout", "--quiet", ref.value]];
  const branch = ref === undefined ? [] : ["--branch", ref.value];
  return [["git", "clone", "--quiet", "--depth", "1", ...branch, src.url, dir]];
}

/**
 * Run the clone commands into `dir`. `shownDir` is the folder named in messages (the final
 * one, not the temporary name the clone goes to), so the printed command can be run by hand.
 */
export async function gitClone(pack: string, src: GitSource, dir: string, shownDir: string, env: Record<string, string | undefined>): Promise<Result<void, NodePackError>> {
  const git = Bun.which("git", { PATH: env.PATH ?? env.Path ?? "" });
  const shown = cloneCommands(src, shownDir);
  if (git === null) return err({ kind: "git-missing", pack, command: shown[0] ?? [] });
  // The CAs downloads trust, in a bundle beside the clone for as long as it runs.
  const bundle = `${dir}.ca-bundle.pem`;
  const unregister = onInterrupt(() => void removeTree(bundle));
  try {
    // No credential prompt: a missing or private repository fails instead of waiting on a terminal.
    return await runClone(git, pack, cloneCommands(src, dir), shown, { ...env, ...installerTlsEnv(env, bundle), GIT_TERMINAL_PROMPT: "0" });
  } finally {
    unregister();
    removeTree(bundle);
  }
}

async function runClone(git: string, pack: string, commands: string[][], shown: string[][], childEnv: Record<string, string | undefined>): Promise<Result<void, NodePackError>> {
  for (const [i, argv] of commands.entries()) {
    const command = shown[i] ?? argv;
    let proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
    try {
      proc = Bun.spawn([git, ...argv.slice(1)], { env: childEnv, stdin: "ignore", stdout: "pipe", stderr: "pipe", windowsHide: true });
    } catch (e) {
      return err({ kind: "git-failed", pack, command, exitCode: null, tail: [messageOf(e)] });
    }
    // A signal to comfy-env alone (a launcher's SIGTERM) would leave git running on.
    const unregister = onInterrupt(() => stopChild(proc));
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    unregister();
    if (code !== 0) {
      const tail = `${stdout}\n${stderr}`.split("\n").map((l) => l.trimEnd()).filter((l) => l !== "").slice(-TAIL_LINES);
      return err({ kind: "git-failed", pack, command, exitCode: proc.signalCode === null ? code : null, tail });
    }
  }
  return ok(undefined);
}
