// `[node_reqs]` / `[node_packs]` entries of a root file: which other node pack to fetch into
// `custom_nodes/<Name>` and from where. Forms as the Python comfy-env 0.4.x reads them:
// `Name = "owner/repo"`, `Name = "https://…"`, or a table with github/repo, tag, branch,
// commit, registry, version (registry wins over github); docs/reference.md §7.
import { err, ok, type Result } from "../util/result.ts";
import { dotted, type FileIssues, type KeyPath } from "./file-issues.ts";
import { isTable } from "./toml-text.ts";
import type { ConfigError, NodeReq, TomlValue } from "./types.ts";

const TABLE_KEYS = ["github", "repo", "tag", "branch", "commit", "registry", "version"] as const;
/** `owner/repo` on the GitHub host (or COMFY_ENV_GIT_BASE). */
const OWNER_REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
/** What git clones: a URL with a scheme, or scp-like `git@host:path`. */
const GIT_URL = /^(?:[a-z][a-z0-9+.-]*:\/\/|[\w.-]+@[\w.-]+:)/i;

/** Reads one `[section]` of entries into `into`; unusable entries warn (0.4.x skips them too). */
export function readNodeReqs(section: string, value: Record<string, TomlValue>, issues: FileIssues, into: NodeReq[]): Result<void, ConfigError> {
  for (const [name, v] of Object.entries(value)) {
    const at = [section, name];
    // The name becomes a folder under custom_nodes: it must stay one folder there.
    if (name === "" || name === "." || name === ".." || /[\\/:]/.test(name)) {
      return err(issues.invalid(at, `${dotted(at)}: "${name}" is not a folder name for custom_nodes`, "name the pack as its folder is named, e.g. ComfyUI-GeometryPack"));
    }
    const req = readEntry(name, v, at, issues);
    if (req.isErr()) return err(req.error);
    if (req.value === undefined) continue;
    const line = issues.lineOf(at);
    const existing = into.findIndex((r) => r.name === name);
    const entry = line === undefined ? req.value : { ...req.value, line };
    if (existing >= 0) into[existing] = entry;
    else into.push(entry);
  }
  return ok(undefined);
}

function readEntry(name: string, v: TomlValue, at: KeyPath, issues: FileIssues): Result<NodeReq | undefined, ConfigError> {
  if (typeof v === "string") return ok(fromRepo(name, v, at, issues, {}));
  if (!isTable(v)) {
    return err(issues.invalid(at, `${dotted(at)} must be "owner/repo", a URL or a table such as { github = "owner/repo", tag = "v1" }`, `write ${name} = "owner/${name}"`));
  }
  const fields: Partial<Record<(typeof TABLE_KEYS)[number], string>> = {};
  for (const [key, fv] of Object.entries(v)) {
    const kat = [...at, key];
    if (!(TABLE_KEYS as readonly string[]).includes(key)) {
      issues.warn(kat, `unrecognized key '${key}' in ${dotted(at)} (known: ${TABLE_KEYS.join(", ")}); ignored`);
      continue;
    }
    if (typeof fv !== "string" || fv.trim() === "") return err(issues.invalid(kat, `${dotted(kat)} must be a non-empty string`, `write ${key} = "..."`));
    fields[key as (typeof TABLE_KEYS)[number]] = fv.trim();
  }
  if (fields.registry !== undefined) {
    return ok({ name, source: fields.version === undefined ? { kind: "registry", id: fields.registry } : { kind: "registry", id: fields.registry, version: fields.version } });
  }
  const repo = fields.github ?? fields.repo;
  if (repo === undefined) {
    issues.warn(at, `${dotted(at)} names neither github/repo nor registry, so there is nothing to fetch (ignored)`);
    return ok(undefined);
  }
  const refs = (["tag", "branch", "commit"] as const).filter((k) => fields[k] !== undefined);
  if (refs.length > 1) return err(issues.invalid(at, `${dotted(at)} gives ${refs.join(" and ")}: a pack is fetched at one of tag, branch or commit`, `keep one of ${refs.join(", ")}`));
  const ref = refs[0];
  return ok(fromRepo(name, repo, at, issues, ref === undefined ? {} : { ref: { kind: ref, value: fields[ref] ?? "" } }));
}

function fromRepo(name: string, repo: string, at: KeyPath, issues: FileIssues, extra: Pick<Extract<NodeReq["source"], { kind: "git" }>, "ref">): NodeReq | undefined {
  const text = repo.trim().replace(/\/+$/, "");
  if (OWNER_REPO.test(text)) return { name, source: { kind: "git", repo: text, ...extra } };
  if (GIT_URL.test(text)) return { name, source: { kind: "git", url: text, ...extra } };
  issues.warn(at, `${dotted(at)} = "${repo}" is neither owner/repo nor a git URL (ignored)`);
  return undefined;
}
