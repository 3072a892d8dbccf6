import { describe, expect, test } from "bun:test";
import { colorEnabled, Output } from "../../src/cli/output.ts";
import { nearest } from "../../src/cli/suggest.ts";
import { runCli } from "../support/cli.ts";

const env = { ...(process.env as Record<string, string>), NO_COLOR: "1" };

describe("usage errors a person can act on", () => {
  test("an unknown flag: what was wrong and the nearest flag, not Node's sentence and the whole help", async () => {
    const r = await runCli(["install", "--cdua", "12.8"], { env });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe("error: install: unknown flag --cdua\nhint: did you mean `--cuda`?\nhint: `comfy-env install --help` lists the flags\n");
  });

  test("a flag missing its value, and a bad --color", async () => {
    expect((await runCli(["status", "--root"], { env })).stderr).toStartWith("error: status: --root needs a value\n");
    const c = await runCli(["status", "--color=sometimes"], { env });
    expect(c.exitCode).toBe(1);
    expect(c.stderr).toStartWith('error: status: --color is auto, always, never, not "sometimes"\n');
  });

  test("an unknown command or action names the nearest", async () => {
    const r = await runCli(["stauts"], { env });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toBe('error: unknown command "stauts"\nhint: did you mean `comfy-env status`?\nhint: `comfy-env help` lists the commands\n');
    expect((await runCli(["--verison"], { env })).stderr).toContain("did you mean `comfy-env --version`?");
    expect((await runCli(["bridge", "unistall", "--python", "python3"], { env })).stderr).toContain("did you mean `comfy-env bridge uninstall`?");
  });

  test("`help install` is `install --help`", async () => {
    const a = await runCli(["help", "install"], { env });
    expect(a.exitCode).toBe(0);
    expect(a.stdout).toStartWith("Usage: comfy-env install");
    expect(a.stdout).toBe((await runCli(["install", "--help"], { env })).stdout);
  });

  test("nearest: typos, swaps and prefixes; nothing for short or far words", () => {
    expect(nearest("--cdua", ["--cuda", "--root"])).toBe("--cuda");
    expect(nearest("instal", ["install", "status"])).toBe("install");
    expect(nearest("-x", ["-q", "-v"])).toBeUndefined();
    expect(nearest("frobnicate", ["install", "status"])).toBeUndefined();
  });
});

describe("colour", () => {
  test("--color beats the environment; NO_COLOR beats FORCE_COLOR; TERM=dumb and pipes get none", () => {
    expect(colorEnabled("always", false, { NO_COLOR: "1" })).toBe(true);
    expect(colorEnabled("never", true, { FORCE_COLOR: "1" })).toBe(false);
    expect(colorEnabled("auto", false, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorEnabled("auto", true, { FORCE_COLOR: "0" })).toBe(false);
    expect(colorEnabled("auto", true, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false);
    expect(colorEnabled("auto", true, { TERM: "dumb" })).toBe(false);
    expect(colorEnabled("auto", true, { TERM: "xterm-256color" })).toBe(true);
    expect(colorEnabled("auto", false, {})).toBe(false);
  });

  test("--color=always through the CLI colours the error on a pipe; TERM=dumb gets no progress redraw", async () => {
    const { NO_COLOR: _, ...rest } = env;
    const r = await runCli(["install", "--cdua", "--color=always"], { env: rest });
    expect(r.stderr).toStartWith("\x1b[31merror:\x1b[0m");
    const saved = process.env.TERM;
    process.env.TERM = "dumb";
    try {
      const err = { text: "" };
      const tty = { isTTY: true, columns: 80, write: (t: string) => ((err.text += t), true) } as unknown as NodeJS.WriteStream;
      new Output({ json: false, quiet: false, verbose: false }, tty, tty).progress("resolving");
      expect(err.text).toBe("");
    } finally {
      if (saved === undefined) delete process.env.TERM;
      else process.env.TERM = saved;
    }
  });
});
