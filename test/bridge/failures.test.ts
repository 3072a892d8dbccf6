import { describe, expect } from "bun:test";
import { BRIDGE_PACKAGE_PARENT } from "../support/cli.ts";
import { python, testWithPythons } from "../support/pythons.ts";

// The worker's answer reaches the bridge before the supervisor has copied the worker's stderr
// into its log: the bridge reads the log once the worker's "import failed" line is in it.
describe("the log tail of a failed import", () => {
  testWithPythons("3.9")("waits for the worker's line, then gives what the import printed, without that line", () => {
    const code = [
      "import json, os, sys, tempfile, threading, time",
      "sys.path.insert(0, sys.argv[1])",
      "from comfy_env import _failures",
      "log = os.path.join(tempfile.mkdtemp(), 'w.log')",
      "open(log, 'w').write('--- 2026-12-01T00:00:00Z Pack/nodes: generation 1, /env/bin/python\\n')",
      "def late():",
      "    time.sleep(0.3)",
      "    with open(log, 'a') as f:",
      "        f.write('broken pack: reading its weights table\\n' + _failures.IMPORT_FAILED + '\\n')",
      "threading.Thread(target=late).start()",
      "t0 = time.monotonic()",
      "lines = _failures.log_tail_after_import(log)",
      "print(json.dumps({'lines': lines, 'waited': time.monotonic() - t0 >= 0.3}))",
    ].join("\n");
    const r = Bun.spawnSync([python("3.9"), "-B", "-c", code, BRIDGE_PACKAGE_PARENT], { stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(JSON.parse(r.stdout.toString())).toEqual({ lines: ["broken pack: reading its weights table"], waited: true });
  });
});
