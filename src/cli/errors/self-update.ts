import type { SelfUpdateError } from "../self-update.ts";
import type { HttpError } from "../../util/http.ts";
import { stripV } from "../../util/release.ts";
import { describeHttpError } from "./http.ts";
import type { RenderedError } from "./types.ts";

/** Self-update's own shorter wording: the URL first, then what went wrong with it. */
function describeHttp(e: HttpError): string {
  switch (e.kind) {
    case "http-status":
      return `${e.url}: HTTP ${e.status}`;
    case "network":
      return `${e.url}: ${e.message}${e.attempts > 1 ? ` (${e.attempts} attempts)` : ""}`;
    case "truncated":
      return `${e.url}: connection closed after ${e.received} of ${e.expected} bytes`;
    case "too-slow":
    case "timed-out":
    case "too-large":
      return `${e.url}: ${describeHttpError(e)}`;
    case "write-failed":
      return `cannot write ${e.path}: ${e.message}`;
  }
}

export function renderSelfUpdateError(e: SelfUpdateError): RenderedError {
  const url = "COMFY_ENV_DOWNLOAD_URL";
  switch (e.kind) {
    case "not-compiled":
      return { message: "self-update replaces the compiled comfy-env executable; this is running from sources", hints: ["update the checkout (git pull) instead, or run a released comfy-env"] };
    case "release-not-found":
      return e.version
        ? { message: `release v${stripV(e.version)} not found (${e.url})`, hints: ["check the version number"] }
        : { message: `no latest release found at ${e.url}`, hints: [`check ${url}`] };
    case "download-failed":
      return { message: `download failed: ${describeHttp(e.cause)}`, hints: ["check the network or proxy (HTTPS_PROXY), then rerun", `a mirror can be set with ${url}`] };
    case "no-asset":
      return { message: `the release ${e.version ? `v${stripV(e.version)} ` : ""}has no build for ${e.target}`, causes: [`checked ${e.url}`] };
    case "checksum-mismatch":
      return { message: `sha256 of ${e.url} does not match SHA256SUMS; nothing was replaced`, causes: [`expected ${e.expected}`, `got      ${e.actual}`], hints: ["rerun later; if it persists, report it"] };
    case "bad-archive": {
      const c = e.cause;
      const why = c.kind === "archive-corrupt" ? c.message : `no ${c.member} in it (found: ${c.found.join(", ") || "nothing"})`;
      return { message: `cannot unpack ${e.url}: ${why}; nothing was replaced`, hints: ["rerun later; if it persists, report it"] };
    }
    case "bad-binary":
      return { message: `the downloaded comfy-env does not run here; nothing was replaced`, causes: [e.message] };
    case "read-failed":
      return { message: `cannot read ${e.path}: ${e.message}` };
    case "replace-failed":
      return {
        message: `cannot replace ${e.path}: ${e.message}`,
        hints: e.code === "EACCES" || e.code === "EPERM" ? ["the folder is not writable by you: rerun with the rights of its owner, or reinstall to a folder you own with install.sh"] : [],
      };
  }
}
