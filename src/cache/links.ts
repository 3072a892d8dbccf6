import fs from "node:fs";
import path from "node:path";
import { sha256Hex } from "../util/sha256.ts";
import type { BuildPaths } from "./layout.ts";
import { readLink } from "../link/index.ts";
import { sameLocation } from "../link/compare.ts";

/**
 * Every node-folder link made to a build is recorded as one small file under `.links/`, named
 * by a hash of the link path: concurrent installs add records without a read-modify-write race.
 */
export function recordLink(p: BuildPaths, link: string): void {
  const record = path.join(p.links, sha256Hex(link).slice(0, 16));
  if (fs.existsSync(record)) return;
  fs.mkdirSync(p.links, { recursive: true });
  fs.writeFileSync(record, link);
}

/**
 * Recorded links that still exist and still point at this build's environment, compared as the
 * OS does (case-insensitive on Windows and macOS, through junctions and symlinks): gc deletes
 * what this leaves out.
 */
export function liveLinks(p: BuildPaths): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(p.links);
  } catch {
    return [];
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
  return live.sort();
}
