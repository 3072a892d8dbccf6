import { describe, expect, test } from "bun:test";
import { BRIDGE_PACKAGE_PARENT } from "../support/cli.ts";
import { python, testWithPythons } from "../support/pythons.ts";
import { parseReadyLine, readBusy, WORKER_CONTRACT, workerBootstrap } from "../../src/runtime/worker-contract.ts";

describe("the supervisor↔worker contract", () => {
  testWithPythons("3.9")("the TypeScript and the Python files say the same", () => {
    const code = "import json, sys\nsys.path.insert(0, sys.argv[1])\nfrom comfy_env import _contract\nprint(json.dumps(_contract.describe()))";
    const r = Bun.spawnSync([python("3.9"), "-B", "-c", code, BRIDGE_PACKAGE_PARENT], { stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(JSON.parse(r.stdout.toString())).toEqual(JSON.parse(JSON.stringify(WORKER_CONTRACT)));
  });

  testWithPythons("3.9")("the bootstrap imports the worker module the contract names", () => {
    const code = `${workerBootstrap(BRIDGE_PACKAGE_PARENT).replace(/; main\(\)$/, "")}; print(main.__module__)`;
    const r = Bun.spawnSync([python("3.9"), "-B", "-c", code], { stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(r.stdout.toString().trim()).toBe(WORKER_CONTRACT.workerModule);
  });

  test("a ready line is read only when it says ready and names an address", () => {
    expect(parseReadyLine('{"ready": true, "address": "unix:/x/w1.sock", "pid": 7}')).toBe("unix:/x/w1.sock");
    expect(parseReadyLine('{"ready": false, "address": "unix:/x"}')).toBeUndefined();
    expect(parseReadyLine('{"ready": true}')).toBeUndefined();
    expect(parseReadyLine("Traceback (most recent call last):")).toBeUndefined();
  });

  test("the busy bytes: running flag, then finished count", () => {
    expect(readBusy(Uint8Array.of(1, 42))).toEqual({ busy: true, done: 42 });
    expect(readBusy(Uint8Array.of(0, 255))).toEqual({ busy: false, done: 255 });
  });
});
