import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { runCli } from "../support/cli.ts";
import { tmpdir } from "../support/tmp.ts";
import { buildWheel } from "../support/wheel.ts";
import type { TestServer } from "../support/index-server.ts";
import { envFor, linksIn, makePack, pixiRuns, runEnvPython, startPackIndex } from "./helpers.ts";

const WHEEL_VERSION = "0.3.3+cu128torch2.8";

/** A CUDA-wheel index on loopback: `/<pkg>/` pages as the real index lays them out, and the files. */
async function startWheelsIndex(dir: string): Promise<{ url: string; stop: () => void; requests: string[] }> {
  const wheel = await buildWheel(
    { name: "nvdiffrast", version: WHEEL_VERSION, pythonTag: "cp311", abiTag: "cp311", platformTag: "linux_x86_64", files: { "nvdiffrast/__init__.py": `BUILD = "${WHEEL_VERSION}"\n` } },
    dir,
  );
  const other = "nvdiffrast-0.3.3+cu124torch2.4-cp311-cp311-linux_x86_64.whl";
  const name = path.basename(wheel);
  const requests: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const p = decodeURIComponent(new URL(req.url).pathname);
      requests.push(p);
      if (p === "/nvdiffrast/") {
        const links = [name, other].map((n) => `<a href="${encodeURIComponent(n)}">${n}</a><br>`).join("\n");
        return new Response(`<!DOCTYPE html><html><body><h1>nvdiffrast</h1>\n${links}\n</body></html>`, { headers: { "content-type": "text/html" } });
      }
      if (p === `/nvdiffrast/${name}`) return new Response(Bun.file(wheel));
      return new Response("not found", { status: 404 });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/`, stop: () => server.stop(true), requests };
}

let shared: Awaited<ReturnType<typeof tmpdir>>;
let index: TestServer;
let wheels: Awaited<ReturnType<typeof startWheelsIndex>>;

beforeAll(async () => {
  shared = await tmpdir("ce-cuda-");
  index = await startPackIndex(shared.path);
  wheels = await startWheelsIndex(path.join(shared.path, "cuda-wheels"));
});
afterAll(async () => {
  wheels.stop();
  await index.stop();
  await shared[Symbol.asyncDispose]();
});

describe("install with [cuda] packages", () => {
  test("torch from the CUDA variant's PyTorch index via pixi, nvdiffrast from the CUDA-wheel index after pixi", async () => {
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    const log = path.join(dir.path, "pixi.jsonl");
    const pack = makePack(dir.path, "ComfyUI-Render", 'python = "3.11"\n\n[cuda]\npackages = ["torch", "nvdiffrast"]\n');
    const env = { ...envFor(root, index, { log }), COMFY_ENV_WHEELS_INDEX: wheels.url };
    const r = await runCli(["install", pack, "--cuda", "12.8", "--json"], { env });
    expect(r.stderr).not.toContain("error:");
    expect(r.exitCode).toBe(0);
    const [link] = linksIn(path.join(pack, "nodes"));
    const py = runEnvPython(path.join(pack, "nodes", link as string), "import torch, nvdiffrast; print(torch.__version__, nvdiffrast.BUILD)");
    expect(py.stdout).toBe(`2.8.0 ${WHEEL_VERSION}`);
    expect(wheels.requests).toContain("/nvdiffrast/");

    const build = path.join(root, (link as string));
    const manifest = fs.readFileSync(path.join(build, "pixi.toml"), "utf8");
    expect(manifest).toContain('torch = { version = "==2.8.*", index = "https://download.pytorch.org/whl/cu128" }');
    expect(manifest).not.toContain("nvdiffrast");
    expect(manifest).toContain('cuda = "12"');
    const lock = JSON.parse(fs.readFileSync(path.join(build, "pixi.lock"), "utf8"));
    expect(lock.pypi.find((p: { name: string }) => p.name === "torch").requested.index).toBe("https://download.pytorch.org/whl/cu128");
    const meta = JSON.parse(fs.readFileSync(path.join(build, ".comfy-env-meta.json"), "utf8"));
    expect(meta.torchVariant).toBe("cu128");
    expect(meta.cudaWheels).toEqual([`nvdiffrast-${WHEEL_VERSION}-cp311-cp311-linux_x86_64.whl`]);
    expect(fs.readFileSync(path.join(build, "install.log"), "utf8")).toContain("nvdiffrast");
    expect(pixiRuns(log)).toHaveLength(1);
  }, 90_000);

  test("no wheel for the combination: an error naming package, CUDA, torch, Python, platform and what exists, before the cache is touched", async () => {
    await using dir = await tmpdir();
    const root = path.join(dir.path, "cache");
    const pack = makePack(dir.path, "ComfyUI-Old", 'python = "3.12"\n\n[cuda]\npackages = ["nvdiffrast"]\n');
    const env = { ...envFor(root, index, { log: path.join(dir.path, "l") }), COMFY_ENV_WHEELS_INDEX: wheels.url };
    const r = await runCli(["install", pack, "--cuda", "12.8"], { env });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("nvdiffrast");
    expect(r.stderr).toContain("12.8");
    expect(r.stderr).toContain("cp312");
    expect(r.stderr).toContain("cp311");
    expect(linksIn(path.join(pack, "nodes"))).toEqual([]);
    expect(fs.existsSync(root)).toBe(false);
  }, 90_000);

  test("a CPU build skips CUDA wheels with a warning naming them", async () => {
    await using dir = await tmpdir();
    const pack = makePack(dir.path, "ComfyUI-Cpu", 'python = "3.11"\n\n[cuda]\npackages = ["nvdiffrast"]\n');
    const env = { ...envFor(path.join(dir.path, "cache"), index, { log: path.join(dir.path, "l") }), COMFY_ENV_WHEELS_INDEX: wheels.url };
    const r = await runCli(["install", pack, "--cuda", "none"], { env });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toMatch(/warning: .*nvdiffrast not installed \(CPU build\)/);
  }, 90_000);
});
