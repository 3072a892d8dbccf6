// Torch CPU tensors through the bridge: host and env both see Debian's python3-torch (CI installs
// it and sets COMFY_ENV_REQUIRE_TORCH=1, so a missing torch fails there instead of skipping).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { tmpdir } from "../support/tmp.ts";
import { debianTorchPython, Host, makeWorld, type World } from "./host.ts";

const torchPython = debianTorchPython();
const required = process.env.COMFY_ENV_REQUIRE_TORCH === "1";
if (!torchPython && !required) console.warn("Debian's python3-torch is not installed: tensor tests skipped");

let dir: Awaited<ReturnType<typeof tmpdir>>;
let world: World;
let host: Host;

beforeAll(async () => {
  if (!torchPython) return;
  dir = await tmpdir("ce-torch-");
  world = await makeWorld(dir.path, { hostBase: torchPython, envSitePaths: ["/usr/lib/python3/dist-packages"] });
  host = new Host(world);
  await host.start();
  await host.send({ op: "load" });
}, 120_000);

afterAll(async () => {
  await host?.close();
  await dir?.[Symbol.asyncDispose]();
});

describe.skipIf(!torchPython && !required)("torch tensors between host and worker", () => {
  test("Debian's torch is there when CI requires it", () => {
    expect(torchPython).toBeDefined();
  });

  const cases: [string, Record<string, unknown>][] = [
    ["an IMAGE-shaped float32 tensor (shared memory)", { shape: [1, 256, 256, 3], dtype: "float32" }],
    ["a small int64 tensor (inline)", { shape: [5], dtype: "int64" }],
    ["a bfloat16 tensor", { shape: [64, 300], dtype: "bfloat16" }],
    ["a non-contiguous view", { shape: [300, 200], dtype: "float32", transpose: true }],
    ["a float16 scalar", { shape: [], dtype: "float16" }],
  ];
  for (const [what, spec] of cases) {
    test(`${what} comes back bit-identical, as a torch tensor of the same dtype and shape`, async () => {
      const inputs = { array: { __tensor__: spec } };
      const iso = await host.send({ op: "run", node: "IsoIdentity", inputs });
      const local = await host.send({ op: "inprocess", folder: world.isoFolder, node: "IsoIdentity", inputs });
      expect(iso.error).toBeUndefined();
      expect(iso.result[0].__torch__).toBeDefined();
      expect(iso.result).toEqual(local.result);
    });
  }

  test("the worker computes on a real tensor under inference mode; a grad-tracking input arrives detached", async () => {
    const inputs = { image: { __tensor__: { shape: [2, 128, 128, 3], dtype: "float32", requires_grad: true } }, factor: 1.5 };
    const iso = await host.send({ op: "run", node: "IsoTorch", inputs });
    expect(iso.error).toBeUndefined();
    expect(iso.result[1]).toBe("torch.float32 cpu grad=False inference=True");
    // The same computation in the host, on a detached input: identical bytes.
    const local = await host.send({
      op: "inprocess",
      folder: world.isoFolder,
      node: "IsoTorch",
      inputs: { ...inputs, image: { __tensor__: { shape: [2, 128, 128, 3], dtype: "float32" } } },
    });
    expect(iso.result[0]).toEqual({ ...local.result[0], __torch__: { ...local.result[0].__torch__, requires_grad: false } });
  });
});
