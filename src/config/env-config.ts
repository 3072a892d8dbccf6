// What a `comfy-env.toml` means, in any of its format generations: the current pixi-superset
// form, the `[env]` / `[packages]` form and the named `[<envname>]` tables. Keys comfy-env
// does not use become warnings and never reach the pixi passthrough (pixi would reject them).
import { err, ok, type Result } from "../util/result.ts";
import { dotted, label, type FileIssues, type KeyPath } from "./file-issues.ts";
import { valueTextAt } from "./locate.ts";
import { pypiSpecProblem } from "./pypi-spec.ts";
import { packageNameProblem, type NameKind } from "./package-name.ts";
import { mergeSpecs, parseCondaRequirement, parsePypiRequirement } from "./requirement.ts";
import {
  cudaPackagesSchema,
  depTableSchema,
  envVarsSchema,
  secondsSchema,
  stringListSchema,
  tableSchema,
} from "./schemas.ts";
import { isTable } from "./toml-text.ts";
import type { ConfigError, DepSet, EnvConfig, TomlTable, TomlValue } from "./types.ts";

type Step = Result<void, ConfigError>;
const done: Step = ok(undefined);

/** Tables pixi defines that comfy-env copies into the manifest untouched. */
const PASSTHROUGH = new Set(["tasks", "host-dependencies", "build-dependencies"]);
/** Tables comfy-env writes itself in the generated manifest. */
const COMPILER_OWNED = new Set(["environments", "feature"]);
const ROOT_ONLY = new Set(["node_reqs", "node_packs", "settings", "types", "serializers"]);
const SYSTEM_PACKAGES = new Set(["apt", "brew", "system"]);
const OWNED_WORKSPACE_KEYS = new Set(["name", "version", "platforms"]);

/** Other warnings for keys some packs carry; each says why the key is ignored. */
const IGNORED_WITH_REASON = new Map([
  ["rocm", "ROCm builds are not supported by comfy-env (CUDA and CPU only)"],
  ["local", "comfy-env does not install into ComfyUI's own Python; declare an isolated env instead"],
  ["sources", "comfy-env finds CUDA wheels itself; use a per-package `index` in [pypi-dependencies] for other indexes"],
  ["worker", "comfy-env starts its own worker"],
  ["name", "comfy-env keys each env by its config, not by a name"],
]);

/** Legacy `[<os>]` requirement tables → the pixi targets they mean. */
const LEGACY_OS_TARGETS = new Map([
  ["linux", ["linux-64"]],
  ["windows", ["win-64"]],
  ["darwin", ["osx-arm64", "osx-64"]],
]);

/** Legacy CUDA / torch selectors: only "auto" (detect) is what comfy-env does anyway. */
const LEGACY_AUTO_KEYS = new Set(["cuda", "cuda_version", "pytorch", "pytorch_version"]);

export function readEnvConfig(doc: TomlTable, issues: FileIssues): Result<EnvConfig, ConfigError> {
  const reader = new EnvReader(issues);
  for (const [key, value] of Object.entries(doc)) {
    const step = reader.topLevel(key, value);
    if (step.isErr()) return err(step.error);
  }
  return ok(reader.finish());
}

class EnvReader {
  private readonly cfg: EnvConfig;
  private python?: string;
  private legacyPython?: string;

  constructor(private readonly issues: FileIssues) {
    this.cfg = {
      file: issues.file,
      channels: [],
      deps: emptyDeps(),
      targets: {},
      cudaPackages: [],
      envVars: {},
      passthrough: {},
    };
  }

  finish(): EnvConfig {
    const python = this.python ?? this.legacyPython;
    return python === undefined ? this.cfg : { ...this.cfg, python };
  }

