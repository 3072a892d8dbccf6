// Package names from a config end up on installer command lines and as manifest keys, so each
// is checked against the name grammar before anything uses it: a name can never be an option.

/** PEP 508 name: letters, digits, `.`, `_`, `-`, starting and ending with a letter or digit (https://peps.python.org/pep-0508/#names). */
const PEP508_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/i;
/** Conda names may also start with `_` (`_openmp_mutex`); never with `-`. */
const CONDA_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

export type NameKind = "pypi" | "conda";

/** Why `name` is not a package name, or null when it is one. */
export function packageNameProblem(name: string, kind: NameKind): string | null {
  if ((kind === "pypi" ? PEP508_NAME : CONDA_NAME).test(name)) return null;
  const start = kind === "pypi" ? "a letter or digit" : "a letter, digit or _";
  return `${JSON.stringify(name)} is not a package name: use letters, digits, ".", "_" and "-", starting with ${start}`;
}
