/**
 * Every environment variable comfy-env reads, declared once with what it does.
 * Modules read them through `readEnv` so the list stays complete.
 */
export const ENV_VARS = {
  /** Cache root for built environments (default ~/.ce; C:/ce on Windows, or <drive>:/ce for a ComfyUI on another drive). Same as --root. */
  COMFY_ENV_ROOT: "COMFY_ENV_ROOT",
  /** Free space (GB) a build needs on the cache's volume before it starts (default 2; 0: no check). */
  COMFY_ENV_MIN_FREE_GB: "COMFY_ENV_MIN_FREE_GB",
  /** Path of the pixi executable to use; skips the search. */
  COMFY_ENV_PIXI: "COMFY_ENV_PIXI",
  /** Base URL for downloading pixi releases (mirrors, air-gapped sites, tests). */
  COMFY_ENV_PIXI_URL: "COMFY_ENV_PIXI_URL",
  /** CUDA version to build for ("12.8", or "none"/"cpu" for CPU builds), overriding detection. */
  COMFY_ENV_CUDA_VERSION: "COMFY_ENV_CUDA_VERSION",
  /** CUDA-wheel index base URL (default the public cuda-wheels index). */
  COMFY_ENV_WHEELS_INDEX: "COMFY_ENV_WHEELS_INDEX",
  /** Path of libnvidia-ml to load instead of the system one. */
  COMFY_ENV_NVML_LIB: "COMFY_ENV_NVML_LIB",
  /** Root of the sysfs tree GPU detection reads (default /sys): containers, tests. */
  COMFY_ENV_SYSFS_ROOT: "COMFY_ENV_SYSFS_ROOT",
  /** Seconds a build waits for a lock held by a live process before taking it over (default 1800). */
  COMFY_ENV_LOCK_TIMEOUT: "COMFY_ENV_LOCK_TIMEOUT",
  /** Base URL standing in for https://github.com when [node_reqs] packs are cloned (mirrors; file:// works). */
  COMFY_ENV_GIT_BASE: "COMFY_ENV_GIT_BASE",
  /** Base URL of the Comfy registry API for [node_reqs] registry entries (default https://api.comfy.org). */
  COMFY_ENV_REGISTRY_URL: "COMFY_ENV_REGISTRY_URL",
  /** Seconds one whole download (pixi, self-update) may take, retries included (600). */
  COMFY_ENV_DOWNLOAD_TIMEOUT: "COMFY_ENV_DOWNLOAD_TIMEOUT",
  /** Bytes per second a download must average over the rate window, else that attempt is given up (1024). */
  COMFY_ENV_DOWNLOAD_MIN_RATE: "COMFY_ENV_DOWNLOAD_MIN_RATE",
  /** Seconds over which the download rate is averaged (30). */
  COMFY_ENV_DOWNLOAD_RATE_WINDOW: "COMFY_ENV_DOWNLOAD_RATE_WINDOW",
  /** Release download base for self-update (and install.sh): <base>/latest/download/<asset>. */
  COMFY_ENV_DOWNLOAD_URL: "COMFY_ENV_DOWNLOAD_URL",
  /** Read by the Python bridge: the comfy-env executable to run (a path, or a JSON argv array). */
  COMFY_ENV_BIN: "COMFY_ENV_BIN",
  /** Read by the Python bridge: seconds one node call may take before its worker is restarted (600). */
  COMFY_ENV_CALL_TIMEOUT: "COMFY_ENV_CALL_TIMEOUT",
  /** Read by the Python bridge: 0 refuses the full-pickle fallback for objects outside the safe codec. */
  COMFY_ENV_ALLOW_PICKLE: "COMFY_ENV_ALLOW_PICKLE",
  /** Milliseconds between the supervisor's pings of idle workers (5000); 3 silent intervals kill a hung worker. */
  COMFY_ENV_PING_MS: "COMFY_ENV_PING_MS",
  /** Bytes a worker's log may reach before it moves to `<log>.1` (10 MiB): a worker keeps at most twice this. */
  COMFY_ENV_WORKER_LOG_MAX: "COMFY_ENV_WORKER_LOG_MAX",
  /** Seconds a worker may stay unused before the supervisor stops it (unset: never); the next call starts it again. */
  COMFY_ENV_WORKER_IDLE_S: "COMFY_ENV_WORKER_IDLE_S",
  /** `tcp` makes workers listen on 127.0.0.1 instead of a Unix socket (always so on Windows). */
  COMFY_ENV_WORKER_TRANSPORT: "COMFY_ENV_WORKER_TRANSPORT",
  /** A PEM bundle of certificate authorities every download trusts too (a TLS-inspecting proxy's CA). */
  SSL_CERT_FILE: "SSL_CERT_FILE",
  /** Folders (path list) of PEM certificate authorities every download trusts too. */
  SSL_CERT_DIR: "SSL_CERT_DIR",
  /** Node's variable for extra certificate authorities: honoured as SSL_CERT_FILE is. */
  NODE_EXTRA_CA_CERTS: "NODE_EXTRA_CA_CERTS",
  /** The per-user configuration folder (freedesktop.org base directory spec; default ~/.config): `comfy-env/bridges.json` lists where `bridge install` put the bridge. */
  XDG_CONFIG_HOME: "XDG_CONFIG_HOME",
  /** Windows' per-user roaming application-data folder: `comfy-env\\bridges.json` there, as XDG_CONFIG_HOME's elsewhere. */
  APPDATA: "APPDATA",
  /** The per-user runtime folder (freedesktop.org base directory spec): worker sockets, logs and `ps` state go under it when it is private. */
  XDG_RUNTIME_DIR: "XDG_RUNTIME_DIR",
  /** Disable colour in output (https://no-color.org). */
  NO_COLOR: "NO_COLOR",
  /** Colour even when stderr is not a terminal (`0` or `false`: never); NO_COLOR and --color win. */
  FORCE_COLOR: "FORCE_COLOR",
  /** `dumb`: a terminal that cannot redraw a line or show colour, so neither is used. */
  TERM: "TERM",
} as const;

export type EnvVarName = keyof typeof ENV_VARS;

/** A non-empty environment variable, or undefined. */
export function readEnv(name: EnvVarName, env: Record<string, string | undefined> = process.env): string | undefined {
  const v = env[ENV_VARS[name]];
  return v === undefined || v === "" ? undefined : v;
}
