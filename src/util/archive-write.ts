// Writes the release archives: a .tar.gz (Unix) or .zip (Windows) holding one executable.
// Bun.Archive writes tar.gz but stores every file as 0644, so an unpacked binary would not run
// without a chmod; Node has no zip writer. Both formats are a header or two around the bytes,
// and node:zlib does the compressing.
import { crc32, deflateRawSync, gzipSync } from "node:zlib";
import { err, ok, type Result } from "./result.ts";

export interface ArchiveEntry {
  /** Path inside the archive, `/`-separated, at most 100 bytes. */
  name: string;
  data: Uint8Array;
  /** Unix permission bits (0o755 for an executable). */
  mode: number;
}

export type ArchiveWriteError =
  | { kind: "name-too-long"; name: string }
  | { kind: "too-large"; name: string };

/** The archives are built once per release: the smallest output is worth the extra seconds. */
const LEVEL = 9;

function ascii(buf: Uint8Array, offset: number, text: string): void {
  buf.set(new TextEncoder().encode(text), offset);
}

/** A tar number field: zero-padded octal ending in NUL. */
function octal(buf: Uint8Array, offset: number, width: number, value: number): void {
  ascii(buf, offset, value.toString(8).padStart(width - 1, "0"));
}

/** One POSIX ustar header (https://pubs.opengroup.org/onlinepubs/9799919799/utilities/pax.html). */
function tarHeader(e: ArchiveEntry, name: Uint8Array, mtime: number): Uint8Array {
  const h = new Uint8Array(512);
  h.set(name, 0);
  octal(h, 100, 8, e.mode);
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, e.data.length);
  octal(h, 136, 12, mtime);
  ascii(h, 148, "        "); // the checksum counts its own field as spaces
  ascii(h, 156, "0"); // regular file
  ascii(h, 257, "ustar\u000000");
  const sum = h.reduce((a, b) => a + b, 0);
  ascii(h, 148, `${sum.toString(8).padStart(6, "0")}\u0000 `);
  return h;
}

/** A gzip-compressed tar of `entries`; `mtime` in seconds since the epoch. */
export function tarGz(entries: readonly ArchiveEntry[], mtime: number): Result<Uint8Array, ArchiveWriteError> {
  const parts: Uint8Array[] = [];
  for (const e of entries) {
    const name = new TextEncoder().encode(e.name);
    if (name.length > 100) return err({ kind: "name-too-long", name: e.name });
    // 11 octal digits: the size field's limit (8 GiB).
    if (e.data.length >= 8 ** 11) return err({ kind: "too-large", name: e.name });
    parts.push(tarHeader(e, name, mtime), e.data, new Uint8Array((512 - (e.data.length % 512)) % 512));
  }
  parts.push(new Uint8Array(1024)); // two zero blocks end the archive
  return ok(gzipSync(Buffer.concat(parts), { level: LEVEL }));
}

/** MS-DOS date and time, as zip headers store them (local time, 2-second steps). */
function dosDateTime(seconds: number): { date: number; time: number } {
  const d = new Date(seconds * 1000);
  const year = Math.max(d.getFullYear(), 1980);
  return {
    date: ((year - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate(),
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
  };
}

/**
 * A zip of `entries`, each deflated (https://pkware.cachefly.net/webdocs/casestudies/APPNOTE.TXT).
 * No zip64: every entry and the whole archive stay under 4 GiB.
 */
export function zip(entries: readonly ArchiveEntry[], mtime: number): Result<Uint8Array, ArchiveWriteError> {
  const { date, time } = dosDateTime(mtime);
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = new TextEncoder().encode(e.name);
    const packed = deflateRawSync(e.data, { level: LEVEL });
    const crc = crc32(e.data);
    if (offset + packed.length > 0xffffffff || e.data.length > 0xffffffff) return err({ kind: "too-large", name: e.name });
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: deflate
    local.writeUInt16LE(0x0800, 6); // names are UTF-8
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(e.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, packed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix: the high external bits are a mode
    local.copy(central, 6, 4, 30); // version needed … name length: the same fields as the local header
    central.writeUInt32LE(((0o100000 | e.mode) << 16) >>> 0, 38); // regular file + permissions
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return ok(Buffer.concat([...locals, directory, end]));
}
