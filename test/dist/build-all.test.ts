// `bun run build.ts --all`: five cross-compiled executables (~100 MB each), each packed into its
// release archive, the two installers, and SHA256SUMS; then install.sh installs the host's build
// from them. One test on purpose: the builds are slow and everything else checks their output.
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { hostOs } from "../../src/util/platform.ts";
import { extractMember } from "../../src/pixi/archive.ts";
import { archiveFormat, executableName, INSTALLER_FILES, parseSha256Sums, RELEASE_TARGETS, releaseAssetName } from "../../src/util/release.ts";
import { REPO_ROOT } from "../support/cli.ts";
import { tmpdir } from "../support/tmp.ts";
import { BUN, sha256, startReleaseServer } from "./helpers.ts";

type Format = { format: "elf" | "mach-o" | "pe"; machine: string };

/** Executable format and CPU from the header bytes. */
function headerOf(b: Buffer): Format | undefined {
  if (b.readUInt32BE(0) === 0x7f454c46) {
    const m = b.readUInt16LE(0x12);
    return { format: "elf", machine: m === 0x3e ? "x64" : m === 0xb7 ? "arm64" : `0x${m.toString(16)}` };
  }
  if (b.readUInt32LE(0) === 0xfeedfacf) {
    const cpu = b.readUInt32LE(4);
    return { format: "mach-o", machine: cpu === 0x01000007 ? "x64" : cpu === 0x0100000c ? "arm64" : `0x${cpu.toString(16)}` };
  }
  if (b.toString("latin1", 0, 2) === "MZ") {
    const pe = b.readUInt32LE(0x3c);
    if (b.toString("latin1", pe, pe + 4) !== "PE\0\0") return undefined;
    const m = b.readUInt16LE(pe + 4);
    return { format: "pe", machine: m === 0x8664 ? "x64" : m === 0xaa64 ? "arm64" : `0x${m.toString(16)}` };
  }
  return undefined;
}

/** Whether a 64-bit Mach-O carries LC_CODE_SIGNATURE: Apple Silicon refuses to run unsigned code. */
function machOSigned(b: Buffer): boolean {
  const LC_CODE_SIGNATURE = 0x1d;
  let off = 32;
  for (let i = 0, n = b.readUInt32LE(16); i < n; i++) {
    if (b.readUInt32LE(off) === LC_CODE_SIGNATURE) return true;
    off += b.readUInt32LE(off + 4);
  }
  return false;
}

const EXPECTED: Record<string, Format> = {
  "linux-x64": { format: "elf", machine: "x64" },
  "linux-arm64": { format: "elf", machine: "arm64" },
  "darwin-x64": { format: "mach-o", machine: "x64" },
  "darwin-arm64": { format: "mach-o", machine: "arm64" },
  "windows-x64": { format: "pe", machine: "x64" },
};