  topLevel(key: string, value: TomlValue): Step {
    const path = [key];
    const cfg = this.cfg;
    switch (key) {
      case "schema":
        if (value === 1) return done;
        return err(this.issues.invalid(path, `schema = ${String(value)} is not supported (known: 1)`, "remove the schema line or set schema = 1"));
      case "python":
        return this.readPython(path, value).map((v) => {
          this.python = v;
        });
      case "workspace":
        return this.readWorkspace(value);
      case "dependencies":
        return this.readCondaDeps(path, value, cfg.deps.conda);
      case "pypi-dependencies":
        return this.readPypiDeps(path, value, cfg.deps.pypi);
      case "target":
        return this.readTargets(value);
      case "cuda":
        return this.readCuda(path, value);
      case "env_vars":
        return this.issues.check(envVarsSchema, value, path, envVarHint).map((vars) => {
          for (const [name, v] of Object.entries(vars)) cfg.envVars[name] = String(v);
        });
      case "options":
        return this.readOptions(value);
      case "system-requirements":
        return this.table(path, value).map((t) => void (cfg.systemRequirements = t));
      case "pypi-options":
        return this.table(path, value).map((t) => void (cfg.pypiOptions = t));
      case "activation":
        return this.table(path, value).map((t) => void (cfg.activation = t));
      case "env":
        return this.readLegacyEnv(path, value);
      case "packages":
        return this.readLegacyPackages(path, value);
    }
    if (PASSTHROUGH.has(key)) return this.table(path, value).map((t) => void (cfg.passthrough[key] = t));
    const name = label(path, value);
    if (COMPILER_OWNED.has(key)) this.issues.warn(path, `${name} is owned by comfy-env, which writes pixi's features and environments itself (ignored)`);
    else if (ROOT_ONLY.has(key)) this.issues.warn(path, `${name} belongs in comfy-env-root.toml at the pack root; ignored in comfy-env.toml`);
    else if (SYSTEM_PACKAGES.has(key)) this.issues.warn(path, `${name} is not used by comfy-env: install system packages yourself (ignored)`);
    else if (IGNORED_WITH_REASON.has(key)) this.issues.warn(path, `${name} is not used: ${IGNORED_WITH_REASON.get(key)} (ignored)`);
    else if (looksLikeLegacyEnv(value)) return this.readLegacyEnv(path, value);
    else this.issues.warn(path, `${name} is not used by comfy-env (ignored)`);
    return done;
  }

  private readPython(path: KeyPath, value: TomlValue): Result<string, ConfigError> {
    if (typeof value === "string") {
      // Checked here, not first in the manifest, so a bad pin is reported at its file and line.
      if (PYTHON_PIN.test(value)) return ok(value);
      return err(this.issues.invalid(path, `${dotted(path)} = ${JSON.stringify(value)} is not a Python version`, 'write it as major.minor, python = "3.11"'));
    }
    const line = this.issues.lineOf(path);
    if (typeof value === "number") {
      // A float loses what was typed (3.10 reads as 3.1), so quote the source text instead.
      const written = (line !== undefined ? valueTextAt(this.issues.source, line) : undefined) ?? String(value);
      return err(
        this.issues.invalid(
          path,
          `${dotted(path)} must be a quoted string: \`python = ${written}\` is a TOML number (read as ${value})`,
          `quote it: python = "${written}"`,
        ),
      );
    }
    return err(this.issues.invalid(path, `${dotted(path)} must be a string such as "3.11"`, 'write it as python = "3.11"'));
  }

  private readWorkspace(value: TomlValue): Step {
    const r = this.table(["workspace"], value);
    if (r.isErr()) return err(r.error);
    for (const [key, v] of Object.entries(r.value)) {
      const path = ["workspace", key];
      if (key === "channels") {
        const list = this.issues.check(stringListSchema, v, path, () => 'write channels = ["conda-forge", "my-channel"]');
        if (list.isErr()) return err(list.error);
        this.addChannels(list.value);
      } else if (OWNED_WORKSPACE_KEYS.has(key)) {
        this.issues.warn(path, `workspace.${key} is owned by comfy-env, which sets it in the generated manifest (ignored)`);
      } else {
        this.issues.warn(path, `workspace.${key} is not used by comfy-env: only workspace.channels is read (ignored)`);
      }
    }
    return done;
  }

