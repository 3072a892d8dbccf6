import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { configHash } from "../../src/cache/hash.ts";
import { runCli, spawnCli, REPO_ROOT } from "../support/cli.ts";
import { tmpdir } from "../support/tmp.ts";
import { python, testWithPythons } from "../support/pythons.ts";
import { SCHEMAS } from "../cli/json-schema.ts";
import { copyTree, envFor, FIXTURES, isRunning, linksIn, makePack, pixiRuns, runEnvPython, sharedPackIndex } from "./helpers.ts";

const index = sharedPackIndex("ce-e2e-");

describe("install", () => {
  test("builds examples/hello-pack: a linked env whose python runs and imports the PyPI dep; a second install runs no pixi", async () => {
    await using dir = await tmpdir();
    const pack = path.join(dir.path, "hello-pack");
    copyTree(path.join(REPO_ROOT, "examples", "hello-pack"), pack);
    const root = path.join(dir.path, "cache");
    const log = path.join(dir.path, "pixi.jsonl");
    const env = envFor(root, index, { log });
    // A pixi run inside the node folder once left this; finalize removes it.
    fs.mkdirSync(path.join(pack, "nodes", ".pixi", "envs"), { recursive: true });

    const first = await runCli(["install", pack, "--cuda", "none", "--json"], { env });
    expect(first.stderr).not.toContain("error");
    expect(first.exitCode).toBe(0);
    const doc = JSON.parse(first.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.envs).toHaveLength(1);
    expect(doc.envs[0].outcome).toBe("built");
    // Progress under --json: one JSON event per stderr line, from start to finish.
    const events = first.stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    expect(events[0]).toMatchObject({ event: "start", index: 1, total: 1, label: "hello-pack/nodes" });
    expect(events.at(-1)).toMatchObject({ event: "finish", outcome: "built" });

    const bytes = fs.readFileSync(path.join(pack, "nodes", "comfy-env.toml"));
    const hash = configHash(bytes);
    const link = path.join(pack, "nodes", `_env_${hash}`);
    expect(doc.envs[0].link).toBe(link);
    expect(fs.readlinkSync(link)).toBe(path.join(root, `_env_${hash}`, ".pixi", "envs", "default"));
    const py = runEnvPython(link, "import sys, cowsay; print('%d.%d' % sys.version_info[:2]); import os; print(os.path.realpath(cowsay.__file__))");
    expect(py.exitCode).toBe(0);
    const [version, where] = py.stdout.split("\n");
    expect(version).toBe("3.12");
    expect(where).toContain(path.join(root, `_env_${hash}`));

    const build = path.join(root, `_env_${hash}`);
    for (const f of [".done", "install.log", ".comfy-env-meta.json", "pixi.toml"]) expect(fs.existsSync(path.join(build, f))).toBe(true);
    expect(fs.existsSync(path.join(build, ".building"))).toBe(false);
    const manifest = fs.readFileSync(path.join(build, "pixi.toml"), "utf8");
    expect(manifest).toContain('python = "3.12.*"');
    expect(manifest).toContain("zlib");
    expect(manifest).toContain("cowsay");
    const meta = JSON.parse(fs.readFileSync(path.join(build, ".comfy-env-meta.json"), "utf8"));
    expect(meta.source).toBe(path.join(pack, "nodes"));
    expect(meta.configContent).toBe(bytes.toString());
    expect(fs.existsSync(path.join(pack, "nodes", ".pixi"))).toBe(false);
    const listing = Bun.spawnSync(["sh", path.join(root, "detect.sh")]).stdout.toString();
    expect(listing).toBe(`_env_${hash}\tdone\t${path.join(pack, "nodes")}\t${path.join(build, "install.log")}\n`);
    expect(fs.readFileSync(path.join(root, "detect.bat"), "utf8")).toContain("_env_*");

    const runs = pixiRuns(log);
    expect(runs).toHaveLength(1);
    expect(runs[0]?.env.UV_PYTHON_PREFERENCE).toBe("only-system");
    expect(runs[0]?.env.UV_PYTHON_INSTALL_DIR).toBe(path.join(build, "_no_python"));

    const second = await runCli(["install", pack, "--json"], { env });
    expect(second.exitCode).toBe(0);
    expect(JSON.parse(second.stdout).envs[0].outcome).toBe("reused");
    expect(pixiRuns(log)).toHaveLength(1);
    // The fast path needs no GPU detection either: no decision was made.
    expect(JSON.parse(second.stdout).decision).toBeNull();
  }, 60_000);

  testWithPythons("3.10", "3.11")("builds a pack made of real fixture configs, one pinned and one using the host Python", async () => {
    await using dir = await tmpdir();
    const pack = path.join(dir.path, "ComfyUI-GeometryPack");
    for (const [sub, fixture] of [
      ["blender", "desonglll__ComfyUI-GeometryPack__nodes_blender_comfy-env.toml"],
      ["cgal", "desonglll__ComfyUI-GeometryPack__nodes_cgal_comfy-env@8aedefdb.toml"],
    ] as const) {
      fs.mkdirSync(path.join(pack, "nodes", sub), { recursive: true });
      fs.copyFileSync(path.join(FIXTURES, fixture), path.join(pack, "nodes", sub, "comfy-env.toml"));
    }
    const root = path.join(dir.path, "cache");
    const log = path.join(dir.path, "pixi.jsonl");
    const r = await runCli(["install", pack, "--cuda", "none", "--python", python("3.10"), "--json"], { env: envFor(root, index, { log }) });
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.envs.map((e: { label: string }) => e.label)).toEqual(["ComfyUI-GeometryPack/nodes/blender", "ComfyUI-GeometryPack/nodes/cgal"]);
    const [blender, cgal] = doc.envs;
    expect(runEnvPython(blender.link, "import sys, bpy, trimesh; print('%d.%d' % sys.version_info[:2], bpy.__version__)").stdout).toBe("3.11 4.2.0");
    expect(runEnvPython(cgal.link, "import sys, numpy, trimesh; print('%d.%d' % sys.version_info[:2])").stdout).toBe("3.10");
    expect(pixiRuns(log)).toHaveLength(2);
  }, 60_000);

  test("16 concurrent installs of one config: exactly one pixi run, all succeed", async () => {
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    const log = path.join(dir.path, "pixi.jsonl");
    const config = 'python = "3.11"\n[pypi-dependencies]\ncowsay = "*"\n';
    const packs = Array.from({ length: 16 }, (_, i) => makePack(dir.path, `Pack${i}`, config));
    const env = envFor(root, index, { log, sleep: 1 });
    const procs = packs.map((p) => spawnCli(["install", p, "--cuda", "none", "--json"], { env }));
    const codes = await Promise.all(procs.map((p) => p.exited));
    const outs = await Promise.all(procs.map((p) => new Response(p.stdout).text()));
    expect(codes).toEqual(Array(16).fill(0));
    const outcomes = outs.map((o) => JSON.parse(o).envs[0].outcome).sort();
    expect(outcomes.filter((o) => o === "built")).toHaveLength(1);
    expect(pixiRuns(log)).toHaveLength(1);
    for (const p of packs) {
      const [link] = linksIn(path.join(p, "nodes"));
      expect(runEnvPython(path.join(p, "nodes", link as string), "import cowsay").exitCode).toBe(0);
    }
  }, 120_000);

  test("kill -9 during pixi: the next install recovers in seconds with a complete env", async () => {
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    const log = path.join(dir.path, "pixi.jsonl");
    const pack = makePack(dir.path, "Killed", 'python = "3.11"\n[pypi-dependencies]\ncowsay = "*"\n');
    const victim = spawnCli(["install", pack, "--cuda", "none"], { env: envFor(root, index, { log, sleep: 30 }) });
    const hash = configHash(fs.readFileSync(path.join(pack, "nodes", "comfy-env.toml")));
    const history = path.join(root, `_env_${hash}`, ".pixi", "envs", "default", "conda-meta", "history");
    for (let i = 0; i < 200 && !fs.existsSync(history); i++) await Bun.sleep(50);
    expect(fs.existsSync(history)).toBe(true);
    victim.kill("SIGKILL");
    await victim.exited;
    const orphan = pixiRuns(log)[0]?.pid as number;

    // A lock whose owner is gone is taken over at once: no wait for the lock timeout (30 min).
    const r = await runCli(["install", pack, "--cuda", "none", "--json"], { env: envFor(root, index, { log }) });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).not.toContain("waiting for another install");
    expect(JSON.parse(r.stdout).envs[0].outcome).toBe("built");
    expect(pixiRuns(log)).toHaveLength(2);
    const [link] = linksIn(path.join(pack, "nodes"));
    expect(runEnvPython(path.join(pack, "nodes", link as string), "import cowsay").exitCode).toBe(0);
    // The orphaned pixi of the killed install was stopped, not left writing into the new env.
    expect(isRunning(orphan)).toBe(false);
  }, 60_000);

  test("a failing pixi: exit 3, the last log lines and the log path; the build is not marked done", async () => {
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    const pack = makePack(dir.path, "Broken", 'python = "3.11"\n');
    const r = await runCli(["install", pack, "--cuda", "none"], { env: envFor(root, index, { log: path.join(dir.path, "l"), fail: "conda solve failed: nothing provides zlib" }) });
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain("pixi install failed");
    expect(r.stderr).toContain("conda solve failed: nothing provides zlib");
    expect(r.stderr).toContain("standin log line 30");
    expect(r.stderr).not.toContain("standin log line 10\n");
    const hash = configHash(fs.readFileSync(path.join(pack, "nodes", "comfy-env.toml")));
    expect(r.stderr).toContain(path.join(root, `_env_${hash}`, "install.log"));
    expect(fs.existsSync(path.join(root, `_env_${hash}`, ".done"))).toBe(false);
    expect(fs.existsSync(path.join(root, `_env_${hash}`, ".building"))).toBe(false);
    expect(linksIn(path.join(pack, "nodes"))).toEqual([]);
  }, 30_000);

  test("pixi not on the machine: the pinned release is downloaded; a missing or tampered download stops with exit 4", async () => {
    await using dir = await tmpdir();
    const pack = makePack(dir.path, "NoPixi", 'python = "3.11"\n');
    const root = path.join(dir.path, "cache");
    const seen: string[] = [];
    let tampered = false;
    const mirror = Bun.serve({
      hostname: "127.0.0.1",
      port: 0,
      fetch(req) {
        seen.push(new URL(req.url).pathname);
        return tampered ? new Response("not a pixi archive") : new Response("gone", { status: 404 });
      },
    });
    try {
      const env = envFor(root, index, { log: path.join(dir.path, "l") });
      delete env.COMFY_ENV_PIXI;
      env.PATH = path.dirname(process.execPath);
      env.HOME = dir.path;
      env.COMFY_ENV_PIXI_URL = `http://127.0.0.1:${mirror.port}`;
      const missing = await runCli(["install", pack, "--cuda", "none"], { env });
      expect(missing.exitCode).toBe(4);
      expect(missing.stderr).toContain("cannot download pixi");
      expect(missing.stderr).toContain("HTTP 404");
      expect(missing.stderr).toContain("COMFY_ENV_PIXI");
      expect(seen[0]).toMatch(/^\/v0\.75\.0\/pixi-x86_64-unknown-linux-musl\.tar\.gz$/);

      tampered = true;
      const bad = await runCli(["install", pack, "--cuda", "none"], { env });
      expect(bad.exitCode).toBe(4);
      expect(bad.stderr).toContain("failed its checksum");
      const tools = path.join(root, ".tools");
      const left = fs.existsSync(tools) ? fs.readdirSync(tools, { recursive: true }).filter((n) => String(n).endsWith("pixi")) : [];
      expect(left).toEqual([]);
      expect(linksIn(path.join(pack, "nodes"))).toEqual([]);
    } finally {
      mirror.stop(true);
    }
  });

  test("COMFY_ENV_PIXI naming a missing file is an error, not a silent download", async () => {
    await using dir = await tmpdir();
    const pack = makePack(dir.path, "BadPixi", 'python = "3.11"\n');
    const env = envFor(path.join(dir.path, "cache"), index, { log: path.join(dir.path, "l") });
    env.COMFY_ENV_PIXI = path.join(dir.path, "no-such-pixi");
    const r = await runCli(["install", pack, "--cuda", "none"], { env });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain(`COMFY_ENV_PIXI=${env.COMFY_ENV_PIXI} is not an executable file`);
  });
});

