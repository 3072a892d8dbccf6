import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { BRIDGE_PACKAGE_PARENT } from "../support/cli.ts";
import { findPython, python, testWithPythons } from "../support/pythons.ts";
import { tmpdir } from "../support/tmp.ts";
import { HARNESS } from "./host.ts";

const PACKAGE = BRIDGE_PACKAGE_PARENT;

function harness(python: string, script: string, ...args: string[]) {
  const r = Bun.spawnSync([python, "-B", path.join(HARNESS, script), PACKAGE, ...args], { stdout: "pipe", stderr: "pipe", timeout: 60_000 });
  expect(r.stderr.toString()).toBe("");
  return JSON.parse(r.stdout.toString());
}

describe("the worker channel's framing (frame limit set to 4 KiB for the test)", () => {
  for (const minor of ["3.9", "3.13"]) {
    testWithPythons(minor)(`Python ${minor}: a value over the limit holding a frame arrives whole by every send path and runs nothing; short and long frames keep the stream in step or end it without allocating`, async () => {
      await using dir = await tmpdir();
      const mark = path.join(dir.path, "pwned");
      const out = harness(python(minor), "framing.py", mark);
      for (const send of ["send_flat", "send"]) {
        // Chunked at the limit, never one header longer than it.
        expect(out.smuggle[send]).toEqual({ longest: 4095, intact: true, first: "value", next: ["value", "('ping', 2)"] });
      }
      expect(out.smuggle.pwned).toBe(false);
      expect(fs.existsSync(mark)).toBe(false);
      // Refused, and the next message is read as sent.
      expect(out.short.one_byte).toEqual(["WireError", ["value", "('after', 'one_byte')"]]);
      expect(out.short.empty).toEqual(["WireError", ["value", "('after', 'empty')"]]);
      // 2^31 − 16 declared, 1 MiB sent, then the end: read as it came, under a 512 MiB cap.
      expect(out.long.near_2_31).toEqual(["PeerClosed", ""]);
      expect(out.long.over_limit[0]).toBe("FrameTooLong");
    });

    testWithPythons(minor)(`Python ${minor}: a client trickling its hello is dropped when the hello's whole time is up; a prompt client is greeted`, () => {
      const out = harness(python(minor), "hello_deadline.py", "0.5");
      expect(out.dropped_after).not.toBeNull();
      expect(out.dropped_after).toBeGreaterThanOrEqual(0.4);
      expect(out.dropped_after).toBeLessThan(2);
      expect(out.greeting).toBe("hello");
    });
  }
});

describe("shared memory one connection keeps (pool bound set to 4 MiB for the test)", () => {
  test("after 3, 6 and 12 MiB arrays each way, each side keeps 4 MiB and maps only the peer's 4 MiB segment", () => {
    const py = [findPython("3.11"), "python3"].find((p) => p && Bun.spawnSync([p, "-c", "import numpy"]).exitCode === 0);
    if (!py) {
      console.warn("no Python with numpy: shared-memory pool test skipped");
      return;
    }
    const out = harness(py, "shm_pool.py");
    expect(out.equal).toBe(true);
    expect(out.kept_mib).toEqual([4, 4]);
    expect(out.peer_maps).toEqual([[0], [0]]);
    // Each side's own 4 MiB segment and its map of the other's: 16 MiB (before: 4 × 28).
    expect(out.mapped_mib).toBe(16);
  });
});
