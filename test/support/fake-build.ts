import fs from "node:fs";
import path from "node:path";
import { configDigest } from "../../src/cache/hash.ts";
import type { BuildIdentity } from "../../src/cache/hash.ts";
import type { BuildPaths } from "../../src/cache/layout.ts";
import { hostPixiPlatform } from "../../src/util/platform.ts";

/**
 * A finished build of `config` the fast path reuses without pixi: `.done`, the env's Python, a
 * meta naming config and platform (a CPU build unless `made.identity` says otherwise).
 */
export function writeFakeBuild(p: BuildPaths, config: string, made: { identity?: Partial<BuildIdentity>; source?: string } = {}): void {
  fs.mkdirSync(path.join(p.env, "bin"), { recursive: true });
  fs.writeFileSync(path.join(p.env, "bin", "python"), "");
  const identity = { platform: hostPixiPlatform(), cuda: null, variant: "cpu", torch: "2.8", python: "3.11", ...made.identity };
  const source = made.source === undefined ? {} : { source: made.source };
  fs.writeFileSync(p.meta, JSON.stringify({ hash: p.hash, configDigest: configDigest(new TextEncoder().encode(config)), identity, pythonFromHost: false, ...source }));
  fs.writeFileSync(p.done, "");
}