describe("install --all", () => {
  test("builds every pack under custom_nodes, skipping disabled and hidden ones and packs without a config", async () => {
    await using dir = await tmpdir();
    const custom = path.join(dir.path, "ComfyUI", "custom_nodes");
    fs.mkdirSync(custom, { recursive: true });
    const a = makePack(custom, "ComfyUI-A", 'python = "3.11"\n');
    const b = makePack(custom, "ComfyUI-B", 'python = "3.12"\n');
    const disabled = makePack(custom, "ComfyUI-Off.disabled", 'python = "3.11"\n');
    const hidden = makePack(custom, ".hidden", 'python = "3.11"\n');
    fs.mkdirSync(path.join(custom, "PlainPack"));
    fs.writeFileSync(path.join(custom, "PlainPack", "__init__.py"), "");
    const root = path.join(dir.path, "cache");
    const r = await runCli(["install", "--all", path.join(dir.path, "ComfyUI"), "--cuda", "none", "--json"], { env: envFor(root, index, { log: path.join(dir.path, "l") }) });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).envs.map((e: { label: string }) => e.label)).toEqual(["ComfyUI-A/nodes", "ComfyUI-B/nodes"]);
    for (const p of [a, b]) expect(linksIn(path.join(p, "nodes"))).toHaveLength(1);
    for (const p of [disabled, hidden]) expect(linksIn(path.join(p, "nodes"))).toEqual([]);
  }, 60_000);
});

