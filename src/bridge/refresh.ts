// After self-update: rerun `bridge install` with the new binary in each Python that `bridge
// install` recorded for it (installs.ts), so no ComfyUI keeps a bridge older than its binary.
import fs from "node:fs";
import { commandLine } from "../util/command-line.ts";
import { messageOf } from "../util/result.ts";
import { forgetInstall, installsFile, readInstalls } from "./installs.ts";

/** What became of one recorded bridge after an update. */
export interface BridgeRefresh {
  python: string;
  /** `refreshed`; `failed` (run `command`); `gone`: the Python no longer exists, so it was dropped from the list. */
  status: "refreshed" | "failed" | "gone";
  /** The command that refreshes it by hand. */
  command: string;
  message?: string;
}


/** The message of a failed `--json` run: its error document's, else the end of its stderr. */
function failureOf(stdout: string, stderr: string, code: number | null): string {
  try {
    const m = (JSON.parse(stdout) as { error?: { message?: unknown } }).error?.message;
    if (typeof m === "string") return m;
  } catch {
    // Not a document: an older or broken binary; its stderr says more.
  }
  return stderr.trim().split("\n").slice(-3).join(" ") || `exit code ${code}`;
}

/** Rerun `bridge install` with `exe` (the new binary) in each Python recorded for it. */
export async function refreshBridges(exe: string, file: string = installsFile()): Promise<BridgeRefresh[]> {
  const done: BridgeRefresh[] = [];
  for (const { python } of readInstalls(file).filter((i) => i.binary === exe)) {
    const command = commandLine(["comfy-env", "bridge", "install", "--python", python]);
    if (!fs.existsSync(python)) {
      forgetInstall(python, file);
      done.push({ python, status: "gone", command });
      continue;
    }
    try {
      const proc = Bun.spawn([exe, "bridge", "install", "--python", python, "--json"], { stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: 120_000 });
      const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
      done.push(code === 0 ? { python, status: "refreshed", command } : { python, status: "failed", command, message: failureOf(stdout, stderr, code) });
    } catch (e) {
      done.push({ python, status: "failed", command, message: messageOf(e) });
    }
  }
  return done;
}
