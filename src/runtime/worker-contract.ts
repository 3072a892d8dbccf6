/**
 * What `comfy-env supervise` and a worker agree on: how a worker is started, its ready line, the
 * control words on its stdin/stdout and the busy file's bytes. Mirrored, with a diagram, by
 * `src/bridge/comfy_env/_contract.py`; test/runtime/worker-contract.test.ts checks they agree.
 */
export const WORKER_CONTRACT = {
  workerModule: "comfy_env._worker",
  env: { secret: "COMFY_ENV_WORKER_SECRET", address: "COMFY_ENV_WORKER_ADDRESS", spec: "COMFY_ENV_WORKER_SPEC", mark: "COMFYUI_ISOLATION_WORKER" },
  specFields: ["node_dir", "module", "sys_path", "label", "generation", "busy_file"],
  readyFields: ["ready", "address", "pid"],
  control: { ping: "ping", pong: "pong", interrupt: "interrupt" },
  busy: { size: 2, running: 0, finished: 1 },
} as const;

/** COMFY_ENV_WORKER_SPEC's JSON: where the worker's nodes are and how it reports activity. */
export interface WorkerSpecJson {
  node_dir: string;
  module: string;
  sys_path: string[];
  label: string;
  generation: number;
  busy_file: string;
}

/** The `python -c` program that starts a worker with the package copied into `pyDir`. */
export function workerBootstrap(pyDir: string): string {
  return `import sys; sys.path.insert(0, ${JSON.stringify(pyDir)}); from ${WORKER_CONTRACT.workerModule} import main; main()`;
}

/** The worker's first stdout line: its bound address, or undefined when the line is not one. */
export function parseReadyLine(line: string): string | undefined {
  try {
    const msg = JSON.parse(line) as { ready?: unknown; address?: unknown };
    return msg.ready === true && typeof msg.address === "string" ? msg.address : undefined;
  } catch {
    return undefined;
  }
}

/** The busy file's two bytes: a request running now, and the count of finished ones (mod 256). */
export function readBusy(b: Uint8Array): { busy: boolean; done: number } {
  return { busy: b[WORKER_CONTRACT.busy.running] !== 0, done: b[WORKER_CONTRACT.busy.finished] as number };
}
