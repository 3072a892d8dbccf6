// Old config generations listed dependencies as requirement strings; these turn them into
// the name → spec entries that [pypi-dependencies] / [dependencies] hold today.
import { pypiSpecProblem } from "./pypi-spec.ts";
import type { CondaSpec, PypiSpec } from "./types.ts";

export interface PypiRequirement {
  name: string;
  spec: PypiSpec;
  /** The `; marker` part, which pixi's table form cannot hold. */
  marker?: string;
}

const PEP508 = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[([^\]]*)\])?\s*([^;]*?)\s*(?:;\s*(.*))?$/;

/** `"numpy>=1.23,<2"` → numpy: ">=1.23,<2"; `"pkg[a,b]>=1"` → { version, extras }; `"pkg @ url"` → { url }. */
export function parsePypiRequirement(text: string): PypiRequirement | undefined {
  const m = PEP508.exec(text.trim());
  if (!m) return undefined;
  const [, name, extrasText, rest = "", marker] = m;
  if (name === undefined) return undefined;
  const extras = extrasText
    ?.split(",")
    .map((x) => x.trim())
    .filter((x) => x !== "");
  let spec: PypiSpec;
  if (rest.startsWith("@")) {
    const url = rest.slice(1).trim();
    if (url === "") return undefined;
    spec = extras?.length ? { url, extras } : { url };
  } else {
    const version = rest.replace(/^\((.*)\)$/, "$1").trim() || "*";
    if (pypiSpecProblem(name, version)) return undefined;
    spec = extras?.length ? { version, extras } : version;
  }
  return marker ? { name, spec, marker: marker.trim() } : { name, spec };
}

/** `"cgal"` → cgal: "*"; `"cgal >=5.6"` → ">=5.6"; `"conda-forge::cgal"` → { version: "*", channel }. */
export function parseCondaRequirement(text: string): { name: string; spec: CondaSpec } | undefined {
  const m = /^(?:([^:\s]+)::)?([A-Za-z0-9_][A-Za-z0-9._-]*)\s*(.*)$/.exec(text.trim());
  if (!m) return undefined;
  const [, channel, name, rest = ""] = m;
  if (name === undefined) return undefined;
  const version = rest.trim() || "*";
  return { name, spec: channel ? { version, channel } : version };
}

/** Two mentions of one package (`"numpy"`, then `"numpy<2"`): keep both constraints. */
export function mergeSpecs(a: PypiSpec | CondaSpec, b: PypiSpec | CondaSpec): PypiSpec | CondaSpec {
  if (typeof a === "string" && typeof b === "string") {
    if (a === "*" || a === b) return b;
    if (b === "*") return a;
    return `${a},${b}`;
  }
  return b;
}
