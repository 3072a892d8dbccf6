// `bun run build.ts --all`: five cross-compiled executables (~100 MB each) and SHA256SUMS.
// One test on purpose: the builds are slow and everything else checks their output.
import { expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import pkg from "../../package.json" with { type: "json" };
import { hostOs } from "../../src/util/platform.ts";
import { parseSha256Sums, RELEASE_TARGETS, releaseAssetName } from "../../src/util/release.ts";
import { REPO_ROOT } from "../support/cli.ts";
import { tmpdir } from "../support/tmp.ts";
import { BUN, sha256 } from "./helpers.ts";

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
  "build.ts --all cross-compiles every release target with matching SHA256SUMS",
  async () => {
    await using out = await tmpdir("ce-build-all-");
    const proc = Bun.spawn([BUN, "run", "build.ts", "--all", "--outdir", out.path], { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    if (code !== 0) console.error(stdout, stderr);
    expect(code).toBe(0);

    const sums = parseSha256Sums(fs.readFileSync(path.join(out.path, "SHA256SUMS"), "utf8"));
    const names = RELEASE_TARGETS.map((t) => releaseAssetName(pkg.version, t.name));
    expect([...sums.keys()].sort()).toEqual([...names].sort());
    expect(names).toContain(`comfy-env-${pkg.version}-windows-x64.exe`);

    for (const t of RELEASE_TARGETS) {
      const file = path.join(out.path, releaseAssetName(pkg.version, t.name));
      const bytes = fs.readFileSync(file);
      expect(bytes.length).toBeGreaterThan(10_000_000);
      expect({ target: t.name, header: headerOf(bytes) }).toEqual({ target: t.name, header: EXPECTED[t.name] });
      expect(sums.get(path.basename(file))).toBe(sha256(bytes));
      if (t.name.startsWith("darwin")) expect({ target: t.name, signed: machOSigned(bytes) }).toEqual({ target: t.name, signed: true });
    }

    // The one this machine can run reports its version, commit and release target.
    const host = `${hostOs()}-${process.arch}`;
    const own = path.join(out.path, releaseAssetName(pkg.version, host));
    const v = Bun.spawnSync([own, "--version"], { stdout: "pipe", stderr: "pipe" });
    expect(v.exitCode).toBe(0);
    expect(v.stdout.toString().trim()).toMatch(new RegExp(`^comfy-env ${pkg.version.replaceAll(".", "\\.")} \\((\\w+), ${host}\\)$`));
  },
  600_000,
);
