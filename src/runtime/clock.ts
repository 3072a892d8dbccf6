/** Time as the supervisor's policy sees it: the real clock, or a test's that it moves by hand. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Call `fn` every `ms` without keeping the process alive; returns what stops it. */
  every(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => Bun.sleep(ms),
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref?.();
    return () => clearInterval(timer);
  },
};
