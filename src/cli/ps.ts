import { existingRuntimeBases } from "../runtime/paths.ts";
import { readStates, type StopReason } from "../runtime/state.ts";
import { openCommand } from "./args.ts";
import { EXIT } from "./exit.ts";
import type { Output } from "./output.ts";

const HELP = `Usage: comfy-env ps [--json]

List the running supervisors (one per ComfyUI process) and their workers: pid, generation,
state, restarts and log file.`;

const STOPPED = { idle: "idle", free: "ComfyUI freed memory", unused: "not needed after reading its nodes" } satisfies Record<StopReason, string>;

export async function runPs(args: string[], base: Output): Promise<number> {
  const opened = openCommand(args, {}, HELP, base);
  if (!opened.ok) return opened.exitCode;
  const { out } = opened;
  const sups = existingRuntimeBases().flatMap(readStates);
  if (out.json) {
    out.document({ supervisors: sups }, EXIT.OK);
    return EXIT.OK;
  }
  if (sups.length === 0) {
    out.result("no comfy-env supervisor is running");
    return EXIT.OK;
  }
  for (const s of sups) {
    out.result(`supervisor ${s.pid} (for ComfyUI pid ${s.parentPid}, since ${s.startedAt})`);
    if (s.workers.length === 0) out.result("  no workers yet");
    for (const w of s.workers) {
      const exit = w.lastExit ? `, last exit ${w.lastExit.signal ?? `code ${w.lastExit.code}`}` : "";
      const state = w.stopped ? `${w.state} (${STOPPED[w.stopped]})` : w.state;
      out.result(`  ${w.label}: ${state}, pid ${w.pid ?? "-"}, generation ${w.generation}, restarts ${w.restarts}${exit}`);
      out.result(`    log: ${w.log}`);
    }
  }
  return EXIT.OK;
}
