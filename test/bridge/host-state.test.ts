import { describe, expect } from "bun:test";
import { BRIDGE_PACKAGE_PARENT } from "../support/cli.ts";
import { python, testWithPythons } from "../support/pythons.ts";

// What the bridge sends a worker about its host, read in a host that is not ComfyUI's main.py.
describe("host state snapshot", () => {
  testWithPythons("3.9")("a host without comfy.cli_args sends no flags and no folders, and does not fail", () => {
    const code = `import json, sys\nsys.path.insert(0, sys.argv[1])\nfrom comfy_env import _host_state\nprint(json.dumps(_host_state.snapshot()))`;
    const r = Bun.spawnSync([python("3.9"), "-B", "-c", code, BRIDGE_PACKAGE_PARENT], { stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(JSON.parse(r.stdout.toString())).toEqual({ args: null, folders: null });
  });
});
