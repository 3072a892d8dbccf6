/**
 * Exit codes of every command (documented in the README and `--help`).
 * A failing child process (pixi) does not pass its code through: the build failed → FAILED.
 */
export const EXIT = {
  OK: 0,
  /** Bad input: config error, bad flag, missing file. Fix the input and rerun. */
  USER_ERROR: 1,
  /** A bug in comfy-env (unexpected exception). Please report it. */
  INTERNAL: 2,
  /** The work failed: pixi install, a wheel install or a removal; the message names the log. */
  FAILED: 3,
  /** A required tool (pixi, or git for [node_reqs] packs) could not be found or fetched. */
  MISSING_TOOL: 4,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
