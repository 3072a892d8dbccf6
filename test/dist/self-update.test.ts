// `comfy-env self-update` run by the compiled binary against a fake release site on 127.0.0.1.
import { beforeAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { asideName, replaceExecutable } from "../../src/util/self-replace.ts";
import { hostOs } from "../../src/util/platform.ts";
import { releaseAssetName } from "../../src/util/release.ts";
import { BUN, REPO_ROOT } from "../support/cli.ts";
import { SCHEMAS } from "../cli/json-schema.ts";
import { tmpdir } from "../support/tmp.ts";
import { fakeBinary, fakeRelease, hostBinary, packExecutable, sha256, startReleaseServer, type ReleaseServer } from "./helpers.ts";

const HOST = `${hostOs()}-${process.arch}`;
const EXE = hostOs() === "windows" ? "comfy-env.exe" : "comfy-env";
let compiled: string;
let buildDir: string;

beforeAll(() => {
  buildDir = fs.mkdtempSync(path.join(os.tmpdir(), "ce-self-update-build-"));
  compiled = hostBinary(buildDir);
  return () => fs.rmSync(buildDir, { recursive: true, force: true });
});

/** A private copy of the compiled binary: self-update replaces it. */
function install(dir: string): string {
  const exe = path.join(dir, "bin", EXE);
  fs.mkdirSync(path.dirname(exe), { recursive: true });
  fs.copyFileSync(compiled, exe);
  fs.chmodSync(exe, 0o755);
  return exe;
}

/** Where `install(dir)`'s binary keeps its list of bridge installs (XDG_CONFIG_HOME=<dir>/config). */
const configOf = (exe: string) => path.join(path.dirname(path.dirname(exe)), "config");
const installsOf = (exe: string) => path.join(configOf(exe), "comfy-env", "bridges.json");

async function selfUpdate(exe: string, server: ReleaseServer, ...args: string[]) {
  return selfUpdateWith({}, exe, server, ...args);
}

async function selfUpdateWith(extra: Record<string, string>, exe: string, server: ReleaseServer, ...args: string[]) {
  const proc = Bun.spawn([exe, "self-update", ...args], {
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: os.homedir(), XDG_CONFIG_HOME: configOf(exe), COMFY_ENV_DOWNLOAD_URL: server.base, NO_COLOR: "1", ...extra },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { stdout, stderr, exitCode };
}

const version = (exe: string) => Bun.spawnSync([exe, "--version"], { stdout: "pipe" }).stdout.toString().trim();

describe("self-update (compiled)", () => {
  test("replaces the executable with the latest release, verified, and leaves no temp file", async () => {
    await using dir = await tmpdir();
    await using server = startReleaseServer([fakeRelease("0.1.5", [HOST]), fakeRelease("0.2.0", [HOST, "windows-x64"])], "0.2.0");
    const exe = install(dir.path);
    const r = await selfUpdate(exe, server, "--json");
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ ok: true, updated: true, from: "0.1.0", to: "0.2.0", target: HOST, path: exe, asset: releaseAssetName("0.2.0", HOST), exitCode: 0 });
    expect(doc.sha256).toBe(sha256(packExecutable(HOST, fakeBinary("0.2.0", HOST))));
    expect(version(exe)).toBe(`comfy-env 0.2.0 (fake, ${HOST})`);
    expect(fs.readdirSync(path.dirname(exe))).toEqual([EXE]);
    expect(server.requests).toContain(`/releases/download/v0.2.0/${releaseAssetName("0.2.0", HOST)}`);
  });

  test("--version pins a release; an unknown one is bad input (exit 1)", async () => {
    await using dir = await tmpdir();
    await using server = startReleaseServer([fakeRelease("0.1.5", [HOST]), fakeRelease("0.2.0", [HOST])], "0.2.0");
    const exe = install(dir.path);
    const missing = await selfUpdate(exe, server, "--version", "9.9.9");
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("release v9.9.9 not found");
    const r = await selfUpdate(exe, server, "--version", "v0.1.5");
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("updated comfy-env 0.1.0 → 0.1.5");
    expect(version(exe)).toBe(`comfy-env 0.1.5 (fake, ${HOST})`);
  });

  test("already current (the release is this binary's version): nothing downloaded, nothing replaced", async () => {
    await using dir = await tmpdir();
    const exe = install(dir.path);
    await using server = startReleaseServer([fakeRelease("0.1.0", [HOST])], "0.1.0");
    const ino = fs.statSync(exe).ino;
    const r = await selfUpdate(exe, server);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`comfy-env 0.1.0 (${HOST}) is already installed at ${exe}`);
    expect(server.requests.some((p) => p.endsWith(releaseAssetName("0.1.0", HOST)))).toBe(false);
    expect(fs.statSync(exe).ino).toBe(ino);
  });

  test("checksum mismatch, missing build, 404, a bad archive and a binary that does not run: exit 3, executable untouched", async () => {
    await using dir = await tmpdir();
    const mismatch = fakeRelease("0.3.0", [HOST]);
    mismatch.sums = { [releaseAssetName("0.3.0", HOST)]: sha256("other bytes") };
    const noBuild = fakeRelease("0.4.0", ["windows-x64"]);
    const gone = fakeRelease("0.5.0", [HOST]);
    gone.missing = [releaseAssetName("0.5.0", HOST)];
    const liar = fakeRelease("0.6.0", [HOST]);
    liar.files[releaseAssetName("0.6.0", HOST)] = packExecutable(HOST, fakeBinary("9.9.9", HOST));
    const notArchive = { version: "0.7.0", files: { [releaseAssetName("0.7.0", HOST)]: fakeBinary("0.7.0", HOST) } };
    const wrongMember = { version: "0.8.0", files: { [releaseAssetName("0.8.0", HOST)]: packExecutable(HOST, fakeBinary("0.8.0", HOST), "bin/other") } };
    await using server = startReleaseServer([mismatch, noBuild, gone, liar, notArchive, wrongMember]);
    const exe = install(dir.path);
    const before = sha256(fs.readFileSync(exe));

    const cases: [string, string, string][] = [
      ["0.3.0", "checksum-mismatch", "does not match SHA256SUMS; nothing was replaced"],
      ["0.4.0", "no-asset", `has no build for ${HOST}`],
      ["0.5.0", "download-failed", "HTTP 404"],
      ["0.6.0", "bad-binary", "does not run here; nothing was replaced"],
      ["0.7.0", "bad-archive", "cannot unpack"],
      ["0.8.0", "bad-archive", `no ${EXE} in it (found: bin/other)`],
    ];
    for (const [v, kind, message] of cases) {
      const r = await selfUpdate(exe, server, "--version", v, "--json");
      expect({ v, exitCode: r.exitCode }).toEqual({ v, exitCode: 3 });
      const doc = JSON.parse(r.stdout);
      SCHEMAS["self-update"].parse(doc);
      expect(doc).toMatchObject({ ok: false, exitCode: 3, error: { kind } });
      expect(doc.error.message).toContain(message);
      expect(sha256(fs.readFileSync(exe))).toBe(before);
      expect(fs.readdirSync(path.dirname(exe))).toEqual([EXE]);
    }
  });

  test("an unreachable site is a download failure (exit 3), with --quiet still printing the error", async () => {
    await using dir = await tmpdir();
    const server = startReleaseServer([]);
    await server.stop();
    const exe = install(dir.path);
    const r = await selfUpdate(exe, server, "--quiet");
    expect(r.exitCode).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("error: download failed");
  });
});

