import { gunzipSync, inflateRawSync } from "node:zlib";
import { err, messageOf, ok, type Result } from "../util/result.ts";

/**
 * Just enough tar and zip reading to pull one file out of a pixi release archive
 * (docs/reference.md §1.1: the archive holds only `pixi` / `pixi.exe` at its root).
 */
export type ArchiveFormat = "tar.gz" | "zip";

export type ArchiveError =
  | { kind: "archive-corrupt"; format: ArchiveFormat; message: string }
  | { kind: "archive-member-missing"; format: ArchiveFormat; member: string; found: string[] };

export function archiveFormatOf(fileName: string): ArchiveFormat | undefined {
  if (fileName.endsWith(".tar.gz") || fileName.endsWith(".tgz")) return "tar.gz";
  if (fileName.endsWith(".zip")) return "zip";
  return undefined;
}

/** The bytes of the regular file whose base name is `member`. */
export function extractMember(format: ArchiveFormat, archive: Uint8Array, member: string): Result<Uint8Array, ArchiveError> {
  return format === "tar.gz" ? extractFromTarGz(archive, member) : extractFromZip(archive, member);
}

function baseName(path: string): string {
  const parts = path.split(/[\\/]/).filter((p) => p !== "" && p !== ".");
  return parts[parts.length - 1] ?? "";
}

const latin1 = new TextDecoder("latin1");
const utf8 = new TextDecoder("utf-8");

function cString(buf: Uint8Array, start: number, len: number): string {
  const field = buf.subarray(start, start + len);
  const nul = field.indexOf(0);
  return utf8.decode(nul === -1 ? field : field.subarray(0, nul));
}

function octal(buf: Uint8Array, start: number, len: number): number | undefined {
  const text = latin1.decode(buf.subarray(start, start + len)).replace(/\0.*$/s, "").trim();
  if (text === "") return 0;
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : undefined;
}

/** `path` from a pax extended header ("<len> path=<value>\n" records). */
function paxPath(data: Uint8Array): string | undefined {
  const text = utf8.decode(data);
  for (const line of text.split("\n")) {
    const m = /^\d+ path=(.*)$/s.exec(line);
    if (m) return m[1];
  }
  return undefined;
}

export function extractFromTarGz(archive: Uint8Array, member: string): Result<Uint8Array, ArchiveError> {
  const corrupt = (message: string) => err<never, ArchiveError>({ kind: "archive-corrupt", format: "tar.gz", message });
  let tar: Uint8Array;
  try {
    tar = gunzipSync(archive);
  } catch (e) {
    return corrupt(`gzip: ${messageOf(e)}`);
  }
  const found: string[] = [];
  let nextName: string | undefined; // from a GNU long-name or pax header, for the next entry
  let offset = 0;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    const size = octal(header, 124, 12);
    if (size === undefined) return corrupt(`bad size field at offset ${offset}`);
    const type = String.fromCharCode(header[156] ?? 0);
    const dataStart = offset + 512;
    const dataEnd = dataStart + size;
    if (dataEnd > tar.length) return corrupt(`entry at offset ${offset} runs past the end of the archive`);
    const data = tar.subarray(dataStart, dataEnd);
    offset = dataStart + Math.ceil(size / 512) * 512;

    if (type === "L") {
      nextName = cString(data, 0, data.length);
      continue;
    }
    if (type === "x") {
      nextName = paxPath(data) ?? nextName;
      continue;
    }
    if (type === "g") continue;
    const prefix = latin1.decode(header.subarray(257, 263)).startsWith("ustar") ? cString(header, 345, 155) : "";
    const plain = cString(header, 0, 100);
    const name = nextName ?? (prefix ? `${prefix}/${plain}` : plain);
    nextName = undefined;
    const regular = type === "0" || type === "\0" || type === "7";
    if (!regular) continue;
    found.push(name);
    if (baseName(name) === member) return ok(Uint8Array.from(data));
  }
  return err({ kind: "archive-member-missing", format: "tar.gz", member, found });
}

const EOCD_SIG = 0x06054b50;
const CENTRAL_SIG = 0x02014b50;
const LOCAL_SIG = 0x04034b50;

export function extractFromZip(archive: Uint8Array, member: string): Result<Uint8Array, ArchiveError> {
  const entries = zipEntries(archive);
  if (entries.isErr()) return err(entries.error);
  const found = entries.value.map((e) => e.name);
  const entry = entries.value.find((e) => baseName(e.name) === member);
  if (entry === undefined) return err({ kind: "archive-member-missing", format: "zip", member, found });
  return readZipEntry(archive, entry);
}

/** Every regular file of a zip, in archive order (node packs from the registry come as zips). */
export function extractAllFromZip(archive: Uint8Array): Result<{ name: string; data: Uint8Array }[], ArchiveError> {
  const entries = zipEntries(archive);
  if (entries.isErr()) return err(entries.error);
  const files: { name: string; data: Uint8Array }[] = [];
  for (const e of entries.value) {
    const data = readZipEntry(archive, e);
    if (data.isErr()) return err(data.error);
    files.push({ name: e.name, data: data.value });
  }
  return ok(files);
}

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

const zipCorrupt = (message: string) => err<never, ArchiveError>({ kind: "archive-corrupt", format: "zip", message });

/** The central directory's file entries (folders left out). */
function zipEntries(archive: Uint8Array): Result<ZipEntry[], ArchiveError> {
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  let eocd = -1;
  for (let i = archive.length - 22; i >= Math.max(0, archive.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD_SIG) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return zipCorrupt("no end-of-central-directory record");
  const count = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (p + 46 > archive.length || view.getUint32(p, true) !== CENTRAL_SIG) return zipCorrupt(`bad central directory entry ${i}`);
    const nameLen = view.getUint16(p + 28, true);
    const entry: ZipEntry = {
      name: utf8.decode(archive.subarray(p + 46, p + 46 + nameLen)),
      method: view.getUint16(p + 10, true),
      compressedSize: view.getUint32(p + 20, true),
      size: view.getUint32(p + 24, true),
      localOffset: view.getUint32(p + 42, true),
    };
    p += 46 + nameLen + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
    if (!entry.name.endsWith("/")) entries.push(entry);
  }
  return ok(entries);
}

function readZipEntry(archive: Uint8Array, e: ZipEntry): Result<Uint8Array, ArchiveError> {
  const view = new DataView(archive.buffer, archive.byteOffset, archive.byteLength);
  const { name, compressedSize, size, localOffset } = e;
  if (compressedSize === 0xffffffff || size === 0xffffffff || localOffset === 0xffffffff) return zipCorrupt("zip64 archives are not supported");
  if (localOffset + 30 > archive.length || view.getUint32(localOffset, true) !== LOCAL_SIG) return zipCorrupt(`bad local header for ${name}`);
  const dataStart = localOffset + 30 + view.getUint16(localOffset + 26, true) + view.getUint16(localOffset + 28, true);
  if (dataStart + compressedSize > archive.length) return zipCorrupt(`${name} runs past the end of the archive`);
  const raw = archive.subarray(dataStart, dataStart + compressedSize);
  let data: Uint8Array;
  if (e.method === 0) data = Uint8Array.from(raw);
  else if (e.method === 8) {
    try {
      data = inflateRawSync(raw);
    } catch (x) {
      return zipCorrupt(`inflate ${name}: ${messageOf(x)}`);
    }
  } else return zipCorrupt(`${name}: unsupported compression method ${e.method}`);
  if (data.length !== size) return zipCorrupt(`${name}: expected ${size} bytes, got ${data.length}`);
  return ok(data);
}
