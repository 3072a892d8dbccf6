// fetchNodePacks against local bare repositories (COMFY_ENV_GIT_BASE=file://…) and a loopback
// registry: what lands in custom_nodes, and that a failed fetch leaves nothing behind.
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { renderNodePackError } from "../../src/cli/errors/nodepacks.ts";
import { fetchNodePacks } from "../../src/nodepacks/fetch.ts";
import { mentionsNodePacks } from "../../src/nodepacks/mentions.ts";
import { packSource } from "../../src/nodepacks/source.ts";
import { makeBareRepo } from "../support/git-repos.ts";
import { startStaticServer } from "../support/index-server.ts";
import { tmpdir } from "../support/tmp.ts";

/** `<dir>/ComfyUI/custom_nodes/Caller` with `rootToml` as its root file. */
function caller(dir: string, rootToml: string): { nodes: string; root: string } {
  const nodes = path.join(dir, "ComfyUI", "custom_nodes");
  fs.mkdirSync(path.join(nodes, "Caller"), { recursive: true });
  const root = path.join(nodes, "Caller", "comfy-env-root.toml");
  fs.writeFileSync(root, rootToml);
  return { nodes, root };
}

const gitEnv = (base: string) => ({ ...process.env, COMFY_ENV_GIT_BASE: `file://${base}` });
const isShallow = (dir: string) => Bun.spawnSync(["git", "-C", dir, "rev-parse", "--is-shallow-repository"]).stdout.toString().trim();
const head = (dir: string) => Bun.spawnSync(["git", "-C", dir, "rev-parse", "HEAD"]).stdout.toString().trim();

