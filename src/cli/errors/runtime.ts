import type { RuntimeDirError } from "../../runtime/paths.ts";
import type { RuntimeError } from "../../runtime/errors.ts";
import type { SupervisorError } from "../../runtime/supervisor.ts";
import type { RenderedError } from "./types.ts";

/** One line per supervisor error: the bridge shows it as the node's error, so it names the log. */
export function describeSupervisorError(e: SupervisorError): string {
  switch (e.kind) {
    case "unknown-worker":
      return `no worker was started for ${e.key}`;
    case "spawn-failed":
      return `the worker for ${e.label} could not start: ${e.message} (log: ${e.log})`;
    case "not-ready":
      return `the worker for ${e.label} did not get ready within ${e.timeoutMs / 1000} s (log: ${e.log})`;
    case "crash-loop": {
      const how = e.lastExit?.signal ? `killed by ${e.lastExit.signal}` : e.lastExit?.code != null ? `exit code ${e.lastExit.code}` : "it exited";
      return `the worker for ${e.label} died ${e.deaths} times in the last ${e.windowMs / 1000} s (last: ${how}); it is started again in ${Math.ceil(e.retryInMs / 1000)} s, at the next call after that. Its log says why: ${e.log}`;
    }
  }
}

function refusal(e: RuntimeDirError): string {
  return `${e.path}: ${e.message}`;
}

export function renderRuntimeError(e: RuntimeError): RenderedError {
  switch (e.kind) {
    case "unknown-worker":
    case "spawn-failed":
    case "not-ready":
    case "crash-loop":
      return { message: describeSupervisorError(e) };
    case "frame-too-large":
      return { message: `a control frame of ${e.size} bytes is over the limit: the bridge's control stream is broken` };
    case "bad-msgpack":
      return { message: `a control frame is not msgpack (${e.message}): the bridge's control stream is broken` };
    case "runtime-dir":
      return { message: `not using ${e.path} for worker sockets: ${e.message}` };
    case "no-runtime-dir":
      return {
        message: `comfy-env: no private runtime folder for the workers (${e.refused.map(refusal).join("; ")}); set XDG_RUNTIME_DIR or TMPDIR to a folder only this user can write`,
      };
    case "worker-files":
      return { message: `cannot write the worker files into ${e.path}: ${e.message}` };
    case "config-unreadable":
      return { message: `cannot read ${e.file}: ${e.message}`, file: e.file };
  }
}
