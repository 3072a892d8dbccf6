import fs from "node:fs";
import path from "node:path";
import { listBuilds } from "../../cache/status.ts";
import { logsDir, stateDir } from "../../runtime/paths.ts";
import { namesIn } from "../../util/fs.ts";
import type { Result } from "../../util/result.ts";
import { writeTarGz, type TarEntry, type TarError } from "../../util/tar.ts";
import { redactUrlCredentials } from "../../util/redact.ts";

/** The folder every member sits in, so unpacking a bundle never spills into the current folder. */
const TOP = "comfy-env-doctor";
/** The end of each log that goes in: the last lines say what failed, and a bundle stays attachable. */
const LOG_TAIL_BYTES = 1024 * 1024;
/** Worker logs go in newest first up to this many bytes: a runtime folder keeps one log per worker ever started. */
const WORKER_LOGS_BYTES = 16 * 1024 * 1024;

const utf8 = new TextEncoder();

/**
 * The last `max` bytes of `file` from a line start, marked when cut; undefined when unreadable.
 * Read from the end, so a large log costs only what goes in.
 */
function tail(file: string, max: number): { data: Uint8Array; mtime: number } | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch {
    return undefined;
  }
  try {
    const st = fs.fstatSync(fd);
    const size = st.size;
    const mtime = st.mtimeMs / 1000;
    const len = Math.min(size, max);
    const buf = Buffer.alloc(len);
    fs.readSync(fd, buf, 0, len, size - len);
    if (len === size) return { data: buf, mtime };
    const nl = buf.indexOf(10);
    return { data: Buffer.concat([utf8.encode(`[comfy-env doctor: the first ${size - len + nl + 1} bytes of ${size} left out]\n`), buf.subarray(nl + 1)]), mtime };
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

function textEntry(name: string, data: Uint8Array, mtime?: number): TarEntry {
  return { name: `${TOP}/${name}`, data: utf8.encode(redactUrlCredentials(new TextDecoder().decode(data))), ...(mtime === undefined ? {} : { mtime }) };
}

interface Member {
  name: string;
  file: string;
}

function fileEntries(files: Member[]): TarEntry[] {
  return files.flatMap((f) => {
    const t = tail(f.file, LOG_TAIL_BYTES);
    return t ? [textEntry(f.name, t.data, t.mtime)] : [];
  });
}

/** The newest of `files` whose tails fit `budget` bytes together. */
function newestWithin(files: Member[], budget: number): Member[] {
  const dated = files.flatMap((f) => {
    const st = fs.statSync(f.file, { throwIfNoEntry: false });
    return st ? [{ f, st }] : [];
  });
  dated.sort((a, b) => b.st.mtimeMs - a.st.mtimeMs);
  const kept: Member[] = [];
  let used = 0;
  for (const d of dated) {
    used += Math.min(d.st.size, LOG_TAIL_BYTES);
    if (used > budget) break;
    kept.push(d.f);
  }
  return kept.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** The names in `dir` that `keep` matches, sorted. */
function kept(dir: string, keep: RegExp): string[] {
  return namesIn(dir)
    .filter((n) => keep.test(n))
    .sort();
}

/**
 * From a runtime folder only worker logs (`logs/*.log`, `*.log.1`) and supervisor state files
 * (`supervisors/<pid>.json`, which hold no secret): never the supervisors' private folders,
 * which hold the sockets and the files workers start from.
 */
function runtimeFiles(bases: string[]): Member[] {
  const logs = bases.flatMap((base) => kept(logsDir(base), /\.log(\.1)?$/).map((n) => ({ name: `runtime/${path.basename(base)}/logs/${n}`, file: path.join(logsDir(base), n) })));
  const states = bases.flatMap((base) => kept(stateDir(base), /^\d+\.json$/).map((n) => ({ name: `runtime/${path.basename(base)}/supervisors/${n}`, file: path.join(stateDir(base), n) })));
  return [...newestWithin(logs, WORKER_LOGS_BYTES), ...states];
}

/** Each build's install log (its end), manifest and meta: what it was made from and how that went. */
function envFiles(root: string): Member[] {
  return listBuilds(root).flatMap((p) => [p.log, p.manifest, p.meta].map((file) => ({ name: `envs/${path.basename(p.dir)}/${path.basename(file)}`, file })));
}

/** Write the doctor document, the envs' install logs and the worker logs as one .tar.gz; its size in bytes. */
export function writeBundle(file: string, doc: Record<string, unknown>, root: string, runtimeBases: string[]): Result<number, TarError> {
  const entries = [textEntry("doctor.json", utf8.encode(`${JSON.stringify(doc, null, 2)}\n`)), ...fileEntries([...envFiles(root), ...runtimeFiles(runtimeBases)])];
  return writeTarGz(file, entries);
}
