// parseConfigText on hand-written text: wrong types point at their line, unused keys warn.
import { describe, expect, test } from "bun:test";
import { loadConfigFile, parseConfigBytes, parseConfigText, roleFromFileName } from "../../src/config/parse.ts";
import type { ConfigError, LoadedConfig } from "../../src/config/types.ts";

const F = "/pack/nodes/comfy-env.toml";
const R = "/pack/comfy-env-root.toml";

function envErr(text: string): ConfigError {
  return parseConfigText(text, F, "env")._unsafeUnwrapErr();
}
function envOk(text: string): Extract<LoadedConfig, { role: "env" }> {
  const loaded = parseConfigText(text, F, "env")._unsafeUnwrap();
  if (loaded.role !== "env") throw new Error("not env");
  return loaded;
}
function rootOk(text: string): Extract<LoadedConfig, { role: "root" }> {
  const loaded = parseConfigText(text, R, "root")._unsafeUnwrap();
  if (loaded.role !== "root") throw new Error("not root");
  return loaded;
}

describe("wrong types in an env file", () => {
  test("python = 3.10 (a float) says to quote what was written", () => {
    expect(envErr('# env\n\npython = 3.10  # oops\n')).toEqual({
      kind: "invalid-value",
      file: F,
      line: 3,
      key: "python",
      message: "python must be a quoted string: `python = 3.10` is a TOML number (read as 3.1)",
      hint: 'quote it: python = "3.10"',
    });
  });

  test("python inside a legacy [env] table", () => {
    const e = envErr('[env]\nname = "x"\npython = 3.11\n');
    expect(e).toMatchObject({ kind: "invalid-value", line: 3, key: "env.python", hint: 'quote it: python = "3.11"' });
  });

  test("python as an array", () => {
    expect(envErr('python = ["3.11"]\n')).toMatchObject({ line: 1, key: "python", hint: 'write it as python = "3.11"' });
  });

  test("[cuda] packages = 5", () => {
    const e = envErr('python = "3.11"\n\n[cuda]\npackages = 5\n');
    expect(e).toMatchObject({ kind: "invalid-value", file: F, line: 4, key: "cuda.packages" });
    if (e.kind !== "invalid-value") throw new Error();
    expect(e.message).toBe("cuda.packages must be a list of package names, not a number (5)");
    expect(e.hint).toContain('packages = ["flash-attn"');
  });

  test("a non-string entry in [cuda] packages points at its own line", () => {
    // (@iarna/toml rejects mixed-type arrays as a syntax error, so all entries are numbers here.)
    const e = envErr('[cuda]\npackages = [\n  7,\n  8,\n]\n');
    expect(e).toMatchObject({ kind: "invalid-value", line: 3, key: "cuda.packages.0" });
  });

  test("a [cuda] package that is an option is refused at its line (no pip options from a config)", () => {
    const e = envErr('[cuda]\npackages = [\n  "cowsay",\n  "--index-url=https://evil.test/simple",\n]\n');
    expect(e).toMatchObject({ kind: "invalid-value", file: F, line: 4, key: "cuda.packages.1" });
    expect(e.kind === "invalid-value" && e.message).toContain('"--index-url=https://evil.test/simple" is not a package name');
    expect(envErr('[cuda]\npackages = "--target=/elsewhere"\n')).toMatchObject({ line: 2, key: "cuda.packages" });
    expect(envErr('[cuda]\n"-e" = "*"\n')).toMatchObject({ line: 2, key: "cuda.-e" });
  });

  test("dependency names are package names; conda ones may start with _", () => {
    expect(envErr('[pypi-dependencies]\nnumpy = "*"\n"--extra-index-url" = "*"\n')).toMatchObject({ kind: "invalid-value", line: 3, key: "pypi-dependencies.--extra-index-url" });
    expect(envErr('[target.linux-64.dependencies]\n"-x" = "*"\n')).toMatchObject({ kind: "invalid-value", line: 2 });
    expect(envOk('[dependencies]\n_openmp_mutex = "*"\n[pypi-dependencies]\n"zope.interface" = "*"\n').config.deps.conda).toEqual({ _openmp_mutex: "*" });
  });

  test("a python pin that is not a version is an error at its line (before any manifest)", () => {
    expect(envErr('# x\npython = "3.11\\u001b[31m"\n')).toMatchObject({ kind: "invalid-value", file: F, line: 2, key: "python" });
    expect(envErr('[env]\npython = "latest"\n')).toMatchObject({ line: 2, key: "env.python" });
    expect(envOk('python = "3.11.9"\n').config.python).toBe("3.11.9");
  });

  test("invalid UTF-8 is refused with its line and column", () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('python = "3.11"\n# caf\u00e9 ok\nname = "'), 0xff, 0x22, 0x0a]);
    const e = parseConfigBytes(bytes, F, "env")._unsafeUnwrapErr();
    expect(e).toMatchObject({ kind: "toml-syntax", file: F, line: 3, column: 9 });
    expect(e.kind === "toml-syntax" && e.message).toContain("invalid UTF-8 (byte 0xff)");
    expect(parseConfigBytes(new TextEncoder().encode('python = "3.11" # café\n'), F, "env").isOk()).toBe(true);
  });

  test("env_vars not a table", () => {
    const e = envErr('a = 1\nenv_vars = "X=1"\n');
    expect(e).toMatchObject({ kind: "invalid-value", line: 2, key: "env_vars" });
    if (e.kind !== "invalid-value") throw new Error();
    expect(e.message).toContain("must be a table");
  });

  test("env var value that is an array", () => {
    expect(envErr('[env_vars]\nOK = "1"\nBAD = [1]\n')).toMatchObject({ line: 3, key: "env_vars.BAD", hint: 'write BAD = "value"' });
  });

  test("dependency spec that is neither string nor table", () => {
    const e = envErr('[dependencies]\nav = "*"\nnumpy = 5\n');
    expect(e).toMatchObject({ kind: "invalid-value", line: 3, key: "dependencies.numpy" });
    if (e.kind !== "invalid-value") throw new Error();
    expect(e.message).toContain("not a number (5)");
    expect(e.hint).toBe('write numpy = ">=1.2" or numpy = { version = ">=1.2" }');
  });

  test("pypi dependency spec under a target", () => {
    const e = envErr('[target.win-64.pypi-dependencies]\ntriton-windows = true\n');
    expect(e).toMatchObject({ line: 2, key: "target.win-64.pypi-dependencies.triton-windows" });
  });

  test("[dependencies] given as an array", () => {
    expect(envErr('dependencies = ["numpy"]\n')).toMatchObject({ line: 1, key: "dependencies" });
  });

  test("health_check_timeout must be a positive number", () => {
    expect(envErr('[options]\nhealth_check_timeout = "10"\n')).toMatchObject({ line: 2, key: "options.health_check_timeout" });
    expect(envErr('[options]\nhealth_check_timeout = 0\n')).toMatchObject({ line: 2, key: "options.health_check_timeout" });
  });

  test("channels must be strings", () => {
    expect(envErr('[workspace]\nchannels = [3]\n')).toMatchObject({ line: 2, key: "workspace.channels.0" });
  });

  test("legacy requirements must be a list of strings", () => {
    expect(envErr('[packages]\nrequirements = "numpy"\n')).toMatchObject({ line: 2, key: "packages.requirements" });
  });

  test("unsupported schema", () => {
    expect(envErr("schema = 2\n")).toMatchObject({ line: 1, key: "schema" });
  });
});

