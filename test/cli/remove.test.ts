import { describe, expect, test } from "bun:test";
import path from "node:path";
import { runCli } from "../support/cli.ts";
import { tmpdir } from "../support/tmp.ts";

describe("remove's failures carry an error like every command's", () => {
  test("no PACK_DIR: a usage error, in text and in --json", async () => {
    const r = await runCli(["remove", "--json"]);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout).error).toMatchObject({ kind: "usage", message: "expected at least one PACK_DIR" });
    expect(r.stderr).toContain("error: expected at least one PACK_DIR\nhint: `comfy-env remove --help` shows the usage\n");
  });

  test("a PACK_DIR that is not a folder", async () => {
    await using dir = await tmpdir();
    const missing = path.join(dir.path, "nope");
    const r = await runCli(["remove", missing, "--json", "--root", dir.path]);
    expect(r.exitCode).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, root: dir.path, removed: [], error: { kind: "usage", message: `${missing} is not a folder` } });
  });
});
