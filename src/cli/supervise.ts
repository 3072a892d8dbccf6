import { createRuntimeDirs, resolveRuntimeBase } from "../runtime/paths.ts";
import { serveControl, serveRefusals } from "../runtime/control.ts";
import { Supervisor } from "../runtime/supervisor.ts";
import { removeState, sweepDead } from "../runtime/state.ts";
import { pruneOldLogs } from "../runtime/worker-log.ts";
import { openCommand } from "./args.ts";
import { exitCodeOf, printError, renderError, type CliError } from "./errors/index.ts";
import { describeSupervisorError } from "./errors/runtime.ts";
import type { Output } from "./output.ts";

const HELP = `Usage: comfy-env supervise

Started by the comfy_env Python bridge, once per ComfyUI process; not meant to be run by hand.
Reads control frames (4-byte big-endian length + msgpack) on stdin and answers on stdout.
Spawns one worker per environment, restarts crashed ones, and kills all of them when stdin
closes (ComfyUI exited, however it exited). \`comfy-env ps\` lists the workers.`;

export async function runSupervise(args: string[], base: Output): Promise<number> {
  const opened = openCommand(args, {}, HELP, base);
  if (!opened.ok) return opened.exitCode;
  const { out } = opened;
  const write = (bytes: Uint8Array) => {
    process.stdout.write(bytes);
  };
  const resolved = resolveRuntimeBase();
  const dirs = resolved.andThen((r) => createRuntimeDirs(r.base, process.pid).mapErr((e) => [e]));
  if (dirs.isErr()) {
    const e: CliError = { kind: "runtime", error: { kind: "no-runtime-dir", refused: dirs.error } };
    const r = renderError(e);
    printError(out, r);
    await serveRefusals(Bun.stdin.stream(), write, "runtime-dir", r.message);
    return exitCodeOf(e);
  }
  for (const p of resolved.isOk() ? resolved.value.passedOver : []) out.warn(renderError({ kind: "runtime", error: p }).message);
  const runBase = dirs.value.base;
  sweepDead(runBase);
  pruneOldLogs(dirs.value.logs);
  const sup = new Supervisor({ dirs: dirs.value, parentPid: process.ppid });
  const prepared = sup.prepare();
  if (prepared.isErr()) {
    const e: CliError = { kind: "runtime", error: prepared.error };
    printError(out, renderError(e));
    return exitCodeOf(e);
  }
  const cleanup = () => {
    sup.shutdown();
    removeState(runBase, process.pid);
  };
  // Ctrl-C reaches the whole terminal group: ComfyUI decides whether to exit, and its exit
  // closes our stdin. SIGTERM/SIGHUP mean us: clean up and go.
  process.on("SIGINT", () => {});
  for (const sig of ["SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      cleanup();
      process.exit(0);
    });
  }
  const code = await serveControl(sup, Bun.stdin.stream(), write, describeSupervisorError);
  cleanup();
  // stdin's reader would keep the loop alive; let the last reply drain, then leave.
  await Bun.sleep(20);
  process.exit(code);
}