describe("env file meaning", () => {
  test("a scalar [cuda] packages string is one package; map form too", () => {
    expect(envOk('[cuda]\npackages = "flash-attn"\n').config.cudaPackages).toEqual(["flash-attn"]);
    expect(envOk('[cuda]\ndetectron2 = "*"\ntorch-scatter = "*"\n').config.cudaPackages).toEqual(["detectron2", "torch-scatter"]);
  });

  test("unknown keys in [cuda] and [options] warn with their line", () => {
    const { config, warnings } = envOk('[cuda]\npackages = ["a"]\npakages = ["b"]\n\n[options]\nhealth_check_timeout = 7.5\ntimeout = 3\n');
    expect(config.cudaPackages).toEqual(["a"]);
    expect(config.healthCheckTimeout).toBe(7.5);
    expect(warnings.map((w) => [w.key, w.line, w.message])).toEqual([
      ["cuda.pakages", 3, "unrecognized key 'pakages' in [cuda] (known: packages); ignored"],
      ["options.timeout", 7, "unrecognized key 'timeout' in [options] (known: health_check_timeout); ignored"],
    ]);
  });

  test("env var numbers and booleans are stringified", () => {
    expect(envOk("[env_vars]\nA = 1\nB = 0.5\nC = true\nD = 'x'\n").config.envVars).toEqual({ A: "1", B: "0.5", C: "true", D: "x" });
  });

  test("pixi tables: passthrough, special tables, comfy-env-owned ones warned", () => {
    const text = [
      'python = "3.12"',
      "[workspace]",
      'name = "x"',
      'channels = ["pozzettiandrea"]',
      'platforms = ["linux-64"]',
      "[tasks]",
      'hello = "echo hi"',
      "[system-requirements]",
      'cuda = "12"',
      "[pypi-options]",
      'extra-index-urls = ["https://example.invalid/simple"]',
      "[activation]",
      'env = { A = "1" }',
      "[feature.gpu.dependencies]",
      'cuda = "*"',
      "[environments]",
      'gpu = ["gpu"]',
      "[host-dependencies]",
      'cmake = "*"',
      "[target.linux-64.activation]",
      'scripts = ["a.sh"]',
      "[mystery]",
      "x = 1",
    ].join("\n");
    const { config, warnings } = envOk(text);
    expect(config.python).toBe("3.12");
    expect(config.channels).toEqual(["pozzettiandrea"]);
    expect(config.passthrough).toEqual({ tasks: { hello: "echo hi" }, "host-dependencies": { cmake: "*" } });
    expect(Object.keys(config.passthrough)).toEqual(["tasks", "host-dependencies"]);
    expect(config.systemRequirements).toEqual({ cuda: "12" });
    expect(config.pypiOptions).toEqual({ "extra-index-urls": ["https://example.invalid/simple"] });
    expect(config.activation).toEqual({ env: { A: "1" } });
    expect(config.targets).toEqual({ "linux-64": { conda: {}, pypi: {} } });
    expect(warnings.map((w) => [w.key, w.line])).toEqual([
      ["workspace.name", 3],
      ["workspace.platforms", 5],
      ["feature", 14],
      ["environments", 16],
      ["target.linux-64.activation", 20],
      ["mystery", 22],
    ]);
  });

  test("legacy requirement forms: url, extras, markers, unreadable", () => {
    const { config, warnings } = envOk(
      ['[packages]', 'requirements = [', '  "nvdiffrast @ https://x.invalid/n.whl",', '  "trimesh[easy]>=4",', '  "pywin32; sys_platform == \'win32\'",', '  "not a req!",', "]"].join("\n"),
    );
    expect(config.deps.pypi).toEqual({
      nvdiffrast: { url: "https://x.invalid/n.whl" },
      trimesh: { version: ">=4", extras: ["easy"] },
    });
    expect(warnings.map((w) => [w.key, w.line])).toEqual([
      ["packages.requirements.2", 5],
      ["packages.requirements.3", 6],
    ]);
  });

  test("top-level python wins over a legacy one, whatever the order", () => {
    expect(envOk('[env]\npython = "3.10"\n').config.python).toBe("3.10");
    expect(envOk('[legacy]\npython = "3.10"\n').config.python).toBe("3.10");
  });

  test("keys named like Object properties are plain keys", () => {
    const { config, warnings } = envOk('constructor = 1\n[packages]\ntoString = 2\nrequirements = ["numpy"]\n');
    expect(config.deps.pypi).toEqual({ numpy: "*" });
    expect(warnings.map((w) => w.key)).toEqual(["constructor", "packages.toString"]);
  });

  test("key order is kept as written", () => {
    const { config } = envOk('[pypi-dependencies]\nzeta = "*"\nalpha = "*"\nmid = "*"\n');
    expect(Object.keys(config.deps.pypi)).toEqual(["zeta", "alpha", "mid"]);
  });

  test("bytes are the text's UTF-8 bytes", () => {
    const text = '# é\npython = "3.11"\n';
    expect(Buffer.from(envOk(text).bytes).toString("utf8")).toBe(text);
  });
});

