// Envs built from real corpus configs with their real PyPI packages: the pixi stand-in installs
// [pypi-dependencies] with the real uv from PyPI (PIXI_STANDIN_UV), and torch from the machine's
// local CPU wheel (PIXI_STANDIN_TORCH_WHEELS). Needs the network to PyPI; the other e2e tests
// stay on the offline local index.
import { afterAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runCli } from "../support/cli.ts";
import { testWithPythons } from "../support/pythons.ts";
import { findUv, localTorchWheel, missing } from "../support/real-packages.ts";
import { tmpdir } from "../support/tmp.ts";
import { buildTorchStandins } from "../support/wheel.ts";
import { envFor, FIXTURES, linksIn, makePack, runEnvPython, sharedPackIndex } from "./helpers.ts";

const uv = findUv();
if (!uv) missing("uv (pip install uv)");
// Known before the tests are collected, so the torch test can be skipped when there is none.
const torchDir = fs.mkdtempSync(path.join(os.tmpdir(), "ce-torch-"));
const hasTorch = uv !== undefined && localTorchWheel(torchDir) !== undefined;
if (uv && !hasTorch) console.warn("warning: no local torch 2.13.0 wheel (pip download torch==2.13.0 --no-index failed); skipping the torch config");

const index = sharedPackIndex("ce-real-");
afterAll(() => fs.rmSync(torchDir, { recursive: true, force: true }));

/** Install one corpus config as `<Pack>/nodes/comfy-env.toml`; returns the env link and the lock. */
async function installFixture(dir: string, fixture: string, opts: { torchWheels?: string } = {}) {
  const pack = makePack(dir, "RealPack", fs.readFileSync(path.join(FIXTURES, fixture)));
  const env = envFor(path.join(dir, "cache"), index, { log: path.join(dir, "pixi.jsonl"), uv: true, ...opts });
  const r = await runCli(["install", pack, "--cuda", "none", "--json"], { env });
  if (r.exitCode !== 0) throw new Error(`install failed (${r.exitCode}):\n${r.stderr}`);
  const [link] = linksIn(path.join(pack, "nodes"));
  const linkPath = path.join(pack, "nodes", link!);
  const lock = JSON.parse(fs.readFileSync(path.join(fs.realpathSync(linkPath), "..", "..", "..", "pixi.lock"), "utf8"));
  return { link: linkPath, lock };
}

describe.if(uv !== undefined)("real corpus configs, real PyPI packages", () => {
  testWithPythons("3.12")("ComfyUI-UML: httpx and kroki from PyPI, imported in the env's Python 3.12", async () => {
    await using dir = await tmpdir();
    // Every env gets the torch family; this one takes the tiny stand-ins, so no PyTorch index is asked.
    const standins = path.join(dir.path, "torch-standins");
    await buildTorchStandins(standins);
    const { link, lock } = await installFixture(dir.path, "antoinebou12__ComfyUI-UML__nodes_comfy-env.toml", { torchWheels: standins });
    expect(lock.generator).toContain("(uv)");
    const py = runEnvPython(link, "import sys, httpx, kroki; from importlib.metadata import version; print('%d.%d' % sys.version_info[:2], version('httpx'))");
    expect(py.stderr).toBe("");
    const [pyVersion, httpxVersion] = py.stdout.split(" ");
    expect(pyVersion).toBe("3.12");
    expect(Number(httpxVersion!.split(".")[1])).toBeGreaterThanOrEqual(24);
  }, 300_000);

  (hasTorch ? testWithPythons("3.11") : test.skip)("OpenBlender3D depthanythingv3: e3nn from PyPI on the local CPU torch 2.13", async () => {
    await using dir = await tmpdir();
    const { link, lock } = await installFixture(dir.path, "PGCRT__ComfyUI-OpenBlender3D-Pack__components_depthanythingv3_nodes_comfy-env.toml", { torchWheels: torchDir });
    const py = runEnvPython(link, "import torch, e3nn; from e3nn import o3; print(torch.__version__, o3.Irreps('1x0e+1x1o').dim)");
    expect(py.stderr).toBe("");
    expect(py.stdout).toBe("2.13.0+cpu 4");
    expect(lock.pypi.map((p: { name: string }) => p.name)).toContain("e3nn");
  }, 600_000);
});
