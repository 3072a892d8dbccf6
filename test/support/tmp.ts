import { mkdtemp, realpath, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export interface TmpDir {
  /** Real (symlink-free) absolute path of the fresh directory. */
  path: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** A fresh temp directory, removed on dispose: `await using dir = await tmpdir()`. */
export async function tmpdir(prefix = "ce-test-"): Promise<TmpDir> {
  const dir = await realpath(await mkdtemp(path.join(os.tmpdir(), prefix)));
  return {
    path: dir,
    [Symbol.asyncDispose]: () => rm(dir, { recursive: true, force: true }),
  };
}
