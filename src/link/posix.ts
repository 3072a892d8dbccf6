import fs from "node:fs";
import type { Linker } from "./types.ts";

export const posixLinker: Linker = {
  kind: "symlink",
  create(target, link) {
    fs.symlinkSync(target, link, "dir");
  },
  read(link) {
    try {
      return fs.readlinkSync(link);
    } catch {
      return undefined;
    }
  },
  pointsAt(link, target) {
    return this.read(link) === target;
  },
  remove(link) {
    fs.unlinkSync(link);
  },
  pathLimit: () => undefined,
};
