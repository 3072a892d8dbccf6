import type { NodePackError } from "../../nodepacks/types.ts";
import { renderConfigError } from "./config.ts";
import { describeHttpError } from "./http.ts";

import type { RenderedError } from "./types.ts";
import { commandLine } from "../../util/command-line.ts";

export function renderNodePackError(e: NodePackError): RenderedError {
  switch (e.kind) {
    case "git-missing":
      return {
        message: `node pack ${e.pack}: git was not found on PATH, so it cannot be cloned`,
        hints: ["install git (https://git-scm.com) and rerun, or clone it yourself:", `  ${commandLine(e.command)}`],
      };
    case "git-failed":
      return {
        message: `node pack ${e.pack}: \`${commandLine(e.command)}\` failed${e.exitCode === null ? "" : ` (exit ${e.exitCode})`}`,
        causes: e.tail,
        hints: ["check the repository and ref in [node_reqs]; a mirror of GitHub can be set with COMFY_ENV_GIT_BASE"],
      };
    case "registry-unreachable":
      return {
        message: `node pack ${e.pack}: cannot fetch ${e.url}`,
        causes: [describeHttpError(e.cause)],
        hints: ["check the network (HTTPS_PROXY for a proxy); COMFY_ENV_REGISTRY_URL sets another registry"],
      };
    case "registry-bad-answer":
      return { message: `node pack ${e.pack}: the registry answer at ${e.url} is not usable: ${e.message}` };
    case "pack-bad-zip":
      return {
        message: `node pack ${e.pack}: cannot unpack ${e.url}`,
        causes: [e.cause.kind === "archive-corrupt" ? e.cause.message : `no ${e.cause.member} in it`],
        hints: ["rerun (a download cut short); if it persists, the registry's archive is broken: tell the pack's author"],
      };
    case "pack-unsafe-entry":
      return {
        message: `node pack ${e.pack}: ${e.url} names a file outside the pack's folder (${e.entry}); nothing was written`,
        hints: ["an archive made that way is unsafe to unpack: tell the pack's author"],
      };
    case "pack-write-failed":
      return { message: `node pack ${e.pack}: cannot write ${e.path}: ${e.message}`, hints: ["check free space and permissions of custom_nodes"] };
    case "dependency-config": {
      const r = renderConfigError(e.error);
      return { ...r, message: `node pack ${e.pack}: ${r.message}` };
    }
  }
}
