import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { createRuntimeDirs, existingRuntimeBases, resolveRuntimeBase, type RuntimeEnv } from "../../src/runtime/paths.ts";
import { tmpdir } from "../support/tmp.ts";

const UID = process.getuid?.() ?? 0;
const mode = (p: string) => fs.statSync(p).mode & 0o777;

function envOf(tmp: string, over: Partial<RuntimeEnv> = {}): RuntimeEnv {
  return { tmp, xdg: undefined, uid: UID, user: "me", ...over };
}

describe("the per-user runtime folder", () => {
  test("XDG_RUNTIME_DIR when it is a private folder of ours: <xdg>/comfy-env, 0700", async () => {
    await using dir = await tmpdir();
    const xdg = path.join(dir.path, "run");
    fs.mkdirSync(xdg, { mode: 0o700 });
    const r = resolveRuntimeBase(envOf(path.join(dir.path, "tmp"), { xdg }))._unsafeUnwrap();
    expect(r).toEqual({ base: path.join(xdg, "comfy-env"), passedOver: [] });
    expect(mode(r.base)).toBe(0o700);
  });

  test("an XDG_RUNTIME_DIR open to others is passed over, with why, for <tmp>/comfy-env-<uid>", async () => {
    await using dir = await tmpdir();
    const xdg = path.join(dir.path, "run");
    fs.mkdirSync(xdg);
    fs.chmodSync(xdg, 0o755);
    const r = resolveRuntimeBase(envOf(dir.path, { xdg }))._unsafeUnwrap();
    expect(r.base).toBe(path.join(dir.path, `comfy-env-${UID}`));
    expect(r.passedOver).toEqual([{ kind: "runtime-dir", path: xdg, message: "its mode is 755, not 700" }]);
    expect(mode(xdg)).toBe(0o755); // not ours to change
  });

  test("<tmp>/comfy-env-<uid> made first by another user: refused and left as it is; a fresh private folder with a random name instead", async () => {
    await using dir = await tmpdir();
    // The folder belongs to the running user; the code is told it is someone else (uid + 1),
    // which is what another user's folder looks like, also when we are root.
    const other = UID + 1;
    const squatted = path.join(dir.path, `comfy-env-${other}`);
    fs.mkdirSync(squatted);
    fs.chmodSync(squatted, 0o777);
    const r = resolveRuntimeBase(envOf(dir.path, { uid: other }))._unsafeUnwrap();
    expect(r.passedOver).toHaveLength(1);
    expect(r.passedOver[0]?.path).toBe(squatted);
    expect(r.passedOver[0]?.message).toContain(`owned by uid ${UID}, not by this user (uid ${other})`);
    expect(mode(squatted)).toBe(0o777); // never chmodded: as root that would have succeeded
    expect(path.dirname(r.base)).toBe(dir.path);
    expect(path.basename(r.base)).toMatch(new RegExp(`^comfy-env-${other}-.{6}$`));
    expect(mode(r.base)).toBe(0o700);
  });

  test("a symlink planted at the name is refused, not followed", async () => {
    await using dir = await tmpdir();
    fs.mkdirSync(path.join(dir.path, "elsewhere"), { mode: 0o700 });
    fs.symlinkSync(path.join(dir.path, "elsewhere"), path.join(dir.path, `comfy-env-${UID}`));
    const r = resolveRuntimeBase(envOf(dir.path))._unsafeUnwrap();
    expect(r.passedOver[0]?.message).toContain("symbolic link");
    expect(r.base).not.toBe(path.join(dir.path, `comfy-env-${UID}`));
  });

  test("no folder at all: an error naming each folder and why", async () => {
    await using dir = await tmpdir();
    const missing = path.join(dir.path, "missing");
    const r = resolveRuntimeBase(envOf(missing, { xdg: "relative/run" }));
    const errors = r._unsafeUnwrapErr();
    expect(errors.map((e) => e.path)).toEqual(["relative/run", path.join(missing, `comfy-env-${UID}`), missing]);
    expect(errors[0]?.message).toBe("XDG_RUNTIME_DIR is not an absolute path");
    expect(errors[2]?.message).toContain("cannot create a private folder in it");
  });

  test("the supervisor's folders inside the base are private; ps finds the fixed and the fresh bases, never another user's", async () => {
    await using dir = await tmpdir();
    const base = resolveRuntimeBase(envOf(dir.path))._unsafeUnwrap().base;
    const dirs = createRuntimeDirs(base, 123, UID)._unsafeUnwrap();
    for (const d of [dirs.state, dirs.logs, dirs.private]) expect(mode(d)).toBe(0o700);
    expect(path.basename(dirs.private)).toMatch(/^s123-[0-9a-f]{6}$/);
    const fresh = fs.mkdtempSync(path.join(dir.path, `comfy-env-${UID}-`));
    fs.mkdirSync(path.join(dir.path, `comfy-env-${UID}-open`), { mode: 0o755 });
    fs.chmodSync(path.join(dir.path, `comfy-env-${UID}-open`), 0o755);
    expect(existingRuntimeBases(envOf(dir.path)).sort()).toEqual([base, fresh].sort());
  });
});
