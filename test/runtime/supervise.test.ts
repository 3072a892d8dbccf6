import { describe, expect, test } from "bun:test";
import path from "node:path";
import { BRIDGE_PACKAGE_PARENT, cliCommand } from "../support/cli.ts";
import { findPython } from "../support/pythons.ts";
import { tmpdir } from "../support/tmp.ts";

const PY = findPython("3.11") ?? "python3";

/**
 * Runs `code` in a Python with the bridge's package on sys.path, where `sup` is the bridge's
 * own `_supervisor` module driving a real `comfy-env supervise`; prints what the code returns as JSON.
 */
function bridge(code: string, env: Record<string, string>): unknown {
  const script = `import json, sys\nsys.path.insert(0, ${JSON.stringify(BRIDGE_PACKAGE_PARENT)})\nfrom comfy_env import _supervisor as sup\ndef run():\n${code
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n")}\nprint(json.dumps(run()))\n`;
  const r = Bun.spawnSync([PY, "-c", script], { env: { ...(process.env as Record<string, string>), COMFY_ENV_BIN: JSON.stringify(cliCommand()), ...env }, stdout: "pipe", stderr: "pipe", timeout: 60_000 });
  if (r.exitCode !== 0) throw new Error(`bridge script failed: ${r.stderr.toString()}`);
  return JSON.parse(r.stdout.toString());
}

describe("the control channel", () => {
  test("an unknown op gets an error reply the bridge decodes; the channel keeps working", async () => {
    await using dir = await tmpdir();
    const out = bridge(
      `s = sup.get()
try:
    s.request("no_such_op")
    first = "no error"
except sup.SupervisorError as e:
    first = str(e)
return [first, sorted(s.request("ps"))]`,
      { TMPDIR: dir.path },
    ) as [string, string[]];
    expect(out[0]).toContain('unknown control op "no_such_op"');
    expect(out[1]).toContain("workers");
  }, 60_000);
});

describe("the runtime folder", () => {
  test("when no private folder can be made, the bridge's request fails saying which folder and why", async () => {
    await using dir = await tmpdir();
    const missing = path.join(dir.path, "no", "such");
    const out = bridge(
      `try:
    sup.get().request("ps")
    return "no error"
except sup.SupervisorError as e:
    return str(e)`,
      { TMPDIR: missing, XDG_RUNTIME_DIR: "" },
    ) as string;
    expect(out).toContain("no private runtime folder for the workers");
    expect(out).toContain(`${missing}/comfy-env-`);
    expect(out).toContain("ENOENT");
  }, 60_000);
});

