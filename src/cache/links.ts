import fs from "node:fs";
import path from "node:path";
import { sha256Hex } from "../util/sha256.ts";
import type { BuildPaths } from "./layout.ts";
import { readLink } from "../link/index.ts";
import { sameLocation } from "../link/compare.ts";
import { codeOf, err, messageOf, ok, type Result } from "../util/result.ts";
import type { LinksError } from "./errors.ts";

/**
 * Every node-folder link made to a build is recorded as one small file under `.links/`, named
 * by a hash of the link path: concurrent installs add records without a read-modify-write race.
 * A record that cannot be written is an error: gc would see the build as unlinked.
 */
export function recordLink(p: BuildPaths, link: string): Result<void, LinksError> {
  const record = path.join(p.links, sha256Hex(link).slice(0, 16));
  if (fs.existsSync(record)) return ok(undefined);
  try {
    fs.mkdirSync(p.links, { recursive: true });
    fs.writeFileSync(record, link);
  } catch (e) {
    return err({ kind: "link-record-failed", path: p.links, code: codeOf(e), message: messageOf(e) });
  }
  return ok(undefined);
}

/**
 * Recorded links that still exist and still point at this build's environment, compared as the
 * OS does (case-insensitive on Windows and macOS, through junctions and symlinks): gc deletes
 * what this leaves out. No `.links/` means no links; one that cannot be read is an error, never
 * an empty list, or gc would delete a build it cannot tell is in use.
 */
export function liveLinks(p: BuildPaths): Result<string[], LinksError> {
  let names: string[];
  try {
    names = fs.readdirSync(p.links);
  } catch (e) {
    if (codeOf(e) === "ENOENT") return ok([]);
    return err({ kind: "links-unreadable", path: p.links, code: codeOf(e), message: messageOf(e) });
  }
  const live: string[] = [];
  for (const n of names.sort()) {
    let link: string;
    try {
      link = fs.readFileSync(path.join(p.links, n), "utf8");
    } catch {
      continue;
    }
    const target = readLink(link);
    if (target !== undefined && sameLocation(path.resolve(path.dirname(link), target), p.env)) live.push(link);
  }
  return ok(live.sort());
}