describe("self-update refreshes the bridges (compiled)", () => {
  /** A recorded bridge install per case: p1 refreshes, "unwritable" fails, "gone" no longer exists, "other" belongs to another binary. */
  function recordInstalls(exe: string) {
    const py = (name: string, exists = true) => {
      const p = path.join(path.dirname(path.dirname(exe)), "py", name, "python");
      if (exists) {
        fs.mkdirSync(path.dirname(p), { recursive: true });
        fs.writeFileSync(p, "");
      }
      return p;
    };
    const self = fs.realpathSync(exe);
    const pythons = { ok: py("one"), failing: py("unwritable"), gone: py("gone", false), other: py("other") };
    const installs = [
      { python: pythons.ok, binary: self },
      { python: pythons.failing, binary: self },
      { python: pythons.gone, binary: self },
      { python: pythons.other, binary: "/elsewhere/comfy-env" },
    ];
    fs.mkdirSync(path.dirname(installsOf(exe)), { recursive: true });
    fs.writeFileSync(installsOf(exe), JSON.stringify({ installs }));
    return { pythons, installs };
  }

  test("the new binary reruns bridge install in each recorded Python; --json lists each outcome and the command for the one that failed", async () => {
    await using dir = await tmpdir();
    await using server = startReleaseServer([fakeRelease("0.2.0", [HOST])], "0.2.0");
    const exe = install(dir.path);
    const { pythons, installs } = recordInstalls(exe);
    const log = path.join(dir.path, "calls.log");
    const r = await selfUpdateWith({ FAKE_COMFY_ENV_LOG: log }, exe, server, "--json");
    expect(r.exitCode).toBe(0);
    const doc = SCHEMAS["self-update"].parse(JSON.parse(r.stdout));
    expect(doc).toMatchObject({ ok: true, updated: true, to: "0.2.0" });
    expect(doc.bridges).toEqual([
      { python: pythons.ok, status: "refreshed", command: `comfy-env bridge install --python ${pythons.ok}` },
      { python: pythons.failing, status: "failed", command: `comfy-env bridge install --python ${pythons.failing}`, message: "cannot write into site-packages" },
      { python: pythons.gone, status: "gone", command: `comfy-env bridge install --python ${pythons.gone}` },
    ]);
    // Run by the new binary (the fake logs its calls), once per existing Python of this binary.
    expect(fs.readFileSync(log, "utf8")).toBe(`bridge install --python ${pythons.ok} --json\nbridge install --python ${pythons.failing} --json\n`);
    // A Python that no longer exists is dropped from the list; the rest stay.
    expect(JSON.parse(fs.readFileSync(installsOf(exe), "utf8")).installs).toEqual(installs.filter((i) => i.python !== pythons.gone));
  });

  test("without --json: a line per refreshed bridge, and the exact command for one it could not refresh", async () => {
    await using dir = await tmpdir();
    await using server = startReleaseServer([fakeRelease("0.2.0", [HOST])], "0.2.0");
    const exe = install(dir.path);
    const { pythons } = recordInstalls(exe);
    const r = await selfUpdate(exe, server);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(`refreshed the bridge in ${pythons.ok}`);
    expect(r.stderr).toContain(`could not refresh the bridge in ${pythons.failing}: cannot write into site-packages`);
    expect(r.stderr).toContain(`run: comfy-env bridge install --python ${pythons.failing}`);
    expect(r.stdout + r.stderr).not.toContain(pythons.other);
  });

  test("already current: no bridge is touched", async () => {
    await using dir = await tmpdir();
    await using server = startReleaseServer([fakeRelease("0.1.0", [HOST])], "0.1.0");
    const exe = install(dir.path);
    recordInstalls(exe);
    const log = path.join(dir.path, "calls.log");
    const r = await selfUpdateWith({ FAKE_COMFY_ENV_LOG: log }, exe, server, "--json");
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, updated: false, bridges: [] });
    expect(fs.existsSync(log)).toBe(false);
  });
});

