import { afterEach, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { acquireBuildLock, clearAbandonedLock, lockState, pidAlive, recordLockChild } from "../../src/cache/lock.ts";
import { buildPaths } from "../../src/cache/layout.ts";
import { isSameProcess, processIdentity } from "../../src/util/process-identity.ts";

const dirs: string[] = [];
function freshPaths() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ce-lock-"));
  dirs.push(root);
  return buildPaths(root, "abc123");
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** A live process that is not comfy-env: what a recorded pid can be after a reboot. */
function planted() {
  const proc = Bun.spawn(["sleep", "30"], { stdout: "ignore", stderr: "ignore" });
  return { proc, [Symbol.dispose]: () => proc.kill("SIGKILL") };
}

function writeOwner(p: ReturnType<typeof freshPaths>, owner: object) {
  fs.mkdirSync(p.building, { recursive: true });
  fs.writeFileSync(p.owner, JSON.stringify(owner));
}

/** A pid that is certainly dead: a child that has exited. */
function deadPid(): number {
  const p = Bun.spawnSync(["true"]);
  return p.pid;
}

describe("build lock", () => {
  test("the first taker owns it and records pid, host and start time", async () => {
    const p = freshPaths();
    const r = await acquireBuildLock(p, { timeoutMs: 60_000 });
    const o = r._unsafeUnwrap();
    expect(o.kind).toBe("acquired");
    const owner = JSON.parse(fs.readFileSync(p.owner, "utf8"));
    expect(owner.pid).toBe(process.pid);
    expect(owner.host).toBe(os.hostname());
    expect(Date.parse(owner.startedAt)).toBeGreaterThan(0);
    expect(owner.identity).toEqual(processIdentity(process.pid));
    expect(lockState(p).state).toBe("held");
    // Release is a Result: a lock that stays behind is an error the build reports.
    if (o.kind === "acquired") expect(o.release().isOk()).toBe(true);
    expect(fs.existsSync(p.building)).toBe(false);
    expect(lockState(p).state).toBe("none");
  });

  test("a waiter returns 'done' when the owner finishes, holding the lock (for its link) until it releases it", async () => {
    const p = freshPaths();
    const first = (await acquireBuildLock(p, { timeoutMs: 60_000 }))._unsafeUnwrap();
    let waited = false;
    const second = acquireBuildLock(p, { timeoutMs: 60_000, pollMs: 20, onWait: () => (waited = true) });
    await Bun.sleep(100);
    fs.writeFileSync(p.done, "");
    if (first.kind === "acquired") first.release();
    const done = (await second)._unsafeUnwrap();
    expect(done.kind).toBe("done");
    expect(waited).toBe(true);
    expect(lockState(p)).toMatchObject({ state: "held", owner: { pid: process.pid } });
    expect(done.release().isOk()).toBe(true);
    expect(lockState(p).state).toBe("none");
  });

  test("a lock whose owner died on this host is taken over at once", async () => {
    const p = freshPaths();
    fs.mkdirSync(p.building, { recursive: true });
    const dead = { pid: deadPid(), host: os.hostname(), startedAt: new Date().toISOString() };
    fs.writeFileSync(p.owner, JSON.stringify(dead));
    expect(pidAlive(dead.pid)).toBe(false);
    expect(lockState(p).state).toBe("stale");
    const t0 = performance.now();
    const r = (await acquireBuildLock(p, { timeoutMs: 600_000 }))._unsafeUnwrap();
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r.kind).toBe("acquired");
    if (r.kind === "acquired") expect(r.tookOverFrom?.pid).toBe(dead.pid);
  });

  test("a live owner on another host is waited for until the timeout", async () => {
    const p = freshPaths();
    fs.mkdirSync(p.building, { recursive: true });
    fs.writeFileSync(p.owner, JSON.stringify({ pid: process.pid, host: "elsewhere", startedAt: new Date().toISOString() }));
    const t0 = performance.now();
    const r = (await acquireBuildLock(p, { timeoutMs: 300, pollMs: 20 }))._unsafeUnwrap();
    expect(r.kind).toBe("acquired");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(290);
  });

  test("another host's lock times out from the start it records, and the wait says how long is left", async () => {
    const p = freshPaths();
    const tenMinutesAgo = new Date(Date.now() - 600_000).toISOString();
    writeOwner(p, { pid: process.pid, host: "elsewhere", startedAt: tenMinutesAgo });
    const lefts: number[] = [];
    const t0 = performance.now();
    const r = (await acquireBuildLock(p, { timeoutMs: 600_400, pollMs: 20, reportEveryMs: 100, onWait: (_o, left) => lefts.push(left) }))._unsafeUnwrap();
    expect(r.kind).toBe("acquired");
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(lefts[0]).toBeGreaterThan(0);
    expect(lefts[0]).toBeLessThanOrEqual(400);
    expect(lefts.length).toBeGreaterThanOrEqual(2); // reported again while waiting
  });

  test("a live pid of another program, or one reused after a reboot, is not the owner: taken over at once", async () => {
    using other = planted();
    const mine = processIdentity(process.pid);
    expect(mine).not.toBeNull();
    for (const owner of [
      { pid: other.proc.pid, identity: { start: mine?.start, exe: mine?.exe } }, // another program with the pid
      { pid: process.pid, identity: { start: `another-boot:${mine?.start.split(":")[1]}`, exe: mine?.exe } }, // pid reused after a reboot
    ]) {
      const p = freshPaths();
      writeOwner(p, { ...owner, host: os.hostname(), startedAt: new Date().toISOString() });
      expect(lockState(p).state).toBe("stale");
      const t0 = performance.now();
      const r = (await acquireBuildLock(p, { timeoutMs: 600_000 }))._unsafeUnwrap();
      expect(performance.now() - t0).toBeLessThan(2000);
      expect(r.kind).toBe("acquired");
    }
  });

  test("a stale lock's recorded child is stopped only while it is still the process recorded", async () => {
    using sleeper = planted();
    const dead = { pid: deadPid(), host: os.hostname(), startedAt: new Date().toISOString() };
    // The case: a pid recorded without identity (or with another one) that is now some other process.
    for (const child of [{ childPid: sleeper.proc.pid }, { child: { pid: sleeper.proc.pid, identity: { start: "0:1", exe: "/usr/bin/pixi" } } }]) {
      const p = freshPaths();
      writeOwner(p, { ...dead, ...child });
      expect((await acquireBuildLock(p, { timeoutMs: 600_000 }))._unsafeUnwrap().kind).toBe("acquired");
      expect(pidAlive(sleeper.proc.pid)).toBe(true);
    }
    // The real orphan, recorded by recordLockChild: stopped.
    const p = freshPaths();
    writeOwner(p, dead);
    recordLockChild(p, sleeper.proc.pid);
    const recorded = JSON.parse(fs.readFileSync(p.owner, "utf8"));
    expect(isSameProcess(sleeper.proc.pid, recorded.child.identity)).toBe(true);
    expect((await acquireBuildLock(p, { timeoutMs: 600_000 }))._unsafeUnwrap().kind).toBe("acquired");
    await sleeper.proc.exited;
    expect(sleeper.proc.signalCode).toBe("SIGKILL");
  });

  test("a live owner here is not taken over before the timeout", async () => {
    const p = freshPaths();
    const held = (await acquireBuildLock(p, { timeoutMs: 60_000 }))._unsafeUnwrap();
    const race = await Promise.race([
      acquireBuildLock(p, { timeoutMs: 60_000, pollMs: 20 }).then(() => "acquired"),
      Bun.sleep(400).then(() => "still waiting"),
    ]);
    expect(race).toBe("still waiting");
    if (held.kind === "acquired") held.release();
  });

  test.skipIf(os.platform() === "win32")("a failed owner write (full disk) leaves no owner-less lock behind", async () => {
    const p = freshPaths();
    const root = path.dirname(p.dir);
    // ulimit -f 0: every write to a regular file fails (EFBIG), as on a full disk; mkdir still works.
    const child = path.join(import.meta.dir, "support", "take-lock.ts");
    const proc = Bun.spawn(["sh", "-c", 'ulimit -f 0; exec "$0" "$1" "$2"', process.execPath, child, root], { stdout: "pipe", stderr: "pipe" });
    const out = await new Response(proc.stdout).text();
    await proc.exited;
    expect(JSON.parse(out)).toMatchObject({ err: { kind: "lock-io", path: p.owner } });
    expect(fs.existsSync(p.building)).toBe(false);
    // So the next install takes the lock at once instead of waiting out the grace period.
    const t0 = performance.now();
    expect((await acquireBuildLock(p, { timeoutMs: 60_000 }))._unsafeUnwrap().kind).toBe("acquired");
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  test("a lock left beside .done by a builder killed after it is cleared; a live one is not", async () => {
    const p = freshPaths();
    writeOwner(p, { pid: deadPid(), host: os.hostname(), startedAt: new Date().toISOString() });
    fs.writeFileSync(p.done, "");
    clearAbandonedLock(p);
    expect(fs.existsSync(p.building)).toBe(false);
    const live = freshPaths();
    const held = (await acquireBuildLock(live, { timeoutMs: 60_000 }))._unsafeUnwrap();
    fs.writeFileSync(live.done, "");
    clearAbandonedLock(live);
    expect(fs.existsSync(live.building)).toBe(true);
    if (held.kind === "acquired") held.release();
  });
});
