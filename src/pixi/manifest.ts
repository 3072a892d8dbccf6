import type { DepSet, EnvConfig, PypiSpec, TomlTable, TomlValue } from "../config/types.ts";
import { selectTorchBuild, TORCH_PACKAGES, type TorchBuild, type TorchSelectError } from "../detect/versions.ts";
import { normalizeName } from "../util/pep503.ts";
import { osOfPlatform, type PixiPlatform } from "../util/platform.ts";
import { err, ok, type Result } from "../util/result.ts";
import { VERSION } from "../version.ts";
import { isTable, mergeInto, renderToml, TomlSection } from "./toml-writer.ts";

/** What the manifest is generated for (the machine's side; the config is the pack's side). */
export interface ManifestTarget {
  platform: PixiPlatform;
  /** CUDA version to build for ("12.8"); null = CPU. Ignored (CPU) on osx-* platforms. */
  cuda: string | null;
  /** Python used when the config has no pin ("3.11"). */
  python: string;
  /** Linux only: glibc the machine has, written as `[system-requirements] libc`. */
  glibc?: string;
  /** Workspace name, e.g. "comfy-env-a1b2c3". */
  name: string;
  /** Shown in the header comment (the config file). */
  source?: string;
}

export type ManifestError =
  | TorchSelectError
  | { kind: "invalid-cuda"; cuda: string }
  | { kind: "invalid-python"; python: string }
  | { kind: "invalid-glibc"; glibc: string };

type TorchName = (typeof TORCH_PACKAGES)[number];

/** setuptools 82 drops pkg_resources. */
const SETUPTOOLS_SPEC = ">=75,<82";
const VERSION_RE = /^\d+(\.\d+)*$/;
const PYTHON_RE = /^\d+\.\d+(\.\d+)?$/;

/** The CUDA version a manifest builds for: none on macOS, where PyTorch ships CPU/MPS wheels only. */
export function effectiveCuda(target: Pick<ManifestTarget, "platform" | "cuda">): string | null {
  return osOfPlatform(target.platform) === "darwin" ? null : target.cuda;
}

function torchNameOf(name: string): TorchName | undefined {
  const c = normalizeName(name);
  return TORCH_PACKAGES.find((t) => t === c);
}

/** "3.11" → "3.11.*" (a bare X.Y is an exact match for pixi); anything else is already a spec. */
function pythonSpec(v: string): string {
  return /^\d+\.\d+$/.test(v) ? `${v}.*` : v;
}

function isSpecific(version: TomlValue | undefined): version is string {
  return typeof version === "string" && version.trim() !== "" && version.trim() !== "*";
}

/**
 * The torch family pin: the family version for this build unless the user wrote a specific
 * one, and the variant index (the generator owns variant choice, so a written index is
 * replaced). A direct source (url, git, path) names its own wheel and is kept as written.
 * On macOS torch comes from PyPI: no index, and a bare pin stays a string.
 */
function torchSpec(name: TorchName, user: PypiSpec | undefined, build: TorchBuild, withIndex: boolean): PypiSpec {
  const table: TomlTable = typeof user === "object" ? user : {};
  if ("url" in table || "git" in table || "path" in table) return table;
  const written = typeof user === "string" ? user : table.version;
  const spec: TomlTable = { version: isSpecific(written) ? written.trim() : `==${build.family[name]}.*` };
  for (const [k, v] of Object.entries(table)) if (k !== "version" && k !== "index") spec[k] = v;
  if (withIndex) spec.index = build.index;
  return Object.keys(spec).length === 1 ? (spec.version as string) : spec;
}

/** Torch family packages named by `names` (canonical), in TORCH_PACKAGES order. */
function torchIn(names: Iterable<string>): TorchName[] {
  const found = new Set<TorchName>();
  for (const n of names) {
    const t = torchNameOf(n);
    if (t) found.add(t);
  }
  return TORCH_PACKAGES.filter((t) => found.has(t));
}

