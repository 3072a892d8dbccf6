// `install` of a pack whose root file names other node packs: they are cloned from local bare
// repositories (COMFY_ENV_GIT_BASE=file://…) into custom_nodes and their envs built, in one run.
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { runCli, spawnCli } from "../support/cli.ts";
import { startServer } from "../net/support/servers.ts";
import { makeBareRepo } from "../support/git-repos.ts";
import { tmpdir } from "../support/tmp.ts";
import { envFor, linksIn, runEnvPython, sharedPackIndex } from "./helpers.ts";

const index = sharedPackIndex("ce-e2e-np-");

describe("install with [node_reqs]", () => {
  test("clones the dependency (and its own dependency) into custom_nodes and builds its env; a second run finds them", async () => {
    await using dir = await tmpdir();
    const base = path.join(dir.path, "git");
    makeBareRepo(base, "someone/DepPack", [
      {
        files: {
          "__init__.py": "",
          "comfy-env-root.toml": '[node_reqs]\nPlainPack = { github = "someone/PlainPack", tag = "v2" }\n',
          "nodes/comfy-env.toml": 'python = "3.12"\n\n[pypi-dependencies]\ncowsay = ">=6.0"\n',
        },
      },
    ]);
    makeBareRepo(base, "someone/PlainPack", [{ files: { "__init__.py": "OLD = 1\n" }, tag: "v2" }, { files: { "__init__.py": "NEW = 1\n" } }]);
    const nodes = path.join(dir.path, "ComfyUI", "custom_nodes");
    const pack = path.join(nodes, "Caller");
    fs.mkdirSync(path.join(pack, "nodes"), { recursive: true });
    fs.writeFileSync(path.join(pack, "comfy-env-root.toml"), '[node_reqs]\nDepPack = "someone/DepPack"\nMissing = "someone/Missing"\n');
    fs.writeFileSync(path.join(pack, "nodes", "comfy-env.toml"), 'python = "3.12"\n');
    const env = { ...envFor(path.join(dir.path, "cache"), index, { log: path.join(dir.path, "pixi.jsonl") }), COMFY_ENV_GIT_BASE: `file://${base}` };

    const first = await runCli(["install", pack, "--cuda", "none", "--json"], { env });
    // The missing repository fails the run (exit 3) but not the rest of it.
    expect(first.exitCode).toBe(3);
    expect(first.stderr).toContain("node pack Missing: `git clone --quiet --depth 1");
    const doc = JSON.parse(first.stdout);
    expect(doc.ok).toBe(false);
    expect(doc.nodePacks.map((p: { name: string; outcome: string }) => [p.name, p.outcome])).toEqual([
      ["DepPack", "cloned"],
      ["Missing", "failed"],
      ["PlainPack", "cloned"],
    ]);
    expect(doc.nodePacks[1].error.kind).toBe("git-failed");
    expect(doc.envs.map((e: { label: string; outcome: string }) => [e.label, e.outcome])).toEqual([
      ["Caller/nodes", "built"],
      ["DepPack/nodes", "built"],
    ]);
    expect(fs.readdirSync(nodes).sort()).toEqual(["Caller", "DepPack", "PlainPack"]);
    expect(fs.readFileSync(path.join(nodes, "PlainPack", "__init__.py"), "utf8")).toBe("OLD = 1\n");
    const [link] = linksIn(path.join(nodes, "DepPack", "nodes"));
    expect(runEnvPython(path.join(nodes, "DepPack", "nodes", link!), "import cowsay; print('ok')").stdout).toBe("ok");

    fs.writeFileSync(path.join(pack, "comfy-env-root.toml"), '[node_reqs]\nDepPack = "someone/DepPack"\n');
    const second = await runCli(["install", pack, "--json"], { env: { ...env, COMFY_ENV_GIT_BASE: "file:///nowhere" } });
    expect(second.exitCode).toBe(0);
    const again = JSON.parse(second.stdout);
    expect(again.nodePacks.map((p: { name: string; outcome: string }) => [p.name, p.outcome])).toEqual([
      ["DepPack", "found"],
      ["PlainPack", "found"],
    ]);
    expect(again.envs.map((e: { outcome: string }) => e.outcome)).toEqual(["reused", "reused"]);
  }, 120_000);

  // Linux only: git is found through /proc.
  test.skipIf(process.platform !== "linux")("SIGTERM to comfy-env alone during a clone: git stopped, no half-cloned folder or CA bundle left in custom_nodes, exit 143", async () => {
    await using dir = await tmpdir();
    // A git server that takes the request and never answers: the clone hangs in git.
    const server = await startServer(() => undefined);
    const gitClones = () =>
      fs.readdirSync("/proc").filter((pid) => {
        try {
          const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
          return argv[1] === "clone" && argv.some((a) => a.startsWith(server.origin));
        } catch {
          return false;
        }
      });
    try {
      const nodes = path.join(dir.path, "custom_nodes");
      const pack = path.join(nodes, "Caller");
      fs.mkdirSync(pack, { recursive: true });
      fs.writeFileSync(path.join(pack, "comfy-env-root.toml"), '[node_reqs]\nDepPack = "someone/DepPack"\n');
      const env = { ...envFor(path.join(dir.path, "cache"), index, { log: path.join(dir.path, "l") }), COMFY_ENV_GIT_BASE: server.origin };
      const proc = spawnCli(["install", pack], { env });
      for (let i = 0; i < 300 && server.requests.length === 0; i++) await Bun.sleep(50);
      expect(server.requests[0]?.url).toStartWith("/someone/DepPack/info/refs");
      expect(gitClones()).toHaveLength(1);
      expect(fs.readdirSync(nodes).filter((n) => n.startsWith(".DepPack.")).length).toBeGreaterThan(0);
      proc.kill("SIGTERM");
      expect(await proc.exited).toBe(143);
      expect(await new Response(proc.stderr).text()).toContain("install stopped by SIGTERM");
      expect(gitClones()).toEqual([]);
      expect(fs.readdirSync(nodes)).toEqual(["Caller"]);
    } finally {
      await server.close();
    }
  }, 60_000);

  test("git missing: exit 4, the pack and the command to run; nothing cloned", async () => {
    await using dir = await tmpdir();
    const pack = path.join(dir.path, "custom_nodes", "Caller");
    fs.mkdirSync(pack, { recursive: true });
    fs.writeFileSync(path.join(pack, "comfy-env-root.toml"), '[node_reqs]\nDepPack = "someone/DepPack"\n');
    const env = { ...envFor(path.join(dir.path, "cache"), index, { log: path.join(dir.path, "l") }), PATH: "/nonexistent" };
    const r = await runCli(["install", pack], { env });
    expect(r.exitCode).toBe(4);
    expect(r.stderr).toContain("node pack DepPack: git was not found on PATH");
    expect(r.stderr).toContain(`git clone --quiet --depth 1 https://github.com/someone/DepPack ${path.join(dir.path, "custom_nodes", "DepPack")}`);
    expect(fs.readdirSync(path.join(dir.path, "custom_nodes"))).toEqual(["Caller"]);
  });
});
