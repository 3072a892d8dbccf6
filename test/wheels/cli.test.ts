import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import path from "node:path";
import { EXIT } from "../../src/cli/exit.ts";
import { startServer, type LocalServer } from "../net/support/servers.ts";

const FIXTURES = path.join(import.meta.dir, "..", "fixtures", "wheels");

let index: LocalServer;
beforeAll(async () => {
  index = await startServer((req, res) => {
    const m = /^\/v2\/([^/]+)\/$/.exec(req.url ?? "");
    if (m && ["nvdiffrast", "pytorch3d"].includes(m[1] ?? "")) {
      res.writeHead(200, { "content-type": "text/html" });
      return void res.end(readFileSync(path.join(FIXTURES, `${m[1]}.html`)));
    }
    res.writeHead(404);
    res.end();
  });
});
afterAll(() => index.close());

const MAIN = path.join(import.meta.dir, "..", "..", "src", "main.ts");

/** Run `comfy-env wheels ARGS --index <local index>` as a process. */
async function wheels(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, MAIN, "wheels", ...args, "--index", `${index.origin}/v2/`], {
    env: { ...process.env, NO_COLOR: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

describe("comfy-env wheels", () => {
  test("shows the chosen wheel and why (defaults: CUDA 12.8 → torch 2.8, Python 3.11)", async () => {
    const r = await wheels("nvdiffrast", "--platform", "linux-64");
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toContain("nvdiffrast-0.4.0+cu128torch2.8-cp311-cp311-manylinux_2_34_x86_64.manylinux_2_35_x86_64.whl\n");
    expect(r.stdout).toContain("  reason: nvdiffrast 0.4.0 for cu128 torch2.8 cp311-cp311-manylinux_2_34_x86_64 (exact CUDA;");
    expect(r.stderr).toBe("");
  });

  test("--cuda picks the paired torch; --json is one document", async () => {
    const r = await wheels("nvdiffrast", "--cuda", "12.4", "--python", "3.12", "--platform", "linux-64", "--glibc", "2.35", "--json");
    expect(r.code).toBe(EXIT.OK);
    const doc = JSON.parse(r.stdout);
    expect(doc.ok).toBe(true);
    expect(doc.query).toEqual({ pkg: "nvdiffrast", cuda: "12.4", torch: "2.4", python: "3.12", platform: "linux-64", glibc: "2.35" });
    expect(doc.index).toBe(`${index.origin}/v2/`);
    expect(doc.resolution).toMatchObject({ source: "index", version: "0.4.0+cu124torch2.4", filename: "nvdiffrast-0.4.0+cu124torch2.4-cp312-cp312-manylinux_2_34_x86_64.manylinux_2_35_x86_64.whl" });
  });

  test("no match: exit 1, the missing combination and the nearest ones", async () => {
    const r = await wheels("pytorch3d", "--torch", "2.8", "--platform", "linux-64");
    expect(r.code).toBe(EXIT.USER_ERROR);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("error: No pytorch3d wheel for CUDA 12.8 + torch 2.8 + cp311 + linux-64; the index has: cu126 torch2.8 cp310,");
    expect(r.stderr).toContain("hint:");
    const j = await wheels("pytorch3d", "--platform", "linux-64", "--json");
    expect(j.code).toBe(EXIT.USER_ERROR);
    expect(JSON.parse(j.stdout)).toMatchObject({ ok: false, error: { kind: "no-matching-wheel" }, exitCode: EXIT.USER_ERROR });
  });

  test("a package the index does not have comes from PyPI", async () => {
    const r = await wheels("einops", "--platform", "win-64");
    expect(r.code).toBe(EXIT.OK);
    expect(r.stdout).toContain("einops (from PyPI)");
  });

  test("bad input is a usage error", async () => {
    expect((await wheels()).code).toBe(EXIT.USER_ERROR);
    expect((await wheels("a", "b")).code).toBe(EXIT.USER_ERROR);
    const plat = await wheels("nvdiffrast", "--platform", "amiga");
    expect(plat.code).toBe(EXIT.USER_ERROR);
    expect(plat.stderr).toContain('unknown platform "amiga"');
    const cuda = await wheels("nvdiffrast", "--cuda", "10.2");
    expect(cuda.code).toBe(EXIT.USER_ERROR);
    expect(cuda.stderr).toContain("no torch build is paired with CUDA 10.2");
    expect((await wheels("nvdiffrast", "--bogus")).code).toBe(EXIT.USER_ERROR);
  });

  test.each(["", "a/b", "..", "../nvdiffrast", "a..b", "nvdiffrast/"])("package name %j is a usage error and no request", async (name) => {
    const before = index.requests.length;
    const r = await wheels(name, "--platform", "linux-64", "--json");
    expect(r.code).toBe(EXIT.USER_ERROR);
    expect(JSON.parse(r.stdout).error).toMatchObject({ kind: "bad-wheel-query", message: `invalid package name ${JSON.stringify(name)}` });
    expect(index.requests.length).toBe(before);
  });

  test("--cuda 13.0 without --torch: the torch build install uses for CUDA 13.0 (cu128, torch 2.8) and its wheels", async () => {
    const r = await wheels("nvdiffrast", "--cuda", "13.0", "--python", "3.11", "--platform", "win-64", "--json");
    expect(r.code).toBe(EXIT.OK);
    const doc = JSON.parse(r.stdout);
    expect(doc.query).toMatchObject({ cuda: "12.8", torch: "2.8" });
    expect(doc.resolution.filename).toBe("nvdiffrast-0.4.0+cu128torch2.8-cp311-cp311-win_amd64.whl");
  });

  test("--glibc: wheels the target's glibc cannot load are refused, saying which glibc they need", async () => {
    const old = await wheels("nvdiffrast", "--platform", "linux-64", "--glibc", "2.31");
    expect(old.code).toBe(EXIT.USER_ERROR);
    expect(old.stderr).toContain("error: No nvdiffrast wheel for CUDA 12.8 + torch 2.8 + cp311 + linux-64 on glibc 2.31: its wheels for this build need glibc 2.34 or newer");
    expect((await wheels("nvdiffrast", "--platform", "linux-64", "--glibc", "2.34")).code).toBe(EXIT.OK);
    const bad = await wheels("nvdiffrast", "--platform", "linux-64", "--glibc", "new");
    expect(bad.code).toBe(EXIT.USER_ERROR);
    expect(bad.stderr).toContain('invalid glibc version "new"');
  });
});
