import { dlopen, FFIType, type Pointer } from "bun:ffi";
import { err, messageOf, ok, type Result } from "../util/result.ts";
import { architectureOf, formatComputeCapability } from "./arch.ts";
import { nvmlCandidates } from "./nvml-paths.ts";
import type { NvmlSources } from "./platforms.ts";
import type { Env, GpuInfo, GpuProbeAnswer, ProbeError } from "./types.ts";

/** What the NVML calls returned, before interpretation; null where a call failed. */
export interface NvmlRaw {
  driverVersion: Uint8Array | null;
  /** nvmlSystemGetCudaDriverVersion: 12040 for 12.4. */
  cudaDriverVersion: number | null;
  devices: { name: Uint8Array | null; computeCapability: [number, number] | null; memoryTotalBytes: bigint | null; pci?: Uint8Array | null }[];
}

const NAME_BUFFER = 96; // NVML_DEVICE_NAME_V2_BUFFER_SIZE
// nvmlPciInfo_t (the _v3 layout): busIdLegacy[16], domain, bus, device, pciDeviceId (device << 16 |
// vendor), pciSubSystemId (u32 each), busId[32].
const PCI_INFO_SIZE = 68;
const PCI_DEVICE_ID_AT = 28;
const PCI_BUS_ID_AT = 36;
const DRIVER_BUFFER = 80; // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE
const NVML_SUCCESS = 0;

/** Text of a NUL-terminated C string buffer. */
export function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end === -1 ? bytes : bytes.subarray(0, end)).trim();
}

/** 12040 → "12.4" (NVML encodes major*1000 + minor*10). */
export function cudaFromNvml(v: number): string | null {
  if (!Number.isInteger(v) || v <= 0) return null;
  return `${Math.floor(v / 1000)}.${Math.floor((v % 1000) / 10)}`;
}

/** nvmlPciInfo_t → the bus id as nvidia-smi prints it and "vendor:device" as sysfs has it. */
export function pciFromNvml(info: Uint8Array): { busId: string | null; deviceId: string | null } {
  const id = new DataView(info.buffer, info.byteOffset, info.byteLength).getUint32(PCI_DEVICE_ID_AT, true);
  const hex = (n: number) => n.toString(16).padStart(4, "0");
  return { busId: cString(info.subarray(PCI_BUS_ID_AT)) || null, deviceId: id ? `${hex(id & 0xffff)}:${hex(id >>> 16)}` : null };
}

export function nvmlAnswer(raw: NvmlRaw): GpuProbeAnswer {
  const driverVersion = raw.driverVersion ? cString(raw.driverVersion) || null : null;
  const gpus: GpuInfo[] = raw.devices.map((d, index) => {
    const cc = d.computeCapability ? { major: d.computeCapability[0], minor: d.computeCapability[1] } : null;
    const pci = d.pci ? pciFromNvml(d.pci) : null;
    return {
      index,
      vendor: "nvidia",
      name: d.name ? cString(d.name) || null : null,
      pciBusId: pci?.busId ?? null,
      pciDeviceId: pci?.deviceId ?? null,
      computeCapability: cc ? formatComputeCapability(cc) : null,
      architecture: cc ? architectureOf(cc) : null,
      vramMiB: d.memoryTotalBytes === null ? null : Number(d.memoryTotalBytes / 1048576n),
      driverVersion,
      source: "nvml",
    };
  });
  return { gpus, driver: { version: driverVersion, cuda: raw.cudaDriverVersion === null ? null : cudaFromNvml(raw.cudaDriverVersion) } };
}

