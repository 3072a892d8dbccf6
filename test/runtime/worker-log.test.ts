import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { pruneOldLogs, WorkerLog } from "../../src/runtime/worker-log.ts";
import { tmpdir } from "../support/tmp.ts";

const DAY = 24 * 3600 * 1000;

test("a worker log past its bound moves to .1 and starts again, keeping the end of an oversized chunk", async () => {
  await using dir = await tmpdir();
  const file = path.join(dir.path, "w.log");
  const log = new WorkerLog(file, 10);
  log.write("12345678");
  log.write("abcdef");
  log.write("0123456789XYZ");
  log.close();
  expect([fs.readFileSync(`${file}.1`, "utf8"), fs.readFileSync(file, "utf8")]).toEqual(["abcdef", "3456789XYZ"]);
});

test("logs nothing wrote to for 30 days are removed at a supervisor's start; recent ones and other files stay", async () => {
  await using dir = await tmpdir();
  const now = Date.now();
  const at = (name: string, ageDays: number) => {
    const f = path.join(dir.path, name);
    fs.writeFileSync(f, "x");
    fs.utimesSync(f, new Date(now - ageDays * DAY), new Date(now - ageDays * DAY));
    return f;
  };
  const old = [at("Gone_nodes-1a2b3c4d.log", 40), at("Gone_nodes-1a2b3c4d.log.1", 41)];
  at("Used_nodes-5e6f7a8b.log", 2);
  at("notes.txt", 90);
  expect(pruneOldLogs(dir.path, now).sort()).toEqual(old.sort());
  expect(fs.readdirSync(dir.path).sort()).toEqual(["Used_nodes-5e6f7a8b.log", "notes.txt"]);
});
