import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { runCli } from "../support/cli.ts";
import { describeWithPythons, findPython, REQUIRE_PYTHONS } from "../support/pythons.ts";
import { tmpdir } from "../support/tmp.ts";
import { comfyTree, HARNESS, Host, isRunning, makeWorld, waitUntil, type World } from "./host.ts";

let dir: Awaited<ReturnType<typeof tmpdir>>;
let world: World;
let host: Host;
// The world's host and env are Pythons 3.11: without one, every test here is skipped (CI requires it).
const needs311 = describeWithPythons("3.11");
/** The main host's --output-directory, and a model folder it adds at start-up as extra_model_paths.yaml would. */
let outputDir: string;
let extraModels: string;

beforeAll(async () => {
  if (!findPython("3.11") && !REQUIRE_PYTHONS) return;
  dir = await tmpdir("ce-runtime-");
  world = await makeWorld(dir.path);
  outputDir = path.join(dir.path, "out");
  extraModels = path.join(dir.path, "shared-models", "checkpoints");
  fs.mkdirSync(extraModels, { recursive: true });
  fs.writeFileSync(path.join(extraModels, "model.safetensors"), "weights");
  // One of ComfyUI's requirements the env does have (its own copy wins over a stand-in).
  const einops = path.join(world.envDir, "lib", "python3.11", "site-packages", "einops");
  fs.mkdirSync(einops, { recursive: true });
  fs.writeFileSync(path.join(einops, "__init__.py"), `WHERE = "the env's einops"\n\ndef rearrange(t, pattern, **axes):\n    return t\n`);
  host = new Host(world, {}, ["--cpu", "--output-directory", outputDir, "--force-fp16", "--preview-method", "taesd", "--fast"]);
  await host.start();
  await host.send({ op: "add_folder", name: "checkpoints", path: extraModels });
}, 120_000);

afterAll(async () => {
  await host?.close();
  await dir?.[Symbol.asyncDispose]();
});