describe("PyPI version specs (PEP 440, as pixi reads them)", () => {
  test('numpy = "1.26.*" is an error at its line, with the == it lacks', () => {
    expect(envErr('[pypi-dependencies]\ntrimesh = "*"\nnumpy = "1.26.*"\n')).toEqual({
      kind: "invalid-value",
      file: F,
      line: 3,
      key: "pypi-dependencies.numpy",
      message: 'numpy = "1.26.*" is not a PEP 440 version specifier (operators: ==, !=, <=, >=, <, >, ~=, ===; comma-separated)',
      hint: 'write numpy = "==1.26.*"',
    });
  });

  test.each([
    ["a bare version", '"1.2"', 'write x = "==1.2"'],
    ["a wildcard after >=", '">=1.0.*"', 'write x = ">=1.2,<2" or x = "*"'],
    ["~= with one part", '"~=1"', 'write x = ">=1.2,<2" or x = "*"'],
    ["specifiers without a comma", '">=1 <2"', 'write x = ">=1.2,<2" or x = "*"'],
    ["an empty string", '""', 'write x = ">=1.2,<2" or x = "*"'],
    ["a table version", '{ version = "2.0", extras = ["a"] }', 'write x = "==2.0"'],
  ])("%s is rejected", (_what, value, hint) => {
    expect(envErr(`[pypi-dependencies]\nx = ${value}\n`)).toMatchObject({ kind: "invalid-value", line: 2, key: "pypi-dependencies.x", hint });
  });

  test("a target's PyPI specs are checked too", () => {
    expect(envErr('[target.linux-64.pypi-dependencies]\n\nx = "2.*"\n')).toMatchObject({ line: 3, key: "target.linux-64.pypi-dependencies.x" });
  });

  test("specs pixi accepts pass", () => {
    const specs = ["*", ">=1.23,<2", ">=0.20.0, <1.0.0", "==2.8.*", "!=1.2.*", "~=1.4.2", "===1.0", "==1.0+cu128", "<2.0.0", ">=1!2.0"];
    const text = "[pypi-dependencies]\n" + specs.map((v, i) => `p${i} = "${v}"`).join("\n") + '\ng = { git = "https://x/y.git" }\n';
    expect(Object.keys(envOk(text).config.deps.pypi)).toHaveLength(specs.length + 1);
  });

  test("legacy requirement strings are read with the same checker", () => {
    const r = envOk('[packages]\nrequirements = ["numpy==1.26.*", "scipy 1.2", "x>=1.0.*"]\n');
    expect(r.config.deps.pypi).toEqual({ numpy: "==1.26.*" });
    expect(r.warnings.map((w) => w.key)).toEqual(["packages.requirements.1", "packages.requirements.2"]);
  });
});

