// Compiles comfy-env into one executable.
//   bun run build.ts                      → dist/comfy-env[.exe] for this machine
//   bun run build.ts --all                → dist/comfy-env-<version>-<target>[.exe] for every
//                                           release target, plus dist/SHA256SUMS
//   bun run build.ts --target windows-x64 → dist/comfy-env-<version>-windows-x64.exe only (any
//                                           release target; the Windows smoke test under wine)
//   --outdir DIR                          → write into DIR instead of dist/
// Cross-compiling makes Bun fetch that target's runtime from the npm registry once (cached).
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import pkg from "./package.json" with { type: "json" };
import { hostOs } from "./src/util/platform.ts";
import { formatSha256Sums, RELEASE_TARGETS, releaseAssetName, SUMS_FILE } from "./src/util/release.ts";

function gitCommit(): string {
  const r = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { stdout: "pipe", stderr: "ignore" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : "unknown";
}
const commit = gitCommit();

/** One compile; the error text says which target failed and why. */
async function compile(outfile: string, target: string, bunTarget?: Bun.Build.CompileTarget): Promise<string | undefined> {
  try {
    const result = await Bun.build({
      entrypoints: ["./src/main.ts"],
      // Files in the user's cwd (bunfig.toml, .env) must not change what the binary does.
      compile: { outfile, ...(bunTarget ? { target: bunTarget } : {}), autoloadBunfig: false, autoloadDotenv: false },
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
    return result.success ? undefined : result.logs.map(String).join("\n");
  } catch (e) {
    // A runtime that cannot be downloaded surfaces here (Bun throws instead of returning logs).
    return e instanceof AggregateError ? e.errors.map(String).join("\n") : String(e);
  }
}

function sha256(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

const { values } = parseArgs({
  options: { all: { type: "boolean", default: false }, target: { type: "string" }, outdir: { type: "string", default: "dist" } },
});
const outdir = values.outdir;
mkdirSync(outdir, { recursive: true });

if (values.target !== undefined) {
  const t = RELEASE_TARGETS.find((r) => r.name === values.target);
  if (!t) {
    console.error(`error: unknown --target ${values.target} (one of ${RELEASE_TARGETS.map((r) => r.name).join(", ")})`);
    process.exit(2);
  }
  const outfile = path.join(outdir, releaseAssetName(pkg.version, t.name));
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
  const built: { name: string; sha256: string }[] = [];
  const failed: string[] = [];
  for (const t of RELEASE_TARGETS) {
    const name = releaseAssetName(pkg.version, t.name);
    const outfile = path.join(outdir, name);
    const started = performance.now();
    const failure = await compile(outfile, t.name, t.bunTarget);
    if (failure !== undefined) {
      console.error(`error: cannot build ${t.name} (--target=${t.bunTarget}): ${failure}`);
      console.error(`  Bun downloads the ${t.bunTarget} runtime from the npm registry: check the network or proxy.`);
      failed.push(t.name);
      continue;
    }
    built.push({ name, sha256: sha256(outfile) });
    console.log(`built ${outfile} (${t.bunTarget}, ${((performance.now() - started) / 1000).toFixed(1)}s)`);
  }
  if (failed.length > 0) {
    console.error(`error: ${failed.length} of ${RELEASE_TARGETS.length} targets failed (${failed.join(", ")}); ${SUMS_FILE} not written`);
    process.exit(1);
  }
  await Bun.write(path.join(outdir, SUMS_FILE), formatSha256Sums(built));
  console.log(`wrote ${path.join(outdir, SUMS_FILE)} (comfy-env ${pkg.version}, ${commit})`);
}
