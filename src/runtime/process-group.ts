import type { OsFamily } from "../util/platform.ts";
import { windowsJobGroup } from "./job-object.ts";

/** A worker and every process its nodes start (Blender, ffmpeg, a renderer), ended as one. */
export interface ProcessGroup {
  /** End them all; harmless when they are gone already. */
  kill(): void;
  /** Release what the OS lent for the group (Windows' job handle) once it is dead. */
  close(): void;
}

/** How a worker gets its own group: the one place the platforms differ on this. */
export interface ProcessGroups {
  /** Bun.spawn's `detached`: on Unix the worker leads a new session and process group (setsid). */
  detached: boolean;
  /** The group of a just-spawned worker. */
  adopt(pid: number): ProcessGroup;
}

/**
 * Unix: the worker leads its process group; killing -pgid ends its children too, also after the
 * worker itself died (the group, and so its id, lives while a member does). The worker's own
 * parent watch does the same when the supervisor is gone (see _worker.py).
 */
const unixGroups: ProcessGroups = {
  detached: true,
  adopt: (pid) => ({
    kill: () => {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // the group is empty: nothing is left to end
      }
    },
    close: () => {},
  }),
};

export function processGroupsFor(os: OsFamily): ProcessGroups {
  return os === "windows" ? windowsJobGroup() : unixGroups;
}