  private readCondaDeps(path: KeyPath, value: TomlValue, into: Record<string, TomlValue>): Step {
    const deps = this.issues.check(depTableSchema, value, path, depHint);
    if (deps.isErr()) return err(deps.error);
    for (const [name, spec] of Object.entries(deps.value)) {
      const bad = this.badName([...path, name], name, "conda");
      if (bad) return bad;
      this.addSpecChannel(spec);
    }
    Object.assign(into, deps.value);
    return done;
  }

  /** An error at `at` when `name` is not a package name (so no name can become an installer option). */
  private badName(at: KeyPath, name: string, kind: NameKind): Step | null {
    const problem = packageNameProblem(name, kind);
    return problem === null ? null : err(this.issues.invalid(at, `${dotted(at)}: ${problem}`));
  }

  private readPypiDeps(path: KeyPath, value: TomlValue, into: Record<string, TomlValue>): Step {
    const r = this.issues.check(depTableSchema, value, path, depHint);
    if (r.isErr()) return err(r.error);
    for (const [name, spec] of Object.entries(r.value)) {
      const bad = this.badName([...path, name], name, "pypi");
      if (bad) return bad;
      const version = typeof spec === "string" ? spec : spec.version;
      if (typeof version !== "string") continue;
      const problem = pypiSpecProblem(name, version);
      const at = [...path, name];
      if (problem) return err(this.issues.invalid(at, problem.message, problem.hint));
    }
    Object.assign(into, r.value);
    return done;
  }

  private readTargets(value: TomlValue): Step {
    const r = this.table(["target"], value);
    if (r.isErr()) return err(r.error);
    for (const [platform, section] of Object.entries(r.value)) {
      const at = ["target", platform];
      const t = this.table(at, section);
      if (t.isErr()) return err(t.error);
      const set = this.target(platform);
      for (const [key, v] of Object.entries(t.value)) {
        let step = done;
        if (key === "dependencies") step = this.readCondaDeps([...at, key], v, set.conda);
        else if (key === "pypi-dependencies") step = this.readPypiDeps([...at, key], v, set.pypi);
        else this.issues.warn([...at, key], `${label([...at, key], v)} is not used by comfy-env: only dependencies and pypi-dependencies are read per target (ignored)`);
        if (step.isErr()) return step;
      }
    }
    return done;
  }

  /** `[cuda] packages = [...]`, or the older map form `[cuda] name = "*"`. */
  private readCuda(path: KeyPath, value: TomlValue): Step {
    const r = this.table(path, value);
    if (r.isErr()) return err(r.error);
    const t = r.value;
    const listForm = "packages" in t;
    for (const [key, v] of Object.entries(t)) {
      const at = [...path, key];
      if (key === "torch" && typeof v === "boolean") {
        // The Python comfy-env only warns about this key, so configs using it still load there.
        this.cfg.torchOptOut = !v;
      } else if (listForm && key === "packages") {
        // A list is checked entry by entry, so a bad entry is reported at its own line.
        const schema = Array.isArray(v) ? stringListSchema : cudaPackagesSchema;
        const list = this.issues.check(schema, v, at, () => 'write packages = ["flash-attn", "sageattention"]');
        if (list.isErr()) return err(list.error);
        const names = typeof list.value === "string" ? [list.value] : list.value;
        for (const [i, name] of names.entries()) {
          const bad = this.badName(Array.isArray(v) ? [...at, i] : at, name, "pypi");
          if (bad) return bad;
          this.addCuda(name);
        }
      } else if (!listForm && typeof v === "string") {
        const bad = this.badName(at, key, "pypi");
        if (bad) return bad;
        this.addCuda(key);
        if (v !== "*") this.issues.warn(at, `${dotted(at)} = "${v}": CUDA package versions follow the detected CUDA and torch (pin ignored)`);
      } else {
        this.issues.warn(at, `unrecognized key '${key}' in [${dotted(path)}] (known: packages); ignored`);
      }
    }
    return done;
  }

