import type { Clock } from "../../src/runtime/clock.ts";

interface Timer {
  at: number;
  fn: () => void;
  /** Set for an `every` timer: it is due again this much later. */
  period?: number;
}

/** Lets everything run that waits on no timer: promise chains, async functions. */
export const settle = () => Bun.sleep(0);

/** A clock that moves only when the test calls `advance`, firing what falls due on the way, in order. */
export class FakeClock implements Clock {
  private t = 1_700_000_000_000;
  private timers: Timer[] = [];

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.timers.push({ at: this.t + ms, fn: resolve }));
  }

  every(ms: number, fn: () => void): () => void {
    const timer: Timer = { at: this.t + ms, fn, period: ms };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.t = due.at;
      if (due.period === undefined) this.timers = this.timers.filter((t) => t !== due);
      else due.at += due.period;
      due.fn();
    }
    this.t = end;
    await settle();
  }
}