needs311("runtime through the bridge, real workers in a built env", () => {
  test("register_nodes: in-process nodes, proxies with the real metadata, a stub for the unbuilt pack", async () => {
    const loaded = await host.send({ op: "load" });
    expect(Object.keys(loaded.nodes)).toContain("PlainAdd");
    expect(Object.keys(loaded.nodes)).toContain("IsoEcho");
    for (const node of ["IsoEcho", "IsoChanged", "IsoArray"]) {
      const real = await host.send({ op: "inprocess_meta", folder: world.isoFolder, node });
      expect(loaded.nodes[node]).toEqual(real);
    }
    expect(loaded.nodes.IsoChanged.attrs.INPUT_IS_LIST).toBe(true);
    expect(loaded.nodes.IsoEcho.attrs.DESCRIPTION).toBe("echo in an isolated env");
    expect(loaded.display.IsoEcho).toBe("Iso Echo");
    expect(loaded.display.PlainAdd).toBe("Plain Add (in-process)");
    const stub = Object.keys(loaded.nodes).find((n) => n.startsWith("ComfyEnvUnavailable_UnbuiltPack"));
    expect(stub).toBeDefined();
    // The first start had no cache: one worker was spawned to read the metadata.
    expect(loaded.spawns).toBe(1);
    const r = await host.send({ op: "run", node: stub });
    expect(r.error).toContain("UnbuiltPack/nodes");
    expect(r.error).toContain("comfy-env install");
    // That worker was started only to read the metadata: it is gone once read.
    const workers = (await host.send({ op: "ps" })).workers as { pid: number | null; state: string; stopped: string | null }[];
    expect(workers).toHaveLength(1);
    // Stopped on purpose, not killed: no death for the backoff to count.
    expect(workers[0]).toMatchObject({ state: "stopped", stopped: "unused" });
    expect(await waitUntil(() => !workers.some((w) => w.pid !== null && isRunning(w.pid)), 3000)).toBe(true);
  }, 60_000);

  test("the worker has the host's ComfyUI settings: its parsed arguments, devices and folder_paths", async () => {
    const iso = await host.send({ op: "run", node: "IsoHost" });
    const local = await host.send({ op: "inprocess", folder: world.isoFolder, node: "IsoHost" });
    expect(iso.error).toBeUndefined();
    expect(iso.result).toEqual(local.result);
    const seen = iso.result[0];
    expect(seen).toMatchObject({ cpu: true, device: "cpu", vram_state: "DISABLED", fp16_unet: true, preview: "taesd", output: outputDir });
    expect(seen.fast).toEqual(["cublas_ops", "fp16_accumulation", "fp8_matrix_mult"]);
    expect(seen.base_path).toBe(fs.realpathSync(world.comfy));
    expect(seen.checkpoints).toEqual([path.join(fs.realpathSync(world.comfy), "models", "checkpoints"), extraModels]);
    expect(seen.model).toBe(path.join(extraModels, "model.safetensors"));
    // With --cpu, ComfyUI's interrupt check runs in the worker (it asks the device of nothing).
    expect((await host.send({ op: "run", node: "IsoLoop", inputs: { seconds: 0.05 } })).result).toEqual([5]);
  });

  test("folders the host adds while the worker runs reach it before its next call", async () => {
    const later = path.join(dir.path, "later-models");
    fs.mkdirSync(later, { recursive: true });
    fs.writeFileSync(path.join(later, "late.safetensors"), "weights");
    await host.send({ op: "run", node: "IsoHost" });
    await host.send({ op: "add_folder", name: "checkpoints", path: later });
    const r = await host.send({ op: "run", node: "IsoHost", inputs: { model: "late.safetensors" } });
    expect(r.result[0].model).toBe(path.join(later, "late.safetensors"));
    // A pack writing into folder_names_and_paths itself: noticed by the bridge's watchdog tick.
    await host.send({ op: "set_folder", name: "sams", path: later });
    await Bun.sleep(200);
    expect((await host.send({ op: "run", node: "IsoHost" })).result[0].folders).toContain("sams");
  });

  test("workers run in Python's UTF-8 mode: printing an emoji does not fail", async () => {
    expect((await host.send({ op: "run", node: "IsoUtf8" })).result).toEqual([1, "utf-8"]);
  });

  test("ComfyUI's modules import without its requirements: stand-ins fail when used, naming the module and env; the env's own package wins", async () => {
    const r = await host.send({ op: "run", node: "IsoComfyModules" });
    expect(r.error).toBeUndefined();
    const [einops, used, totalRam] = r.result as [string, string, number];
    expect(einops).toBe("the env's einops");
    // psutil.virtual_memory() works without psutil: the machine's memory, as /proc/meminfo says.
    const memTotal = Number(/MemTotal:\s+(\d+) kB/.exec(fs.readFileSync("/proc/meminfo", "utf8"))?.[1]);
    expect(totalRam).toBe((memTotal * 1024) / (1024 * 1024));
    expect(used).toContain("safetensors is not installed in the environment");
    expect(used).toContain("safetensors.safe_open was used");
    // Workers start through the build folder's real path (not the node folder's link): that env is named.
    expect(used).toContain(`the environment ${world.envDir} (for MixedPack/nodes/iso)`);
  });

  test("free_memory/soft_empty_cache in the worker make the host free its models first", async () => {
    await host.send({ op: "freed" });
    const t0 = (await host.send({ op: "emptied" })).emptied.length;
    const r = await host.send({ op: "run", node: "IsoFreeMemory", inputs: { size: 4321 } });
    expect(r.error).toBeUndefined();
    const [workerFreed, workerEmptied] = r.result as [unknown[], number[]];
    expect(workerFreed).toEqual([[4321, "cpu"]]);
    expect((await host.send({ op: "freed" })).freed).toContainEqual([4321, "cpu"]);
    const hostEmptied = (await host.send({ op: "emptied" })).emptied as number[];
    expect(hostEmptied.length).toBeGreaterThan(t0);
    // CLOCK_MONOTONIC is one clock for both processes: the host emptied its cache before the worker did.
    expect(Math.min(...hostEmptied.slice(t0))).toBeLessThan(Math.min(...workerEmptied));
  });

  test("results equal running the node in-process; plain data round-trips exactly", async () => {
    const inputs = { text: "Ab", number: 3, mode: "lower" };
    const iso = await host.send({ op: "run", node: "IsoEcho", inputs });
    const local = await host.send({ op: "inprocess", folder: world.isoFolder, node: "IsoEcho", inputs });
    expect(iso.error).toBeUndefined();
    expect(iso.result).toEqual(local.result);
    expect((await host.send({ op: "run", node: "PlainAdd", inputs: { a: 2, b: 5 } })).result).toEqual([7]);
    const changed = await host.send({ op: "is_changed", node: "IsoChanged", inputs: { values: [1, 2, 3] } });
    expect(changed.result).toBe("changed:6");
    expect((await host.send({ op: "validate", node: "IsoChanged", inputs: { values: [1, -1] } })).result).toBe("negative value");
    expect((await host.send({ op: "run", node: "IsoChanged", inputs: { values: [1, 2] } })).result).toEqual([[10, 20]]);
    const obj = await host.send({ op: "run", node: "IsoObject" });
    expect(obj.result).toEqual([{ __repr__: "Fraction(3, 4)", __type__: "Fraction" }]);
  }, 30_000);

  test("the worker runs the env's Python with the isolation variables", async () => {
    const r = await host.send({ op: "run", node: "IsoWhere" });
    const [exe = "", isolated, ldPath = ""] = r.result as string[];
    // Through the build folder's real path, not the node folder's _env_ link.
    expect(exe).toBe(path.join(world.envDir, "bin", "python"));
    expect(isolated).toBe("1");
    expect(ldPath.split(":")[0]).toBe(path.join(world.envDir, "lib"));
  });

  test("[env_vars] of the folder's comfy-env.toml reach the worker, at metadata scan and at run time", async () => {
    const meta = await host.send({ op: "meta", node: "IsoFlag" });
    expect(meta.input_types.required.seen_at_scan[1].default).toBe("1");
    expect((await host.send({ op: "run", node: "IsoFlag" })).result).toEqual(["1"]);
  });

  test("a node's exception arrives with its type, node name and the remote traceback", async () => {
    const r = await host.send({ op: "run", node: "IsoFail", inputs: { x: 4 } });
    // Its own builtin type, as in-process (`except ValueError` catches it), and a WorkerError.
    expect(r.type).toBe("ValueError");
    expect(r.exception_type).toBe("ValueError");
    expect(r.mro).toEqual(expect.arrayContaining(["WorkerError", "RuntimeError", "ValueError"]));
    expect(r.error).toContain("ValueError in node IsoFail");
    expect(r.error).toContain("bad x: 4");
    expect(r.error).toContain("in _inner");
    expect(r.error).toContain(path.join("nodes", "iso", "__init__.py"));
  });

  test("a node's OSError is the node's error: the worker and its connection stay up", async () => {
    await host.send({ op: "run", node: "IsoWhere", inputs: {} });
    const before = (await host.send({ op: "ps" })).workers[0];
    const r = await host.send({ op: "run", node: "IsoFail", inputs: { x: -1 } });
    expect(r.error).toContain("FileNotFoundError in node IsoFail");
    expect(r.exception_type).toBe("FileNotFoundError");
    expect(r.mro).toEqual(expect.arrayContaining(["WorkerError", "FileNotFoundError", "OSError"]));
    expect(r.error).toContain(`pid ${before.pid})`);
    expect((await host.send({ op: "run", node: "IsoEcho", inputs: { text: "ok", number: 1 } })).result[0]).toBe("OK");
    const after = (await host.send({ op: "ps" })).workers[0];
    expect([after.pid, after.generation]).toEqual([before.pid, before.generation]);
  });

  test("progress (with its preview image) from the worker's ProgressBar shows in the host; VRAM requests free memory in the host", async () => {
    await host.send({ op: "progress" });
    expect((await host.send({ op: "run", node: "IsoProgress", inputs: { steps: 3 } })).result).toEqual([3]);
    expect((await host.send({ op: "progress" })).events).toEqual([
      [1, 3],
      [2, 3],
      [3, 3, ["JPEG", Buffer.from("\xff\xd8preview", "latin1").toString("hex"), 512]],
    ]);
    const v = await host.send({ op: "run", node: "IsoVram", inputs: { size: 77 } });
    expect(v.result).toEqual([{ freed: true, free_memory: 8 * 2 ** 30 }]);
    expect((await host.send({ op: "freed" })).freed).toContainEqual([77, "cpu"]);
  });

  test("PromptServer in the worker: send_sync reaches ComfyUI's PromptServer; web routes are listed as not served", async () => {
    expect((await host.send({ op: "run", node: "IsoNotify", inputs: { n: 4, unique_id: "9" } })).result).toEqual([4]);
    expect((await host.send({ op: "sent" })).sent).toEqual([["mixedpack.notify", { n: 4, node: "9" }, null]]);
  });

  test("ComfyUI's Cancel reaches a running isolated node: it stops as an interruption, and the next call runs", async () => {
    const r = await host.send({ op: "cancel_during", node: "IsoLoop", after: 0.3, inputs: { seconds: 20 } });
    expect(r.error).toBeUndefined();
    expect(r.interrupted).toBe(true); // ComfyUI's InterruptProcessingException, not a WorkerError
    expect(r.seconds).toBeLessThan(5);
    // The Cancel belonged to that call: the same worker runs the next one to the end.
    expect((await host.send({ op: "run", node: "IsoLoop", inputs: { seconds: 0.1 } })).result).toEqual([10]);
  });

  test("the worker keeps one node object per host node object, across runs, and drops it when the host's is gone", async () => {
    // [runs of this object, IsoCounter objects alive in the worker]
    expect((await host.send({ op: "instances" })).results).toEqual([[1, 1], [2, 1], [1, 2], [2, 1]]);
  });

  test("calls from several threads at once take turns on the one connection; each gets its own answer", async () => {
    const echo = await host.send({ op: "concurrent", node: "IsoEcho", threads: 8, inputs: { text: "", number: 1 } });
    expect(echo.results.map((r: { result: unknown[] }) => r.result[0])).toEqual(["0", "1", "2", "3", "4", "5", "6", "7"]);
    const sleep = await host.send({ op: "concurrent", node: "IsoSleep", threads: 3, inputs: { seconds: 0.2 } });
    expect(sleep.results.map((r: { result: unknown[] }) => r.result)).toEqual([[0.2], [0.2], [0.2]]);
    expect(sleep.seconds).toBeGreaterThanOrEqual(0.6);
  }, 30_000);

  test("numpy arrays travel through shared memory and equal the in-process result", async () => {
    if (!world.envHasNumpy) {
      console.warn("numpy is not available to the env's Python: array test skipped");
      return;
    }
    for (const shape of [[7], [1024, 1024]]) {
      const inputs = { array: { __array__: { shape, dtype: "float32" } }, factor: 3 };
      const iso = await host.send({ op: "run", node: "IsoArray", inputs });
      const local = await host.send({ op: "inprocess", folder: world.isoFolder, node: "IsoArray", inputs });
      expect(iso.error).toBeUndefined();
      expect(iso.result).toEqual(local.result);
    }
    // The 4 MiB ones went by segment: each side maps its own and the one whose descriptor came
    // over from the other side.
    const worker = (await host.send({ op: "ps" })).workers[0].pid;
    for (const pid of [host.pid, worker]) {
      const maps = fs.readFileSync(`/proc/${pid}/maps`, "utf8").split("\n");
      expect(maps.filter((l) => l.includes("/memfd:comfy-env")).length).toBeGreaterThanOrEqual(2);
    }
  }, 30_000);

  test("os.abort() mid-call: a clear error within 1 s, then the next call runs on a restarted worker", async () => {
    const before = await host.send({ op: "ps" });
    const gen = before.workers[0].generation;
    const t0 = Date.now();
    const r = await host.send({ op: "run", node: "IsoAbort" });
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(r.error).toContain("died while running IsoAbort");
    expect(r.error).toContain("SIGABRT");
    expect(r.error).toContain(".log");
    const again = await host.send({ op: "run", node: "IsoEcho", inputs: { text: "x", number: 1 } });
    expect(again.result[0]).toBe("X");
    const after = await host.send({ op: "ps" });
    expect(after.workers[0].generation).toBe(gen + 1);
    expect(after.workers[0].lastExit.signal).toBe("SIGABRT");
  }, 30_000);

  test("a client without the secret is refused; 10,000 malformed frames neither crash nor hang the worker", async () => {
    const h = (await host.send({ op: "handle", node: "IsoEcho" })).handle;
    const pidBefore = h.pid;
    const mark = path.join(dir.path, "pwned");
    const r = Bun.spawnSync([world.hostPython, path.join(HARNESS, "abuse.py"), h.address, h.secret, "10000", mark], { stdout: "pipe", stderr: "pipe", timeout: 60_000 });
    expect(r.stderr.toString()).toBe("");
    const out = JSON.parse(r.stdout.toString());
    expect(out.refused).toBe(200);
    expect(out.errors).toBe(10000);
    expect(out.pong).toEqual(["ok", 7, "pong"]);
    expect(out.pwned).toBe(false);
    expect(fs.existsSync(mark)).toBe(false);
    const again = await host.send({ op: "run", node: "IsoEcho", inputs: { text: "y", number: 1 } });
    expect(again.result[0]).toBe("Y");
    expect((await host.send({ op: "ps" })).workers[0].pid).toBe(pidBefore);
  }, 90_000);

  test("comfy-env ps lists the supervisor and its worker", async () => {
    const r = await runCli(["ps", "--json"]);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    const mine = doc.supervisors.find((s: { parentPid: number }) => s.parentPid === host.pid);
    expect(mine).toBeDefined();
    expect(mine.workers[0].label).toBe("MixedPack/nodes/iso");
    expect(mine.workers[0].state).toBe("ready");
  });
});