/** `[pypi-dependencies]` with the torch family first (pinned to the build), the rest as written. */
function pypiSection(pypi: Record<string, PypiSpec>, extraTorch: TorchName[], build: TorchBuild | null, withIndex: boolean): TomlSection {
  const s = new TomlSection();
  const userTorch = new Map<TorchName, PypiSpec>();
  for (const [k, v] of Object.entries(pypi)) {
    const t = torchNameOf(k);
    if (t && !userTorch.has(t)) userTorch.set(t, v);
  }
  const torch = torchIn([...extraTorch, ...userTorch.keys()]);
  // build is null only when the env gets no torch family member (see torchBuildFor).
  if (build) for (const t of torch) s.set(t, torchSpec(t, userTorch.get(t), build, withIndex));
  for (const [k, v] of Object.entries(pypi)) if (!torchNameOf(k)) s.set(k, v);
  return s;
}

/** pixi target selectors that cover `platform`: its exact name, `unix`, and its OS family. */
export function targetApplies(name: string, platform: PixiPlatform): boolean {
  if (name === platform) return true;
  const os = osOfPlatform(platform);
  switch (name) {
    case "unix":
      return os !== "windows";
    case "linux":
      return os === "linux";
    case "osx":
      return os === "darwin";
    case "win":
      return os === "windows";
    default:
      return false;
  }
}

function applicableTargets<T>(targets: Record<string, T>, platform: PixiPlatform): [string, T][] {
  return Object.entries(targets).filter(([name]) => targetApplies(name, platform));
}

function validate(target: ManifestTarget): Result<void, ManifestError> {
  if (target.cuda !== null && !VERSION_RE.test(target.cuda)) return err({ kind: "invalid-cuda", cuda: target.cuda });
  if (!PYTHON_RE.test(target.python)) return err({ kind: "invalid-python", python: target.python });
  if (target.glibc !== undefined && !VERSION_RE.test(target.glibc)) return err({ kind: "invalid-glibc", glibc: target.glibc });
  return ok(undefined);
}

/** Every torch family member the config names (top level, `[cuda]`, applicable targets), with its spec. */
function namedTorch(config: EnvConfig, targets: [string, DepSet][]): Map<TorchName, PypiSpec | undefined> {
  const named = new Map<TorchName, PypiSpec | undefined>();
  for (const n of config.cudaPackages) {
    const t = torchNameOf(n);
    if (t && !named.has(t)) named.set(t, undefined);
  }
  for (const pypi of [config.deps.pypi, ...targets.map(([, d]) => d.pypi)]) {
    for (const [k, v] of Object.entries(pypi)) {
      const t = torchNameOf(k);
      if (t && named.get(t) === undefined) named.set(t, v);
    }
  }
  return named;
}

function pinsVersion(spec: PypiSpec | undefined): boolean {
  if (spec === undefined) return false;
  if (typeof spec === "string") return isSpecific(spec);
  return "url" in spec || "git" in spec || "path" in spec || isSpecific(spec.version);
}

/**
 * The torch family members the env gets (TORCH_PACKAGES order). By default all three, as the
 * Python comfy-env 0.4 does, since packs import torch without naming it. When the config pins a
 * member's version (or source) itself, or opts out with `[cuda] torch = false`, only the members
 * it names: the family pins belong to one torch release and would fight a user's own torch pin.
 */
export function torchMembers(config: EnvConfig, platform: PixiPlatform): TorchName[] {
  const named = namedTorch(config, applicableTargets(config.targets, platform));
  const ownPin = [...named.values()].some(pinsVersion);
  if (config.torchOptOut === true || ownPin) return TORCH_PACKAGES.filter((t) => named.has(t));
  return [...TORCH_PACKAGES];
}

/** The Python an env will have, as far as the config and target tell: "3.11", or a conda spec. */
export function envPython(config: EnvConfig, target: Pick<ManifestTarget, "python">): string {
  const conda = config.deps.conda.python;
  return typeof conda === "string" && /^\d+\.\d+/.test(conda) ? conda : (config.python ?? target.python);
}

