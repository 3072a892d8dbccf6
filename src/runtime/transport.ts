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
 * A socket path must fit sun_path: 108 bytes on Linux (https://man7.org/linux/man-pages/man7/unix.7.html),
 * 104 on macOS and the BSDs (<sys/un.h>), the NUL included.
 */
const MAX_UNIX_PATH = 103;

/**
 * Unix sockets (0600, in the supervisor's 0700 folder) where Python has AF_UNIX; 127.0.0.1 TCP on
 * Windows, where CPython has none. COMFY_ENV_WORKER_TRANSPORT=tcp forces TCP elsewhere (file
 * systems without socket files), so that path also runs on Linux. A socket path too long for
 * sun_path (a long TMPDIR) also takes TCP: the secret guards it as on Windows.
 */
export function transportFor(os: OsFamily, env: Record<string, string | undefined> = process.env): Transport {
  const tcp = os === "windows" || readEnv("COMFY_ENV_WORKER_TRANSPORT", env) === "tcp";
  return {
    kind: tcp ? "tcp" : "unix",
    workerAddress: (privateDir, n) => {
      const sock = path.join(privateDir, `w${n}.sock`);
      return tcp || Buffer.byteLength(sock) > MAX_UNIX_PATH ? "tcp:127.0.0.1" : `unix:${sock}`;
    },
  };
}