needs311("the TCP transport (Windows' transport, forced here with COMFY_ENV_WORKER_TRANSPORT=tcp)", () => {
  test("the worker listens on 127.0.0.1, calls work, and a client without the secret is refused", async () => {
    const h = new Host(world, { COMFY_ENV_WORKER_TRANSPORT: "tcp" });
    await h.start();
    try {
      await h.send({ op: "load" });
      expect((await h.send({ op: "run", node: "IsoEcho", inputs: { text: "t", number: 2 } })).result[0]).toBe("TT");
      const handle = (await h.send({ op: "handle", node: "IsoEcho" })).handle;
      expect(handle.address).toMatch(/^tcp:127\.0\.0\.1:\d+$/);
      const mark = path.join(dir.path, "pwned-tcp");
      const r = Bun.spawnSync([world.hostPython, path.join(HARNESS, "abuse.py"), handle.address, handle.secret, "100", mark], { stdout: "pipe", stderr: "pipe", timeout: 60_000 });
      const out = JSON.parse(r.stdout.toString());
      expect(out.refused).toBe(200);
      expect(out.errors).toBe(100);
      expect(fs.existsSync(mark)).toBe(false);
    } finally {
      await h.close();
    }
  }, 60_000);
});

needs311("older call forms of the Python API", () => {
  test("wrap_nodes(), wrap_isolated_nodes(), enable_isolation() + setup_isolated_imports(), register_nodes(nodes_package=)", async () => {
    // A second ComfyUI tree holding only the legacy packs.
    const comfy = comfyTree(world, path.join(dir.path, "LegacyComfyUI"), [], { legacy: "." }, [
      "LegacyWrapNodes/nodes",
      "LegacyWrapIsolated/gpu",
      "LegacyEnableIsolation",
      "RegisterNodesArg/src/iso",
    ]);
    // A package only the env has: LegacyEnableIsolation's nodes import it at module level.
    const envOnly = path.join(world.envDir, "lib", "python3.11", "site-packages", "ce_legacy_only");
    fs.mkdirSync(envOnly, { recursive: true });
    fs.writeFileSync(path.join(envOnly, "__init__.py"), "def kind():\n    return 'the real ce_legacy_only'\n");
    fs.writeFileSync(path.join(envOnly, "tools.py"), "class Base:\n    pass\n\ndef cached():\n    return lambda f: f\n");
    const legacy = new Host({ ...world, comfy });
    await legacy.start();
    try {
      const loaded = await legacy.send({ op: "load" });
      expect(Object.keys(loaded.nodes).sort()).toEqual(["LegacyA", "LegacyB", "LegacyC", "LegacyD", "PlainD"]);
      for (const node of ["LegacyA", "LegacyB", "LegacyC", "LegacyD"]) {
        const r = await legacy.send({ op: "run", node });
        expect(r.error).toBeUndefined();
        expect(r.result[0]).toBe("1");
        expect(r.result[1]).toBe(path.join(world.envDir, "bin", "python"));
      }
      // setup_isolated_imports: the host imported LegacyC's module with stubs; the worker used the real package.
      expect((await legacy.send({ op: "run", node: "LegacyC" })).result[2]).toBe("the real ce_legacy_only");
      expect((await legacy.send({ op: "meta", node: "LegacyC" })).attrs.RETURN_TYPES).toEqual(["STRING", "STRING", "STRING"]);
      // Only the pack's own imports are stubbed: elsewhere the package is missing, as before.
      expect((await legacy.send({ op: "import", name: "ce_legacy_only" })).error).toContain("No module named 'ce_legacy_only'");
      expect((await legacy.send({ op: "run", node: "PlainD" })).result[0]).toBe("0");
      // One worker per isolated folder, shared by all its nodes.
      expect((await legacy.send({ op: "ps" })).workers).toHaveLength(4);
    } finally {
      await legacy.close();
    }
  }, 60_000);
});

