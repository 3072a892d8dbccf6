// Writes the release archives: a .tar.gz (Unix) or .zip (Windows) holding one executable.
// Bun.Archive writes tar.gz but stores every file as 0644, so an unpacked binary would not run
// without a chmod; Node has no zip writer. The tar is tar.ts's; a zip is a header or two around
// each deflated file; node:zlib does the compressing.
import { crc32, deflateRawSync, gzipSync } from "node:zlib";
import { err, ok, type Result } from "./result.ts";
import { tarBytes, type TarEntry, type TarError } from "./tar.ts";

/** A tar entry whose Unix permission bits are given (0o755 for an executable); the mtime is the archive's. */
export type ArchiveEntry = Omit<TarEntry, "mtime"> & { mode: number };

export type ArchiveWriteError = TarError | { kind: "too-large"; name: string };

/** The archives are built once per release: the smallest output is worth the extra seconds. */
const LEVEL = 9;

/** A gzip-compressed tar of `entries`; `mtime` in seconds since the epoch. */
export function tarGz(entries: readonly ArchiveEntry[], mtime: number): Result<Uint8Array, ArchiveWriteError> {
  return tarBytes(entries.map((e) => ({ ...e, mtime }))).map((tar) => gzipSync(tar, { level: LEVEL }));
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
