import type { OsFamily } from "../util/platform.ts";
import type { GpuMethod } from "./types.ts";

/** What GPU detection tries on one OS: a pure function of the OS so every order is testable anywhere. */
export interface DetectProfile {
  /**
   * GPU probes, first answer with an NVIDIA GPU wins.
   * Linux: NVML (no process spawn, the driver's own API), nvidia-smi, torch, then sysfs (presence only).
   * Windows: nvidia-smi first (nvml.dll loading is the fragile part there), NVML, torch; no sysfs.
   * macOS: no NVIDIA driver exists, so nothing is probed.
   */
  gpuOrder: GpuMethod[];
  /** Library names/paths tried by dlopen, in order. */
  nvmlLibraries: string[];
  /** nvidia-smi locations tried when it is not on PATH. */
  nvidiaSmiFallbacks: string[];
  /** File name of the CUDA compiler. */
  nvccName: string;
}

export function detectProfile(os: OsFamily): DetectProfile {
  switch (os) {
    case "linux":
      return {
        gpuOrder: ["nvml", "nvidia-smi", "torch", "sysfs"],
        // WSL2 keeps the driver's user-space libraries outside the loader path.
        nvmlLibraries: ["libnvidia-ml.so.1", "/usr/lib/wsl/lib/libnvidia-ml.so.1"],
        nvidiaSmiFallbacks: ["/usr/lib/wsl/lib/nvidia-smi"],
        nvccName: "nvcc",
      };
    case "windows":
      return {
        gpuOrder: ["nvidia-smi", "nvml", "torch"],
        nvmlLibraries: ["nvml.dll", "C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvml.dll"],
        nvidiaSmiFallbacks: [
          "C:\\Windows\\System32\\nvidia-smi.exe",
          "C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe",
        ],
        nvccName: "nvcc.exe",
      };
    case "darwin":
      return { gpuOrder: [], nvmlLibraries: [], nvidiaSmiFallbacks: [], nvccName: "nvcc" };
  }
}