needs311("ComfyUI V3 nodes (comfy_api io.ComfyNode) in an isolated folder", () => {
  test("comfy_entrypoint's nodes register with V1 metadata from their schema and run V3-style in the worker", async () => {
    // A ComfyUI tree with the comfy_api stand-in and V3Pack.
    const comfy = comfyTree(world, path.join(dir.path, "V3ComfyUI"), ["comfy_api"], { V3Pack: "V3Pack" }, ["V3Pack/nodes/v3"]);
    const v3 = new Host({ ...world, comfy });
    await v3.start();
    try {
      const loaded = await v3.send({ op: "load" });
      expect(loaded.display).toEqual({ V3Add: "V3 Add", V3Show: "V3 Show" });
      const add = loaded.nodes.V3Add;
      expect(add.attrs).toMatchObject({ RETURN_TYPES: ["INT", "STRING"], RETURN_NAMES: ["sum", "where"], CATEGORY: "tests/v3", FUNCTION: "EXECUTE_NORMALIZED" });
      // Enums as ComfyUI's JSON shows them; hidden inputs by kind, so ComfyUI fills them.
      expect(add.input_types).toEqual({
        required: { a: ["INT", { default: 1, display: "slider" }] },
        optional: { b: ["INT", { default: 2 }] },
        hidden: { unique_id: "UNIQUE_ID" },
      });
      expect([add.has_is_changed, add.has_validate_inputs]).toEqual([true, false]);
      const show = loaded.nodes.V3Show;
      expect(show.attrs).toMatchObject({ OUTPUT_NODE: true, FUNCTION: "EXECUTE_NORMALIZED_ASYNC", RETURN_TYPES: [] });
      expect(show.input_types.hidden).toEqual({ prompt: "PROMPT", extra_pnginfo: "EXTRA_PNGINFO" });
      expect([show.has_is_changed, show.has_validate_inputs]).toEqual([false, true]);

      // ComfyUI calls the proxy the V1 way, hidden inputs as keywords; the node reads them on cls.hidden.
      expect((await v3.send({ op: "run", node: "V3Add", inputs: { a: 2, b: 5, unique_id: "17" } })).result).toEqual([7, "worker=1 node=17"]);
      expect((await v3.send({ op: "is_changed", node: "V3Add", inputs: { a: 2, unique_id: "17" } })).result).toBe("fp:4:17");
      const shown = await v3.send({ op: "run", node: "V3Show", inputs: { text: "hi", prompt: { "1": {}, "2": {} }, extra_pnginfo: {} } });
      expect(shown.result).toEqual({ ui: { text: ["HI (prompt has 2 nodes)"] }, result: [] });
      expect((await v3.send({ op: "validate", node: "V3Show", inputs: { text: "" } })).result).toBe("text is empty");
    } finally {
      await v3.close();
    }
  }, 60_000);
});

