import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, symlinkSync } from "node:fs";
import path from "node:path";
import { decideCuda } from "../../src/detect/decision.ts";
import { detectAll } from "../../src/detect/index.ts";
import { BUN } from "../support/cli.ts";
import { tmpdir, type TmpDir } from "../support/tmp.ts";
import { AMD_PCI, buildFakeNvml, FAKE_BIN, FIXTURES, H100_PCI, isolatedEnv, makeFakePython, makeSysfs, RTX4090_PCI, smiCase } from "./helpers.ts";

let dir: TmpDir;
let fakeNvml: string;
beforeAll(async () => {
  dir = await tmpdir();
  fakeNvml = await buildFakeNvml(dir.path, "nvml");
});
afterAll(() => dir[Symbol.asyncDispose]());

async function scratch(): Promise<TmpDir> {
  return tmpdir("ce-detect-");
}

function readLog(file: string): string[] {
  return existsSync(file) ? readFileSync(file, "utf8").split("\n").slice(0, -1) : [];
}

describe("detectAll (Linux order, real probes over fakes)", () => {
  test("NVML answers: nvidia-smi is never run", async () => {
    await using t = await scratch();
    const log = path.join(t.path, "smi.log");
    const env = isolatedEnv(t.path, { COMFY_ENV_NVML_LIB: fakeNvml, PATH: FAKE_BIN, FAKE_NVIDIA_SMI_DIR: smiCase("h100"), FAKE_NVIDIA_SMI_LOG: log });
    const r = await detectAll({ env });
    expect(r.gpuSource).toBe("nvml");
    expect(r.gpus.map((g) => g.name)).toEqual(["NVIDIA H100 80GB HBM3", "NVIDIA GeForce RTX 5090"]);
    expect(r.driver).toEqual({ version: "570.124.06", cuda: "12.8" });
    expect(r.decision).toEqual({ cuda: "12.8", variant: "cu128", torch: "2.8", reason: "Blackwell → 12.8" });
    expect(readLog(log)).toEqual([]);
  });

  test("no NVML: nvidia-smi answers, the driver's CUDA decides", async () => {
    await using t = await scratch();
    const env = isolatedEnv(t.path, { PATH: FAKE_BIN, FAKE_NVIDIA_SMI_DIR: smiCase("h100") });
    const r = await detectAll({ env });
    expect(r.attempts.map((a) => [a.method, a.outcome])).toEqual([
      ["nvml", "failed"],
      ["nvidia-smi", "found"],
    ]);
    expect(r.gpus[0]).toMatchObject({ name: "NVIDIA H100 80GB HBM3", pciBusId: "00000000:18:00.0", architecture: "Hopper", source: "nvidia-smi" });
    expect(r.driver).toEqual({ version: "550.54.15", cuda: "12.4" });
    expect(r.nvcc).toBeNull();
    expect(r.torch).toBeNull();
    expect(r.decision).toEqual({ cuda: "12.4", variant: "cu124", torch: "2.4", reason: "driver supports CUDA 12.4" });
  });

  test("driver not loaded: sysfs still sees the card and its module version", async () => {
    await using t = await scratch();
    makeSysfs(t.path, [RTX4090_PCI], "550.144.03");
    const env = isolatedEnv(t.path, { PATH: FAKE_BIN, FAKE_NVIDIA_SMI_DIR: smiCase("driver-not-loaded") });
    const r = await detectAll({ env });
    expect(r.attempts.map((a) => a.outcome)).toEqual(["failed", "failed", "skipped", "found"]);
    expect(r.attempts[1]?.error?.kind).toBe("call-failed");
    expect(r.gpuSource).toBe("sysfs");
    expect(r.gpus).toHaveLength(1);
    expect(r.gpus[0]).toMatchObject({ vendor: "nvidia", name: null, pciDeviceId: "10de:2684" });
    expect(r.driver.version).toBe("550.144.03");
    expect(r.decision?.reason).toBe("NVIDIA GPU, CUDA version unknown → 12.8");
  });

  test("AMD only: reported, cpu chosen", async () => {
    await using t = await scratch();
    makeSysfs(t.path, [AMD_PCI]);
    const r = await detectAll({ env: isolatedEnv(t.path) });
    expect(r.gpus.map((g) => g.vendor)).toEqual(["amd"]);
    expect(r.gpuSource).toBeNull();
    expect(r.decision).toEqual({ cuda: null, variant: "cpu", torch: "2.8", reason: "no NVIDIA GPU (AMD GPU found; cpu wheels) → cpu" });
  });

  test("AMD is reported next to NVIDIA found by NVML", async () => {
    await using t = await scratch();
    makeSysfs(t.path, [H100_PCI, AMD_PCI]);
    const r = await detectAll({ env: isolatedEnv(t.path, { COMFY_ENV_NVML_LIB: fakeNvml }) });
    expect(r.gpus.map((g) => `${g.vendor}/${g.source}`)).toEqual(["nvidia/nvml", "nvidia/nvml", "amd/sysfs"]);
  });

  test("torch in the given Python lists the GPU when NVML and nvidia-smi cannot; asked once", async () => {
    await using t = await scratch();
    const pyLog = path.join(t.path, "py.log");
    const py = makeFakePython(t.path, path.join(FIXTURES, "torch", "cu124-rtx4090.json"), pyLog);
    makeSysfs(t.path, [RTX4090_PCI]);
    const r = await detectAll({ python: py, env: isolatedEnv(t.path) });
    expect(r.gpuSource).toBe("torch");
    expect(r.torch).toMatchObject({ python: py, version: "2.4.1+cu124", cuda: "12.4" });
    expect(r.decision).toEqual({ cuda: "12.4", variant: "cu124", torch: "2.4", reason: "torch 2.4.1+cu124 built for CUDA 12.4" });
    expect(readLog(pyLog)).toEqual(["devices"]);
  });

  test("with NVML answering, the Python is asked for versions only", async () => {
    await using t = await scratch();
    const pyLog = path.join(t.path, "py.log");
    const py = makeFakePython(t.path, path.join(FIXTURES, "torch", "cpu-build.json"), pyLog);
    const r = await detectAll({ python: py, env: isolatedEnv(t.path, { COMFY_ENV_NVML_LIB: fakeNvml }) });
    expect(r.torch?.version).toBe("2.8.0+cpu");
    expect(readLog(pyLog)).toEqual(["versions"]);
  });

  test.skipIf(!existsSync("/usr/local/bin/nvcc"))("the machine's nvcc decides over the driver", async () => {
    await using t = await scratch();
    const bin = path.join(t.path, "bin");
    await Bun.write(path.join(bin, ".keep"), "");
    symlinkSync("/usr/local/bin/nvcc", path.join(bin, "nvcc"));
    symlinkSync(path.join(FAKE_BIN, "nvidia-smi"), path.join(bin, "nvidia-smi"));
    const r = await detectAll({ env: isolatedEnv(t.path, { PATH: bin, FAKE_NVIDIA_SMI_DIR: smiCase("h100") }) });
    expect(r.nvcc?.version).toBe("13.0");
    expect(r.decision).toEqual({ cuda: "12.8", variant: "cu128", torch: "2.8", reason: "nvcc 13.0 → cu128" });
  });

  test("mixed RTX 4090 + GTX 1070 through nvidia-smi: capped at 12.6 for the Pascal card", async () => {
    await using t = await scratch();
    const r = await detectAll({ env: isolatedEnv(t.path, { PATH: FAKE_BIN, FAKE_NVIDIA_SMI_DIR: smiCase("mixed") }) });
    expect(r.gpus.map((g) => g.architecture)).toEqual(["Ada Lovelace", "Pascal"]);
    expect(r.decision).toEqual({ cuda: "12.6", variant: "cu126", torch: "2.8", reason: "driver supports CUDA 12.8; Pascal GPU → at most 12.6" });
  });

  test("a bad override is reported as the decision error", async () => {
    await using t = await scratch();
    const r = await detectAll({ env: isolatedEnv(t.path, { COMFY_ENV_CUDA_VERSION: "latest" }) });
    expect(r.decision).toBeNull();
    expect(r.decisionError).toEqual({ kind: "bad-cuda-override", value: "latest" });
  });
});

