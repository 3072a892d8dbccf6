import fs from "node:fs";
import { configDigest } from "../cache/hash.ts";
import type { BuildPaths } from "../cache/layout.ts";
import { writeMeta } from "../cache/meta.ts";
import { writeStatusScripts } from "../cache/scripts.ts";
import { tryFs } from "../util/fs.ts";
import { err, type Result } from "../util/result.ts";
import type { PixiPlatform } from "../util/platform.ts";
import { VERSION } from "../version.ts";
import { installedNames, type CudaWheelPlan } from "./cuda-wheels.ts";
import type { BuildDecision } from "./decide.ts";
import { inModule, type BuildError } from "./errors.ts";
import type { FoundEnv } from "./find.ts";
import type { Reporter } from "./reporter.ts";

/**
 * A build that ran to the end: its meta (what it was made from and for), then `.done`, the one
 * mark that makes it usable. A failed build never gets here, so it is never marked done.
 */
export function finishBuild(
  p: BuildPaths,
  env: FoundEnv,
  decision: BuildDecision,
  wheels: CudaWheelPlan,
  platform: PixiPlatform,
  started: number,
): Result<void, BuildError> {
  const meta = writeMeta(p, {
    hash: p.hash,
    digest: decision.digest,
    configDigest: configDigest(env.bytes),
    identity: decision.identity,
    pythonFromHost: decision.host !== undefined,
    ...(decision.host?.python === undefined ? {} : { hostPython: decision.host.python }),
    toolVersion: VERSION,
    source: env.file.dir,
    configFile: env.file.path,
    configContent: new TextDecoder().decode(env.bytes),
    platform,
    python: decision.identity.python,
    torchVariant: decision.identity.variant ?? decision.cuda.variant,
    cudaWheels: installedNames(wheels),
    builtAt: new Date().toISOString(),
    buildSeconds: Math.round((performance.now() - started) / 100) / 10,
  });
  if (meta.isErr()) return err({ kind: "fs", error: meta.error });
  return tryFs("write", p.done, () => fs.writeFileSync(p.done, new Date().toISOString())).mapErr(inModule("fs"));
}

/** The cache's status scripts list every build: rewritten after each run that had envs to build; failing to is worth a warning once one was built. */
export function rewriteStatusScripts(root: string, reporter: Reporter, built: boolean): void {
  const scripts = writeStatusScripts(root);
  if (scripts.isErr() && built) reporter.notDone(undefined, "status scripts not rewritten", { kind: "fs", error: scripts.error });
}
