import { describe, expect, test } from "bun:test";
import { Output } from "../../src/cli/output.ts";
import { BuildProgress, phaseOfPixiLine } from "../../src/cli/progress.ts";

function stream(isTTY: boolean) {
  const buf = { text: "" };
  const s = { isTTY, columns: 200, write: (t: string) => ((buf.text += t), true) } as unknown as NodeJS.WriteStream;
  return { s, buf };
}

/** A clock the test moves by hand; timers still fire on their own, so intervals are short. */
function clock() {
  const c = { t: 0 };
  return { c, timing: { redrawMs: 5, heartbeatMs: 10_000, now: () => c.t } };
}

describe("build progress", () => {
  test("pixi's words map to phases", () => {
    expect(phaseOfPixiLine("⠁ updating repodata")).toBe("resolving");
    expect(phaseOfPixiLine("Downloading torch-2.8.0-cp311.whl")).toBe("downloading");
    expect(phaseOfPixiLine("linking 212 packages")).toBe("linking");
    expect(phaseOfPixiLine("✔ The default environment has been installed.")).toBe("linking");
    expect(phaseOfPixiLine("hello")).toBeUndefined();
  });

  test("terminal: [i/N] label · phase · elapsed · pixi's line, phases only forward", () => {
    const err = stream(true);
    const out = new Output({ json: false, quiet: false, verbose: false, color: "never" }, err.s, stream(false).s);
    const { c, timing } = clock();
    const p = new BuildProgress(out, 5, timing);
    p.start(2, "GeometryPack/nodes/cgal");
    c.t = 72_000;
    p.line("Downloading torch");
    p.line("linking numpy");
    p.line("Downloading cgal");
    p.finish("built");
    const frames = err.buf.text.split("\r\x1b[2K").filter(Boolean);
    expect(frames[0]).toBe("[2/5] GeometryPack/nodes/cgal · resolving · 0s");
    expect(frames).toContain("[2/5] GeometryPack/nodes/cgal · downloading · 1m12s · Downloading torch");
    expect(frames.at(-1)).toBe("[2/5] GeometryPack/nodes/cgal · linking · 1m12s · Downloading cgal");
  });

  test("--json: events as JSON lines on stderr, a heartbeat when pixi is silent, nothing on stdout", async () => {
    const err = stream(false);
    const std = stream(false);
    const out = new Output({ json: true, quiet: false, verbose: false }, err.s, std.s);
    const { c, timing } = clock();
    const p = new BuildProgress(out, 1, timing);
    p.start(1, "Pack/nodes");
    p.line("Downloading torch");
    c.t = 10_000;
    await Bun.sleep(40);
    p.setPhase("CUDA wheels");
    p.finish("built");
    const events = err.buf.text.trim().split("\n").map((l) => JSON.parse(l));
    expect(events.map((e) => e.event)).toEqual(["start", "phase", "heartbeat", "phase", "finish"]);
    expect(events[2]).toEqual({ event: "heartbeat", index: 1, total: 1, label: "Pack/nodes", phase: "downloading", elapsedSeconds: 10 });
    expect(events[4]).toMatchObject({ phase: "CUDA wheels", outcome: "built" });
    expect(std.buf.text).toBe("");
  });

  test("a log (no terminal): a line per build and phase, and 'still downloading' when silent", async () => {
    const err = stream(false);
    const out = new Output({ json: false, quiet: false, verbose: false }, err.s, stream(false).s);
    const { c, timing } = clock();
    const p = new BuildProgress(out, 3, timing);
    p.start(1, "Pack/nodes");
    p.line("Downloading torch");
    p.line("Downloading torchvision");
    c.t = 95_000;
    await Bun.sleep(40);
    p.finish("built");
    expect(err.buf.text).toBe("[1/3] building Pack/nodes\n[1/3] Pack/nodes: downloading\n[1/3] Pack/nodes: still downloading (1m35s)\n");
  });
});
