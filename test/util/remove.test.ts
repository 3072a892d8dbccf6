// removeTree: retried with backoff and renamed aside when a delete fails (a file an antivirus
// holds on Windows), and a failure is an error naming the path left, never a silent success.
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { removeTree, type RemoveOps } from "../../src/util/fs.ts";
import { tmpdir } from "../support/tmp.ts";

/** Ops over a set of paths that "exist"; rm fails `failures` times with `code`, or (code undefined) does nothing without an error. */
function fakeOps(existing: string[], failures: number, code: string | undefined) {
  const paths = new Set(existing);
  const calls = { rm: [] as string[], renames: [] as [string, string][], sleeps: [] as number[] };
  const ops: RemoveOps = {
    rm(p) {
      calls.rm.push(p);
      if (calls.rm.length <= failures) {
        if (code === undefined) return;
        throw Object.assign(new Error(`${code}: resource busy or locked, rm '${p}'`), { code });
      }
      paths.delete(p);
    },
    rename(from, to) {
      calls.renames.push([from, to]);
      paths.delete(from);
      paths.add(to);
    },
    lstat: (p) => (paths.has(p) ? ({} as fs.Stats) : undefined),
    sleep: (ms) => void calls.sleeps.push(ms),
  };
  return { ops, calls, paths };
}

describe("removeTree", () => {
  test("a delete that fails twice (EBUSY) is retried with doubling delays, on the tree renamed aside", () => {
    const p = "/cache/_env_abc123";
    const { ops, calls, paths } = fakeOps([p], 2, "EBUSY");
    expect(removeTree(p, ops).isOk()).toBe(true);
    const aside = `${p}.ce-trash-${process.pid}`;
    expect(calls.renames).toEqual([[p, aside]]);
    expect(calls.rm).toEqual([p, aside, aside]);
    expect(calls.sleeps).toEqual([10, 20]);
    expect(paths.size).toBe(0);
  });

  test("a delete that keeps failing is an error naming the path still there, after 10 tries", () => {
    const p = "/cache/_env_abc123";
    const { ops, calls } = fakeOps([p], Infinity, "EPERM");
    const e = removeTree(p, ops)._unsafeUnwrapErr();
    expect(e).toMatchObject({ kind: "fs", op: "remove", path: `${p}.ce-trash-${process.pid}`, code: "EPERM" });
    expect(calls.rm).toHaveLength(10);
    expect(calls.sleeps).toEqual([10, 20, 40, 80, 160, 320, 640, 1280, 2560]);
  });

  test("a delete that reports success but leaves the path (wine's rmSync) is an error, not 'removed'", () => {
    const p = "/cache/_env_abc123/.building";
    const { ops } = fakeOps([p], Infinity, undefined);
    const e = removeTree(p, ops)._unsafeUnwrapErr();
    expect(e.path).toBe(`${p}.ce-trash-${process.pid}`);
    expect(e.message).toBe(`${p}.ce-trash-${process.pid} is still there after the delete reported success`);
  });

  test("on disk: a tree goes, a link inside it is removed as a link and its target kept", async () => {
    await using dir = await tmpdir();
    const target = path.join(dir.path, "shared");
    fs.mkdirSync(target);
    fs.writeFileSync(path.join(target, "keep.txt"), "x");
    const tree = path.join(dir.path, "tree");
    fs.mkdirSync(path.join(tree, "a", "b"), { recursive: true });
    fs.writeFileSync(path.join(tree, "a", "b", "f"), "y");
    fs.symlinkSync(target, path.join(tree, "a", "link"));
    expect(removeTree(tree).isOk()).toBe(true);
    expect(fs.existsSync(tree)).toBe(false);
    expect(fs.readFileSync(path.join(target, "keep.txt"), "utf8")).toBe("x");
    expect(removeTree(path.join(dir.path, "never-there")).isOk()).toBe(true);
  });
});
