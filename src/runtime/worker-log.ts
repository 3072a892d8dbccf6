import fs from "node:fs";
import path from "node:path";
import { readEnv } from "../util/env.ts";
import { namesIn } from "../util/fs.ts";

/** Default bound of one worker log file; with the one rotated copy a worker keeps at most twice this. */
const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

export function logMaxBytes(): number {
  const v = Number(readEnv("COMFY_ENV_WORKER_LOG_MAX"));
  return Number.isInteger(v) && v > 0 ? v : DEFAULT_MAX_BYTES;
}

/**
 * A worker's log, written by the supervisor from the worker's stderr pipe (a file the worker
 * wrote itself could not be bounded): past `maxBytes` it moves to `<file>.1`, replacing the
 * previous one, and starts again.
 */
export class WorkerLog {
  private fd: number | null = null;
  private size = 0;

  constructor(
    readonly file: string,
    private readonly maxBytes: number,
  ) {}

  write(chunk: Uint8Array | string): void {
    let bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    if (this.fd === null) this.open();
    if (this.size > 0 && this.size + bytes.length > this.maxBytes) this.rotate();
    // One chunk over the bound keeps its end: the last lines say why a worker died.
    if (bytes.length > this.maxBytes) bytes = bytes.subarray(bytes.length - this.maxBytes);
    try {
      fs.writeSync(this.fd as number, bytes);
      this.size += bytes.length;
    } catch {
      // a full disk must not stop the worker; its output is lost
    }
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  private open(): void {
    this.fd = fs.openSync(this.file, "a", 0o600);
    this.size = fs.fstatSync(this.fd).size;
  }

  private rotate(): void {
    this.close();
    try {
      fs.renameSync(this.file, `${this.file}.1`);
    } catch {
      fs.rmSync(this.file, { force: true });
    }
    this.open();
  }
}

/** A log untouched this long is of a folder or ComfyUI no longer run (see pruneOldLogs). */
const LOG_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

/**
 * Remove the logs (and rotated copies) nothing wrote to for `maxAgeMs`: a log is named per
 * folder and ComfyUI process key, so without this they pile up as packs and ComfyUIs come and
 * go. A worker's log gets a line at each start, so a log in use is never that old. Returns the
 * removed files.
 */
export function pruneOldLogs(dir: string, now: number = Date.now(), maxAgeMs: number = LOG_MAX_AGE_MS): string[] {
  const names = namesIn(dir);
  const removed: string[] = [];
  for (const n of names) {
    if (!/\.log(\.1)?$/.test(n)) continue;
    const file = path.join(dir, n);
    try {
      if (now - fs.statSync(file).mtimeMs <= maxAgeMs) continue;
      fs.rmSync(file);
      removed.push(file);
    } catch {
      // gone meanwhile, or not ours to remove: left
    }
  }
  return removed;
}