describe("conda channels named by a dependency", () => {
  test("{ channel = ... } adds the channel when the file does not list it", () => {
    const r = envOk('[dependencies]\nbpy = { version = "*", channel = "pozzettiandrea" }\n');
    expect(r.config.channels).toEqual(["pozzettiandrea"]);
  });

  test("a listed channel is not repeated; targets count too", () => {
    const r = envOk('[workspace]\nchannels = ["conda-forge", "pozzettiandrea"]\n[dependencies]\nbpy = { version = "*", channel = "pozzettiandrea" }\n[target.linux-64.dependencies]\nx = { channel = "other" }\n');
    expect(r.config.channels).toEqual(["conda-forge", "pozzettiandrea", "other"]);
  });

  test("owner::pkg in a legacy conda package list", () => {
    const r = envOk('[geo]\npython = "3.11"\n[geo.conda]\npackages = ["mychan::cgal >=5"]\n');
    expect(r.config.deps.conda).toEqual({ cgal: { version: ">=5", channel: "mychan" } });
    expect(r.config.channels).toEqual(["mychan"]);
  });
});

describe("TOML 1.0, as Python's tomllib reads it", () => {
  test("mixed-type arrays are accepted", () => {
    expect(envOk('[tasks]\nmixed = [1, "two", { three = 3 }]\n').config.passthrough).toEqual({ tasks: { mixed: [1, "two", { three: 3 }] } });
  });

  test("a trailing comma in an inline table is a syntax error at its line", () => {
    expect(envErr('python = "3.11"\n[dependencies]\na = {b = 1,}\n')).toMatchObject({ kind: "toml-syntax", file: F, line: 3, message: "Trailing commas in inline tables are not permitted" });
  });
});