needs311("a folder whose nodes fail to import in their worker", () => {
  test("placeholders say why (the exception or the signal and module, the worker's stderr); the outcome is cached: a warm start spawns nothing; no worker is left", async () => {
    const comfy = comfyTree(world, path.join(dir.path, "BrokenComfyUI"), [], { BrokenPack: "BrokenPack" }, ["BrokenPack/nodes/raises", "BrokenPack/nodes/crashes"]);
    const raises = "ComfyEnvUnavailable_BrokenPack_nodes_raises";
    const crashes = "ComfyEnvUnavailable_BrokenPack_nodes_crashes";
    const check = async (h: Host) => {
      const loaded = await h.send({ op: "load" });
      expect(loaded.display[raises]).toBe("BrokenPack/nodes/raises (failed to import)");
      const a = await h.send({ op: "run", node: raises });
      expect(a.error).toContain("the nodes of BrokenPack/nodes/raises failed to import in their worker");
      expect(a.error).toContain("ValueError: weights table is corrupt");
      expect(a.error).toContain(path.join("raises", "table.py"));
      expect(a.error).toContain("broken pack: reading its weights table"); // the worker's stderr
      expect(a.error).not.toContain("comfy-env worker: the nodes failed to import"); // the worker's mark for the bridge
      const b = await h.send({ op: "run", node: crashes });
      expect(b.error).toContain("its worker died while importing them: it was killed by SIGSEGV (segmentation fault)");
      expect(b.error).toMatch(/in \S*crashes\/native\.py line 3/);
      expect(b.error).toContain("Fatal Python error: Segmentation fault");
      return loaded;
    };
    const cold = new Host({ ...world, comfy });
    await cold.start();
    try {
      expect((await check(cold)).spawns).toBe(2);
      const workers = (await cold.send({ op: "ps" })).workers as { pid: number | null }[];
      expect(workers).toHaveLength(2);
      expect(await waitUntil(() => !workers.some((w) => w.pid !== null && isRunning(w.pid)), 3000)).toBe(true);
    } finally {
      const log = await cold.close();
      expect(log).toContain("the nodes of BrokenPack/nodes/raises failed to import"); // ComfyUI's start-up log
    }
    const warm = new Host({ ...world, comfy });
    await warm.start();
    try {
      const loaded = await check(warm);
      expect([loaded.spawns, loaded.supervisor]).toEqual([0, false]);
      const ps = JSON.parse((await runCli(["ps", "--json"])).stdout);
      expect(ps.supervisors.some((s: { parentPid: number }) => s.parentPid === warm.pid)).toBe(false);
    } finally {
      await warm.close();
    }
  }, 60_000);
});

