// The one check of PyPI version specs, done with a PEP 440 implementation (@renovatebot/pep440)
// so that what pixi (uv's pep440_rs) would reject is reported at the config's own line first
// (docs/reference.md §2.1).
import { valid, validRange } from "@renovatebot/pep440";

/** Why `spec` is not a PEP 440 specifier set pixi accepts, with the fix; undefined when it is. */
export function pypiSpecProblem(name: string, spec: string): { message: string; hint: string } | undefined {
  const s = spec.trim();
  // "*" is pixi's own spelling of "any version", not PEP 440.
  if (s === "*" || (s !== "" && validRange(s))) return undefined;
  const message = `${name} = "${spec}" is not a PEP 440 version specifier (operators: ==, !=, <=, >=, <, >, ~=, ===; comma-separated)`;
  // A bare version or wildcard ("1.26", "1.26.*") lacks its operator.
  const bare = s.endsWith(".*") ? valid(s.slice(0, -2)) !== null : valid(s) !== null;
  return { message, hint: bare ? `write ${name} = "==${s}"` : `write ${name} = ">=1.2,<2" or ${name} = "*"` };
}
