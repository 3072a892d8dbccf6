import { parseArgs, type ParseArgsConfig } from "node:util";
import { err, ok, type Result, messageOf } from "../util/result.ts";
import { EXIT } from "./exit.ts";
import type { Output } from "./output.ts";
import { reportError } from "./render-error.ts";

/** Flags every command takes. */
export const COMMON_OPTIONS = {
  json: { type: "boolean", default: false },
  quiet: { type: "boolean", short: "q", default: false },
  verbose: { type: "boolean", short: "v", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsConfig["options"];

export type UsageError = { kind: "usage"; message: string };

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
  json: boolean;
  quiet: boolean;
  verbose: boolean;
  help: boolean;
}

/** node:util parseArgs in strict mode, with its exception turned into a value. */
export function parseCommandArgs(args: string[], options: NonNullable<ParseArgsConfig["options"]>): Result<ParsedArgs, UsageError> {
  try {
    const { values, positionals } = parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
    const v = values as ParsedArgs["values"];
    return ok({ values: v, positionals, json: v.json === true, quiet: v.quiet === true, verbose: v.verbose === true, help: v.help === true });
  } catch (e) {
    return err({ kind: "usage", message: messageOf(e) });
  }
}

/**
 * Whether --json was asked for, seen before parsing: a usage error must answer in JSON too.
 * Words after `--` belong to another program.
 */
export function wantsJson(argv: string[]): boolean {
  const end = argv.indexOf("--");
  return (end === -1 ? argv : argv.slice(0, end)).includes("--json");
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
    base.note(help);
    return { ok: false, exitCode: reportError(base, { message: parsed.error.message }, "usage", EXIT.USER_ERROR) };
  }
  const a = parsed.value;
  const out = base.withOptions({ json: a.json || base.json, quiet: a.quiet || base.quiet, verbose: a.verbose || base.verbose });
  if (a.help) {
    out.result(help);
    out.document({ help }, EXIT.OK);
    return { ok: false, exitCode: EXIT.OK };
  }
  return { ok: true, args: a, out };
}