describe("bridge install records the Python for self-update", () => {
  /** A stand-in interpreter answering the bridge's probe with a site-packages under `dir`. */
  function fakePython(dir: string): string {
    const py = path.join(dir, "venv", "bin", "python");
    fs.mkdirSync(path.dirname(py), { recursive: true });
    fs.mkdirSync(path.join(dir, "site"), { recursive: true });
    fs.writeFileSync(py, `#!/bin/sh\necho '${JSON.stringify({ executable: py, version: [3, 11, 0], purelib: path.join(dir, "site") })}'\n`, { mode: 0o755 });
    return py;
  }
  const bridge = (cmd: string[], config: string, ...args: string[]) =>
    Bun.spawnSync([...cmd, "bridge", ...args], { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: os.homedir(), XDG_CONFIG_HOME: config }, stdout: "pipe", stderr: "pipe" });

  test("the compiled binary records it on install and forgets it on uninstall", async () => {
    await using dir = await tmpdir();
    const exe = install(dir.path);
    const py = fakePython(dir.path);
    expect(bridge([exe], configOf(exe), "install", "--python", py).exitCode).toBe(0);
    expect(JSON.parse(fs.readFileSync(installsOf(exe), "utf8"))).toEqual({ installs: [{ python: py, binary: fs.realpathSync(exe) }] });
    // Installing again keeps one entry.
    expect(bridge([exe], configOf(exe), "install", "--python", py).exitCode).toBe(0);
    expect(JSON.parse(fs.readFileSync(installsOf(exe), "utf8")).installs).toHaveLength(1);
    expect(bridge([exe], configOf(exe), "uninstall", "--python", py).exitCode).toBe(0);
    expect(JSON.parse(fs.readFileSync(installsOf(exe), "utf8"))).toEqual({ installs: [] });
  });

  test("from sources nothing is recorded: that bridge starts the sources, not a release", async () => {
    await using dir = await tmpdir();
    const py = fakePython(dir.path);
    const config = path.join(dir.path, "config");
    const r = bridge([BUN, path.join(REPO_ROOT, "src", "main.ts")], config, "install", "--python", py);
    expect(r.exitCode).toBe(0);
    expect(fs.existsSync(config)).toBe(false);
  });
});