describe("decideCuda", () => {
  test("the override short-circuits every probe", async () => {
    await using t = await scratch();
    const log = path.join(t.path, "smi.log");
    const d = await decideCuda({ env: isolatedEnv(t.path, { PATH: FAKE_BIN, FAKE_NVIDIA_SMI_DIR: smiCase("h100"), FAKE_NVIDIA_SMI_LOG: log, COMFY_ENV_CUDA_VERSION: "12.4" }) });
    expect(d._unsafeUnwrap()).toEqual({ cuda: "12.4", variant: "cu124", torch: "2.4", reason: "COMFY_ENV_CUDA_VERSION=12.4" });
    expect(readLog(log)).toEqual([]);
  });

  test.each([
    ["rtx5090", { variant: "cu128", reason: "Blackwell → 12.8" }],
    ["rtx4090", { variant: "cu126", reason: "driver supports CUDA 12.6" }],
    ["gtx1080", { variant: "cu121", reason: "driver supports CUDA 12.2 → cu121" }],
    ["old-driver-r470", { variant: "cu118", reason: "driver supports CUDA 11.4; 11.x drivers run 11.8 builds" }],
    ["windows", { variant: "cu128", reason: "driver supports CUDA 12.8" }],
  ])("nvidia-smi case %s", async (fixture, want) => {
    await using t = await scratch();
    const d = await decideCuda({ env: isolatedEnv(t.path, { PATH: FAKE_BIN, FAKE_NVIDIA_SMI_DIR: smiCase(fixture) }) });
    expect(d._unsafeUnwrap()).toMatchObject(want);
  });

  test("nothing at all → cpu", async () => {
    await using t = await scratch();
    expect((await decideCuda({ env: isolatedEnv(t.path) }))._unsafeUnwrap()).toEqual({ cuda: null, variant: "cpu", torch: "2.8", reason: "no NVIDIA GPU → cpu" });
  });
});

