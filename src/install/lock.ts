import fs from "node:fs";
import { buildNames, forcedName } from "../cache/hash.ts";
import { buildPaths, envPythonPath, type BuildPaths } from "../cache/layout.ts";
import { acquireBuildLock, lockState, type LockOutcome } from "../cache/lock.ts";
import { readMeta } from "../cache/meta.ts";
import { exists, tryFs } from "../util/fs.ts";
import { err, ok, type Result } from "../util/result.ts";
import type { BuildContext } from "./context.ts";
import type { BuildError } from "./errors.ts";
import type { FoundEnv } from "./find.ts";

/**
 * Where a build goes: a done build of this identity to link, or a folder locked for building
 * it. Either way its lock is held (gc removes a build only under it) until `release`.
 */
export type BuildFolder =
  | { kind: "done"; paths: BuildPaths; outcome: "reused" | "waited"; release: Release }
  | { kind: "locked"; paths: BuildPaths; pixi: string; release: Release };

type Release = Extract<LockOutcome, { kind: "acquired" }>["release"];

/** The folder names this build may take: its own names, and for `--force` fresh ones after them. */
function candidateNames(env: FoundEnv, digest: string, force: boolean): string[] {
  const names = buildNames(env.bytes, digest);
  return force ? [...names, ...Array.from({ length: 16 }, (_, i) => forcedName(digest, i + 1))] : names;
}

/**
 * The first of the build's names that is free or already this build: a done one is reused,
 * else its lock is taken (waiting on another install that holds it: that one may finish it).
 * pixi is found, or downloaded, before the lock is taken, so no other install waits on a download.
 */
export async function lockBuildFolder(env: FoundEnv, digest: string, ctx: BuildContext): Promise<Result<BuildFolder, BuildError>> {
  const force = ctx.request.force;
  for (const name of candidateNames(env, digest, force)) {
    const p = buildPaths(ctx.root, name);
    const wasDone = exists(p.done);
    if (wasDone) {
      // Taken by another config or decision, or (--force) the build being replaced.
      if (force || readMeta(p)?.digest !== digest) continue;
    } else {
      // Held for another identity: move on. An owner not yet written, or one without a claim,
      // may be building ours: wait for it rather than build a second copy under the next name.
      const held = lockState(p);
      if (held.state === "held" && held.owner?.claim !== undefined && held.owner.claim !== digest) continue;
    }
    // A build found done needs no pixi, unless its env was deleted (then it is found under the lock).
    const early = wasDone ? undefined : await ctx.pixi();
    if (early?.isErr()) return err(early.error);
    const lock = await acquireBuildLock(p, { timeoutMs: ctx.lockTimeoutMs, claim: digest, onWait: (o, left) => ctx.reporter.lockWait(env.label, o, left) });
    if (lock.isErr()) return err({ kind: "cache", error: lock.error });
    const { release } = lock.value;
    if (lock.value.kind === "done") {
      if (readMeta(p)?.digest !== digest) {
        release();
        continue;
      }
      if (exists(envPythonPath(p))) return ok({ kind: "done", paths: p, outcome: wasDone ? "reused" : "waited", release });
      // Ours, but its env was deleted: rebuild it where it is.
      const undone = tryFs("unlink", p.done, () => fs.rmSync(p.done, { force: true }));
      if (undone.isErr()) {
        release();
        return err({ kind: "fs", error: undone.error });
      }
    }
    const pixi = early ?? (await ctx.pixi());
    if (pixi.isErr()) {
      release();
      return err(pixi.error);
    }
    return ok({ kind: "locked", paths: p, pixi: pixi.value, release });
  }
  return err({ kind: "fs", error: { kind: "fs", op: "choose a build folder for", path: ctx.root, message: `every name of ${env.label}'s build is taken; run comfy-env gc` } });
}