test("from sources it refuses with exit 1", () => {
  // Always the sources, whatever COMFY_ENV_TEST_BINARY says.
  const r = Bun.spawnSync([BUN, path.join(REPO_ROOT, "src", "main.ts"), "self-update", "--json"], { stdout: "pipe", stderr: "pipe" });
  expect(r.exitCode).toBe(1);
  expect(JSON.parse(r.stdout.toString())).toMatchObject({ ok: false, exitCode: 1, error: { kind: "not-compiled" } });
});

describe("replaceExecutable", () => {
  test("POSIX: one rename over the old file", async () => {
    await using dir = await tmpdir();
    const exe = path.join(dir.path, "tool");
    fs.writeFileSync(exe, "old");
    fs.writeFileSync(`${exe}.new`, "new");
    expect(replaceExecutable(exe, `${exe}.new`, "linux").isOk()).toBe(true);
    expect(fs.readdirSync(dir.path)).toEqual(["tool"]);
    expect(fs.readFileSync(exe, "utf8")).toBe("new");
  });

  test("Windows: the running exe is renamed aside (replacing an older aside), then the new one moved in", async () => {
    await using dir = await tmpdir();
    const exe = path.join(dir.path, "tool.exe");
    fs.writeFileSync(exe, "old");
    fs.writeFileSync(asideName(exe), "older");
    fs.writeFileSync(`${exe}.new`, "new");
    expect(replaceExecutable(exe, `${exe}.new`, "windows").isOk()).toBe(true);
    expect(fs.readFileSync(exe, "utf8")).toBe("new");
    expect(fs.readFileSync(asideName(exe), "utf8")).toBe("old");
  });

  test("Windows: when the new file cannot be moved in, the old exe is put back", async () => {
    await using dir = await tmpdir();
    const exe = path.join(dir.path, "tool.exe");
    fs.writeFileSync(exe, "old");
    const r = replaceExecutable(exe, path.join(dir.path, "missing.exe"), "windows");
    expect(r.isErr() && r.error.kind).toBe("replace-failed");
    expect(fs.readFileSync(exe, "utf8")).toBe("old");
    expect(fs.existsSync(asideName(exe))).toBe(false);
  });
});