describe("install rejects bad configs before touching the cache", () => {
  const cases = [
    { name: "broken TOML", config: 'python = "3.11"\n[dependencies\nnumpy = "*"\n', want: /comfy-env\.toml:2:\d+: invalid TOML/ },
    { name: 'numpy = "1.26.*" (not PEP 440)', config: '[pypi-dependencies]\ntrimesh = "*"\nnumpy = "1.26.*"\n', want: /comfy-env\.toml:3: `pypi-dependencies\.numpy`: numpy = "1\.26\.\*" is not a PEP 440 version specifier.*\nhint: write numpy = "==1\.26\.\*"/ },
    { name: "python as a number", config: '# pinned\n\npython = 3.11\n[dependencies]\nnumpy = "*"\n', want: /comfy-env\.toml:3: `python`.*\n.*python = "3\.11"/ },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      await using dir = await tmpdir();
      const root = path.join(dir.path, "cache");
      const good = makePack(dir.path, "Good", 'python = "3.11"\n');
      const bad = makePack(dir.path, "Bad", c.config);
      const r = await runCli(["install", good, bad, "--cuda", "none"], { env: envFor(root, index, { log: path.join(dir.path, "l") }) });
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(c.want);
      expect(r.stderr).toContain(path.join(bad, "nodes", "comfy-env.toml"));
      expect(fs.existsSync(root)).toBe(false);
      expect(linksIn(path.join(good, "nodes"))).toEqual([]);
    });
  }
});

