// Golden pixi.toml files for every env config in the fixture corpus that parses, for four
// targets. `UPDATE_GOLDEN=1 bun test test/pixi` rewrites them; review the diff before committing.
import { describe, expect, test } from "bun:test";
import { mkdirSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import TOML from "@iarna/toml";
import { configHash } from "../../src/cache/hash.ts";
import { loadConfigFile } from "../../src/config/parse.ts";
import { generatePixiToml, type ManifestTarget } from "../../src/pixi/manifest.ts";
import { CONFIGS_DIR } from "../support/fixtures.ts";

const FIXTURES = CONFIGS_DIR;
const GOLDEN = path.join(import.meta.dir, "../golden/pixi");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

const TARGETS: { label: string; target: Omit<ManifestTarget, "name" | "source"> }[] = [
  { label: "linux-64 cuda 12.8 glibc 2.35", target: { platform: "linux-64", cuda: "12.8", python: "3.11", glibc: "2.35" } },
  { label: "linux-64 cpu glibc 2.35", target: { platform: "linux-64", cuda: null, python: "3.11", glibc: "2.35" } },
  { label: "win-64 cuda 12.8", target: { platform: "win-64", cuda: "12.8", python: "3.11" } },
  { label: "osx-arm64", target: { platform: "osx-arm64", cuda: null, python: "3.11" } },
];

const envFixtures = readdirSync(FIXTURES)
  .filter((f) => f.endsWith(".toml") && !f.includes("comfy-env-root"))
  .sort();

/** The golden text for one fixture, or null when it does not parse (the parser's tests cover those). */
function goldenFor(file: string): string | null {
  const loaded = loadConfigFile(path.join(FIXTURES, file), "env");
  if (loaded.isErr() || loaded.value.role !== "env") return null;
  const { config, bytes } = loaded.value;
  const blocks = TARGETS.map(({ label, target }) => {
    const full: ManifestTarget = { ...target, name: `comfy-env-${configHash(bytes)}`, source: file };
    const r = generatePixiToml(config, full);
    const text = r.isOk() ? r.value : `# error: ${JSON.stringify(r.error)}\n`;
    if (r.isOk()) {
      const doc = TOML.parse(r.value) as { workspace: { platforms: string[] }; dependencies: { python?: string }; "pypi-dependencies": Record<string, unknown> };
      expect(doc.workspace.platforms).toEqual([target.platform]);
      expect(typeof doc.dependencies.python).toBe("string");
      // No corpus config opts out of torch, so every one gets torch from its build's index.
      expect(Object.keys(doc["pypi-dependencies"])).toContain("torch");
    }
    expect(r.isOk()).toBe(true);
    return `#### ${label}\n${text}`;
  });
  return blocks.join("\n");
}

describe("golden pixi.toml per fixture", () => {
  const produced = new Set<string>();
  if (UPDATE) mkdirSync(GOLDEN, { recursive: true });

  for (const file of envFixtures) {
    test(file, () => {
      const text = goldenFor(file);
      if (text === null) return;
      const golden = path.join(GOLDEN, file);
      produced.add(file);
      if (UPDATE) writeFileSync(golden, text);
      else expect(text).toBe(readFileSync(golden, "utf8"));
    });
  }

  test("no stale golden files; most fixtures generate", () => {
    const stale = (): string[] => readdirSync(GOLDEN).filter((f) => f.endsWith(".toml") && !produced.has(f));
    if (UPDATE) for (const f of stale()) unlinkSync(path.join(GOLDEN, f));
    expect(stale()).toEqual([]);
    expect(produced.size).toBeGreaterThan(envFixtures.length / 2);
  });
});
