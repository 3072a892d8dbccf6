import { gzipSync } from "node:zlib";
import { writeFileAtomic, type FsError } from "./fs.ts";
import { err, ok, type Result } from "./result.ts";

/**
 * Just enough tar writing for a bundle of regular files: ustar headers, with a pax `path`
 * record for names over ustar's 100 bytes (POSIX.1-2001 pax format, read by GNU tar, bsdtar
 * and Windows' tar.exe: https://pubs.opengroup.org/onlinepubs/9699919799/utilities/pax.html).
 */
export interface TarEntry {
  /** Relative, `/`-separated, without `.` or `..` parts. */
  name: string;
  data: Uint8Array;
  /** Seconds since the epoch; default now. */
  mtime?: number;
  /** Permission bits; default 0600 (a bundle's logs). A release archive's executable is 0755. */
  mode?: number;
}

export type TarError = FsError | { kind: "tar-bad-name"; name: string };

const BLOCK = 512;
const utf8 = new TextEncoder();

function validName(name: string): boolean {
  if (name === "" || name.startsWith("/") || name.includes("\\") || name.includes("\0")) return false;
  return name.split("/").every((p) => p !== "" && p !== "." && p !== "..");
}

/** `n` as a NUL-terminated octal field of `len` bytes. */
function octal(n: number, len: number): string {
  return `${n.toString(8).padStart(len - 1, "0")}\0`;
}

function header(name: Uint8Array, size: number, mtime: number, type: "0" | "x", mode = 0o600): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const put = (at: number, s: string | Uint8Array) => h.set(typeof s === "string" ? utf8.encode(s) : s, at);
  put(0, name.subarray(0, 100));
  put(100, octal(mode, 8));
  put(108, octal(0, 8));
  put(116, octal(0, 8));
  put(124, octal(size, 12));
  put(136, octal(Math.floor(mtime), 12));
  put(148, "        "); // the checksum counts its own field as spaces
  put(156, type);
  put(257, "ustar\u000000");
  const sum = h.reduce((a, b) => a + b, 0);
  put(148, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

function padded(data: Uint8Array): Uint8Array[] {
  const rest = data.length % BLOCK;
  return rest === 0 ? [data] : [data, new Uint8Array(BLOCK - rest)];
}

/** One pax record, `"<len> path=<name>\n"`, where `<len>` counts the whole record, itself included. */
function paxPathRecord(name: string): Uint8Array {
  const body = ` path=${name}\n`;
  const bodyLen = utf8.encode(body).length;
  let len = bodyLen + 1;
  while (String(len).length + bodyLen !== len) len = String(len).length + bodyLen;
  return utf8.encode(`${len}${body}`);
}

/** The uncompressed tar stream of `entries`, in order. */
export function tarBytes(entries: readonly TarEntry[]): Result<Uint8Array, TarError> {
  const parts: Uint8Array[] = [];
  const now = Date.now() / 1000;
  for (const e of entries) {
    if (!validName(e.name)) return err({ kind: "tar-bad-name", name: e.name });
    const name = utf8.encode(e.name);
    const mtime = e.mtime ?? now;
    if (name.length > 100) {
      const pax = paxPathRecord(e.name);
      parts.push(header(utf8.encode("PaxHeader"), pax.length, mtime, "x"), ...padded(pax));
    }
    parts.push(header(name, e.data.length, mtime, "0", e.mode), ...padded(e.data));
  }
  parts.push(new Uint8Array(2 * BLOCK));
  return ok(Buffer.concat(parts));
}

/** Write `entries` as a gzipped tar to `file` (mode 0600: bundles hold logs); its size in bytes. */
export function writeTarGz(file: string, entries: readonly TarEntry[]): Result<number, TarError> {
  return tarBytes(entries).andThen((tar) => {
    const gz = gzipSync(tar);
    return writeFileAtomic(file, gz, 0o600).map(() => gz.length);
  });
}
