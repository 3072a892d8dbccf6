import fs from "node:fs";
import path from "node:path";
import { LAYOUT, type BuildPaths } from "../cache/layout.ts";
import { recordLockChild } from "../cache/lock.ts";
import { ensurePixiDownloaded, pixiInstallPath, PIXI_VERSION } from "../pixi/download.ts";
import { findPixi } from "../pixi/find.ts";
import { runPixiInstall } from "../pixi/run.ts";
import { ensureDir, removeTree, tryFs, writeFileAtomic, type FsError } from "../util/fs.ts";
import { err, ok, type Result } from "../util/result.ts";
import { VERSION } from "../version.ts";
import { inModule, type BuildError } from "./errors.ts";
import type { FoundEnv } from "./find.ts";
import type { Reporter } from "./reporter.ts";

/** pixi from the machine, else the pinned release downloaded and verified into `toolsDir`. */
export async function pixiOrDownload(reporter: Reporter, toolsDir: string): Promise<Result<string, BuildError>> {
  const found = findPixi([path.dirname(pixiInstallPath(toolsDir))]);
  if (found.isOk() || found.error.override) return found.mapErr(inModule("pixi"));
  reporter.info(`pixi not found; downloading pixi ${PIXI_VERSION}`);
  const got = await ensurePixiDownloaded({ toolsDir, onProgress: (done, total) => reporter.pixiDownload(PIXI_VERSION, done, total) });
  reporter.pixiDownloadEnd();
  return got.mapErr(inModule("pixi"));
}

/** Everything in a build folder except the lock and the link records goes before a fresh build. */
function cleanBuildDir(p: BuildPaths): Result<void, FsError> {
  const keep = new Set<string>([LAYOUT.building, LAYOUT.links]);
  const names = tryFs("readdir", p.dir, () => fs.readdirSync(p.dir));
  if (names.isErr()) return err(names.error);
  for (const n of names.value) {
    if (keep.has(n)) continue;
    const r = removeTree(path.join(p.dir, n));
    if (r.isErr()) return err(r.error);
  }
  return ok(undefined);
}

/**
 * In the locked build folder, made fresh: write `manifest` as
 * pixi.toml and run `pixi install`, its output in install.log and each line to the reporter.
 */
export async function runPixi(p: BuildPaths, env: FoundEnv, manifest: string, pixi: string, reporter: Reporter): Promise<Result<void, BuildError>> {
  const steps = cleanBuildDir(p)
    .andThen(() => ensureDir(p.noPython))
    .andThen(() => writeFileAtomic(p.manifest, manifest))
    .andThen(() => writeFileAtomic(p.log, `# comfy-env ${VERSION}: pixi install for ${env.file.path}\n`));
  if (steps.isErr()) return err({ kind: "fs", error: steps.error });
  return runPixiInstall(
    pixi,
    p,
    (line) => reporter.pixiOutput(env.label, line),
    (pid) => recordLockChild(p, pid),
  ).then((r) => r.mapErr(inModule("pixi")));
}