  private readOptions(value: TomlValue): Step {
    const r = this.table(["options"], value);
    if (r.isErr()) return err(r.error);
    for (const [key, v] of Object.entries(r.value)) {
      const path = ["options", key];
      if (key === "health_check_timeout") {
        const secs = this.issues.check(secondsSchema, v, path, () => "write health_check_timeout = 10 (seconds)");
        if (secs.isErr()) return err(secs.error);
        this.cfg.healthCheckTimeout = secs.value;
      } else if (key === "shared_env_name") {
        this.issues.warn(path, "options.shared_env_name is not used: packs with identical configs already share one build (ignored)");
      } else {
        this.issues.warn(path, `unrecognized key '${key}' in [options] (known: health_check_timeout); ignored`);
      }
    }
    return done;
  }

  /** `[env]` and named `[<envname>]` tables: python pin, CUDA packages, conda and PyPI deps. */
  private readLegacyEnv(path: KeyPath, value: TomlValue): Step {
    const r = this.table(path, value);
    if (r.isErr()) return err(r.error);
    for (const [key, v] of Object.entries(r.value)) {
      const at = [...path, key];
      let step = done;
      if (key === "python") {
        step = this.readPython(at, v).map((py) => void (this.legacyPython ??= py));
      } else if (key === "cuda" && isTable(v)) {
        step = this.readCuda(at, v);
      } else if (LEGACY_AUTO_KEYS.has(key)) {
        if (v !== "auto") this.issues.warn(at, `${dotted(at)} is not used: comfy-env detects CUDA and picks the torch build itself (ignored)`);
      } else if (key === "packages") {
        step = this.readLegacyPackages(at, v);
      } else if (key === "conda") {
        step = this.readLegacyConda(at, v);
      } else if (key === "name") {
        this.issues.warn(at, `${dotted(at)} is not used: ${IGNORED_WITH_REASON.get("name")} (ignored)`);
      } else {
        this.issues.warn(at, `${label(at, v)} is not used by comfy-env (ignored)`);
      }
      if (step.isErr()) return step;
    }
    return done;
  }

  /** `[packages] requirements = [...]` plus `[packages.linux|windows|darwin] requirements`. */
  private readLegacyPackages(path: KeyPath, value: TomlValue): Step {
    const r = this.table(path, value);
    if (r.isErr()) return err(r.error);
    for (const [key, v] of Object.entries(r.value)) {
      const at = [...path, key];
      let step = done;
      const platforms = LEGACY_OS_TARGETS.get(key);
      if (key === "requirements") {
        step = this.readRequirements(at, v);
      } else if (platforms !== undefined) {
        const t = this.table(at, v);
        if (t.isErr()) return err(t.error);
        for (const [k, reqs] of Object.entries(t.value)) {
          if (k === "requirements") step = this.readRequirements([...at, k], reqs, platforms);
          else this.issues.warn([...at, k], `${label([...at, k], reqs)} is not used by comfy-env (ignored)`);
          if (step.isErr()) return step;
        }
      } else if (key === "no_deps") {
        this.issues.warn(at, `${dotted(at)} is not supported: list CUDA packages under [cuda] packages (ignored)`);
      } else if (key === "requirements_file") {
        this.issues.warn(at, `${dotted(at)} is not supported: list the requirements under [pypi-dependencies] (ignored)`);
      } else {
        this.issues.warn(at, `${label(at, v)} is not used by comfy-env (ignored)`);
      }
      if (step.isErr()) return step;
    }
    return done;
  }

