import { transportFor } from "../../src/runtime/transport.ts";
import { processGroupsFor } from "../../src/runtime/process-group.ts";
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { isolationEnv } from "../../src/runtime/isolation.ts";
import { FrameReader, encodeFrame } from "../../src/runtime/frames.ts";
import { backoffMs } from "../../src/runtime/supervisor.ts";
import { PACKAGE_FILES } from "../../src/bridge/files.ts";
import { BRIDGE_PACKAGE_PARENT, REPO_ROOT } from "../support/cli.ts";
import { findPython, python, testWithPythons } from "../support/pythons.ts";
import { tmpdir } from "../support/tmp.ts";

describe("isolation env", () => {
  const base = { PATH: "/usr/bin", PYTHONPATH: "/host/lib", LD_LIBRARY_PATH: "/opt/cuda/lib64", HOME: "/root" };
  test("linux: env lib first, host PYTHONPATH dropped, config vars and the worker marker set", () => {
    const env = isolationEnv("linux", "/e", base, { OMP_NUM_THREADS: "4" }, () => true);
    expect(env.LD_LIBRARY_PATH).toBe("/e/lib:/opt/cuda/lib64");
    expect(env.PYTHONPATH).toBeUndefined();
    expect(env.OMP_NUM_THREADS).toBe("4");
    expect(env.COMFYUI_ISOLATION_WORKER).toBe("1");
    expect(env.HOME).toBe("/root");
  });
  test("linux without env/lib leaves the library path alone", () => {
    expect(isolationEnv("linux", "/e", base, {}, () => false).LD_LIBRARY_PATH).toBe("/opt/cuda/lib64");
  });
  test("macOS: DYLD_LIBRARY_PATH and KMP_DUPLICATE_LIB_OK", () => {
    const env = isolationEnv("darwin", "/e", { PATH: "/usr/bin" }, {}, () => true);
    expect(env.DYLD_LIBRARY_PATH).toBe("/e/lib");
    expect(env.KMP_DUPLICATE_LIB_OK).toBe("TRUE");
  });
  test("windows: the env's folders, then the user's PATH (any spelling of the name); KMP_DUPLICATE_LIB_OK=TRUE", () => {
    const env = isolationEnv("windows", "C:\\e", { Path: "C:\\Program Files\\Git\\cmd;C:\\host\\cuda", WINDIR: "C:\\Windows" }, {}, (p) => /Library\\bin$|Scripts$/.test(p));
    expect(env.Path).toBeUndefined();
    expect(env.PATH).toBe("C:\\e;C:\\e\\Library\\bin;C:\\e\\Scripts;C:\\Program Files\\Git\\cmd;C:\\host\\cuda");
    expect(env.KMP_DUPLICATE_LIB_OK).toBe("TRUE");
    const all = isolationEnv("windows", "C:\\e", { PATH: "C:\\bin" }, {}, () => true).PATH;
    expect(all).toBe(["C:\\e", "C:\\e\\Library\\mingw-w64\\bin", "C:\\e\\Library\\usr\\bin", "C:\\e\\Library\\bin", "C:\\e\\Scripts", "C:\\e\\bin", "C:\\bin"].join(";"));
    expect(isolationEnv("windows", "C:\\e", {}, {}, () => false).PATH).toBe("C:\\e");
  });
  test("every OS: workers run in Python's UTF-8 mode, whatever the host set", () => {
    for (const os of ["linux", "darwin", "windows"] as const) {
      expect(isolationEnv(os, "/e", { ...base, PYTHONUTF8: "0" }, {}, () => true).PYTHONUTF8).toBe("1");
    }
  });
});

describe("plain frames decoded by the C pickle.loads under the audit-hook guard", () => {
  for (const minor of ["3.9", "3.13"]) {
    testWithPythons(minor)(`Python ${minor}: builtins round-trip; a forbidden global is refused by every route, also with the fallback Unpickler; other unpickling is untouched`, () => {
      const r = Bun.spawnSync([python(minor), "-B", path.join(REPO_ROOT, "test", "runtime", "harness", "wire_guard.py"), BRIDGE_PACKAGE_PARENT], { stdout: "pipe", stderr: "pipe" });
      expect(r.stderr.toString()).toBe("");
      const out = JSON.parse(r.stdout.toString());
      expect(out.guarded).toBe(true);
      expect(out.elsewhere).toEqual([true, true]);
      const refusedAll = { roundtrip: true, refused: { ext: true, global: true, inst: true, stack_global: true } };
      expect(out.fast).toEqual(refusedAll);
      expect(out.fallback).toEqual(refusedAll);
    });
  }
});

