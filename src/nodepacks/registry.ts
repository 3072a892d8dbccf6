// The registry form of a [node_reqs] entry: ask the Comfy registry API for the pack's
// download URL (GET <api>/nodes/<id>/install[?version=V] answers { downloadUrl }), download
// the zip and unpack it, a single top-level folder unwrapped, as 0.4.x does.
import fs from "node:fs";
import path from "node:path";
import { extractAllFromZip } from "../pixi/archive.ts";
import { downloadFile, fetchText } from "../util/http.ts";
import { err, messageOf, ok, type Result } from "../util/result.ts";
import type { NodePackError, PackSource } from "./types.ts";

type RegistrySource = Extract<PackSource, { kind: "registry" }>;

export async function fetchFromRegistry(pack: string, src: RegistrySource, dir: string): Promise<Result<void, NodePackError>> {
  const answer = await fetchText(src.url);
  if (answer.isErr()) return err({ kind: "registry-unreachable", pack, url: src.url, cause: answer.error });
  const downloadUrl = downloadUrlOf(answer.value);
  if (downloadUrl === undefined) return err({ kind: "registry-bad-answer", pack, url: src.url, message: "the answer has no downloadUrl" });
  const zip = `${dir}.zip`;
  const got = await downloadFile(downloadUrl, zip);
  if (got.isErr()) return err({ kind: "registry-unreachable", pack, url: downloadUrl, cause: got.error });
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(fs.readFileSync(zip));
  } finally {
    fs.rmSync(zip, { force: true });
  }
  const files = extractAllFromZip(bytes);
  if (files.isErr()) return err({ kind: "pack-bad-zip", pack, url: downloadUrl, cause: files.error });
  return writeTree(pack, downloadUrl, unwrapped(files.value), dir);
}

function downloadUrlOf(text: string): string | undefined {
  try {
    const doc: unknown = JSON.parse(text);
    const url = typeof doc === "object" && doc !== null ? (doc as { downloadUrl?: unknown }).downloadUrl : undefined;
    return typeof url === "string" && url !== "" ? url : undefined;
  } catch {
    return undefined;
  }
}

/** Names relative to the pack folder: a single top-level folder holding everything is dropped. */
function unwrapped(files: { name: string; data: Uint8Array }[]): { name: string; data: Uint8Array }[] {
  const tops = new Set(files.map((f) => f.name.split("/")[0]));
  const [top] = tops;
  if (tops.size !== 1 || top === undefined || files.some((f) => !f.name.startsWith(`${top}/`))) return files;
  return files.map((f) => ({ name: f.name.slice(top.length + 1), data: f.data }));
}

function writeTree(pack: string, url: string, files: { name: string; data: Uint8Array }[], dir: string): Result<void, NodePackError> {
  const root = path.resolve(dir);
  // Every entry is checked before anything is written.
  const unsafe = files.find((f) => !path.resolve(root, f.name).startsWith(root + path.sep));
  if (unsafe) return err({ kind: "pack-unsafe-entry", pack, url, entry: unsafe.name });
  let dest = root;
  try {
    fs.mkdirSync(root, { recursive: true });
    for (const f of files) {
      dest = path.resolve(root, f.name);
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, f.data);
    }
  } catch (e) {
    return err({ kind: "pack-write-failed", pack, path: dest, message: messageOf(e) });
  }
  return ok(undefined);
}
