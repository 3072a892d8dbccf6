import type { HttpError } from "../../util/http.ts";
import type { RenderedError } from "./types.ts";

export const PROXY_HINT = "behind a proxy? set HTTPS_PROXY (and NO_PROXY for hosts to reach directly)";

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
    case "too-large":
      return `the answer ran past ${e.limit} bytes, far more than an index page or checksum list holds`;
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

/** What to do about an HTTP failure: the hints every download's error starts with. */
export function httpHints(e: HttpError): string[] {
  if (e.kind === "write-failed") return ["check free space and permissions of the cache folder (--root / COMFY_ENV_ROOT)"];
  if (e.kind === "http-status" && e.status >= 400 && e.status < 500) return [];
  if (e.kind === "network" && e.code && UNTRUSTED_CERT.has(e.code)) {
    return [
      `the certificate of ${new URL(e.url).host} is not signed by a trusted authority: a proxy or TLS-inspection appliance is the likely cause`,
      "give its CA certificate with SSL_CERT_FILE (a PEM bundle), SSL_CERT_DIR or NODE_EXTRA_CA_CERTS, or add it to the system's trust store",
    ];
  }
  if (e.kind === "too-slow" || e.kind === "timed-out") return [LIMITS_HINT, PROXY_HINT];
  if (e.kind === "too-large") return ["check the URL; a proxy's or captive portal's page in place of the answer is another cause", PROXY_HINT];
  return [PROXY_HINT];
}

/** An HTTP failure on its own; the modules that download wrap it with what they were fetching. */
export function renderHttpError(e: HttpError): RenderedError {
  return { message: "url" in e ? `cannot fetch ${e.url}` : "a download failed", causes: [describeHttpError(e)], hints: httpHints(e) };
}