// Signatures as in nvml.h (docs/reference.md §5.2). A wrong one crashes the process, so this set stays small.
// nvmlDeviceGetPciInfo_v3 comes with the _v2 generation only: the older struct has another layout.
function symbols(v2: boolean) {
  const s = v2 ? "_v2" : "";
  return {
    ...(v2 ? { nvmlDeviceGetPciInfo_v3: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.i32 } } : {}),
    [`nvmlInit${s}`]: { args: [], returns: FFIType.i32 },
    nvmlShutdown: { args: [], returns: FFIType.i32 },
    [`nvmlDeviceGetCount${s}`]: { args: [FFIType.ptr], returns: FFIType.i32 },
    [`nvmlDeviceGetHandleByIndex${s}`]: { args: [FFIType.u32, FFIType.ptr], returns: FFIType.i32 },
    nvmlDeviceGetName: { args: [FFIType.ptr, FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
    nvmlDeviceGetCudaComputeCapability: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
    nvmlDeviceGetMemoryInfo: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
    nvmlSystemGetDriverVersion: { args: [FFIType.ptr, FFIType.u32], returns: FFIType.i32 },
    [`nvmlSystemGetCudaDriverVersion${s}`]: { args: [FFIType.ptr], returns: FFIType.i32 },
  } as const;
}

type Call = (...args: unknown[]) => number;

/** The NVML entry points under one set of names, whichever generation the library exports. */
interface NvmlCalls {
  init: Call;
  shutdown: Call;
  count: Call;
  handle: Call;
  name: Call;
  computeCapability: Call;
  memory: Call;
  /** Absent from the pre-_v2 generation. */
  pci: Call | null;
  driver: Call;
  cudaDriver: Call;
  close(): void;
}

/** dlopen with the _v2 names, else the original names (drivers without the _v2 entry points). */
function openNvml(lib: string): Result<NvmlCalls, string> {
  let lastError = "";
  for (const v2 of [true, false]) {
    try {
      const l = dlopen(lib, symbols(v2));
      const f = l.symbols as unknown as Record<string, Call>;
      const s = v2 ? "_v2" : "";
      const pick = (name: string): Call => f[name] as Call;
      return ok({
        init: pick(`nvmlInit${s}`),
        shutdown: pick("nvmlShutdown"),
        count: pick(`nvmlDeviceGetCount${s}`),
        handle: pick(`nvmlDeviceGetHandleByIndex${s}`),
        name: pick("nvmlDeviceGetName"),
        computeCapability: pick("nvmlDeviceGetCudaComputeCapability"),
        memory: pick("nvmlDeviceGetMemoryInfo"),
        pci: v2 ? pick("nvmlDeviceGetPciInfo_v3") : null,
        driver: pick("nvmlSystemGetDriverVersion"),
        cudaDriver: pick(`nvmlSystemGetCudaDriverVersion${s}`),
        close: () => l.close(),
      });
    } catch (e) {
      lastError = messageOf(e);
    }
  }
  return err(lastError);
}

/** Init, read, shutdown. Only buffers this function owns are handed to NVML. */
function readNvml(nvml: NvmlCalls): Result<NvmlRaw, ProbeError> {
  const rc = nvml.init();
  if (rc !== NVML_SUCCESS) return err({ kind: "call-failed", what: "NVML", message: `nvmlInit returned ${rc}` });
  try {
    const count = new Uint32Array(1);
    const crc = nvml.count(count);
    if (crc !== NVML_SUCCESS) return err({ kind: "call-failed", what: "NVML", message: `nvmlDeviceGetCount returned ${crc}` });
    const driver = new Uint8Array(DRIVER_BUFFER);
    const cuda = new Int32Array(1);
    const raw: NvmlRaw = {
      driverVersion: nvml.driver(driver, DRIVER_BUFFER) === NVML_SUCCESS ? driver : null,
      cudaDriverVersion: nvml.cudaDriver(cuda) === NVML_SUCCESS ? (cuda[0] as number) : null,
      devices: [],
    };
    for (let i = 0; i < (count[0] as number); i++) {
      const handleOut = new BigUint64Array(1);
      if (nvml.handle(i, handleOut) !== NVML_SUCCESS) continue;
      const handle = Number(handleOut[0]) as Pointer;
      const name = new Uint8Array(NAME_BUFFER);
      const major = new Int32Array(1);
      const minor = new Int32Array(1);
      const memory = new BigUint64Array(3); // nvmlMemory_t: total, free, used
      const pci = new Uint8Array(PCI_INFO_SIZE);
      raw.devices.push({
        name: nvml.name(handle, name, NAME_BUFFER) === NVML_SUCCESS ? name : null,
        computeCapability: nvml.computeCapability(handle, major, minor) === NVML_SUCCESS ? [major[0] as number, minor[0] as number] : null,
        memoryTotalBytes: nvml.memory(handle, memory) === NVML_SUCCESS ? (memory[0] as bigint) : null,
        pci: nvml.pci && nvml.pci(handle, pci) === NVML_SUCCESS ? pci : null,
      });
    }
    return ok(raw);
  } finally {
    nvml.shutdown();
  }
}

/** NVML through bun:ffi. A missing library, a missing symbol or a failing call is an error value. */
export function probeNvml(env: Env, sources: NvmlSources): Result<GpuProbeAnswer, ProbeError> {
  const found = nvmlCandidates(env, sources);
  if ("refused" in found) return err({ kind: "not-found", what: "NVML", message: found.refused });
  const missing: string[] = [];
  for (const lib of found.paths) {
    const opened = openNvml(lib);
    if (opened.isErr()) {
      missing.push(opened.error);
      continue;
    }
    let raw: Result<NvmlRaw, ProbeError>;
    try {
      raw = readNvml(opened.value);
    } catch (e) {
      // bun:ffi rejects argument types it cannot convert by throwing.
      raw = err({ kind: "call-failed", what: "NVML", message: messageOf(e) });
    }
    opened.value.close();
    return raw.map(nvmlAnswer);
  }
  return err({ kind: "not-found", what: "NVML", message: missing.join("; ") || "no library for this OS" });
}
