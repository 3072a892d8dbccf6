// Compiles comfy-env into one executable.
//   bun run build.ts                      → dist/comfy-env[.exe] for this machine
//   bun run build.ts --all                → the release assets in dist/: for every release target
//                                           comfy-env-<version>-<target>.tar.gz (.zip for Windows)
//                                           holding comfy-env[.exe], install.sh, install.ps1, and
//                                           SHA256SUMS covering all of them
//   bun run build.ts --target windows-x64 → dist/comfy-env-<version>-windows-x64.exe only (any
//                                           release target, unpacked; the Windows smoke test under wine)
//   --outdir DIR                          → write into DIR instead of dist/
// Cross-compiling makes Bun fetch that target's runtime from the npm registry once (cached).
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import pkg from "./package.json" with { type: "json" };
import { tarGz, zip } from "./src/util/archive-write.ts";
import { hostOs } from "./src/util/platform.ts";
import { sha256Hex } from "./src/util/sha256.ts";
import { archiveFormat, executableName, formatSha256Sums, INSTALLER_FILES, RELEASE_TARGETS, releaseAssetName, SUMS_FILE, targetExecutableName } from "./src/util/release.ts";

function git(...args: string[]): string | undefined {
  const r = Bun.spawnSync(["git", ...args], { stdout: "pipe", stderr: "ignore" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : undefined;
}
const commit = git("rev-parse", "--short=12", "HEAD") ?? "unknown";

/**
 * One compile into `outfile`; the error text says which target failed and why. Bun writes the
 * executable's source maps (`.js.map`, one per chunk) beside it although the executable embeds
 * them (stack traces name src/ lines without them), so it compiles in a folder of its own and
 * only the executable is moved out.
 */
async function compile(outfile: string, target: string, bunTarget?: Bun.Build.CompileTarget): Promise<string | undefined> {
  const work = mkdtempSync(path.join(path.dirname(outfile), ".build-"));
  const built = path.join(work, path.basename(outfile));
  try {
    const result = await Bun.build({
      entrypoints: ["./src/main.ts"],
      // Files in the user's cwd (bunfig.toml, .env) must not change what the binary does.
      compile: { outfile: built, ...(bunTarget ? { target: bunTarget } : {}), autoloadBunfig: false, autoloadDotenv: false },
      minify: true,
      // Precompiled bytecode starts ~3x faster; it needs a bundle without top-level await.
      bytecode: true,
      // Commands load lazily: with split chunks a start loads only what the command runs.
      splitting: true,
      format: "esm",
      sourcemap: "linked",
      define: {
        COMFY_ENV_COMMIT: JSON.stringify(commit),
        COMFY_ENV_TARGET: JSON.stringify(target),
      },
    });
    if (!result.success) return result.logs.map(String).join("\n");
    renameSync(built, outfile);
    return undefined;
  } catch (e) {
    // A runtime that cannot be downloaded surfaces here (Bun throws instead of returning logs).
    return e instanceof AggregateError ? e.errors.map(String).join("\n") : String(e);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

const { values } = parseArgs({
  options: { all: { type: "boolean", default: false }, target: { type: "string" }, outdir: { type: "string", default: "dist" } },
});
const outdir = values.outdir;
mkdirSync(outdir, { recursive: true });
// Source maps an earlier build.ts left in the folder would otherwise sit beside the assets.
for (const f of readdirSync(outdir)) if (f.endsWith(".js.map")) rmSync(path.join(outdir, f), { force: true });

if (values.target !== undefined) {
  const t = RELEASE_TARGETS.find((r) => r.name === values.target);
  if (!t) {
    console.error(`error: unknown --target ${values.target} (one of ${RELEASE_TARGETS.map((r) => r.name).join(", ")})`);
    process.exit(2);
  }
  const outfile = path.join(outdir, targetExecutableName(pkg.version, t.name));
  const failure = await compile(outfile, t.name, t.bunTarget);
  if (failure !== undefined) {
    console.error(`error: cannot build ${t.name} (--target=${t.bunTarget}): ${failure}`);
    process.exit(1);
  }
  console.log(`built ${outfile} (${t.bunTarget})`);
} else if (!values.all) {
  const target = `${hostOs()}-${process.arch}`;
  const outfile = path.join(outdir, hostOs() === "windows" ? "comfy-env.exe" : "comfy-env");
  const failure = await compile(outfile, target);
  if (failure !== undefined) {
    console.error(failure);
    process.exit(1);
  }
  console.log(`built ${outfile} (comfy-env ${pkg.version}, ${target})`);
} else {
  // A stale checksum file must never describe a half-built release.
  rmSync(path.join(outdir, SUMS_FILE), { force: true });
  // The archives' file times: the commit's, so a rebuild of one commit packs the same bytes.
  const mtime = Number(git("log", "-1", "--format=%ct") ?? Math.floor(Date.now() / 1000));
  const assets: { name: string; sha256: string }[] = [];
  const failed: string[] = [];
  for (const t of RELEASE_TARGETS) {
    const name = releaseAssetName(pkg.version, t.name);
    const exe = path.join(outdir, targetExecutableName(pkg.version, t.name));
    const started = performance.now();
    const failure = await compile(exe, t.name, t.bunTarget);
    if (failure !== undefined) {
      console.error(`error: cannot build ${t.name} (--target=${t.bunTarget}): ${failure}`);
      console.error(`  Bun downloads the ${t.bunTarget} runtime from the npm registry: check the network or proxy.`);
      failed.push(t.name);
      continue;
    }
    const entry = { name: executableName(t.name), data: readFileSync(exe), mode: 0o755 };
    rmSync(exe);
    const packed = archiveFormat(t.name) === "zip" ? zip([entry], mtime) : tarGz([entry], mtime);
    if (packed.isErr()) {
      const e = packed.error;
      console.error(`error: cannot pack ${t.name}: ${e.kind} (${"name" in e ? e.name : e.path})`);
      failed.push(t.name);
      continue;
    }
    const archive = path.join(outdir, name);
    writeFileSync(archive, packed.value);
    assets.push({ name, sha256: sha256Hex(packed.value) });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`built ${archive} (${t.bunTarget}, ${mb(entry.data.length)} → ${mb(packed.value.length)}, ${seconds}s)`);
  }
  if (failed.length > 0) {
    console.error(`error: ${failed.length} of ${RELEASE_TARGETS.length} targets failed (${failed.join(", ")}); ${SUMS_FILE} not written`);
    process.exit(1);
  }
  for (const f of INSTALLER_FILES) {
    copyFileSync(path.join(import.meta.dir, f), path.join(outdir, f));
    assets.push({ name: f, sha256: sha256Hex(readFileSync(path.join(outdir, f))) });
  }
  await Bun.write(path.join(outdir, SUMS_FILE), formatSha256Sums(assets));
  const total = assets.reduce((n, a) => n + statSync(path.join(outdir, a.name)).size, 0);
  console.log(`wrote ${path.join(outdir, SUMS_FILE)} (comfy-env ${pkg.version}, ${commit}; ${assets.length} assets, ${mb(total)})`);
}
