import { sha256 } from "./sha256.ts";
import { open, rm } from "node:fs/promises";
// Bun replaces the bare "undici" specifier with a built-in stub whose EnvHttpProxyAgent does
// nothing; the file path reaches the real package (proxy variables, redirect interceptor).
import { EnvHttpProxyAgent, interceptors, request, type Dispatcher } from "undici/index.js";
import { VERSION } from "../version.ts";
import { CA_VARS, trustedCertificates } from "./tls.ts";
import { readEnv } from "./env.ts";
import { onInterrupt } from "./interrupt.ts";
import { codeOf, err, messageOf, ok, ResultAsync, type Result } from "./result.ts";

/** Sent on every request: mirrors and proxies see who is asking. */
export const USER_AGENT = `comfy-env/${VERSION}`;

export type HttpError =
  | { kind: "http-status"; url: string; status: number }
  | { kind: "network"; url: string; code?: string; message: string; attempts: number }
  | { kind: "truncated"; url: string; expected: number; received: number; attempts: number }
  /** Below the minimum rate over the rate window: a stalled or trickling connection. */
  | { kind: "too-slow"; url: string; bytesPerSecond: number; minimum: number; windowSeconds: number; attempts: number }
  /** The whole download (attempts and pauses) ran past its time bound. */
  | { kind: "timed-out"; url: string; seconds: number; received: number; attempts: number }
  /** A text answer (index page, checksum list) past its size bound: a wrong URL or a portal page streaming on. */
  | { kind: "too-large"; url: string; limit: number }
  | { kind: "write-failed"; path: string; message: string };

export interface HttpOptions {
  /** Pause before each retry; its length is the number of retries (default 0.5 s, 1.5 s, 3 s). */
  retryDelaysMs?: readonly number[];
}

export interface BoundedOptions extends HttpOptions {
  /** Default: downloadLimits() from the environment. */
  limits?: DownloadLimits;
}

export interface TextOptions extends BoundedOptions {
  /** The largest answer taken (default 64 MiB; the largest index page seen is well under 1 MiB). */
  maxBytes?: number;
}

export interface DownloadOptions extends BoundedOptions {
  onProgress?: (done: number, total: number | null) => void;
}

export interface DownloadLimits {
  /** The whole download, every attempt and pause between them included. */
  totalMs: number;
  /** An attempt averaging less than this over `windowMs` is given up (stalled, or trickling). */
  minBytesPerSecond: number;
  windowMs: number;
}

function seconds(v: string | undefined, fallback: number): number {
  const n = Number(v);
  return v !== undefined && Number.isFinite(n) && n > 0 ? n : fallback;
}

/** COMFY_ENV_DOWNLOAD_TIMEOUT (s, 600), COMFY_ENV_DOWNLOAD_MIN_RATE (bytes/s, 1024), COMFY_ENV_DOWNLOAD_RATE_WINDOW (s, 30). */
export function downloadLimits(env: Record<string, string | undefined> = process.env): DownloadLimits {
  return {
    totalMs: seconds(readEnv("COMFY_ENV_DOWNLOAD_TIMEOUT", env), 600) * 1000,
    minBytesPerSecond: seconds(readEnv("COMFY_ENV_DOWNLOAD_MIN_RATE", env), 1024),
    windowMs: seconds(readEnv("COMFY_ENV_DOWNLOAD_RATE_WINDOW", env), 30) * 1000,
  };
}

export interface Downloaded {
  bytes: number;
  /** Lowercase hex sha256 of what was written. */
  sha256: string;
}

const DEFAULT_RETRY_DELAYS_MS = [500, 1500, 3000] as const;
const MAX_REDIRECTS = 5;
const HEADERS_TIMEOUT_MS = 30_000;
const BODY_IDLE_TIMEOUT_MS = 60_000;

/** Dropped connections and timeouts are worth another try; refusals and 4xx are not. */
const RETRYABLE_CODES = new Set([
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_RES_CONTENT_LENGTH_MISMATCH",
]);
const RETRYABLE_STATUS = new Set([429, 500, 502, 503, 504]);

// The proxy variables undici's EnvHttpProxyAgent reads, and the CA variables (util/tls.ts); the
// agent is rebuilt when they change.
const PROXY_VARS = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"] as const;
let cached: { key: string; agent: EnvHttpProxyAgent; dispatcher: Dispatcher } | undefined;