describe("root files", () => {
  test("settings, types, node_packs; unknown setting warns with known keys", () => {
    const { config, warnings } = rootOk(
      '[settings]\nisolate = true\nworker_vram_budget = 6\nisolat = false\n\n[types]\nTRIMESH = "custom"\nIMAGE = "builtin"\n\n[node_packs]\nA = "o/a"\n[node_reqs]\nB = "o/b"\n',
    );
    expect(config.settings).toEqual({ isolate: true, worker_vram_budget: 6 });
    expect(config.types).toEqual({ TRIMESH: "custom", IMAGE: "builtin" });
    expect(config.nodeReqs).toEqual([
      { name: "A", line: 11, source: { kind: "git", repo: "o/a" } },
      { name: "B", line: 13, source: { kind: "git", repo: "o/b" } },
    ]);
    expect(warnings).toEqual([
      {
        file: R,
        line: 4,
        key: "settings.isolat",
        message: "unrecognized key 'isolat' in [settings] (known: auto_install, install_isolated, isolate, pool_ipc, worker_vram_budget); ignored",
      },
    ]);
  });

  test("a [types] value other than builtin/custom is an error on its line", () => {
    const e = parseConfigText('[types]\nMESH = "custom"\nTRIMESH = "cusotm"\n', R, "root")._unsafeUnwrapErr();
    expect(e).toMatchObject({ kind: "invalid-value", file: R, line: 3, key: "types.TRIMESH" });
    if (e.kind !== "invalid-value") throw new Error();
    expect(e.message).toContain('must be "builtin" or "custom", not a string ("cusotm")');
  });

  test("a known setting with the wrong type is an error", () => {
    expect(parseConfigText('[settings]\nisolate = "no"\n', R, "root")._unsafeUnwrapErr()).toMatchObject({ line: 2, key: "settings.isolate" });
  });

  test("env keys in a root file only warn", () => {
    const { warnings } = rootOk('python = "3.11"\n[cuda]\npackages = ["x"]\n[env_vars]\nA = 1\n[apt]\npackages = []\n[whatever]\n');
    expect(warnings.map((w) => [w.key, w.line, w.message])).toEqual([
      ["python", 1, "python belongs in comfy-env.toml; ignored in comfy-env-root.toml"],
      ["cuda", 2, "[cuda] belongs in comfy-env.toml; ignored in comfy-env-root.toml"],
      ["env_vars", 4, "[env_vars] belongs in comfy-env.toml; ignored in comfy-env-root.toml"],
      ["apt", 6, "[apt] is not used by comfy-env: install system packages yourself (ignored)"],
      ["whatever", 8, "[whatever] is not used in comfy-env-root.toml (known: node_packs, node_reqs, settings, types); ignored"],
    ]);
  });

  test("empty and comments-only files", () => {
    expect(rootOk("").config).toEqual({ file: R, settings: {}, types: {}, nodeReqs: [] });
    expect(rootOk("# nothing\n# here").warnings).toEqual([]);
    expect(envOk("").config.cudaPackages).toEqual([]);
  });
});

