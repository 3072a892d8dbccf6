import path from "node:path";
import type { OsFamily } from "../util/platform.ts";
import { readEnv } from "../util/env.ts";

/** How a worker is reached and stopped on this OS: the one place the platforms differ. */
export interface Transport {
  kind: "unix" | "tcp";
  /** Address the worker listens on; `tcp:127.0.0.1` lets the worker pick a free port and report it. */
  workerAddress(privateDir: string, n: number): string;
}

/**
 * Unix sockets (0600, in the supervisor's 0700 folder) where Python has AF_UNIX; 127.0.0.1 TCP on
 * Windows, where CPython has none. COMFY_ENV_WORKER_TRANSPORT=tcp forces TCP elsewhere (file
 * systems without socket files), so that path also runs on Linux.
 */
export function transportFor(os: OsFamily, env: Record<string, string | undefined> = process.env): Transport {
  const tcp = os === "windows" || readEnv("COMFY_ENV_WORKER_TRANSPORT", env) === "tcp";
  return {
    kind: tcp ? "tcp" : "unix",
    workerAddress: (privateDir, n) => (tcp ? "tcp:127.0.0.1" : `unix:${path.join(privateDir, `w${n}.sock`)}`),
  };
}
