import type { OsFamily } from "../util/platform.ts";
import type { GpuMethod } from "./types.ts";

/**
 * NVML's file name, the loader cache to ask for it (Linux `ldconfig -p`), and the driver's folders.
 * Never a bare name: bun:ffi resolves one against the current directory, which is a pack's folder.
 */
export interface NvmlSources {
  file: string;
  /** Absolute path of ldconfig, or null where there is no loader cache. */
  ldconfig: string | null;
  folders: string[];
}

/** What GPU detection tries on one OS: a pure function of the OS so every order is testable anywhere. */
export interface DetectProfile {
  /**
   * GPU probes, first answer with an NVIDIA GPU wins.
   * Linux: NVML (no process spawn, the driver's own API), nvidia-smi, torch, then sysfs (presence only).
   * Windows: nvidia-smi first (nvml.dll loading is the fragile part there), NVML, torch; no sysfs.
   * macOS: no NVIDIA driver exists, so nothing is probed.
   */
  gpuOrder: GpuMethod[];
  /** Where NVML may be loaded from: absolute paths only (see nvml-paths.ts). */
  nvml: NvmlSources;
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
        nvml: {
          file: "libnvidia-ml.so.1",
          ldconfig: "/sbin/ldconfig",
          // Distro multiarch and lib64 folders, the NVIDIA container runtime's, and WSL2's (outside the loader path).
          folders: ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib", "/usr/local/nvidia/lib64", "/usr/lib/wsl/lib"],
        },
        nvidiaSmiFallbacks: ["/usr/lib/wsl/lib/nvidia-smi"],
        nvccName: "nvcc",
      };
    case "windows":
      return {
        gpuOrder: ["nvidia-smi", "nvml", "torch"],
        // The driver installs nvml.dll in System32 (DCH drivers) or NVSMI (older ones).
        nvml: { file: "nvml.dll", ldconfig: null, folders: ["C:\\Windows\\System32", "C:\\Program Files\\NVIDIA Corporation\\NVSMI"] },
        nvidiaSmiFallbacks: [
          "C:\\Windows\\System32\\nvidia-smi.exe",
          "C:\\Program Files\\NVIDIA Corporation\\NVSMI\\nvidia-smi.exe",
        ],
        nvccName: "nvcc.exe",
      };
    case "darwin":
      return { gpuOrder: [], nvml: { file: "", ldconfig: null, folders: [] }, nvidiaSmiFallbacks: [], nvccName: "nvcc" };
  }
}