describe("git packs", () => {
  test("clones shallow, recursively through root files, at the tag asked for; a cycle and a repeat are skipped", async () => {
    await using dir = await tmpdir();
    const base = path.join(dir.path, "git");
    makeBareRepo(base, "o/Dep", [{ files: { "__init__.py": "", "comfy-env-root.toml": '[node_reqs]\nDep2 = { github = "o/Dep2", tag = "v1" }\nCaller = "o/Caller"\n' } }]);
    makeBareRepo(base, "o/Dep2", [
      { files: { "version.txt": "one\n", "comfy-env-root.toml": '[node_packs]\nDep = "o/Dep"\n' }, tag: "v1" },
      { files: { "version.txt": "two\n" } },
    ]);
    const { nodes, root } = caller(dir.path, '[node_reqs]\nDep = "o/Dep"\n');
    const results = (await fetchNodePacks([root], { env: gitEnv(base) }))._unsafeUnwrap();
    expect(results.map((r) => [r.name, r.outcome, r.source])).toEqual([
      ["Dep", "cloned", `file://${base}/o/Dep`],
      ["Dep2", "cloned", `file://${base}/o/Dep2 (tag v1)`],
    ]);
    expect(results[1]?.requiredBy).toBe(path.join(nodes, "Dep", "comfy-env-root.toml"));
    expect(fs.readFileSync(path.join(nodes, "Dep2", "version.txt"), "utf8")).toBe("one\n");
    expect(isShallow(path.join(nodes, "Dep"))).toBe("true");
    expect(fs.readdirSync(nodes).sort()).toEqual(["Caller", "Dep", "Dep2"]);
  });

  test("a commit is checked out from a full clone", async () => {
    await using dir = await tmpdir();
    const base = path.join(dir.path, "git");
    const [first] = makeBareRepo(base, "o/Dep", [{ files: { "v.txt": "1" } }, { files: { "v.txt": "2" } }]);
    const { nodes, root } = caller(dir.path, `[node_reqs]\nDep = { repo = "o/Dep", commit = "${first}" }\n`);
    expect((await fetchNodePacks([root], { env: gitEnv(base) }))._unsafeUnwrap()[0]?.outcome).toBe("cloned");
    expect(head(path.join(nodes, "Dep"))).toBe(first!);
    expect(fs.readFileSync(path.join(nodes, "Dep", "v.txt"), "utf8")).toBe("1");
  });

  test("an existing folder counts as installed: no git at all", async () => {
    await using dir = await tmpdir();
    const { nodes, root } = caller(dir.path, '[node_reqs]\nDep = "o/Dep"\n');
    fs.mkdirSync(path.join(nodes, "Dep"));
    const results = (await fetchNodePacks([root], { env: { COMFY_ENV_GIT_BASE: "file:///nowhere", PATH: "/nonexistent" } }))._unsafeUnwrap();
    expect(results.map((r) => r.outcome)).toEqual(["found"]);
  });

  test("a failed clone leaves neither the folder nor its temporary copy", async () => {
    await using dir = await tmpdir();
    const base = path.join(dir.path, "git");
    fs.mkdirSync(base);
    const { nodes, root } = caller(dir.path, '[node_reqs]\nGone = "o/Gone"\n');
    const [r] = (await fetchNodePacks([root], { env: gitEnv(base) }))._unsafeUnwrap();
    expect(r?.outcome).toBe("failed");
    expect(r?.error).toMatchObject({ kind: "git-failed", pack: "Gone", command: ["git", "clone", "--quiet", "--depth", "1", `file://${base}/o/Gone`, path.join(nodes, "Gone")] });
    expect(renderNodePackError(r!.error!).message).toStartWith("node pack Gone: `git clone --quiet --depth 1 file://");
    expect(fs.readdirSync(nodes)).toEqual(["Caller"]);
  });

  test("git missing: an error naming the pack and the command to run", async () => {
    await using dir = await tmpdir();
    const { nodes, root } = caller(dir.path, '[node_reqs]\nDep = { github = "o/Dep", branch = "dev" }\n');
    const [r] = (await fetchNodePacks([root], { env: { PATH: "/nonexistent" } }))._unsafeUnwrap();
    expect(r?.error).toEqual({ kind: "git-missing", pack: "Dep", command: ["git", "clone", "--quiet", "--depth", "1", "--branch", "dev", "https://github.com/o/Dep", path.join(nodes, "Dep")] });
    const text = renderNodePackError(r!.error!);
    expect(text.message).toBe("node pack Dep: git was not found on PATH, so it cannot be cloned");
    expect(text.hints?.[1]).toBe(`  git clone --quiet --depth 1 --branch dev https://github.com/o/Dep ${path.join(nodes, "Dep")}`);
    expect(fs.readdirSync(nodes)).toEqual(["Caller"]);
  });

  test("a broken root file of the pack being installed is its config error; of a fetched pack, that entry fails", async () => {
    await using dir = await tmpdir();
    const own = caller(dir.path, "[node_reqs\n");
    expect((await fetchNodePacks([own.root]))._unsafeUnwrapErr()).toMatchObject({ kind: "toml-syntax", file: own.root, line: 1 });

    const base = path.join(dir.path, "git");
    makeBareRepo(base, "o/Dep", [{ files: { "comfy-env-root.toml": "[node_reqs]\nX = 3\n" } }]);
    fs.writeFileSync(own.root, '[node_reqs]\nDep = "o/Dep"\n');
    const [r] = (await fetchNodePacks([own.root], { env: gitEnv(base) }))._unsafeUnwrap();
    expect(r).toMatchObject({ name: "Dep", outcome: "failed", error: { kind: "dependency-config", pack: "Dep", error: { kind: "invalid-value", line: 2 } } });
  });
});

/**
 * A registry on loopback whose API answers for pack `id` with the downloadUrl of a zip of
 * `files` (written by Python's zipfile, as a real one is).
 */
async function registryWith(dir: string, id: string, files: Record<string, string>) {
  const served = path.join(dir, "served");
  fs.mkdirSync(path.join(served, "nodes", id), { recursive: true });
  const zip = path.join(served, `${id}.zip`);
  const py = Bun.spawnSync(["python3", "-c", "import json, sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n  for n, t in json.loads(sys.argv[2]).items(): z.writestr(n, t)", zip, JSON.stringify(files)]);
  expect(py.exitCode).toBe(0);
  const server = await startStaticServer(served);
  const zipUrl = `${server.url}${id}.zip`;
  fs.writeFileSync(path.join(served, "nodes", id, "install"), JSON.stringify({ downloadUrl: zipUrl }));
  return { server, zipUrl, env: { ...process.env, COMFY_ENV_REGISTRY_URL: server.url } };
}

