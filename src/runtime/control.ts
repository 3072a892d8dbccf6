import { FrameReader, encodeFrame } from "./frames.ts";
import type { Supervisor, SupervisorError } from "./supervisor.ts";
import type { WorkerSpec } from "./worker-process.ts";

/** One request on the control channel (bridge → supervisor). */
export type ControlRequest =
  | { id: number; op: "spawn"; key: string; label: string; python: string; env_dir: string; cwd: string; node_dir: string; module: string; sys_path: string[]; env_vars: Record<string, string> }
  | { id: number; op: "ensure"; key: string }
  | { id: number; op: "exit_info"; key: string; wait_ms?: number }
  | { id: number; op: "kill"; key: string }
  /** The bridge is done with a worker it started only to read node metadata: not a death. */
  | { id: number; op: "stop"; key: string }
  | { id: number; op: "interrupt"; key: string }
  | { id: number; op: "ps" }
  | { id: number; op: "stop_idle" }
  | { id: number; op: "shutdown" };

export type ControlReply = { id: number | null; ok: true; [k: string]: unknown } | { id: number | null; ok: false; error: string; kind: string; log?: string };

/** The text a failed request's reply carries: the CLI's wording (src/cli/errors/runtime.ts), handed in. */
export type DescribeError = (e: SupervisorError) => string;

function fail(id: number, e: SupervisorError, describe: DescribeError): ControlReply {
  return { id, ok: false, kind: e.kind, error: describe(e), ...("log" in e ? { log: e.log } : {}) };
}

const OPS = new Set<string>(["spawn", "ensure", "exit_info", "kill", "stop", "interrupt", "ps", "stop_idle", "shutdown"] satisfies ControlRequest["op"][]);

/**
 * The error reply for a frame that is no request we know: the bridge reads one reply per request,
 * so every frame gets one (an unknown op, a missing id), never silence or an undecodable value.
 */
function refuse(v: unknown): ControlReply | null {
  if (typeof v !== "object" || v === null) return { id: null, ok: false, kind: "bad-request", error: "a control frame that is not a map" };
  const { id, op } = v as { id?: unknown; op?: unknown };
  const rid = typeof id === "number" ? id : null;
  if (rid === null) return { id: null, ok: false, kind: "bad-request", error: "a control request without a numeric id" };
  if (typeof op !== "string" || !OPS.has(op)) return { id: rid, ok: false, kind: "unknown-op", error: `unknown control op ${JSON.stringify(op)} (this comfy-env knows ${[...OPS].join(", ")})` };
  return null;
}

function toSpec(r: Extract<ControlRequest, { op: "spawn" }>): WorkerSpec {
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : []);
  const vars: Record<string, string> = {};
  if (r.env_vars && typeof r.env_vars === "object") for (const [k, v] of Object.entries(r.env_vars)) vars[k] = String(v);
  return { key: r.key, label: r.label ?? r.key, python: r.python, envDir: r.env_dir, cwd: r.cwd, nodeDir: r.node_dir, module: r.module, sysPath: strings(r.sys_path), envVars: vars };
}

export async function handleRequest(sup: Supervisor, r: ControlRequest, describe: DescribeError): Promise<ControlReply> {
  switch (r.op) {
    case "spawn":
    case "ensure": {
      const res = r.op === "spawn" ? await sup.spawn(toSpec(r)) : await sup.ensure(r.key);
      return res.match(
        (h) => ({ id: r.id, ok: true as const, ...h }),
        (e) => fail(r.id, e, describe),
      );
    }
    case "exit_info": {
      const res = await sup.exitInfo(r.key, Math.min(r.wait_ms ?? 1000, 5000));
      return res.match(
        (v) => ({ id: r.id, ok: true as const, ...v }),
        (e) => fail(r.id, e, describe),
      );
    }
    case "kill":
    case "stop": {
      const res = await sup.kill(r.key, r.op === "stop" ? "unused" : undefined);
      return res.match(
        () => ({ id: r.id, ok: true as const }),
        (e) => fail(r.id, e, describe),
      );
    }
    case "interrupt":
      return sup.interrupt(r.key).match(
        () => ({ id: r.id, ok: true as const }),
        (e) => fail(r.id, e, describe),
      );
    case "ps":
      return { id: r.id, ok: true, ...sup.info() };
    case "stop_idle":
      return { id: r.id, ok: true, stopped: await sup.stopIdle() };
    case "shutdown":
      return { id: r.id, ok: true };
  }
}

/**
 * Serve control frames from `input` until it ends (the bridge's process is gone, however it
 * ended) or a shutdown request; then every worker is killed. Returns the exit code.
 */
export async function serveControl(sup: Supervisor, input: ReadableStream<Uint8Array>, write: (bytes: Uint8Array) => void, describe: DescribeError): Promise<number> {
  const reader = new FrameReader();
  const pending = new Set<Promise<void>>();
  for await (const chunk of input) {
    const frames = reader.push(chunk);
    if (frames.isErr()) break; // a corrupt control stream: the bridge is broken, stop everything
    for (const f of frames.value) {
      const refused = refuse(f);
      if (refused) {
        write(encodeFrame(refused));
        continue;
      }
      const r = f as ControlRequest;
      if (r.op === "shutdown") {
        write(encodeFrame({ id: r.id, ok: true }));
        sup.shutdown();
        return 0;
      }
      const p = handleRequest(sup, r, describe)
        .catch((e: unknown) => ({ id: r.id, ok: false as const, kind: "internal", error: String(e) }))
        .then((reply) => write(encodeFrame(reply)));
      pending.add(p);
      void p.finally(() => pending.delete(p));
    }
  }
  sup.shutdown();
  return 0;
}

/**
 * When the supervisor cannot run (no private runtime folder): every request is answered with
 * `message` until `input` ends, so the bridge's node error says why instead of "stopped answering".
 */
export async function serveRefusals(input: ReadableStream<Uint8Array>, write: (bytes: Uint8Array) => void, kind: string, message: string): Promise<void> {
  const reader = new FrameReader();
  for await (const chunk of input) {
    const frames = reader.push(chunk);
    if (frames.isErr()) return;
    for (const f of frames.value) {
      const id = typeof f === "object" && f !== null && typeof (f as { id?: unknown }).id === "number" ? (f as { id: number }).id : null;
      write(encodeFrame({ id, ok: false, kind, error: message }));
    }
  }
}