describe("status and gc", () => {
  test("report every env with state, size and links; gc removes only unlinked builds", async () => {
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    const log = path.join(dir.path, "pixi.jsonl");
    const env = envFor(root, index, { log });
    const kept = makePack(dir.path, "Kept", 'python = "3.11"\n[pypi-dependencies]\ncowsay = "*"\n');
    const dropped = makePack(dir.path, "Dropped", 'python = "3.12"\n');
    expect((await runCli(["install", kept, dropped, "--cuda", "none"], { env })).exitCode).toBe(0);
    const keptLink = path.join(kept, "nodes", linksIn(path.join(kept, "nodes"))[0] as string);
    const droppedLink = path.join(dropped, "nodes", linksIn(path.join(dropped, "nodes"))[0] as string);
    fs.unlinkSync(droppedLink);
    // A build whose builder died, and one that failed.
    const stale = path.join(root, "_env_aaaaaa", ".building");
    fs.mkdirSync(stale, { recursive: true });
    fs.writeFileSync(path.join(stale, "owner.json"), JSON.stringify({ pid: Bun.spawnSync(["true"]).pid, host: os.hostname(), startedAt: "2026-01-01T00:00:00Z" }));
    fs.mkdirSync(path.join(root, "_env_bbbbbb"), { recursive: true });
    fs.writeFileSync(path.join(root, "_env_bbbbbb", "install.log"), "boom\n");

    const st = await runCli(["status", "--json"], { env });
    expect(st.exitCode).toBe(0);
    const doc = JSON.parse(st.stdout);
    expect(doc.root).toBe(root);
    const byHash = Object.fromEntries(doc.envs.map((e: { hash: string }) => [e.hash, e]));
    const keptHash = path.basename(keptLink).slice(5);
    const droppedHash = path.basename(droppedLink).slice(5);
    expect(byHash[keptHash].state).toBe("done");
    expect(byHash[keptHash].links).toEqual([keptLink]);
    expect(byHash[keptHash].sizeBytes).toBeGreaterThan(1000);
    expect(byHash[keptHash].source).toBe(path.join(kept, "nodes"));
    expect(byHash[droppedHash].links).toEqual([]);
    expect(byHash.aaaaaa.state).toBe("stale");
    expect(byHash.bbbbbb.state).toBe("failed");
    const human = await runCli(["status"], { env });
    expect(human.stdout).toContain(`_env_${keptHash}  done`);
    expect(human.stdout).toContain(`← ${keptLink}`);

    const dry = JSON.parse((await runCli(["gc", "--dry-run", "--json"], { env })).stdout);
    expect(dry.removed.map((r: { hash: string }) => r.hash).sort()).toEqual(["aaaaaa", "bbbbbb", droppedHash].sort());
    expect(fs.existsSync(path.join(root, `_env_${droppedHash}`))).toBe(true);

    const gc = await runCli(["gc", "--json"], { env });
    expect(gc.exitCode).toBe(0);
    expect(JSON.parse(gc.stdout).kept).toEqual([{ hash: keptHash, links: [keptLink] }]);
    expect(fs.existsSync(path.join(root, `_env_${droppedHash}`))).toBe(false);
    expect(fs.existsSync(path.join(root, "_env_aaaaaa"))).toBe(false);
    expect(fs.existsSync(path.join(root, `_env_${keptHash}`, ".done"))).toBe(true);
    expect(fs.readFileSync(path.join(dropped, "nodes", "comfy-env.toml"), "utf8")).toBe('python = "3.12"\n');
    expect(runEnvPython(keptLink, "import cowsay").exitCode).toBe(0);
  }, 60_000);
});