needs311("process lifetime", () => {
  test("a warm start registers every node from the cache and spawns no worker until a node runs", async () => {
    const warm = new Host(world);
    await warm.start();
    const loaded = await warm.send({ op: "load" });
    expect(loaded.spawns).toBe(0);
    expect(loaded.supervisor).toBe(false);
    expect(Object.keys(loaded.nodes)).toContain("IsoEcho");
    const r = await warm.send({ op: "run", node: "IsoEcho", inputs: { text: "w", number: 2 } });
    expect(r.result[0]).toBe("WW");
    expect((await warm.send({ op: "load" })).spawns).toBe(1);
    const stderr = await warm.close();
    expect(stderr).toContain("UnbuiltPack/nodes: environment not built");
    // Routes a node module registered in its worker, from the cached metadata.
    expect(stderr).toContain("MixedPack/nodes/iso: its web routes (GET /mixedpack/status) exist only in its worker");
  }, 60_000);

  test("kill -9 of the host leaves no supervisor or worker alive", async () => {
    const victim = new Host(world);
    await victim.start();
    await victim.send({ op: "load" });
    await victim.send({ op: "run", node: "IsoEcho", inputs: { text: "k", number: 1 } });
    const ps = await victim.send({ op: "ps" });
    const pids = [ps.pid as number, ps.workers[0].pid as number];
    expect(pids.every(isRunning)).toBe(true);
    victim.proc.kill("SIGKILL");
    await victim.proc.exited;
    expect(await waitUntil(() => !pids.some(isRunning), 3000)).toBe(true);
  }, 60_000);

  test("a hung idle worker (SIGSTOP) is killed within a few ping intervals and the next call runs on a new one; a stopped busy one is left alone", async () => {
    const h = new Host(world, { COMFY_ENV_PING_MS: "100" });
    await h.start();
    try {
      await h.send({ op: "load" });
      expect((await h.send({ op: "run", node: "IsoEcho", inputs: { text: "a", number: 1 } })).result[0]).toBe("A");
      const first = (await h.send({ op: "ps" })).workers[0];
      // A node asleep for many intervals: the pong thread still answers, nothing is killed.
      expect((await h.send({ op: "run", node: "IsoSleep", inputs: { seconds: 0.6 } })).result).toEqual([0.6]);
      // Silent while it runs a request (as a node holding the GIL is): left to the call timeout.
      // The stop comes well after the call started (busy flag set) even on a loaded machine.
      const pending = h.send({ op: "run", node: "IsoSleep", inputs: { seconds: 1.0 } });
      await Bun.sleep(300);
      process.kill(first.pid, "SIGSTOP");
      await Bun.sleep(700);
      process.kill(first.pid, "SIGCONT");
      expect((await pending).result).toEqual([1.0]);
      expect((await h.send({ op: "ps" })).workers[0].pid).toBe(first.pid);

      process.kill(first.pid, "SIGSTOP");
      const t0 = Date.now();
      let w = first;
      while (Date.now() - t0 < 3000) {
        w = (await h.send({ op: "ps" })).workers[0];
        if (w.state === "exited") break;
        await Bun.sleep(25);
      }
      // Killed by the ping check (3 intervals of 100 ms), long before any call timeout.
      expect(w.state).toBe("exited");
      expect(w.lastExit.signal).toBe("SIGKILL");
      expect(await waitUntil(() => !isRunning(first.pid), 1000)).toBe(true);
      // The bridge's connection died idle: the call goes once to the new worker and succeeds.
      const r = await h.send({ op: "run", node: "IsoEcho", inputs: { text: "b", number: 2 } });
      expect(r.error).toBeUndefined();
      expect(r.result[0]).toBe("BB");
      const after = (await h.send({ op: "ps" })).workers[0];
      expect(after.generation).toBe(first.generation + 1);
      expect(after.pid).not.toBe(first.pid);
      expect(after.state).toBe("ready");
    } finally {
      await h.close();
    }
  }, 60_000);

  test("a call over the time limit fails clearly and the next call gets a fresh worker", async () => {
    const h = new Host(world, { COMFY_ENV_CALL_TIMEOUT: "1" });
    await h.start();
    await h.send({ op: "load" });
    const r = await h.send({ op: "run", node: "IsoSleep", inputs: { seconds: 5 } });
    expect(r.error).toContain("did not finish within 1 s");
    const ok = await h.send({ op: "run", node: "IsoSleep", inputs: { seconds: 0.1 } });
    expect(ok.result).toEqual([0.1]);
    expect((await h.send({ op: "ps" })).workers[0].generation).toBe(2);
    await h.close();
  }, 60_000);

  test("a bridge older than the binary's worker fails with the command that updates it, not with misread frames", async () => {
    const h = new Host(world);
    await h.start();
    try {
      await h.send({ op: "load" });
      await h.send({ op: "stale_bridge" });
      const r = await h.send({ op: "run", node: "IsoEcho", inputs: { text: "x", number: 1 } });
      expect(r.type).toBe("WorkerError");
      expect(r.error).toContain("does not match the comfy-env binary");
      expect(r.error).toContain(`comfy-env bridge install --python ${world.hostPython}`);
    } finally {
      await h.close();
    }
  }, 60_000);
});
