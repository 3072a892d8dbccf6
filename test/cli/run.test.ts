import { describe, expect, test } from "bun:test";
import path from "node:path";
import { runCli } from "../support/cli.ts";
import { linkedNodeDir } from "../support/fake-env.ts";
import { tmpdir } from "../support/tmp.ts";
import { SCHEMAS } from "./json-schema.ts";

const PROBE = "import os, shutil; print(os.environ['MY_FLAG'], os.environ['COMFYUI_ISOLATION_WORKER'], 'PYTHONPATH' in os.environ, os.environ['LD_LIBRARY_PATH'].split(':')[0], shutil.which('python'))";

describe.skipIf(process.platform === "win32")("comfy-env run", () => {
  test("runs the command with the worker's environment: [env_vars], no host PYTHONPATH, env libs and bin first", async () => {
    await using dir = await tmpdir();
    const { nodeDir, envDir } = linkedNodeDir(dir.path);
    const env = { ...(process.env as Record<string, string>), PYTHONPATH: "/host/site", NO_COLOR: "1" };
    const r = await runCli(["run", nodeDir, "--", "python", "-c", PROBE], { env });
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe(`on 1 False ${path.join(envDir, "lib")} ${path.join(envDir, "bin", "python")}\n`);
  });

  test("passes the command's exit code on; --json: the document on stdout, the command's output on stderr", async () => {
    await using dir = await tmpdir();
    const { nodeDir } = linkedNodeDir(dir.path);
    const r = await runCli(["run", nodeDir, "--json", "--", "python", "-c", "print('hi'); raise SystemExit(7)"]);
    expect(r.exitCode).toBe(7);
    expect(r.stderr).toBe("hi\n");
    const doc = SCHEMAS.run.parse(JSON.parse(r.stdout));
    expect(doc).toMatchObject({ ok: false, exitCode: 7, argv: ["python", "-c", "print('hi'); raise SystemExit(7)"], error: { kind: "command-failed" } });
  });

  test("a folder without a built env says how to build it", async () => {
    await using dir = await tmpdir();
    const r = await runCli(["run", dir.path, "--json", "--", "python"]);
    expect(r.exitCode).toBe(1);
    expect(SCHEMAS.run.parse(JSON.parse(r.stdout))).toMatchObject({ ok: false, error: { kind: "no-env" } });
    expect(r.stderr).toContain("comfy-env install");
  });
});