function dispatcher(): Dispatcher {
  const key = [...PROXY_VARS, ...CA_VARS].map((n) => process.env[n] ?? "").join("\0");
  if (cached?.key !== key) {
    void cached?.agent.close().catch(() => undefined);
    // The same roots for a direct connection, the target behind a proxy, and an https proxy.
    const ca = trustedCertificates(process.env);
    const agent = new EnvHttpProxyAgent({ connect: { ca }, requestTls: { ca }, proxyTls: { ca } });
    cached = { key, agent, dispatcher: agent.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS })) };
  }
  return cached.dispatcher;
}

/** One failed attempt, before the retry loop decides what to do with it. */
type Attempt = { error: HttpError; retry: boolean };

function networkError(url: string, e: unknown): Attempt {
  const code = codeOf(e);
  return { error: { kind: "network", url, code, message: messageOf(e), attempts: 1 }, retry: code !== undefined && RETRYABLE_CODES.has(code) };
}

function withAttempts(e: HttpError, attempts: number): HttpError {
  return e.kind === "http-status" || e.kind === "write-failed" || e.kind === "too-large" ? e : { ...e, attempts };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function withRetries<T>(delays: readonly number[], once: () => Promise<Result<T, Attempt>>): Promise<Result<T, HttpError>> {
  for (let attempt = 0; ; attempt++) {
    const r = await once();
    if (r.isOk()) return ok(r.value);
    const delay = delays[attempt];
    if (!r.error.retry || delay === undefined) return err(withAttempts(r.error.error, attempt + 1));
    await sleep(delay);
  }
}

async function open200(url: string, signal?: AbortSignal): Promise<Result<Dispatcher.ResponseData, Attempt>> {
  try {
    const res = await request(url, {
      signal,
      dispatcher: dispatcher(),
      headers: { "user-agent": USER_AGENT },
      headersTimeout: HEADERS_TIMEOUT_MS,
      bodyTimeout: BODY_IDLE_TIMEOUT_MS,
    });
    if (res.statusCode < 200 || res.statusCode >= 300) {
      await res.body.dump().catch(() => undefined);
      return err({ error: { kind: "http-status", url, status: res.statusCode }, retry: RETRYABLE_STATUS.has(res.statusCode) });
    }
    return ok(res);
  } catch (e) {
    return err(networkError(url, e));
  }
}

/**
 * Watches one download attempt: aborts it at the whole download's deadline, or when the bytes
 * received over the last `windowMs` average below the minimum rate (this catches a connection
 * that sends nothing at all as well as one trickling a byte now and then).
 */
function watchAttempt(url: string, limits: DownloadLimits, deadline: number, received: () => number) {
  const controller = new AbortController();
  let why: HttpError | undefined;
  const stop = (e: HttpError) => {
    why ??= e;
    controller.abort();
  };
  const timer = setTimeout(
    () => stop({ kind: "timed-out", url, seconds: limits.totalMs / 1000, received: received(), attempts: 1 }),
    Math.max(0, deadline - Date.now()),
  );
  const samples = [{ t: Date.now(), done: 0 }];
  const tick = setInterval(
    () => {
      const now = Date.now();
      samples.push({ t: now, done: received() });
      while (samples.length > 1 && (samples[1] as { t: number }).t <= now - limits.windowMs) samples.shift();
      const first = samples[0] as { t: number; done: number };
      if (now - first.t < limits.windowMs) return;
      const rate = ((received() - first.done) * 1000) / (now - first.t);
      if (rate < limits.minBytesPerSecond) {
        stop({ kind: "too-slow", url, bytesPerSecond: Math.round(rate), minimum: limits.minBytesPerSecond, windowSeconds: limits.windowMs / 1000, attempts: 1 });
      }
    },
    Math.max(10, Math.min(1000, limits.windowMs / 4)),
  );
  return {
    signal: controller.signal,
    /** Why the attempt was aborted, if this watcher did it. */
    reason: () => why,
    done: () => {
      clearTimeout(timer);
      clearInterval(tick);
    },
  };
}

/** What an attempt has received so far, for the rate check. */
interface Received {
  bytes: number;
}

/**
 * GET `url` with retries, the whole transfer bounded by `limits` in time and each attempt by
 * the minimum rate; `read` takes the 2xx answer's body. A failure the watcher caused by
 * aborting is reported as its reason (a write failure as itself).
 */
async function boundedTransfer<T>(
  url: string,
  opts: BoundedOptions,
  read: (res: Dispatcher.ResponseData, received: Received) => Promise<Result<T, Attempt>>,
): Promise<Result<T, HttpError>> {
  const limits = opts.limits ?? downloadLimits();
  const deadline = Date.now() + limits.totalMs;
  const once = async (): Promise<Result<T, Attempt>> => {
    if (Date.now() >= deadline) return err({ error: { kind: "timed-out", url, seconds: limits.totalMs / 1000, received: 0, attempts: 1 }, retry: false });
    const received: Received = { bytes: 0 };
    const watch = watchAttempt(url, limits, deadline, () => received.bytes);
    const aborted = (e: Attempt): Attempt => {
      const why = watch.reason();
      return why && e.error.kind !== "write-failed" ? { error: why, retry: why.kind === "too-slow" } : e;
    };
    try {
      const res = await open200(url, watch.signal);
      const r = res.isOk() ? await read(res.value, received) : err(res.error);
      return r.isOk() ? r : err(aborted(r.error));
    } catch (e) {
      return err(aborted(networkError(url, e)));
    } finally {
      watch.done();
    }
  };
  return withRetries(opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS, once);
}

const DEFAULT_MAX_TEXT_BYTES = 64 << 20;

/**
 * GET a text resource (an index page, a checksum list) under the same time and rate bounds as
 * a download, and a size bound. Any non-2xx status is an `http-status` error.
 */
export function fetchText(url: string, opts: TextOptions = {}): ResultAsync<string, HttpError> {
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_TEXT_BYTES;
  return new ResultAsync(
    boundedTransfer(url, opts, async (res, received) => {
      const chunks: Buffer[] = [];
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        received.bytes += chunk.length;
        if (received.bytes > maxBytes) {
          res.body.destroy();
          return err({ error: { kind: "too-large", url, limit: maxBytes }, retry: false });
        }
        chunks.push(chunk);
      }
      return ok(Buffer.concat(chunks).toString("utf8"));
    }),
  );
}

