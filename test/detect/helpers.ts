import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

export const FIXTURES = path.resolve(import.meta.dir, "..", "fixtures", "detect");
export const FAKE_BIN = path.join(FIXTURES, "bin");
export const SMI_CASES = path.join(FIXTURES, "nvidia-smi");

export function smiCase(name: string): string {
  return path.join(SMI_CASES, name);
}

export async function readFixture(...parts: string[]): Promise<string> {
  return Bun.file(path.join(FIXTURES, ...parts)).text();
}

/** Build the fake NVML library with the machine's gcc; `defines` pick the variant (see fake-nvml.c). */
export async function buildFakeNvml(dir: string, name: string, defines: string[] = []): Promise<string> {
  const out = path.join(dir, `${name}.so`);
  const proc = Bun.spawn(["gcc", "-shared", "-fPIC", "-Wall", "-Werror", ...defines.map((d) => `-D${d}`), "-o", out, path.join(FIXTURES, "fake-nvml.c")], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`gcc failed: ${stderr}`);
  return out;
}

export interface PciDevice {
  address: string;
  vendor: string;
  class: string;
  device: string;
}

/** A sysfs tree under `root` with these PCI functions and, optionally, a loaded nvidia module. */
export function makeSysfs(root: string, devices: PciDevice[], nvidiaModule?: string): string {
  const devDir = path.join(root, "bus", "pci", "devices");
  mkdirSync(devDir, { recursive: true });
  for (const d of devices) {
    const dir = path.join(devDir, d.address);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "vendor"), `${d.vendor}\n`);
    writeFileSync(path.join(dir, "class"), `${d.class}\n`);
    writeFileSync(path.join(dir, "device"), `${d.device}\n`);
  }
  if (nvidiaModule) {
    mkdirSync(path.join(root, "module", "nvidia"), { recursive: true });
    writeFileSync(path.join(root, "module", "nvidia", "version"), `${nvidiaModule}\n`);
  }
  return root;
}

export const HOST_BRIDGE: PciDevice = { address: "0000:00:00.0", vendor: "0x8086", class: "0x060000", device: "0x0d57" };
export const RTX4090_PCI: PciDevice = { address: "0000:01:00.0", vendor: "0x10de", class: "0x030000", device: "0x2684" };
export const RTX4090_AUDIO: PciDevice = { address: "0000:01:00.1", vendor: "0x10de", class: "0x040300", device: "0x22ba" };
export const H100_PCI: PciDevice = { address: "0000:18:00.0", vendor: "0x10de", class: "0x030200", device: "0x2330" };
export const AMD_PCI: PciDevice = { address: "0000:03:00.0", vendor: "0x1002", class: "0x030000", device: "0x744c" };
export const INTEL_IGPU: PciDevice = { address: "0000:00:02.0", vendor: "0x8086", class: "0x030000", device: "0xa780" };

/** A fake Python: a shell script that logs "devices" or "versions" (what it was asked) and prints a recorded torch-probe JSON. */
export function makeFakePython(dir: string, jsonFile: string, log: string): string {
  const file = path.join(dir, "python");
  writeFileSync(file, `#!/bin/sh\nfor a in "$@"; do last="$a"; done\nif [ "$last" = devices ]; then echo devices; else echo versions; fi >> "${log}"\n/bin/cat "${jsonFile}"\n`);
  chmodSync(file, 0o755);
  return file;
}

/** Env for detection tests: nothing from this machine's GPU stack is visible unless a test adds it. */
export function isolatedEnv(sysfsRoot: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: path.join(sysfsRoot, "no-such-bin"),
    COMFY_ENV_NVML_LIB: path.join(sysfsRoot, "no-libnvidia-ml.so.1"),
    COMFY_ENV_SYSFS_ROOT: sysfsRoot,
    ...extra,
  };
}
