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

/** Where a build goes: a done build of this identity to link, or a folder locked for building it. */
export type BuildFolder =
  | { kind: "done"; paths: BuildPaths; outcome: "reused" | "waited" }
  | { kind: "locked"; paths: BuildPaths; pixi: string; release: Extract<LockOutcome, { kind: "acquired" }>["release"] };

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
    if (exists(p.done)) {
      // Taken by another config or decision, or (--force) the build being replaced.
      if (force || readMeta(p)?.digest !== digest) continue;
      if (exists(envPythonPath(p))) return ok({ kind: "done", paths: p, outcome: "reused" });
      // Ours, but its env was deleted: rebuild it where it is.
      const undone = tryFs("unlink", p.done, () => fs.rmSync(p.done, { force: true }));
      if (undone.isErr()) return err({ kind: "fs", error: undone.error });
    } else {
      // Held for another identity: move on. An owner not yet written, or one without a claim,
      // may be building ours: wait for it rather than build a second copy under the next name.
      const held = lockState(p);
      if (held.state === "held" && held.owner?.claim !== undefined && held.owner.claim !== digest) continue;
    }
    const pixi = await ctx.pixi();
    if (pixi.isErr()) return err(pixi.error);
    const lock = await acquireBuildLock(p, { timeoutMs: ctx.lockTimeoutMs, claim: digest, onWait: (o, left) => ctx.reporter.lockWait(env.label, o, left) });
    if (lock.isErr()) return err({ kind: "cache", error: lock.error });
    if (lock.value.kind === "done") {
      if (readMeta(p)?.digest === digest) return ok({ kind: "done", paths: p, outcome: "waited" });
      continue;
    }
    return ok({ kind: "locked", paths: p, pixi: pixi.value, release: lock.value.release });
  }
  return err({ kind: "fs", error: { kind: "fs", op: "choose a build folder for", path: ctx.root, message: `every name of ${env.label}'s build is taken; run comfy-env gc` } });
}