describe("comfy-env test", () => {
  test("the example pack: built, imported in its env, N of N nodes importable", async () => {
    await using dir = await tmpdir();
    const pack = path.join(dir.path, "hello-pack");
    copyTree(path.join(REPO_ROOT, "examples", "hello-pack"), pack);
    const env = envFor(path.join(dir.path, "cache"), index, { log: path.join(dir.path, "pixi.jsonl") });
    const r = await runCli(["test", pack, "--cuda", "none"], { env });
    expect(r.stdout).toMatch(/^✓ hello-pack\/nodes → _env_[0-9a-f]{6} \(built in [\d.]+s\)\n/);
    expect(r.stdout).toEndWith("✓ hello-pack/nodes: 1 node(s)\n1 of 1 nodes importable (1 folder(s))\n");
    expect(r.exitCode).toBe(0);
  });

  test("a folder whose import fails: its error, exit 1, the JSON names it", async () => {
    await using dir = await tmpdir();
    const pack = path.join(dir.path, "hello-pack");
    copyTree(path.join(REPO_ROOT, "examples", "hello-pack"), pack);
    fs.appendFileSync(path.join(pack, "nodes", "__init__.py"), "\nimport no_such_module_here\n");
    const env = envFor(path.join(dir.path, "cache"), index, { log: path.join(dir.path, "pixi.jsonl") });
    const r = await runCli(["test", pack, "--cuda", "none", "--json"], { env });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("hello-pack/nodes: import failed: ModuleNotFoundError: No module named 'no_such_module_here'");
    const doc = SCHEMAS.test.parse(JSON.parse(r.stdout));
    expect(doc).toMatchObject({ ok: false, nodes: 0, failedFolders: 1, error: { kind: "import-failed" } });
    expect(doc.folders?.[0]?.traceback).toContain("no_such_module_here");
  });
});

