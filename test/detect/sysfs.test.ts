import { describe, expect, test } from "bun:test";
import { classifyPciDevice, defaultSysfsRoot, scanSysfs } from "../../src/detect/sysfs.ts";
import type { GpuVendor } from "../../src/detect/types.ts";
import { tmpdir } from "../support/tmp.ts";
import { AMD_PCI, H100_PCI, HOST_BRIDGE, INTEL_IGPU, makeSysfs, RTX4090_AUDIO, RTX4090_PCI } from "./helpers.ts";

describe("classifyPciDevice", () => {
  test.each<[string, string, GpuVendor | null]>([
    ["0x10de", "0x030000", "nvidia"],
    ["0x10de", "0x030200", "nvidia"],
    ["0x10DE", "0x030200", "nvidia"],
    ["0x1002", "0x030000", "amd"],
    ["0x8086", "0x030000", "intel"],
    ["0x10de", "0x040300", null], // the card's HDMI audio function
    ["0x8086", "0x060000", null], // host bridge
    ["0x10de", "0x038000", null],
    ["0x1af4", "0x030000", null], // virtio GPU: not a vendor we build for
  ])("%s %s → %p", (vendor, cls, want) => expect(classifyPciDevice(vendor, cls)).toBe(want));
});

describe("scanSysfs over a fake tree", () => {
  test("NVIDIA GPUs with PCI ids and the module's driver version; audio and bridges skipped", async () => {
    await using dir = await tmpdir();
    makeSysfs(dir.path, [HOST_BRIDGE, RTX4090_PCI, RTX4090_AUDIO, H100_PCI], "550.144.03");
    const a = scanSysfs(dir.path)._unsafeUnwrap();
    expect(a.driver).toEqual({ version: "550.144.03", cuda: null });
    expect(a.gpus).toEqual([
      { index: 0, vendor: "nvidia", name: null, pciBusId: "0000:01:00.0", pciDeviceId: "10de:2684", computeCapability: null, architecture: null, vramMiB: null, driverVersion: "550.144.03", source: "sysfs" },
      { index: 1, vendor: "nvidia", name: null, pciBusId: "0000:18:00.0", pciDeviceId: "10de:2330", computeCapability: null, architecture: null, vramMiB: null, driverVersion: "550.144.03", source: "sysfs" },
    ]);
  });

  test("AMD and Intel are reported with their own indices", async () => {
    await using dir = await tmpdir();
    makeSysfs(dir.path, [INTEL_IGPU, AMD_PCI]);
    const a = scanSysfs(dir.path)._unsafeUnwrap();
    expect(a.gpus.map((g) => [g.vendor, g.index, g.pciDeviceId, g.driverVersion])).toEqual([
      ["intel", 0, "8086:a780", null],
      ["amd", 0, "1002:744c", null],
    ]);
  });

  test("no PCI tree is not-found", async () => {
    await using dir = await tmpdir();
    expect(scanSysfs(dir.path)._unsafeUnwrapErr().kind).toBe("not-found");
  });

  test("root from COMFY_ENV_SYSFS_ROOT, else /sys", () => {
    expect(defaultSysfsRoot({})).toBe("/sys");
    expect(defaultSysfsRoot({ COMFY_ENV_SYSFS_ROOT: "" })).toBe("/sys");
    expect(defaultSysfsRoot({ COMFY_ENV_SYSFS_ROOT: "/tmp/fake" })).toBe("/tmp/fake");
  });
});
