/**
 * SIGINT/SIGTERM/SIGHUP during a build: stop the child (pixi, pip/uv), release the lock, exit
 * 128 + the signal's number (130, 143, 129), as a shell reports a process killed by it. Work
 * registers what must be undone while it runs; cleanups run newest first (child, then lock).
 */
type Cleanup = () => void | Promise<void>;

const SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
const cleanups: Cleanup[] = [];
let caught: keyof typeof SIGNALS | null = null;
let installed = false;

/** Register `cleanup` until the returned function is called. */
export function onInterrupt(cleanup: Cleanup): () => void {
  cleanups.push(cleanup);
  return () => {
    const i = cleanups.lastIndexOf(cleanup);
    if (i !== -1) cleanups.splice(i, 1);
  };
}

/** The signal that stopped this run, once one arrived: no new work may start after it. */
export function interruptedBy(): string | null {
  return caught;
}

/** 128 + the signal's number, once one arrived. */
export function interruptExitCode(): number | null {
  return caught === null ? null : 128 + SIGNALS[caught];
}

/** From now on a signal runs the cleanups, then `onStopped` (say what happened), then exits. */
export function handleInterrupts(onStopped: (signal: string, exitCode: number) => void): void {
  if (installed) return;
  installed = true;
  for (const [name, number] of Object.entries(SIGNALS) as [keyof typeof SIGNALS, number][]) {
    process.on(name, () => {
      if (caught !== null) return; // a second Ctrl-C while cleaning up changes nothing
      caught = name;
      void (async () => {
        for (const c of cleanups.splice(0).reverse()) {
          try {
            await c();
          } catch {
            // Best effort: the remaining cleanups still run.
          }
        }
        onStopped(name, 128 + number);
        process.exit(128 + number);
      })();
    });
  }
}

/** SIGTERM a child, SIGKILL it if it is still there after `graceMs`, and wait for it. */
export async function stopChild(proc: { kill(signal?: number | NodeJS.Signals): void; exited: Promise<number> }, graceMs = 3000): Promise<void> {
  proc.kill("SIGTERM");
  const timer = setTimeout(() => proc.kill("SIGKILL"), graceMs);
  await proc.exited;
  clearTimeout(timer);
}