describe("registry packs", () => {
  test("the API's downloadUrl is fetched and unpacked, its single top folder unwrapped", async () => {
    await using dir = await tmpdir();
    const { server, env } = await registryWith(dir.path, "reg-pack", { "reg-pack-1.2.3/__init__.py": "X = 1\n", "reg-pack-1.2.3/sub/a.txt": "a" });
    try {
      const { nodes, root } = caller(dir.path, '[node_reqs]\nRegPack = { registry = "reg-pack", version = "1.2.3" }\n');
      const [r] = (await fetchNodePacks([root], { env }))._unsafeUnwrap();
      expect(r).toMatchObject({ name: "RegPack", outcome: "cloned", source: "registry:reg-pack@1.2.3" });
      expect(fs.readFileSync(path.join(nodes, "RegPack", "__init__.py"), "utf8")).toBe("X = 1\n");
      expect(fs.readFileSync(path.join(nodes, "RegPack", "sub", "a.txt"), "utf8")).toBe("a");
      expect(server.requests).toEqual(["/nodes/reg-pack/install", "/reg-pack.zip"]);
    } finally {
      await server.stop();
    }
  });

  test("a zip naming a file outside the pack's folder: refused before anything is written, nothing left in custom_nodes", async () => {
    await using dir = await tmpdir();
    const { server, zipUrl, env } = await registryWith(dir.path, "evil", { "__init__.py": "", "../Caller/__init__.py": "owned = 1" });
    try {
      const { nodes, root } = caller(dir.path, '[node_reqs]\nEvil = { registry = "evil" }\n');
      const [r] = (await fetchNodePacks([root], { env }))._unsafeUnwrap();
      expect(r?.error).toEqual({ kind: "pack-unsafe-entry", pack: "Evil", url: zipUrl, entry: "../Caller/__init__.py" });
      expect(fs.readdirSync(nodes)).toEqual(["Caller"]);
      expect(fs.readdirSync(path.join(nodes, "Caller"))).not.toContain("__init__.py");
    } finally {
      await server.stop();
    }
  });

  test("offline: fails naming the pack and the URL, nothing left in custom_nodes", async () => {
    await using dir = await tmpdir();
    const { nodes, root } = caller(dir.path, '[node_reqs]\nRegPack = { registry = "reg-pack" }\n');
    const [r] = (await fetchNodePacks([root], { env: { COMFY_ENV_REGISTRY_URL: "http://127.0.0.1:9/" } }))._unsafeUnwrap();
    expect(r?.error).toMatchObject({ kind: "registry-unreachable", pack: "RegPack", url: "http://127.0.0.1:9/nodes/reg-pack/install" });
    expect(renderNodePackError(r!.error!).message).toBe("node pack RegPack: cannot fetch http://127.0.0.1:9/nodes/reg-pack/install");
    expect(fs.readdirSync(nodes)).toEqual(["Caller"]);
  });
});

describe("sources", () => {
  test("COMFY_ENV_GIT_BASE replaces the GitHub host, for owner/repo and GitHub URLs alike", () => {
    const env = { COMFY_ENV_GIT_BASE: "https://mirror.example/gh/" };
    expect(packSource({ name: "A", source: { kind: "git", repo: "o/a" } }, env)).toEqual({ kind: "git", url: "https://mirror.example/gh/o/a" });
    expect(packSource({ name: "A", source: { kind: "git", url: "https://github.com/o/a" } }, env)).toEqual({ kind: "git", url: "https://mirror.example/gh/o/a" });
    expect(packSource({ name: "A", source: { kind: "git", url: "https://gitlab.com/o/a" } }, env)).toEqual({ kind: "git", url: "https://gitlab.com/o/a" });
    expect(packSource({ name: "A", source: { kind: "git", repo: "o/a" } }, {})).toEqual({ kind: "git", url: "https://github.com/o/a" });
    expect(packSource({ name: "A", source: { kind: "registry", id: "a b", version: "1.0" } }, {})).toEqual({ kind: "registry", id: "a b", version: "1.0", url: "https://api.comfy.org/nodes/a%20b/install?version=1.0" });
  });

  test("only root files naming node packs are parsed", () => {
    expect(mentionsNodePacks("[settings]\nisolate = true\n")).toBe(false);
    expect(mentionsNodePacks("# [node_reqs] later\n")).toBe(false);
    expect(mentionsNodePacks("[node_reqs]\nA = 'o/a'\n")).toBe(true);
    expect(mentionsNodePacks("  [ node_packs ]\n")).toBe(true);
    expect(mentionsNodePacks("node_reqs.A = 'o/a'\n")).toBe(true);
  });
});
