import { hostOs, type OsFamily } from "./platform.ts";

// Arguments that read the same unquoted in the OS's shell. cmd expands %VAR%; a POSIX shell
// takes a backslash as an escape.
const PLAIN: Record<OsFamily, RegExp> = {
  linux: /^[\w@%+=:,./-]+$/,
  darwin: /^[\w@%+=:,./-]+$/,
  windows: /^[\w@+=:,./\\-]+$/,
};

/**
 * One argument as a person would type it into this OS's shell: quoted when it holds a space or
 * a character the shell reads; in single quotes for a POSIX shell (nothing inside them is
 * special), in double quotes on Windows (cmd and PowerShell both take them, and a path's
 * backslashes stay as they are).
 */
export function quoteArg(a: string, os: OsFamily = hostOs()): string {
  if (PLAIN[os].test(a)) return a;
  return os === "windows" ? `"${a.replaceAll('"', '\\"')}"` : `'${a.replaceAll("'", "'\\''")}'`;
}

/** A command line to print in a hint, so that it can be pasted and run as it is. */
export function commandLine(argv: readonly string[], os: OsFamily = hostOs()): string {
  return argv.map((a) => quoteArg(a, os)).join(" ");
}
