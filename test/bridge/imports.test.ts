import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { PACKAGE_FILES } from "../../src/bridge/files.ts";
import { BRIDGE_PACKAGE_PARENT } from "../support/cli.ts";
import { python, testWithPythons } from "../support/pythons.ts";
import { tmpdir } from "../support/tmp.ts";

const GRAPH = path.join(import.meta.dir, "harness", "import_graph.py");

interface Graph {
  edges: Record<string, string[]>;
  cycles: string[][];
}

function graph(minor: string, dir: string): Graph {
  const r = Bun.spawnSync([python(minor), "-B", GRAPH, dir], { stdout: "pipe", stderr: "pipe" });
  expect(r.stderr.toString()).toBe("");
  return JSON.parse(r.stdout.toString()) as Graph;
}

// A circle of imports makes a module's meaning depend on which side was imported first, and a
// deferred import only hides it until the call: the package's modules form a layered graph.
describe("the comfy_env package's imports", () => {
  for (const minor of ["3.9", "3.13"]) {
    testWithPythons(minor)(`Python ${minor}: no module imports itself through others, at module level or inside a function`, () => {
      const g = graph(minor, path.join(BRIDGE_PACKAGE_PARENT, "comfy_env"));
      expect(Object.keys(g.edges)).toContain("_worker");
      expect(g.edges._worker).toContain("_contract"); // the graph sees the package's imports
      expect(g.cycles).toEqual([]);
    });
  }

  test("the binary embeds every module of the package (src/bridge/files.ts lists them all)", () => {
    const modules = fs.readdirSync(path.join(BRIDGE_PACKAGE_PARENT, "comfy_env")).filter((f) => f.endsWith(".py"));
    expect(Object.keys(PACKAGE_FILES).sort()).toEqual(modules.map((f) => `comfy_env/${f}`).sort());
  });

  testWithPythons("3.9")("the check sees every import form, deferred ones too, and names the circles", async () => {
    await using dir = await tmpdir();
    const pkg = path.join(dir.path, "pkg");
    fs.mkdirSync(pkg);
    const files: Record<string, string> = {
      "__init__.py": "from . import helper\n",
      "helper.py": "from . import thing\n", // a name of __init__'s: back to the package
      "a.py": "def f():\n    from pkg import b\n",
      "b.py": "import pkg.c as c\n",
      "c.py": "from .a import f\nfrom . import d\n",
      "d.py": "from pkg.e import x\n",
      "e.py": "import os\nimport pkgother.a\n",
    };
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(pkg, name), text);
    const g = graph("3.9", pkg);
    expect(g.edges).toEqual({ __init__: ["helper"], helper: ["__init__"], a: ["b"], b: ["c"], c: ["a", "d"], d: ["e"], e: [] });
    expect(g.cycles).toEqual([["__init__", "helper"], ["a", "b", "c"]]);
  });
});
