/**
 * A reader that stops early (`comfy-env status | head -1`) closes our stdout. Leave quietly, as
 * cat and ls do on SIGPIPE, instead of dying on an uncaught EPIPE with a stack trace. A closed
 * stderr only loses messages; the work goes on. Anything else is a real error and still throws.
 */
export function quietOnClosedPipes(): void {
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
  });
  process.stderr.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
  });
}
