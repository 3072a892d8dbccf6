import { describe, expect, test } from "bun:test";
import { printError, renderError } from "../../src/cli/errors/index.ts";
import { Output } from "../../src/cli/output.ts";
import { InstallReporter } from "../../src/cli/install-report.ts";
import type { PixiRunError } from "../../src/pixi/run.ts";

function capture() {
  const buf = { text: "" };
  const s = { isTTY: false, write: (t: string) => ((buf.text += t), true) } as unknown as NodeJS.WriteStream;
  return { out: new Output({ json: false, quiet: false, verbose: false }, s, s), buf };
}

const failed: Extract<PixiRunError, { kind: "pixi-failed" }> = { kind: "pixi-failed", exitCode: 1, signal: null, log: "/c/_env_abc123/install.log", tail: ["error: nothing provides zlib"] };

describe("what a failed pixi is blamed on", () => {
  test("a solve failure: fix the dependency", () => {
    expect(renderError({ kind: "pixi", error: failed }).hints?.join("\n")).toContain("fix the dependency");
  });

  test("a pixi killed by a signal: says so, and does not blame the config", () => {
    const r = renderError({ kind: "pixi", error: { ...failed, exitCode: null, signal: "SIGKILL", tail: [] } });
    expect(r.message).toBe("pixi install was killed by SIGKILL (not an error in comfy-env.toml)");
    expect(r.hints?.join("\n")).not.toContain("fix the dependency");
  });

  test("a full disk (in pixi's output, or an fs/lock error): free space, not the dependency", () => {
    const r = renderError({ kind: "pixi", error: { ...failed, tail: ["  × failed to write: No space left on device (os error 28)"] } });
    expect(r.message).toContain("no space left on the disk");
    expect(r.hints?.join("\n")).not.toContain("fix the dependency");
    expect(r.hints?.join("\n")).toContain("free space");
    expect(renderError({ kind: "fs", error: { kind: "fs", op: "write", path: "/c/x", code: "ENOSPC", message: "ENOSPC: no space left on device" } }).hints).toEqual([expect.stringContaining("free space")]);
    expect(renderError({ kind: "cache", error: { kind: "lock-io", path: "/c/x", message: "ENOSPC: no space left on device, write" } }).hints).toEqual([expect.stringContaining("free space")]);
  });
});

describe("printed errors", () => {
  test("control characters from a value are escaped in the message, causes and hints", () => {
    const { out, buf } = capture();
    printError(out, { message: "bad \x1b]0;pwned\x07 value", causes: ["\x1b[2J"], hints: ["\x9b31m"] });
    expect(buf.text).not.toMatch(/[\x1b\x07\x9b]/);
    expect(buf.text).toContain("bad \\x1b]0;pwned\\x07 value");
    expect(buf.text).toContain("\\x1b[2J");
    expect(buf.text).toContain("hint: \\x9b31m");
    out.warn("w\x1b[1m");
    out.info("i\x1b[1m");
    out.result("r\x1b[1m");
    expect(buf.text).not.toMatch(/[\x1b\x07\x9b]/);
    expect(buf.text).toContain("warning: w\\x1b[1m\ni\\x1b[1m\nr\\x1b[1m\n");
  });
});

describe("what the install pipeline could not do beside its builds", () => {
  test("is a warning, its error worded as everywhere", () => {
    const { out, buf } = capture();
    const reporter = new InstallReporter(out);
    reporter.notDone("MyPack/nodes", "build lock left behind", { kind: "fs", error: { kind: "fs", op: "remove", path: "/c/_env_abc123/.building", code: "EBUSY", message: "EBUSY: resource busy or locked" } });
    reporter.notDone(undefined, "status scripts not rewritten", { kind: "fs", error: { kind: "fs", op: "write", path: "/c/detect.sh", code: "EACCES", message: "EACCES: permission denied" } });
    expect(buf.text).toBe(
      "warning: MyPack/nodes: build lock left behind: cannot remove /c/_env_abc123/.building: EBUSY: resource busy or locked\n" +
        "warning: status scripts not rewritten: write /c/detect.sh failed: EACCES: permission denied\n",
    );
  });
});