  /** Requirement strings into the top-level deps, or into each of `platforms` when given. */
  private readRequirements(path: KeyPath, value: TomlValue, platforms?: string[]): Step {
    const list = this.issues.check(stringListSchema, value, path, () => 'write requirements = ["numpy>=1.23", "pillow"]');
    if (list.isErr()) return err(list.error);
    list.value.forEach((text, i) => {
      const at = [...path, i];
      if (/\{\w+\}/.test(text)) {
        this.issues.warn(at, `requirement "${text}" uses a {placeholder}, which comfy-env does not expand (ignored)`);
        return;
      }
      const req = parsePypiRequirement(text);
      if (req === undefined) {
        this.issues.warn(at, `"${text}" is not a requirement comfy-env can read (ignored)`);
        return;
      }
      if (req.marker !== undefined) {
        this.issues.warn(at, `requirement "${text}" has an environment marker, which comfy-env cannot carry over (ignored)`);
        return;
      }
      const sets = platforms === undefined ? [this.cfg.deps] : platforms.map((p) => this.target(p));
      for (const set of sets) {
        const prev = set.pypi[req.name];
        set.pypi[req.name] = prev === undefined ? req.spec : mergeSpecs(prev, req.spec);
      }
    });
    return done;
  }

  /** `[<envname>.conda] channels = [...]`, `packages = ["cgal"]`. */
  private readLegacyConda(path: KeyPath, value: TomlValue): Step {
    const r = this.table(path, value);
    if (r.isErr()) return err(r.error);
    for (const [key, v] of Object.entries(r.value)) {
      const at = [...path, key];
      if (key !== "channels" && key !== "packages") {
        this.issues.warn(at, `${label(at, v)} is not used by comfy-env (ignored)`);
        continue;
      }
      const list = this.issues.check(stringListSchema, v, at, () => `write ${key} = ["name"]`);
      if (list.isErr()) return err(list.error);
      if (key === "channels") {
        this.addChannels(list.value);
        continue;
      }
      list.value.forEach((text, i) => {
        const dep = parseCondaRequirement(text);
        if (dep === undefined) this.issues.warn([...at, i], `"${text}" is not a conda package spec comfy-env can read (ignored)`);
        else {
          this.addSpecChannel(dep.spec);
          const prev = this.cfg.deps.conda[dep.name];
          this.cfg.deps.conda[dep.name] = prev === undefined ? dep.spec : mergeSpecs(prev, dep.spec);
        }
      });
    }
    return done;
  }

  private table(path: KeyPath, value: TomlValue): Result<TomlTable, ConfigError> {
    return this.issues.check(tableSchema, value, path, (key) => `write it as a [${key}] table`);
  }

  private target(platform: string): DepSet {
    const existing = this.cfg.targets[platform];
    if (existing) return existing;
    const set = emptyDeps();
    this.cfg.targets[platform] = set;
    return set;
  }

  private addChannels(channels: string[]): void {
    for (const c of channels) if (!this.cfg.channels.includes(c)) this.cfg.channels.push(c);
  }

  /**
   * A conda package from a named channel (`{ channel = "x" }`, `"x::pkg"`) needs that channel in
   * the manifest's list, or pixi fails with MissingChannel: add it after the listed ones.
   */
  private addSpecChannel(spec: TomlValue): void {
    if (isTable(spec) && typeof spec.channel === "string") this.addChannels([spec.channel]);
  }

  private addCuda(name: string): void {
    if (!this.cfg.cudaPackages.includes(name)) this.cfg.cudaPackages.push(name);
  }
}

/** What pixi.toml can pin: major.minor, or major.minor.patch. */
const PYTHON_PIN = /^\d+\.\d+(\.\d+)?$/;

function emptyDeps(): DepSet {
  return { conda: {}, pypi: {} };
}

/** A named env table of the first format generation, e.g. `[mocap] python = "3.11"`. */
function looksLikeLegacyEnv(v: TomlValue): boolean {
  if (!isTable(v)) return false;
  return typeof v.python === "string" || "cuda_version" in v || "pytorch_version" in v || isTable(v.packages) || isTable(v.cuda) || isTable(v.conda);
}

function depHint(key: string, inner: KeyPath): string {
  if (inner.length === 0) return `write it as a [${key}] table of name = "version" entries`;
  const name = String(inner[0]);
  return `write ${name} = ">=1.2" or ${name} = { version = ">=1.2" }`;
}

function envVarHint(key: string, inner: KeyPath): string {
  if (inner.length === 0) return `write it as an [${key}] table of NAME = "value" entries`;
  return `write ${String(inner[0])} = "value"`;
}
