import type { Output } from "./output.ts";

/** What a build is doing, as a person wants to read it; in the order a build goes through them. */
const PHASES = ["waiting", "resolving", "downloading", "linking", "CUDA wheels"] as const;
export type BuildPhase = (typeof PHASES)[number];

/** pixi's own words for its steps (its progress bars and log lines) → our phase. */
export function phaseOfPixiLine(line: string): BuildPhase | undefined {
  if (/\b(resolv|solv|repodata|updating|fetching index)/i.test(line)) return "resolving";
  if (/\b(download|fetch)/i.test(line)) return "downloading";
  if (/\b(link|install|extract|unpack)/i.test(line)) return "linking";
  return undefined;
}

function elapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

export interface ProgressTiming {
  /** How often the terminal line is redrawn so the clock moves while pixi says nothing. */
  redrawMs: number;
  /** Silence after which a log (no terminal) or --json gets a "still working" line. */
  heartbeatMs: number;
  now: () => number;
}

const TIMING: ProgressTiming = { redrawMs: 1000, heartbeatMs: 30_000, now: () => performance.now() };

/**
 * Progress of the builds of one install: `[2/5] Pack/nodes/x · downloading · 1m12s · <pixi's
 * last line>` redrawn on a terminal; under --json one JSON event per line on stderr (stdout
 * keeps its one document); on a log, a line when a build starts and a heartbeat when pixi is
 * silent for long, so a long torch download never looks frozen.
 */
export class BuildProgress {
  private index = 0;
  private label = "";
  private phase: BuildPhase = "resolving";
  private last = "";
  private started = 0;
  private lastEvent = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly out: Output,
    private readonly total: number,
    private readonly timing: ProgressTiming = TIMING,
  ) {}

  /** A build starts: the env `label`, the `index`-th (1-based) of `total`. */
  start(index: number, label: string): void {
    this.stopTimer();
    this.index = index;
    this.label = label;
    this.phase = "resolving";
    this.last = "";
    this.started = this.lastEvent = this.timing.now();
    this.emit("start", `[${this.index}/${this.total}] building ${label}`);
    this.timer = setInterval(() => this.tick(), Math.min(this.timing.redrawMs, this.timing.heartbeatMs));
    // The clock must not keep a finished install alive.
    this.timer.unref?.();
  }

  /** A line of pixi output (already without control codes). */
  line(text: string): void {
    this.last = text;
    this.out.debug(`[${this.label}] ${text}`);
    // Only forward: pixi downloads and links in parallel, so its lines alternate between the two.
    const phase = phaseOfPixiLine(text);
    if (phase && PHASES.indexOf(phase) > PHASES.indexOf(this.phase)) this.setPhase(phase);
    else this.draw();
  }

  /** A step the build announces itself (CUDA wheels, waiting for another install). */
  setPhase(phase: BuildPhase): void {
    this.phase = phase;
    this.emit("phase", `${this.prefix()}: ${phase}`);
  }

  /** The build ended (either way): stop the clock and clear the line. */
  finish(outcome: string): void {
    this.stopTimer();
    this.out.clearProgress();
    if (this.out.json) this.event("finish", { outcome });
  }

  private prefix(): string {
    return `[${this.index}/${this.total}] ${this.label}`;
  }

  private tick(): void {
    const now = this.timing.now();
    if (now - this.lastEvent >= this.timing.heartbeatMs) {
      this.emit("heartbeat", `${this.prefix()}: still ${this.phase} (${elapsed(now - this.started)})`);
      return;
    }
    this.draw();
  }

  private draw(): void {
    const parts = [this.prefix(), this.phase, elapsed(this.timing.now() - this.started), this.last].filter(Boolean);
    this.out.progress(parts.join(" · "));
  }

  /** A moment worth telling everyone: a JSON event, a log line, or the redrawn terminal line. */
  private emit(event: "start" | "phase" | "heartbeat", text: string): void {
    this.lastEvent = this.timing.now();
    if (this.out.json) this.event(event, {});
    else if (this.out.progressEnabled) this.draw();
    else this.out.info(text);
  }

  private event(event: string, extra: Record<string, unknown>): void {
    const seconds = Math.round((this.timing.now() - this.started) / 100) / 10;
    this.out.event({ event, index: this.index, total: this.total, label: this.label, phase: this.phase, elapsedSeconds: seconds, ...extra });
  }

  private stopTimer(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