test(
  "build.ts --all packs every release target into its archive, copies the installers, SHA256SUMS covers them all, and install.sh installs from them",
  async () => {
    await using out = await tmpdir("ce-build-all-");
    // A map an older build.ts left behind is cleared too.
    fs.writeFileSync(path.join(out.path, "chunk-old.js.map"), "{}");
    const proc = Bun.spawn([BUN, "run", "build.ts", "--all", "--outdir", out.path], { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    if (code !== 0) console.error(stdout, stderr);
    expect(code).toBe(0);

    const sums = parseSha256Sums(fs.readFileSync(path.join(out.path, "SHA256SUMS"), "utf8"));
    const names = [...RELEASE_TARGETS.map((t) => releaseAssetName(pkg.version, t.name)), ...INSTALLER_FILES];
    expect([...sums.keys()].sort()).toEqual([...names].sort());
    expect(names).toContain(`comfy-env-${pkg.version}-linux-x64.tar.gz`);
    expect(names).toContain(`comfy-env-${pkg.version}-windows-x64.zip`);
    // Nothing else in the folder: no source maps, no unpacked executables, no build folders.
    expect(fs.readdirSync(out.path).sort()).toEqual([...names, "SHA256SUMS"].sort());
    for (const name of names) expect({ name, sha256: sha256(fs.readFileSync(path.join(out.path, name))) }).toEqual({ name, sha256: sums.get(name) as string });
    for (const f of INSTALLER_FILES) expect(fs.readFileSync(path.join(out.path, f), "utf8")).toBe(fs.readFileSync(path.join(REPO_ROOT, f), "utf8"));

    for (const t of RELEASE_TARGETS) {
      const archive = fs.readFileSync(path.join(out.path, releaseAssetName(pkg.version, t.name)));
      const bytes = Buffer.from(extractMember(archiveFormat(t.name), archive, executableName(t.name))._unsafeUnwrap());
      expect(bytes.length).toBeGreaterThan(10_000_000);
      // Compressed: the archive is well under the executable's size.
      expect(archive.length).toBeLessThan(bytes.length * 0.7);
      expect({ target: t.name, header: headerOf(bytes) }).toEqual({ target: t.name, header: EXPECTED[t.name] });
      if (t.name.startsWith("darwin")) expect({ target: t.name, signed: machOSigned(bytes) }).toEqual({ target: t.name, signed: true });
    }

    // The one this machine can run, unpacked by the system's tar as a user would: executable,
    // it reports its version, commit and release target.
    const host = `${hostOs()}-${process.arch}`;
    await using unpacked = await tmpdir("ce-build-all-x-");
    const tar = Bun.spawnSync(["tar", "-xzf", path.join(out.path, releaseAssetName(pkg.version, host)), "-C", unpacked.path], { stdout: "pipe", stderr: "pipe" });
    expect(tar.exitCode).toBe(0);
    const own = path.join(unpacked.path, executableName(host));
    expect(fs.statSync(own).mode & 0o777).toBe(0o755);
    const v = Bun.spawnSync([own, "--version"], { stdout: "pipe", stderr: "pipe" });
    expect(v.exitCode).toBe(0);
    expect(v.stdout.toString().trim()).toMatch(new RegExp(`^comfy-env ${pkg.version.replaceAll(".", "\\.")} \\((\\w+), ${host}\\)$`));

    // The published install.sh installs this build from these assets served on loopback.
    const served = [releaseAssetName(pkg.version, host), ...INSTALLER_FILES];
    const files = Object.fromEntries(served.map((n) => [n, fs.readFileSync(path.join(out.path, n))]));
    await using server = startReleaseServer([{ version: pkg.version, files }], pkg.version);
    await using home = await tmpdir("ce-build-all-home-");
    const bin = path.join(home.path, "bin");
    // Not spawnSync: the server answers from this same event loop.
    const sh = Bun.spawn(["sh", path.join(out.path, "install.sh"), "--no-modify-path"], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home.path, COMFY_ENV_DOWNLOAD_URL: server.base, COMFY_ENV_INSTALL_DIR: bin },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    const [, shErr, shCode] = await Promise.all([new Response(sh.stdout).text(), new Response(sh.stderr).text(), sh.exited]);
    expect({ exitCode: shCode, stderr: shErr }).toEqual({ exitCode: 0, stderr: "" });
    expect(Bun.spawnSync([path.join(bin, executableName(host)), "--version"], { stdout: "pipe" }).stdout.toString()).toBe(v.stdout.toString());
  },
  600_000,
);

test("the plain build writes the executable alone (the executable embeds its source maps)", async () => {
  await using out = await tmpdir("ce-build-dev-");
  const r = Bun.spawnSync([BUN, "run", "build.ts", "--outdir", out.path], { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" });
  expect(r.exitCode).toBe(0);
  const exe = hostOs() === "windows" ? "comfy-env.exe" : "comfy-env";
  expect(fs.readdirSync(out.path)).toEqual([exe]);
  const probe = Bun.spawnSync([path.join(out.path, exe), "--version"], { stdout: "pipe" });
  expect(probe.exitCode).toBe(0);
});