/**
 * Stream `url` into `dest` (created or truncated), hashing as it goes. A short body is an
 * error, never a success; so is one past the time bound or below the minimum rate. On any
 * failure, and when a signal stops comfy-env meanwhile, `dest` is removed.
 */
export function downloadFile(url: string, dest: string, opts: DownloadOptions = {}): ResultAsync<Downloaded, HttpError> {
  const writeFailed = (e: unknown): Result<never, Attempt> => err({ error: { kind: "write-failed", path: dest, message: messageOf(e) }, retry: false });
  const read = async (res: Dispatcher.ResponseData, received: Received): Promise<Result<Downloaded, Attempt>> => {
    const header = res.headers["content-length"];
    const total = typeof header === "string" && /^\d+$/.test(header) ? Number(header) : null;
    let file;
    try {
      file = await open(dest, "w");
    } catch (e) {
      await res.body.dump().catch(() => undefined);
      return writeFailed(e);
    }
    const hash = sha256();
    try {
      opts.onProgress?.(0, total);
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        hash.update(chunk);
        await file.write(chunk);
        received.bytes += chunk.length;
        opts.onProgress?.(received.bytes, total);
      }
    } catch (e) {
      await file.close().catch(() => undefined);
      const code = codeOf(e);
      // A write error is ours (disk full); anything else is the connection.
      if (code === "ENOSPC" || code === "EACCES" || code === "EROFS") return writeFailed(e);
      return err(networkError(url, e));
    }
    try {
      await file.close();
    } catch (e) {
      return writeFailed(e);
    }
    if (total !== null && received.bytes !== total) {
      return err({ error: { kind: "truncated", url, expected: total, received: received.bytes, attempts: 1 }, retry: true });
    }
    return ok({ bytes: received.bytes, sha256: hash.digest("hex") });
  };
  const run = async (): Promise<Result<Downloaded, HttpError>> => {
    const unregister = onInterrupt(() => rm(dest, { force: true }).catch(() => undefined));
    const r = await boundedTransfer(url, opts, read);
    unregister();
    if (r.isErr()) await rm(dest, { force: true }).catch(() => undefined);
    return r;
  };
  return new ResultAsync(run());
}

/**
 * Whether `url`'s host answers at all (through the configured proxy): any HTTP status counts,
 * only a network failure (refused, DNS, timeout, TLS) does not. One HEAD, no retries.
 */
export async function probeReachable(url: string, timeoutMs: number): Promise<Result<number, HttpError>> {
  try {
    const res = await request(url, { method: "HEAD", dispatcher: dispatcher(), headers: { "user-agent": USER_AGENT }, headersTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
    await res.body.dump().catch(() => undefined);
    return ok(res.statusCode);
  } catch (e) {
    return err(networkError(url, e).error);
  }
}
