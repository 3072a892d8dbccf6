import { parseArgs, type ParseArgsConfig } from "node:util";
import { err, ok, type Result, messageOf } from "../util/result.ts";
import { EXIT } from "./exit.ts";
import { reportError, type CliError } from "./errors/index.ts";
import { COLOR_MODES, type ColorMode, type Output } from "./output.ts";
import { nearest } from "./suggest.ts";

/** Flags every command takes. */
export const COMMON_OPTIONS = {
  json: { type: "boolean", default: false },
  quiet: { type: "boolean", short: "q", default: false },
  verbose: { type: "boolean", short: "v", default: false },
  help: { type: "boolean", short: "h", default: false },
  color: { type: "string", default: "auto" },
} as const satisfies ParseArgsConfig["options"];

/** A command line that cannot mean anything: the message names the word, the hints the way out. */
export type UsageError = { kind: "usage"; message: string; hints?: string[] };

/** A usage error as a command ends with it. */
export function usage(message: string, hints?: string[]): CliError {
  return { kind: "usage", error: { kind: "usage", message, ...(hints ? { hints } : {}) } };
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  help: boolean;
  color: ColorMode;
}

/** node:util parseArgs in strict mode, with its exception turned into a message a person can act on. */
export function parseCommandArgs(args: string[], options: NonNullable<ParseArgsConfig["options"]>): Result<ParsedArgs, UsageError> {
  const all = { ...COMMON_OPTIONS, ...options };
  try {
    const { values, positionals } = parseArgs({ args, options: all, allowPositionals: true, strict: true });
    const v = values as ParsedArgs["values"];
    const color = v.color as ColorMode;
    if (!COLOR_MODES.includes(color)) return err({ kind: "usage", message: `--color is ${COLOR_MODES.join(", ")}, not "${String(v.color)}"` });
    return ok({ values: v, positionals, json: v.json === true, quiet: v.quiet === true, verbose: v.verbose === true, help: v.help === true, color });
  } catch (e) {
    return err(usageError(e, all));
  }
}

/** Node's parse errors name the flag inside a long sentence; say it short, with the nearest real flag. */
function usageError(e: unknown, options: NonNullable<ParseArgsConfig["options"]>): UsageError {
  const message = messageOf(e);
  const code = (e as { code?: unknown }).code;
  const flag = /^(?:Unknown option|Option) '(-[^' ]+)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && flag) {
    const names = Object.entries(options).flatMap(([name, o]) => [`--${name}`, ...(o.short ? [`-${o.short}`] : [])]);
    const near = nearest(flag, names);
    return { kind: "usage", message: `unknown flag ${flag}`, hints: near ? [`did you mean \`${near}\`?`] : undefined };
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && flag) {
    return { kind: "usage", message: message.includes("argument missing") ? `${flag} needs a value` : `${flag} takes no value` };
  }
  return { kind: "usage", message };
}

/**
 * --json and --color, seen before parsing: a usage error must answer in JSON, and in the asked
 * colour, too. Words after `--` belong to another program.
 */
export function earlyOptions(argv: string[]): { json: boolean; color: ColorMode } {
  const end = argv.indexOf("--");
  const words = end === -1 ? argv : argv.slice(0, end);
  const i = words.findIndex((w) => w === "--color" || w.startsWith("--color="));
  const given = i === -1 ? undefined : words[i]?.includes("=") ? words[i]?.slice("--color=".length) : words[i + 1];
  return { json: words.includes("--json"), color: COLOR_MODES.find((m) => m === given) ?? "auto" };
}

/** A string flag's value, if given. */
export function stringFlag(p: ParsedArgs, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === "string" ? v : undefined;
}

export type OpenedCommand = { ok: true; args: ParsedArgs; out: Output } | { ok: false; exitCode: number };

/**
 * The start every command shares: parse its flags, build its Output from --json/-q/-v, and
 * answer --help or a usage error itself (exit code in `exitCode`).
 */
export function openCommand(args: string[], options: NonNullable<ParseArgsConfig["options"]>, help: string, base: Output): OpenedCommand {
  const parsed = parseCommandArgs(args, options);
  if (parsed.isErr()) {
    const { message, hints } = parsed.error;
    return { ok: false, exitCode: reportError(base, usage(`${base.command}: ${message}`, [...(hints ?? []), `\`comfy-env ${base.command} --help\` lists the flags`])) };
  }
  const a = parsed.value;
  const out = base.withOptions({ json: a.json || base.json, quiet: a.quiet || base.quiet, verbose: a.verbose || base.verbose, color: a.color === "auto" ? base.colorMode : a.color });
  if (a.help) {
    out.result(help);
    out.document({ help }, EXIT.OK);
    return { ok: false, exitCode: EXIT.OK };
  }
  return { ok: true, args: a, out };
}
