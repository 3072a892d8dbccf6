import type { Reporter } from "../../src/install/reporter.ts";

/** One call the install pipeline made on its Reporter: the method's name and its arguments. */
export interface ReporterCall {
  method: keyof Reporter;
  args: unknown[];
}

/** A Reporter that records every call, in order, for a test to read. */
export function recordingReporter(): Reporter & { calls: ReporterCall[] } {
  const calls: ReporterCall[] = [];
  const record =
    (method: keyof Reporter) =>
    (...args: unknown[]) => {
      calls.push({ method, args });
    };
  return {
    calls,
    buildStart: record("buildStart"),
    buildStep: record("buildStep"),
    pixiOutput: record("pixiOutput"),
    lockWait: record("lockWait"),
    buildEnd: record("buildEnd"),
    envReady: record("envReady"),
    pixiDownload: record("pixiDownload"),
    pixiDownloadEnd: record("pixiDownloadEnd"),
    nodePackFailed: record("nodePackFailed"),
    configWarning: record("configWarning"),
    info: record("info"),
    warn: record("warn"),
    notDone: record("notDone"),
    interrupted: record("interrupted"),
  };
}