describe("comfy-env detect (runDetect)", () => {
  const runner = path.join(FIXTURES, "run-detect.ts");
  async function run(args: string[], env: Record<string, string>) {
    const p = Bun.spawn([BUN, runner, ...args], { env, stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    return { stdout, stderr, code };
  }

  test("--json prints one document", async () => {
    await using t = await scratch();
    const r = await run(["--json"], isolatedEnv(t.path, { COMFY_ENV_NVML_LIB: fakeNvml }));
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe(1);
    expect(doc.gpuSource).toBe("nvml");
    expect(doc.decision.variant).toBe("cu128");
  });

  test("human text names GPUs, driver and decision", async () => {
    await using t = await scratch();
    const r = await run([], isolatedEnv(t.path, { PATH: FAKE_BIN, FAKE_NVIDIA_SMI_DIR: smiCase("rtx4090") }));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("gpu 0    NVIDIA GeForce RTX 4090 · Ada Lovelace (8.9) · 24564 MiB · 00000000:01:00.0");
    expect(r.stdout).toContain("driver   560.35.03, supports CUDA 12.6");
    expect(r.stdout).toContain("install  cu126, torch 2.8: driver supports CUDA 12.6");
  });

  test("-v explains failed probes on stderr", async () => {
    await using t = await scratch();
    const r = await run(["-v"], isolatedEnv(t.path));
    expect(r.stderr).toContain("nvml probe: NVML:");
    expect(r.stderr).toContain("nvidia-smi probe: nvidia-smi: not on PATH");
  });

  test("a bad COMFY_ENV_CUDA_VERSION exits 1 with a hint", async () => {
    await using t = await scratch();
    const r = await run([], isolatedEnv(t.path, { COMFY_ENV_CUDA_VERSION: "twelve" }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('COMFY_ENV_CUDA_VERSION="twelve" is not a CUDA version');
    expect(r.stderr).toContain("hint:");
  });

  test("an unknown flag exits 1", async () => {
    await using t = await scratch();
    expect((await run(["--bogus"], isolatedEnv(t.path))).code).toBe(1);
  });
});