describe("control frames", () => {
  test("frames split across chunks decode whole; an oversized length is an error", () => {
    const bytes = new Uint8Array([...encodeFrame({ id: 1, op: "ps" }), ...encodeFrame({ id: 2, op: "ensure", key: "k" })]);
    const r = new FrameReader();
    const a = r.push(bytes.subarray(0, 7))._unsafeUnwrap();
    const b = r.push(bytes.subarray(7))._unsafeUnwrap();
    expect([...a, ...b]).toEqual([
      { id: 1, op: "ps" },
      { id: 2, op: "ensure", key: "k" },
    ]);
    expect(new FrameReader().push(new Uint8Array([0x7f, 0, 0, 0])).isErr()).toBe(true);
  });
  test("the Python msgpack codec and msgpackr agree", async () => {
    const py = findPython("3.9") ?? "python3";
    await using dir = await tmpdir();
    for (const [rel, text] of Object.entries(PACKAGE_FILES)) {
      fs.mkdirSync(path.dirname(path.join(dir.path, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir.path, rel), text);
    }
    const value = { id: 300, ok: true, n: -5, big: 2 ** 40, f: 1.5, s: "é".repeat(40), list: [null, false, "x"], nested: { a: [1, 2] } };
    const code = `import sys; sys.path.insert(0, sys.argv[1]); from comfy_env import _msgpack as m; d = sys.stdin.buffer.read(); v = m.unpackb(d); sys.stdout.buffer.write(m.packb(v))`;
    const r = Bun.spawnSync([py, "-c", code, dir.path], { stdin: encodeFrame(value).subarray(4), stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    const framed = new Uint8Array(4 + r.stdout.length);
    new DataView(framed.buffer).setUint32(0, r.stdout.length, false);
    framed.set(r.stdout, 4);
    const back = new FrameReader().push(framed)._unsafeUnwrap();
    expect(back[0]).toEqual(value);
  });
});

test("backoff: the first restart is immediate, repeated crashes wait longer, capped at 10 s", () => {
  expect([1, 2, 3, 4, 10].map(backoffMs)).toEqual([0, 1000, 2000, 4000, 10000]);
});

describe("transport", () => {
  test("Unix socket in the private folder on Linux and macOS; 127.0.0.1 TCP on Windows or when asked", () => {
    expect(transportFor("linux", {}).workerAddress("/run/ce/p", 3)).toBe("unix:/run/ce/p/w3.sock");
    expect(transportFor("darwin", {}).kind).toBe("unix");
    expect(transportFor("windows", {}).workerAddress("C:/x", 1)).toBe("tcp:127.0.0.1");
    expect(transportFor("linux", { COMFY_ENV_WORKER_TRANSPORT: "tcp" }).workerAddress("/p", 1)).toBe("tcp:127.0.0.1");
    // A socket path over sun_path's bound (a long TMPDIR) cannot be bound: TCP with the secret instead.
    const deep = `/tmp/${"d".repeat(85)}/s1-abcdef`;
    expect(transportFor("linux", {}).workerAddress(deep, 1)).toBe("tcp:127.0.0.1");
    expect(transportFor("linux", {}).workerAddress(deep.slice(0, -20), 1)).toStartWith("unix:");
    // A worker leads its own process group on Unix (setsid); Windows holds it in a job object.
    expect(processGroupsFor("linux").detached).toBe(true);
    expect(processGroupsFor("windows").detached).toBe(false);
  });
});

describe("setup_isolated_imports", () => {
  testWithPythons("3.11")("a pack's imports of env-only packages get stubs; elsewhere they stay missing; a stub called in the host fails clearly", async () => {
    const py = python("3.11");
    await using dir = await tmpdir();
    const pack = path.join(dir.path, "custom_nodes", "OldPack");
    const site = path.join(pack, "_env_abc123", "lib", "python3.11", "site-packages");
    fs.mkdirSync(path.join(site, "envonly"), { recursive: true });
    fs.mkdirSync(path.join(pack, "_env_abc123", "bin"));
    fs.symlinkSync(py, path.join(pack, "_env_abc123", "bin", "python"));
    fs.writeFileSync(path.join(pack, "comfy-env.toml"), 'python = "3.11"\n');
    fs.writeFileSync(
      path.join(pack, "__init__.py"),
      [
        "from comfy_env import setup_isolated_imports",
        "STUBS = setup_isolated_imports(__file__)",
        "import envonly.models",
        "from envonly.deep import Thing",
        "X = Thing(1, k=2)",
        "@Thing.decorate()",
        "def f():",
        "    return 5",
        "class Sub(Thing):",
        "    VALUE = 3",
        "",
      ].join("\n"),
    );
    const driver = [
      "import importlib.util, json, sys",
      `sys.path.insert(0, ${JSON.stringify(BRIDGE_PACKAGE_PARENT)})`,
      `d = ${JSON.stringify(pack)}`,
      "spec = importlib.util.spec_from_file_location('OldPack', d + '/__init__.py', submodule_search_locations=[d])",
      "m = importlib.util.module_from_spec(spec); sys.modules['OldPack'] = m; spec.loader.exec_module(m)",
      "out = {'stubs': m.STUBS, 'f': m.f(), 'value': m.Sub.VALUE, 'sub_invents': hasattr(m.Sub, 'nope')}",
      "try:\n    m.X(1, 2)\nexcept RuntimeError as e:\n    out['call'] = str(e)",
      "import comfy_env._imports as ci; ci.release()",
      "try:\n    import envonly\n    out['outside'] = 'imported'\nexcept ImportError as e:\n    out['outside'] = str(e)",
      "print(json.dumps(out))",
    ].join("\n");
    const r = Bun.spawnSync([py, "-c", driver], { stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    const out = JSON.parse(r.stdout.toString());
    expect(out.stubs).toEqual(["envonly", "envonly.models", "envonly.deep"]);
    expect([out.f, out.value, out.sub_invents]).toEqual([5, 3, false]);
    expect(out.call).toContain("envonly.deep.Thing comes from a package that only the environment");
    expect(out.call).toContain("_env_abc123");
    expect(out.outside).toBe("No module named 'envonly'");
  });
});

describe("why a worker failed, in words (_failures)", () => {
  testWithPythons("3.9")("signals and Windows statuses decoded; the crashed thread's innermost module named from faulthandler's stack", () => {
    const script = `
import json, sys
sys.path.insert(0, sys.argv[1])
from comfy_env import _failures as f
stack = ["Fatal Python error: Segmentation fault", "", "Thread 0x01 (most recent call first):",
         '  File "/other/thread.py", line 9 in <module>', "Current thread 0x02 (most recent call first):",
         '  File "/env/lib/ext.py", line 5 in load', '  File "/pack/nodes/native.py", line 3 in <module>',
         '  File "<frozen importlib._bootstrap>", line 241 in _call_with_frames_removed', '  File "<string>", line 1 in <module>']
print(json.dumps([f.describe_exit(e) for e in ({"signal": "SIGSEGV"}, {"signal": 11}, {"code": 3221225477},
                  {"code": -1073741819}, {"code": 0xC0000409}, {"code": 3}, None)] + [f.crash_module(stack), f.crash_module(stack[:4])]))
`;
    const r = Bun.spawnSync([python("3.9"), "-B", "-c", script, BRIDGE_PACKAGE_PARENT], { stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(JSON.parse(r.stdout.toString())).toEqual([
      "it was killed by SIGSEGV (segmentation fault)",
      "it was killed by SIGSEGV (segmentation fault)",
      "it exited with status 0xC0000005 (access violation)",
      "it exited with status 0xC0000005 (access violation)",
      "it exited with status 0xC0000409 (stack buffer overrun)",
      "it exited with code 3",
      "it exited",
      ["/pack/nodes/native.py", 3],
      null,
    ]);
  });
});

describe("find_env", () => {
  testWithPythons("3.11")("a folder's env link may have the 6-hex name or the 16/64-hex one install gives another decision or a collision", async () => {
    const py = python("3.11");
    await using dir = await tmpdir();
    const cases = { six: "_env_abc123", sixteen: "_env_0123456789abcdef", long: `_env_${"a".repeat(64)}`, other: "_env_abc1234" };
    for (const [sub, name] of Object.entries(cases)) {
      fs.mkdirSync(path.join(dir.path, sub, name, "bin"), { recursive: true });
      fs.symlinkSync(py, path.join(dir.path, sub, name, "bin", "python"));
    }
    const driver = [
      "import json, sys",
      `sys.path.insert(0, ${JSON.stringify(BRIDGE_PACKAGE_PARENT)})`,
      "from comfy_env._discovery import find_env",
      `d = ${JSON.stringify(dir.path)}`,
      "print(json.dumps({k: find_env(d + '/' + k) for k in ['six', 'sixteen', 'long', 'other']}))",
    ].join("\n");
    const r = Bun.spawnSync([py, "-c", driver], { stdout: "pipe", stderr: "pipe" });
    expect(r.stderr.toString()).toBe("");
    expect(JSON.parse(r.stdout.toString())).toEqual({
      six: path.join(dir.path, "six", cases.six),
      sixteen: path.join(dir.path, "sixteen", cases.sixteen),
      long: path.join(dir.path, "long", cases.long),
      other: null,
    });
  });
});