// install under SIGTERM/SIGINT/SIGHUP: the child stops, the lock goes, nothing is marked done.
describe.skipIf(os.platform() === "win32")("install and signals", () => {
  test.each([
    ["SIGTERM", 143],
    ["SIGINT", 130],
    ["SIGHUP", 129],
  ] as const)("%s during pixi: pixi stopped, lock released, not done, exit %i", async (signal, code) => {
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    const log = path.join(dir.path, "pixi.jsonl");
    const pack = makePack(dir.path, "Signalled", `python = "3.11"\n# ${signal}\n`);
    const proc = spawnCli(["install", pack, "--cuda", "none"], { env: envFor(root, index, { log, sleep: 60 }) });
    const build = path.join(root, `_env_${configHash(fs.readFileSync(path.join(pack, "nodes", "comfy-env.toml")))}`);
    const history = path.join(build, ".pixi", "envs", "default", "conda-meta", "history");
    for (let i = 0; i < 300 && !fs.existsSync(history); i++) await Bun.sleep(50);
    expect(fs.existsSync(history)).toBe(true);
    const pixi = pixiRuns(log)[0]?.pid as number;
    expect(isRunning(pixi)).toBe(true);
    const t0 = performance.now();
    proc.kill(signal);
    expect(await proc.exited).toBe(code);
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(await new Response(proc.stderr).text()).toContain(`install stopped by ${signal}`);
    expect(isRunning(pixi)).toBe(false);
    expect(fs.existsSync(path.join(build, ".building"))).toBe(false);
    expect(fs.existsSync(path.join(build, ".done"))).toBe(false);
  }, 60_000);

  test("with --json a signal still ends in one document saying why", async () => {
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    const log = path.join(dir.path, "pixi.jsonl");
    const pack = makePack(dir.path, "SignalledJson", 'python = "3.11"\n# json\n');
    const proc = spawnCli(["install", pack, "--cuda", "none", "--json"], { env: envFor(root, index, { log, sleep: 60 }) });
    for (let i = 0; i < 300 && pixiRuns(log).length === 0; i++) await Bun.sleep(50);
    await Bun.sleep(300);
    proc.kill("SIGINT");
    expect(await proc.exited).toBe(130);
    const doc = JSON.parse(await new Response(proc.stdout).text());
    expect(doc).toMatchObject({ command: "install", ok: false, exitCode: 130, error: { kind: "interrupted" } });
    expect(doc.error.message).toContain("install stopped by SIGINT");
  }, 60_000);
});

