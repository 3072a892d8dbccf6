import { readEnv } from "../util/env.ts";
import { envelope } from "./document.ts";

export type ColorMode = "auto" | "always" | "never";
export const COLOR_MODES: readonly ColorMode[] = ["auto", "always", "never"];

// C0 controls but tab and newline, DEL, and C1 controls: an ESC from a config value, a path or
// a child's output could otherwise move the cursor, recolour or retitle the user's terminal.
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/** `\x1b[31m` → `\\x1b[31m`: control characters shown, never obeyed. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  /** --color; auto (the default) follows NO_COLOR, FORCE_COLOR, TERM=dumb and whether stderr is a terminal. */
  color?: ColorMode;
}

/** Colour on stderr: --color=always|never first, then NO_COLOR, FORCE_COLOR, TERM=dumb, a terminal. */
export function colorEnabled(mode: ColorMode, isTTY: boolean, env: Record<string, string | undefined> = process.env): boolean {
  if (mode !== "auto") return mode === "always";
  if (readEnv("NO_COLOR", env)) return false;
  const force = readEnv("FORCE_COLOR", env);
  if (force !== undefined) return force !== "0" && force !== "false";
  return isTTY && readEnv("TERM", env) !== "dumb";
}

/** Shared by an Output and the ones derived from it, so "one document per run" holds across them. */
interface RunState {
  command: string;
  documentWritten: boolean;
}

/**
 * The one output policy of a command run: data goes to stdout, messages, warnings and
 * progress to stderr. With --json stdout carries one JSON document and nothing else. Every
 * message is written with its control characters escaped; colour is added only here.
 */
export class Output {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly verbose: boolean;
  readonly color: boolean;
  readonly colorMode: ColorMode;
  /** Progress lines only on a terminal that can redraw a line (not TERM=dumb), never with --json, -q or -v. */
  readonly progressEnabled: boolean;
  private progressShown = false;

  constructor(
    opts: OutputOptions,
    private readonly stderr: NodeJS.WriteStream = process.stderr,
    private readonly stdout: NodeJS.WriteStream = process.stdout,
    private readonly run: RunState = { command: "", documentWritten: false },
  ) {
    this.json = opts.json;
    this.quiet = opts.quiet;
    this.verbose = opts.verbose;
    this.colorMode = opts.color ?? "auto";
    this.color = colorEnabled(this.colorMode, Boolean(stderr.isTTY));
    this.progressEnabled = Boolean(stderr.isTTY) && readEnv("TERM") !== "dumb" && !opts.json && !opts.quiet && !opts.verbose;
  }

  /** The same streams under a command's own --json/-q/-v. */
  withOptions(opts: OutputOptions): Output {
    return new Output(opts, this.stderr, this.stdout, this.run);
  }

  /** Name the command the --json document is about (`"install"`, `"bridge status"`). */
  setCommand(name: string): void {
    this.run.command = name;
  }

  get command(): string {
    return this.run.command;
  }

  get documentWritten(): boolean {
    return this.run.documentWritten;
  }

  /** Human result text (stdout); suppressed under --json and -q. */
  result(text: string): void {
    if (this.json || this.quiet) return;
    const clean = escapeControl(text.endsWith("\n") ? text.slice(0, -1) : text);
    this.stdout.write(`${clean}\n`);
  }

  /**
   * The --json document (stdout), in the envelope every command shares (docs/json.md): schema,
   * command, ok, exitCode, then the command's own keys. Only the first call of a run writes,
   * so a launcher always reads exactly one document. No-op without --json.
   */
  document(body: Record<string, unknown>, exitCode: number): void {
    if (!this.json || this.run.documentWritten) return;
    this.run.documentWritten = true;
    this.stdout.write(`${JSON.stringify(envelope(this.run.command, body, exitCode), null, 2)}\n`);
  }

  /** Status line on stderr; hidden by -q. */
  info(text: string): void {
    if (this.quiet) return;
    this.clearProgress();
    this.stderr.write(`${escapeControl(text)}\n`);
  }

  /** Extra detail on stderr with -v only. */
  debug(text: string): void {
    if (!this.verbose) return;
    this.clearProgress();
    this.stderr.write(`${this.paint("2", escapeControl(text))}\n`);
  }

  /** Detail of an error or warning (stderr), shown even with -q. */
  note(text: string): void {
    this.clearProgress();
    this.stderr.write(`${escapeControl(text)}\n`);
  }

  /** A "what to do" line of an error (stderr), shown even with -q. */
  hint(text: string): void {
    this.clearProgress();
    this.stderr.write(`${this.paint("36", "hint:")} ${escapeControl(text)}\n`);
  }

  warn(text: string): void {
    this.clearProgress();
    this.stderr.write(`${this.paint("33", "warning:")} ${escapeControl(text)}\n`);
  }

  error(text: string): void {
    this.clearProgress();
    this.stderr.write(`${this.paint("31", "error:")} ${escapeControl(text)}\n`);
  }

  /** A progress event under --json: one JSON object per line on stderr (stdout keeps its one document). */
  event(value: Record<string, unknown>): void {
    if (!this.json || this.quiet) return;
    this.stderr.write(`${JSON.stringify(value)}\n`);
  }

  /** Redraw a single live progress line (terminal only). */
  progress(text: string): void {
    if (!this.progressEnabled) return;
    const width = (this.stderr.columns ?? 80) - 1;
    const clean = escapeControl(text);
    const line = clean.length > width ? `${clean.slice(0, width - 1)}…` : clean;
    this.stderr.write(`\r\x1b[2K${line}`);
    this.progressShown = true;
  }

  clearProgress(): void {
    if (!this.progressShown) return;
    this.stderr.write("\r\x1b[2K");
    this.progressShown = false;
  }

  paint(code: string, text: string): string {
    return this.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }
}