/**
 * The torch build of an env: none when it gets no torch family member, else the build for the
 * target's CUDA (CPU on macOS) and the env's Python. The build decision and the generator share it.
 */
export function torchBuildFor(config: EnvConfig, target: Pick<ManifestTarget, "platform" | "cuda" | "python">): Result<TorchBuild | null, TorchSelectError> {
  if (torchMembers(config, target.platform).length === 0) return ok(null);
  return selectTorchBuild(effectiveCuda(target), envPython(config, target));
}

function headerLine(source: string | undefined): string {
  const from = source === undefined ? "" : ` from ${source}`;
  return `Generated by comfy-env ${VERSION}${from} -- do not edit: change comfy-env.toml and rerun comfy-env install.`;
}

/**
 * The pixi.toml for `config` on `target`. Deterministic: the same inputs give the same bytes.
 * Non-torch `[cuda]` packages are left out: a later step installs them from the CUDA-wheel index.
 */
export function generatePixiToml(config: EnvConfig, target: ManifestTarget): Result<string, ManifestError> {
  const valid = validate(target);
  if (valid.isErr()) return err(valid.error);
  const os = osOfPlatform(target.platform);
  const cuda = effectiveCuda(target);
  const targets = applicableTargets(config.targets, target.platform);

  const selected = torchBuildFor(config, target);
  if (selected.isErr()) return err(selected.error);
  const build = selected.value;
  const withIndex = os !== "darwin";

  const doc = new TomlSection();
  doc
    .section("workspace")
    .set("name", target.name)
    .set("channels", ["conda-forge", ...new Set(config.channels.filter((c) => c !== "conda-forge"))])
    .set("platforms", [target.platform]);

  const sysreq = doc.section("system-requirements");
  if (os === "linux" && target.glibc !== undefined) sysreq.set("libc", { family: "glibc", version: target.glibc });
  if (cuda !== null) sysreq.set("cuda", cuda.split(".")[0] as string);
  for (const [k, v] of Object.entries(config.systemRequirements ?? {})) sysreq.set(k, v);
  if (sysreq.entries.size === 0) doc.entries.delete("system-requirements");

  const conda = doc.section("dependencies");
  conda.set("python", config.deps.conda.python ?? pythonSpec(config.python ?? target.python));
  for (const [k, v] of Object.entries(config.deps.conda)) if (k !== "python") conda.set(k, v);
  // Every env gets pip (CUDA wheels are installed with it after pixi) and a setuptools that
  // still ships pkg_resources, which packs import; as the Python comfy-env 0.4 writes them.
  if (!conda.entries.has("pip")) conda.set("pip", "*");
  if (!conda.entries.has("setuptools")) conda.set("setuptools", SETUPTOOLS_SPEC);

  const pypi = pypiSection(config.deps.pypi, torchMembers(config, target.platform), build, withIndex);
  if (pypi.entries.size > 0) doc.set("pypi-dependencies", pypi);

  if (config.pypiOptions) mergeInto(doc, { "pypi-options": config.pypiOptions });
  if (config.activation) mergeInto(doc, { activation: config.activation });

  for (const [name, deps] of targets) {
    const section = new TomlSection();
    if (Object.keys(deps.conda).length > 0) {
      const targetConda = section.section("dependencies");
      for (const [k, v] of Object.entries(deps.conda)) targetConda.set(k, v);
    }
    const targetPypi = pypiSection(deps.pypi, [], build, withIndex);
    if (targetPypi.entries.size > 0) section.set("pypi-dependencies", targetPypi);
    if (section.entries.size > 0) doc.section("target").set(name, section);
  }

  const { target: passTargets, ...passthrough } = config.passthrough;
  // Passthrough `[target.*]` tables (activation, tasks...) follow the same platform filter.
  if (isTable(passTargets)) {
    const kept = applicableTargets(passTargets, target.platform);
    if (kept.length > 0) mergeInto(doc, { target: Object.fromEntries(kept) });
  }
  mergeInto(doc, passthrough);

  return ok(renderToml(doc, [headerLine(target.source)]));
}