describe("env identity: the build decision, collisions, damaged envs", () => {
  const config = 'python = "3.11"\n[pypi-dependencies]\ncowsay = "*"\n';
  const linkOf = (pack: string) => linksIn(path.join(pack, "nodes"));

  test("install --cuda none then --cuda 12.8: two envs, the first link gone, gc frees the first; bad values fail even when built", async () => {
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    const log = path.join(dir.path, "pixi.jsonl");
    const env = envFor(root, index, { log });
    const pack = makePack(dir.path, "Variant", config);
    const hash = configHash(new TextEncoder().encode(config));

    expect((await runCli(["install", pack, "--cuda", "none"], { env })).exitCode).toBe(0);
    expect(linkOf(pack)).toEqual([`_env_${hash}`]);

    // Values are checked on the fast path too.
    for (const [args, extra, want] of [
      [["--cuda", "banana"], {}, 'invalid CUDA version "banana"'],
      [["--python", "/does/not/exist"], {}, "/does/not/exist"],
      [[], { COMFY_ENV_CUDA_VERSION: "banana" }, 'COMFY_ENV_CUDA_VERSION="banana"'],
    ] as const) {
      const bad = await runCli(["install", pack, ...args], { env: { ...env, ...extra } });
      expect(bad.exitCode).toBe(1);
      expect(bad.stderr).toContain(want);
    }

    const gpu = await runCli(["install", pack, "--cuda", "12.8", "--json"], { env });
    expect(gpu.exitCode).toBe(0);
    const doc = JSON.parse(gpu.stdout);
    expect(doc.envs[0].outcome).toBe("built");
    const [second] = linkOf(pack);
    expect(second).toMatch(/^_env_[0-9a-f]{16}$/);
    expect(linkOf(pack)).toHaveLength(1);
    expect(fs.readFileSync(path.join(root, second as string, "pixi.toml"), "utf8")).toContain('index = "https://download.pytorch.org/whl/cu128"');
    expect(fs.readFileSync(path.join(root, `_env_${hash}`, "pixi.toml"), "utf8")).toContain('index = "https://download.pytorch.org/whl/cpu"');
    const meta = JSON.parse(fs.readFileSync(path.join(root, second as string, ".comfy-env-meta.json"), "utf8"));
    expect(meta.identity).toEqual({ platform: "linux-64", cuda: "12.8", variant: "cu128", torch: "2.8", python: "3.11" });
    expect(meta.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(meta.digest.startsWith((second as string).slice(5))).toBe(true);

    // No flag: the build the folder uses is kept, without detection or pixi.
    const again = JSON.parse((await runCli(["install", pack, "--json"], { env })).stdout);
    expect(again.envs[0]).toMatchObject({ outcome: "reused", hash: (second as string).slice(5) });
    expect(again.decision).toBeNull();
    // Asking for CPU again finds the first build.
    const cpu = JSON.parse((await runCli(["install", pack, "--cuda", "none", "--json"], { env })).stdout);
    expect(cpu.envs[0]).toMatchObject({ outcome: "reused", hash });
    expect(linkOf(pack)).toEqual([`_env_${hash}`]);
    expect(pixiRuns(log)).toHaveLength(2);

    const gc = JSON.parse((await runCli(["gc", "--json"], { env })).stdout);
    expect(gc.removed.map((r: { hash: string }) => r.hash)).toEqual([(second as string).slice(5)]);
    expect(fs.existsSync(path.join(root, `_env_${hash}`, ".done"))).toBe(true);
    expect(runEnvPython(path.join(pack, "nodes", `_env_${hash}`), "import torch, cowsay; print(torch.__version__)").stdout).toBe("2.8.0");

    // An edited config keeps the decision the folder was built for (nothing detected), and its old link goes.
    const edited = `${config}# edited\n`;
    fs.writeFileSync(path.join(pack, "nodes", "comfy-env.toml"), edited);
    const rebuilt = JSON.parse((await runCli(["install", pack, "--json"], { env })).stdout);
    expect(rebuilt.envs[0].outcome).toBe("built");
    expect(rebuilt.decision).toBeNull();
    expect(linkOf(pack)).toEqual([`_env_${configHash(new TextEncoder().encode(edited))}`]);
  }, 180_000);

  test("a forced collision of the 6-hex name gets its own env; the first keeps its own", async () => {
    const seen = new Map<string, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; !pair; i++) {
      const c = `${config}# ${i}\n`;
      const h = configHash(new TextEncoder().encode(c));
      const prev = seen.get(h);
      if (prev !== undefined) pair = [prev, c];
      seen.set(h, c);
    }
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    const log = path.join(dir.path, "pixi.jsonl");
    const env = envFor(root, index, { log });
    const a = makePack(dir.path, "First", pair[0]);
    const b = makePack(dir.path, "Second", pair[1]);
    const hash = configHash(new TextEncoder().encode(pair[0]));
    expect(configHash(new TextEncoder().encode(pair[1]))).toBe(hash);

    expect((await runCli(["install", a, "--cuda", "none"], { env })).exitCode).toBe(0);
    const r = JSON.parse((await runCli(["install", b, "--cuda", "none", "--json"], { env })).stdout);
    expect(r.envs[0].outcome).toBe("built");
    expect(linkOf(a)).toEqual([`_env_${hash}`]);
    const [own] = linkOf(b);
    expect(own).toMatch(/^_env_[0-9a-f]{16}$/);
    const metaB = JSON.parse(fs.readFileSync(path.join(root, own as string, ".comfy-env-meta.json"), "utf8"));
    expect(metaB.configContent).toBe(pair[1]);
    // Both stay their own on later runs, with no further pixi run.
    for (const p of [a, b]) expect(JSON.parse((await runCli(["install", p, "--json"], { env })).stdout).envs[0].outcome).toBe("reused");
    expect(linkOf(b)).toEqual([own as string]);
    expect(pixiRuns(log)).toHaveLength(2);
  }, 120_000);

  test("an env whose .pixi was deleted: status says broken, install rebuilds it", async () => {
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    const log = path.join(dir.path, "pixi.jsonl");
    const env = envFor(root, index, { log });
    const pack = makePack(dir.path, "Damaged", config);
    const hash = configHash(new TextEncoder().encode(config));
    expect((await runCli(["install", pack, "--cuda", "none"], { env })).exitCode).toBe(0);
    fs.rmSync(path.join(root, `_env_${hash}`, ".pixi"), { recursive: true });

    const st = JSON.parse((await runCli(["status", "--json"], { env })).stdout);
    expect(st.envs[0]).toMatchObject({ hash, state: "broken" });
    expect(Bun.spawnSync(["sh", path.join(root, "detect.sh")]).stdout.toString()).toStartWith(`_env_${hash}\tbroken\t`);
    const r = JSON.parse((await runCli(["install", pack, "--json"], { env })).stdout);
    expect(r.envs[0]).toMatchObject({ outcome: "built", hash });
    // The recorded decision was reused: nothing was detected.
    expect(r.decision).toBeNull();
    expect(pixiRuns(log)).toHaveLength(2);
    expect(runEnvPython(path.join(pack, "nodes", `_env_${hash}`), "import cowsay").exitCode).toBe(0);
  }, 120_000);

  test("install --force builds beside the old env and moves the link; remove unlinks; gc frees what nothing links to", async () => {
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    const log = path.join(dir.path, "pixi.jsonl");
    const env = envFor(root, index, { log });
    const pack = makePack(dir.path, "Forced", config);
    const other = makePack(dir.path, "SameConfig", config);
    const hash = configHash(new TextEncoder().encode(config));
    expect((await runCli(["install", pack, other, "--cuda", "none"], { env })).exitCode).toBe(0);

    const forced = JSON.parse((await runCli(["install", pack, "--force", "--json"], { env })).stdout);
    expect(forced.envs[0].outcome).toBe("built");
    const [fresh] = linkOf(pack);
    expect(fresh).not.toBe(`_env_${hash}`);
    expect(linkOf(other)).toEqual([`_env_${hash}`]);
    expect(fs.existsSync(path.join(root, `_env_${hash}`, ".done"))).toBe(true);
    expect(runEnvPython(path.join(pack, "nodes", fresh as string), "import cowsay").exitCode).toBe(0);
    expect(JSON.parse((await runCli(["install", pack, "--json"], { env })).stdout).envs[0].outcome).toBe("reused");
    expect(linkOf(pack)).toEqual([fresh as string]);

    const rm = await runCli(["remove", other, "--json"], { env });
    expect(rm.exitCode).toBe(0);
    expect(JSON.parse(rm.stdout).removed).toEqual([path.join(other, "nodes", `_env_${hash}`)]);
    expect(linkOf(other)).toEqual([]);
    const gc = JSON.parse((await runCli(["gc", "--json"], { env })).stdout);
    expect(gc.removed.map((r: { hash: string }) => r.hash)).toEqual([hash]);
    expect(fs.existsSync(path.join(root, fresh as string, ".done"))).toBe(true);
    expect(fs.readFileSync(path.join(other, "nodes", "comfy-env.toml"), "utf8")).toBe(config);
  }, 120_000);
});
