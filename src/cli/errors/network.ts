import type { PixiDownloadError } from "../../pixi/download.ts";
import type { HttpError } from "../../util/http.ts";
import type { WheelCombo, WheelError } from "../../wheels/types.ts";
import type { RenderedError } from "./types.ts";

const PROXY_HINT = "behind a proxy? set HTTPS_PROXY (and NO_PROXY for hosts to reach directly)";

/** One line for an HTTP failure, without the URL (callers name it). */
export function describeHttpError(e: HttpError): string {
  switch (e.kind) {
    case "http-status":
      return `the server answered HTTP ${e.status}`;
    case "network":
      return `${e.code ? `${e.code}: ` : ""}${e.message}${e.attempts > 1 ? ` (after ${e.attempts} attempts)` : ""}`;
    case "truncated":
      return `the connection closed after ${e.received} of ${e.expected} bytes${e.attempts > 1 ? ` (after ${e.attempts} attempts)` : ""}`;
    case "too-slow":
      return `the download averaged ${e.bytesPerSecond} B/s over ${e.windowSeconds} s, below the minimum of ${e.minimum} B/s${e.attempts > 1 ? ` (after ${e.attempts} attempts)` : ""}`;
    case "timed-out":
      return `the download was not complete after ${e.seconds} s (${e.received} bytes in the last attempt)`;
    case "write-failed":
      return `cannot write ${e.path}: ${e.message}`;
  }
}

/** OpenSSL/BoringSSL verification failures: the server's chain does not end in a trusted CA. */
const UNTRUSTED_CERT = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_UNTRUSTED",
]);

const LIMITS_HINT = "a slow link? raise COMFY_ENV_DOWNLOAD_TIMEOUT or lower COMFY_ENV_DOWNLOAD_MIN_RATE";

function httpHints(e: HttpError): string[] {
  if (e.kind === "write-failed") return ["check free space and permissions of the cache folder (--root / COMFY_ENV_ROOT)"];
  if (e.kind === "http-status" && e.status >= 400 && e.status < 500) return [];
  if (e.kind === "network" && e.code && UNTRUSTED_CERT.has(e.code)) {
    return [
      `the certificate of ${new URL(e.url).host} is not signed by a trusted authority: a proxy or TLS-inspection appliance is the likely cause`,
      "give its CA certificate with SSL_CERT_FILE (a PEM bundle), SSL_CERT_DIR or NODE_EXTRA_CA_CERTS, or add it to the system's trust store",
    ];
  }
  if (e.kind === "too-slow" || e.kind === "timed-out") return [LIMITS_HINT, PROXY_HINT];
  return [PROXY_HINT];
}

export function renderPixiDownloadError(e: PixiDownloadError): RenderedError {
  const manual = "or install pixi yourself (https://pixi.sh) and set COMFY_ENV_PIXI to its path";
  switch (e.kind) {
    case "unsupported-platform":
      return { message: `no pinned pixi download for platform ${e.platform}`, hints: [manual] };
    case "download-failed":
      return {
        message: `cannot download pixi from ${e.url}`,
        causes: [describeHttpError(e.cause)],
        hints: [...httpHints(e.cause), "a mirror of the pixi releases can be set with COMFY_ENV_PIXI_URL", manual],
      };
    case "checksum-mismatch":
      return {
        message: `pixi download from ${e.url} failed its checksum; refusing to install an unverified binary`,
        causes: [`expected sha256 ${e.expected}`, `got      sha256 ${e.actual} (${e.bytes} bytes)`],
        hints: ["a proxy or mirror (COMFY_ENV_PIXI_URL) served a different or damaged file; rerun, or fix the mirror", manual],
      };
    case "bad-archive":
      return {
        message: `the pixi archive from ${e.url} is unusable`,
        causes: [e.cause.kind === "archive-corrupt" ? `${e.cause.format}: ${e.cause.message}` : `${e.cause.member} not found in the ${e.cause.format} (it holds: ${e.cause.found.join(", ") || "nothing"})`],
        hints: [manual],
      };
    case "install-failed":
      return {
        message: `cannot install pixi at ${e.path}: ${e.message}`,
        hints: ["check that the cache folder is writable, or choose another with --root / COMFY_ENV_ROOT"],
      };
  }
}

/** `cu128 torch2.8 cp311/cp312`, with its platforms in brackets when asked. */
export function describeCombo(c: WheelCombo, withPlatforms: boolean): string {
  const base = `${c.cuda} torch${c.torch} ${c.pythons.join("/")}`;
  return withPlatforms ? `${base} (${c.platforms.join(", ")})` : base;
}

export function renderWheelError(e: WheelError): RenderedError {
  switch (e.kind) {
    case "bad-wheel-query":
      if (e.field === "pkg") return { message: `invalid package name "${e.value}"`, hints: ["give a PyPI project name such as nvdiffrast (no /, no ..)"] };
      return { message: `invalid ${e.field} version "${e.value}"`, hints: ["use major.minor, e.g. --cuda 12.8 --torch 2.8 --python 3.11 --glibc 2.35"] };
    case "no-matching-wheel": {
      const q = e.query;
      const py = `cp${q.python.replace(".", "")}`;
      const want = `No ${q.pkg} wheel for CUDA ${q.cuda} + torch ${q.torch} + ${py} + ${q.platform}`;
      if (e.needs !== undefined) {
        const [lib, needed, have] = "glibc" in e.needs ? ["glibc", e.needs.glibc, q.glibc] : ["macOS", e.needs.macos, q.macos];
        return {
          message: `${want} on ${lib} ${have}: its wheels for this build need ${lib} ${needed} or newer`,
          causes: e.page ? [`read ${e.page}`] : undefined,
          hints: [`build on a system with ${lib} ${needed} or newer (--glibc / --macos name another target's), or move the package from [cuda] to [pypi-dependencies] to build it from source`],
        };
      }
      const has = e.available.length === 0
        ? "the index lists no CUDA wheels for it"
        : e.platformCovered
          ? `the index has: ${e.available.map((c) => describeCombo(c, false)).join(", ")}`
          : `the index has no ${q.platform} wheels; it has: ${e.available.map((c) => describeCombo(c, true)).join(", ")}`;
      return {
        message: `${want}; ${has}`,
        causes: e.page ? [`read ${e.page}`] : undefined,
        hints: [
          "pick a CUDA/torch/Python the index builds (COMFY_ENV_CUDA_VERSION, python = in comfy-env.toml)",
          "or move the package from [cuda] to [pypi-dependencies] to build it from source",
        ],
      };
    }
    case "index-unreachable":
      return {
        message: `cannot read the CUDA-wheel index page ${e.url}`,
        causes: [describeHttpError(e.cause)],
        hints: [...httpHints(e.cause), "another index can be set with COMFY_ENV_WHEELS_INDEX"],
      };
    case "installer-spawn-failed":
      return { message: `cannot run ${e.command[0]}: ${e.message}`, hints: ["the environment's Python is missing; rebuild the environment"] };
    case "wheel-install-failed":
      return {
        message: `installing CUDA wheels failed (exit code ${e.exitCode}): ${e.command.join(" ")}`,
        causes: e.tail,
      };
  }
}
