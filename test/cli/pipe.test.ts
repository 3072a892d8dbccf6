import { describe, expect, test } from "bun:test";
import { cliCommand } from "../support/cli.ts";
import { tmpdir } from "../support/tmp.ts";

/** `comfy-env ARGS | true`: the reader is gone before comfy-env writes, so every write hits EPIPE. */
async function intoClosedPipe(args: string[], env: Record<string, string>) {
  const proc = Bun.spawn(["bash", "-c", 'set -o pipefail; "$@" | true', "_", ...cliCommand(), ...args], { env, stdout: "pipe", stderr: "pipe" });
  const [stderr, exitCode] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  return { stderr, exitCode };
}

describe("output cut by the reader (| head -1)", () => {
  test("every command leaves quietly, without an EPIPE trace", async () => {
    await using dir = await tmpdir();
    const env = { ...(process.env as Record<string, string>), COMFY_ENV_ROOT: dir.path, COMFY_ENV_CUDA_VERSION: "none" };
    for (const args of [["--help"], ["--version"], ["status"], ["status", "--json"], ["gc", "--dry-run"], ["ps"], ["detect"], ["install", "--help"]]) {
      expect({ args, ...(await intoClosedPipe(args, env)) }).toEqual({ args, stderr: "", exitCode: 0 });
    }
  });
});
