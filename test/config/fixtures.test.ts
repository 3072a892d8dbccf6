// Every real config in the shared corpus: valid TOML loads in the role its name gives,
// the 8 broken files give one toml-syntax error at the right place.
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { locateKey } from "../../src/config/locate.ts";
import { loadConfigFile, roleFromFileName } from "../../src/config/parse.ts";
import { normalizeSource, parseToml } from "../../src/config/toml-text.ts";
import type { TomlValue } from "../../src/config/types.ts";
import { CONFIGS_DIR } from "../support/fixtures.ts";

const DIR = CONFIGS_DIR;
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith(".toml")).sort();

/** test/fixtures/configs/KEYS.md "Files that do not parse as TOML": file → [line, column]. */
const INVALID: Record<string, [number, number]> = {
  "PozzettiAndrea__ComfyUI-MotionCapture__nodes_nodes_gpu_comfy-env@eacc0506.toml": [50, 18],
  "PozzettiAndrea__ComfyUI-SAM3__comfy-env-root@dac403e1.toml": [6, 162],
  "PozzettiAndrea__ComfyUI-SAM3__nodes_comfy-env@315997b4.toml": [25, 12],
  "PozzettiAndrea__ComfyUI-TRELLIS2__nodes_gpu_comfy-env@17ae9f14.toml": [27, 8],
  "desonglll__ComfyUI-GeometryPack__nodes_blender_comfy-env@214fa062.toml": [5, 8],
  "desonglll__ComfyUI-GeometryPack__nodes_cgal_comfy-env@7d830b5e.toml": [6, 8],
  "desonglll__ComfyUI-GeometryPack__nodes_gpu_comfy-env@214fa062.toml": [6, 8],
  "nothingtosurprise__ComfyUI-UniRig__nodes_comfy-env@45ce8b68.toml": [31, 12],
};

/** Valid TOML that pixi would reject: file → [line, key] of the invalid-value error. */
const REJECTED: Record<string, [number, string]> = {
  // `numpy = "1.26.*"`: a wildcard without its `==`, not PEP 440 (pixi fails on it).
  "PGCRT__ComfyUI-OpenBlender3D-Pack__components_skintokens_nodes_comfy-env.toml": [20, "pypi-dependencies.numpy"],
};

test("the corpus is there", () => {
  expect(FILES.length).toBeGreaterThan(100);
  for (const f of [...Object.keys(INVALID), ...Object.keys(REJECTED)]) expect(FILES).toContain(f);
});

describe("every fixture", () => {
  for (const f of FILES) {
    const file = path.join(DIR, f);
    const bad = INVALID[f];
    if (bad) {
      test(`${f}: toml-syntax at ${bad[0]}:${bad[1]}`, () => {
        const e = loadConfigFile(file)._unsafeUnwrapErr();
        expect(e).toMatchObject({ kind: "toml-syntax", file, line: bad[0], column: bad[1] });
        if (e.kind !== "toml-syntax") throw new Error("unreachable");
        expect(e.message.length).toBeGreaterThan(5);
        expect(e.message).not.toContain("\n");
        expect(e.message).not.toMatch(/row \d+/);
      });
      continue;
    }
    const rejected = REJECTED[f];
    if (rejected) {
      test(`${f}: invalid-value ${rejected[1]} at line ${rejected[0]}`, () => {
        const e = loadConfigFile(file)._unsafeUnwrapErr();
        expect(e).toMatchObject({ kind: "invalid-value", file, line: rejected[0], key: rejected[1] });
      });
      continue;
    }
    test(`${f}: loads as ${roleFromFileName(f)}`, () => {
      const loaded = loadConfigFile(file)._unsafeUnwrap();
      expect(loaded.role).toBe(roleFromFileName(f));
      expect(loaded.config.file).toBe(file);
      expect(Buffer.from(loaded.bytes).equals(fs.readFileSync(file))).toBe(true);
      const lines = normalizeSource(fs.readFileSync(file, "utf8")).split("\n");
      for (const w of loaded.warnings) {
        expect(w.file).toBe(file);
        expect(w.line).toBeNumber();
        // The warned key is named on the line it points at (an array element: its own line).
        const last = w.key.split(".").pop()!;
        if (!/^\d+$/.test(last)) expect(lines[w.line! - 1]).toContain(last);
      }
      if (loaded.role === "env") {
        // Nothing pixi does not know reaches the passthrough.
        for (const k of Object.keys(loaded.config.passthrough)) expect(["tasks", "host-dependencies", "build-dependencies"]).toContain(k);
      }
    });
  }
});

describe("locate finds every key of every parsed fixture on a line that names it", () => {
  for (const f of FILES.filter((x) => !INVALID[x])) {
    test(f, () => {
      const source = normalizeSource(fs.readFileSync(path.join(DIR, f), "utf8"));
      const doc = parseToml(source, f)._unsafeUnwrap();
      const lines = source.split("\n");
      const visit = (value: TomlValue, at: (string | number)[]): void => {
        if (at.length > 0) {
          const line = locateKey(source, at);
          expect(line).toBeNumber();
          const text = lines[line! - 1]!;
          const last = at[at.length - 1]!;
          if (typeof last === "string") expect(text).toContain(last);
          else if (typeof value === "string") expect(text).toContain(value);
        }
        if (Array.isArray(value)) value.forEach((v, i) => visit(v, [...at, i]));
        else if (typeof value === "object" && !(value instanceof Date)) for (const [k, v] of Object.entries(value)) visit(v, [...at, k]);
      };
      visit(doc, []);
    });
  }
});