describe("[node_reqs] entries", () => {
  test("every form 0.4.x reads: owner/repo, URL, table with a ref, registry (which wins over github)", () => {
    const text = [
      "[node_reqs]",
      'A = "o/a"',
      'B = "https://example.com/x/B.git/"',
      'C = { github = "o/c", tag = "v1" }',
      'D = { repo = "o/d", commit = "abc123" }',
      'E = { registry = "e-pack", version = "1.2.3", github = "o/e" }',
      'F = { branch = "main", repo = "git@host:o/f.git" }',
    ].join("\n");
    const { config, warnings } = rootOk(text);
    expect(warnings).toEqual([]);
    expect(config.nodeReqs.map(({ name, source }) => [name, source])).toEqual([
      ["A", { kind: "git", repo: "o/a" }],
      ["B", { kind: "git", url: "https://example.com/x/B.git" }],
      ["C", { kind: "git", repo: "o/c", ref: { kind: "tag", value: "v1" } }],
      ["D", { kind: "git", repo: "o/d", ref: { kind: "commit", value: "abc123" } }],
      ["E", { kind: "registry", id: "e-pack", version: "1.2.3" }],
      ["F", { kind: "git", url: "git@host:o/f.git", ref: { kind: "branch", value: "main" } }],
    ]);
  });

  test("entries with nothing to fetch warn and are skipped", () => {
    const { config, warnings } = rootOk('[node_reqs]\nA = { tag = "v1" }\nB = "not a repo"\nC = { github = "o/c", extra = 1 }\n');
    expect(config.nodeReqs.map((r) => r.name)).toEqual(["C"]);
    expect(warnings.map((w) => [w.key, w.line])).toEqual([
      ["node_reqs.A", 2],
      ["node_reqs.B", 3],
      ["node_reqs.C.extra", 4],
    ]);
  });

  test.each([
    ["a name that leaves custom_nodes", '"../x" = "o/x"', "node_reqs.../x"],
    ["a name with a slash", '"a/b" = "o/x"', "node_reqs.a/b"],
    ["a number", "A = 3", "node_reqs.A"],
    ["two refs", 'A = { github = "o/a", tag = "v1", branch = "b" }', "node_reqs.A"],
    ["a non-string ref", 'A = { github = "o/a", tag = 1 }', "node_reqs.A.tag"],
  ])("%s is an error at its line", (_what, entry, key) => {
    const e = parseConfigText(`# deps\n[node_reqs]\n${entry}\n`, R, "root")._unsafeUnwrapErr();
    expect(e).toMatchObject({ kind: "invalid-value", file: R, line: 3, key });
  });
});

describe("syntax errors and files", () => {
  test("1-based line and column, short message", () => {
    expect(envErr('a = 1\n[pypi-dependencies]\ntrimesh[easy] = "*"\n')).toEqual({
      kind: "toml-syntax",
      file: F,
      line: 3,
      column: 8,
      message: 'Invalid character, expected "="',
    });
  });

  test("CRLF line endings with comments parse", () => {
    expect(envOk('# c\r\npython = "3.11" # c\r\n').config.python).toBe("3.11");
  });

  test("role from the file name", () => {
    expect(roleFromFileName("/x/comfy-env-root.toml")).toBe("root");
    expect(roleFromFileName("/x/comfy-env.toml")).toBe("env");
    expect(roleFromFileName("/comfy-env-root/comfy-env.toml")).toBe("env");
  });

  test("a missing file is read-failed", () => {
    expect(loadConfigFile("/nonexistent/comfy-env.toml")._unsafeUnwrapErr()).toMatchObject({
      kind: "read-failed",
      file: "/nonexistent/comfy-env.toml",
    });
  });
});
