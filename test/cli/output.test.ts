import { afterEach, describe, expect, test } from "bun:test";
import { Output } from "../../src/cli/output.ts";

function stream(isTTY: boolean) {
  const buf = { text: "" };
  const s = { isTTY, columns: 40, write: (t: string) => ((buf.text += t), true) } as unknown as NodeJS.WriteStream;
  return { s, buf };
}

const saved = process.env.NO_COLOR;
afterEach(() => {
  if (saved === undefined) delete process.env.NO_COLOR;
  else process.env.NO_COLOR = saved;
});

describe("Output", () => {
  test("on a terminal: colour, and one progress line redrawn in place and cleared before messages", () => {
    delete process.env.NO_COLOR;
    const err = stream(true);
    const out = new Output({ json: false, quiet: false, verbose: false }, err.s, stream(false).s);
    out.progress("[pack] resolving");
    out.progress("[pack] installing a package whose name is much too long for the terminal");
    out.warn("careful");
    expect(err.buf.text).toBe(
      "\r\x1b[2K[pack] resolving" + "\r\x1b[2K[pack] installing a package whose name…" + "\r\x1b[2K" + "\x1b[33mwarning:\x1b[0m careful\n",
    );
  });

  test("NO_COLOR turns colour off on a terminal", () => {
    process.env.NO_COLOR = "1";
    const err = stream(true);
    new Output({ json: false, quiet: false, verbose: false }, err.s, stream(false).s).error("boom");
    expect(err.buf.text).toBe("error: boom\n");
  });

  test("no progress when stderr is not a terminal, or with --json, -q or -v", () => {
    for (const [tty, opts] of [
      [false, { json: false, quiet: false, verbose: false }],
      [true, { json: true, quiet: false, verbose: false }],
      [true, { json: false, quiet: true, verbose: false }],
      [true, { json: false, quiet: false, verbose: true }],
    ] as const) {
      const err = stream(tty);
      new Output(opts, err.s, stream(false).s).progress("x");
      expect(err.buf.text).toBe("");
    }
  });

  test("--json: results stay off stdout; exactly one document, in the shared envelope; -q hides info and results but not errors", () => {
    const o = stream(false);
    const e = stream(false);
    const json = new Output({ json: true, quiet: false, verbose: false }, e.s, o.s);
    json.setCommand("status");
    json.result("human text");
    json.withOptions({ json: true, quiet: true, verbose: false }).document({ root: "/r" }, 0);
    json.document({ second: true }, 3);
    expect(JSON.parse(o.buf.text)).toEqual({ schema: 1, command: "status", ok: true, exitCode: 0, root: "/r" });
    const q = new Output({ json: false, quiet: true, verbose: false }, e.s, o.s);
    q.info("chatter");
    q.result("done");
    q.error("bad");
    q.document({ x: 1 }, 0);
    expect(e.buf.text).toBe("error: bad\n");
    expect(o.buf.text.trim().split("\n").at(-1)).toBe("}");
  });
});
