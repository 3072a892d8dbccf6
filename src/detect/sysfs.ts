import { readEnv } from "../util/env.ts";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { err, messageOf, ok, type Result } from "../util/result.ts";
import type { Env, GpuInfo, GpuProbeAnswer, GpuVendor, ProbeError } from "./types.ts";

const VENDORS: Record<string, GpuVendor> = { "0x10de": "nvidia", "0x1002": "amd", "0x8086": "intel" };
/** PCI base class/subclass: VGA-compatible controller, 3D controller (headless datacenter GPUs). */
const DISPLAY_CLASSES = new Set([0x0300, 0x0302]);

/** sysfs root: COMFY_ENV_SYSFS_ROOT (test trees, containers with /sys elsewhere), else /sys. */
export function defaultSysfsRoot(env: Env): string {
  return readEnv("COMFY_ENV_SYSFS_ROOT", env) ?? "/sys";
}

/** GPU vendor of one PCI function from its `vendor` and `class` files, null when not a GPU we know. */
export function classifyPciDevice(vendorText: string, classText: string): GpuVendor | null {
  const vendor = VENDORS[vendorText.trim().toLowerCase()];
  const cls = Number.parseInt(classText.trim(), 16);
  if (!vendor || Number.isNaN(cls) || !DISPLAY_CLASSES.has(cls >> 8)) return null;
  return vendor;
}

function readTrimmed(file: string): string | null {
  try {
    return readFileSync(file, "utf8").trim();
  } catch {
    return null;
  }
}

/** Every NVIDIA/AMD/Intel display device under <root>/bus/pci/devices, plus the loaded NVIDIA module version. */
export function scanSysfs(root: string): Result<GpuProbeAnswer, ProbeError> {
  const devicesDir = path.join(root, "bus", "pci", "devices");
  let entries: string[];
  try {
    entries = readdirSync(devicesDir).sort();
  } catch (e) {
    return err({ kind: "not-found", what: "sysfs", message: messageOf(e) });
  }
  const driverVersion = readTrimmed(path.join(root, "module", "nvidia", "version"));
  const perVendor: Partial<Record<GpuVendor, number>> = {};
  const gpus: GpuInfo[] = [];
  for (const address of entries) {
    const dir = path.join(devicesDir, address);
    const vendorText = readTrimmed(path.join(dir, "vendor"));
    const classText = readTrimmed(path.join(dir, "class"));
    if (vendorText === null || classText === null) continue;
    const vendor = classifyPciDevice(vendorText, classText);
    if (!vendor) continue;
    const device = readTrimmed(path.join(dir, "device"));
    const index = perVendor[vendor] ?? 0;
    perVendor[vendor] = index + 1;
    gpus.push({
      index,
      vendor,
      name: null,
      pciBusId: address,
      pciDeviceId: device ? `${vendorText.replace(/^0x/i, "")}:${device.replace(/^0x/i, "")}`.toLowerCase() : null,
      computeCapability: null,
      architecture: null,
      vramMiB: null,
      driverVersion: vendor === "nvidia" ? driverVersion : null,
      source: "sysfs",
    });
  }
  return ok({ gpus, driver: { version: driverVersion, cuda: null } });
}
