// Golden error texts: one example (or more) of every kind of every module's error, rendered as a
// user sees it (message, cause lines, hints) with its exit code, in test/golden/errors/<module>.txt.
// `UPDATE_GOLDEN=1 bun test test/cli/errors-golden.test.ts` rewrites them; review the diff.
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { buildPaths } from "../../src/cache/layout.ts";
import { liveLinks } from "../../src/cache/links.ts";
import { EXIT_CODE, exitCodeOf, printError, renderError, type CliError, type ErrorModule, type ErrorOf } from "../../src/cli/errors/index.ts";
import { Output } from "../../src/cli/output.ts";
import { tryFs } from "../../src/util/fs.ts";
import type { WheelQuery } from "../../src/wheels/types.ts";
import { REPO_ROOT } from "../support/cli.ts";

const GOLDEN = path.join(import.meta.dir, "../golden/errors");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

// Two examples come from real failing calls in a temp folder: their paths are filtered below.
const TMP = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "ce-golden-")));
const realFs = tryFs("read", path.join(TMP, "missing.txt"), () => fs.readFileSync(path.join(TMP, "missing.txt")))._unsafeUnwrapErr();
const linksAsFile = buildPaths(TMP, "abc123");
fs.mkdirSync(linksAsFile.dir, { recursive: true });
fs.writeFileSync(linksAsFile.links, "");
const realLinks = liveLinks(linksAsFile)._unsafeUnwrapErr();
fs.rmSync(TMP, { recursive: true, force: true });

/** Paths that differ per machine and run, replaced by placeholders. */
function placeholders(text: string): string {
  return [
    [TMP, "<tmp>"],
    [REPO_ROOT, "<repo>"],
    [os.homedir(), "<home>"],
  ].reduce((t, [from, to]) => t.split(from as string).join(to as string), text);
}

const query: WheelQuery = { pkg: "nvdiffrast", cuda: "12.8", torch: "2.8", python: "3.11", platform: "linux-64", glibc: "2.31" };
const combo = { cuda: "cu126", torch: "2.7", pythons: ["cp310", "cp311"], platforms: ["linux-64", "win-64"] };
const log = "/cache/_env_abc123/install.log";

/** Examples per module; the test fails when a kind of a module's union has none. */
const EXAMPLES: { [M in ErrorModule]: ErrorOf<M>[] } = {
  config: [
    { kind: "read-failed", file: "/packs/MyPack/nodes/comfy-env.toml", message: "EACCES: permission denied" },
    { kind: "toml-syntax", file: "/packs/MyPack/nodes/comfy-env.toml", line: 4, column: 9, message: "Unterminated string" },
    { kind: "invalid-value", file: "/packs/MyPack/nodes/comfy-env.toml", line: 2, key: "python", message: 'expected a version like "3.11", got "eleven"', hint: 'write python = "3.11"' },
    { kind: "no-config", dir: "/packs/MyPack" },
  ],
  cache: [
    { kind: "lock-io", path: "/cache/_env_abc123/.building", message: "EACCES: permission denied, mkdir" },
    { kind: "lock-io", path: "/cache/_env_abc123/.building", message: "ENOSPC: no space left on device, write" },
    { kind: "low-disk-space", root: "/cache", freeBytes: 1_500_000_000, neededBytes: 5_000_000_000 },
    realLinks,
    { kind: "link-record-failed", path: "/cache/_env_abc123/.links", code: "EROFS", message: "EROFS: read-only file system, open" },
  ],
  pixi: [
    { kind: "pixi-not-found", searched: ["PATH", "/cache/.tools", "~/.pixi/bin"] },
    { kind: "pixi-not-found", searched: [], override: "/opt/pixi" },
    { kind: "pixi-spawn-failed", pixi: "/cache/.tools/pixi-0.75.0/pixi", message: "ENOEXEC: exec format error" },
    { kind: "pixi-failed", exitCode: 1, signal: null, log, tail: ["  × No candidates were found for zlib ==9.9"] },
    { kind: "pixi-failed", exitCode: 1, signal: null, log, tail: ["  × failed to write: No space left on device (os error 28)"] },
    { kind: "pixi-failed", exitCode: null, signal: "SIGKILL", log, tail: [] },
    { kind: "unsupported-platform", platform: "linux-aarch64" },
    { kind: "download-failed", url: "https://github.com/prefix-dev/pixi/releases/download/v0.75.0/pixi-x86_64-unknown-linux-musl.tar.gz", cause: { kind: "network", url: "https://github.com/x", code: "ECONNRESET", message: "socket hang up", attempts: 4 } },
    { kind: "checksum-mismatch", url: "https://mirror.example/v0.75.0/pixi.tar.gz", expected: "aa11", actual: "bb22", bytes: 1024 },
    { kind: "bad-archive", url: "https://mirror.example/v0.75.0/pixi.tar.gz", cause: { kind: "archive-member-missing", format: "tar.gz", member: "pixi", found: ["README.md"] } },
    { kind: "bad-archive", url: "https://mirror.example/v0.75.0/pixi.zip", cause: { kind: "archive-corrupt", format: "zip", message: "no end of central directory" } },
    { kind: "install-failed", path: "/cache/.tools/pixi-0.75.0/pixi", message: "EACCES: permission denied" },
    { kind: "invalid-cuda", cuda: "twelve" },
    { kind: "invalid-python", python: "3" },
    { kind: "invalid-glibc", glibc: "two" },
    { kind: "unsupported-cuda", cuda: "11.2", available: ["11.8", "12.6", "12.8"] },
    { kind: "no-torch-for-python", python: "3.14", variant: "cu126", offers: ["torch 2.9: cpu, cu128"] },
  ],
  wheels: [
    { kind: "bad-wheel-query", field: "pkg", value: "../x" },
    { kind: "bad-wheel-query", field: "cuda", value: "twelve" },
    { kind: "no-matching-wheel", query, page: "https://pozzettiandrea.github.io/cuda-wheels/nvdiffrast/", available: [combo], platformCovered: true },
    { kind: "no-matching-wheel", query, available: [combo], platformCovered: false },
    { kind: "no-matching-wheel", query, page: "https://pozzettiandrea.github.io/cuda-wheels/nvdiffrast/", available: [combo], platformCovered: true, needs: { glibc: "2.34" } },
    { kind: "index-unreachable", url: "https://pozzettiandrea.github.io/cuda-wheels/nvdiffrast/", cause: { kind: "http-status", url: "https://pozzettiandrea.github.io/cuda-wheels/nvdiffrast/", status: 503 } },
    { kind: "installer-spawn-failed", command: ["/cache/_env_abc123/.pixi/envs/default/bin/python", "-m", "pip"], message: "ENOENT: no such file or directory" },
    { kind: "wheel-install-failed", command: ["python", "-m", "pip", "install", "--no-deps", "nvdiffrast.whl"], exitCode: 1, tail: ["ERROR: nvdiffrast.whl is not a supported wheel on this platform."] },
  ],
  link: [
    { kind: "link-blocked", link: "/packs/MyPack/nodes/_env_abc123", target: "/cache/_env_abc123/.pixi/envs/default" },
    { kind: "link-failed", link: "/packs/MyPack/nodes/_env_abc123", target: "/cache/_env_abc123/.pixi/envs/default", code: "EPERM", message: "EPERM: operation not permitted, symlink" },
    { kind: "link-failed", link: "/packs/MyPack/nodes/_env_abc123", target: "/cache/_env_abc123/.pixi/envs/default", code: "ENOTSUP", message: "ENOTSUP: operation not supported" },
    { kind: "path-too-long", link: "C:\\ComfyUI\\custom_nodes\\MyPack\\nodes\\_env_abc123", target: "C:\\ce\\_env_abc123\\.pixi\\envs\\default", path: "C:\\ce\\_env_abc123\\.pixi\\envs\\default\\Lib\\site-packages\\x.py", length: 291, limit: 260, through: "link" },
  ],
  detect: [
    { kind: "bad-cuda-override", value: "twelve" },
    { kind: "unsupported-cuda", cuda: "11.2", available: ["11.8", "12.6", "12.8"], source: "the NVIDIA driver supports CUDA 11.2" },
    { kind: "unsupported-cuda", cuda: "11.2", available: ["11.8", "12.6", "12.8"] },
    { kind: "no-torch-for-python", python: "3.14", variant: "cu118", offers: [] },
    { kind: "not-found", what: "nvidia-smi", message: "not on PATH" },
    { kind: "call-failed", what: "NVML", message: "nvmlInit returned 9" },
    { kind: "timeout", what: "nvidia-smi", seconds: 10 },
    { kind: "parse-failed", what: "torch", message: "unexpected output" },
  ],
  http: [
    { kind: "http-status", url: "https://example.org/a", status: 404 },
    { kind: "network", url: "https://example.org/a", code: "SELF_SIGNED_CERT_IN_CHAIN", message: "self signed certificate in certificate chain", attempts: 1 },
    { kind: "truncated", url: "https://example.org/a", expected: 100, received: 40, attempts: 2 },
    { kind: "too-slow", url: "https://example.org/a", bytesPerSecond: 10, minimum: 1024, windowSeconds: 30, attempts: 1 },
    { kind: "timed-out", url: "https://example.org/a", seconds: 600, received: 1234, attempts: 3 },
    { kind: "too-large", url: "https://example.org/a", limit: 67108864 },
    { kind: "write-failed", path: "/cache/.tools/pixi.part", message: "ENOSPC: no space left on device" },
  ],
  nodepack: [
    { kind: "git-missing", pack: "ComfyUI-Other", command: ["git", "clone", "--depth", "1", "https://github.com/a/ComfyUI-Other", "/c/custom_nodes/ComfyUI-Other"] },
    { kind: "git-failed", pack: "ComfyUI-Other", command: ["git", "clone", "https://github.com/a/ComfyUI-Other"], exitCode: 128, tail: ["fatal: repository not found"] },
    { kind: "registry-unreachable", pack: "other", url: "https://api.comfy.org/nodes/other", cause: { kind: "http-status", url: "https://api.comfy.org/nodes/other", status: 500 } },
    { kind: "registry-bad-answer", pack: "other", url: "https://api.comfy.org/nodes/other", message: "no downloadUrl" },
    { kind: "pack-bad-zip", pack: "other", url: "https://cdn.comfy.org/other/1.0.zip", cause: { kind: "archive-corrupt", format: "zip", message: "no end of central directory" } },
    { kind: "pack-unsafe-entry", pack: "other", url: "https://cdn.comfy.org/other/1.0.zip", entry: "../x" },
    { kind: "pack-write-failed", pack: "other", path: "/c/custom_nodes/other", message: "EACCES: permission denied, rename '/c/custom_nodes/.other.comfy-env-12.tmp' -> '/c/custom_nodes/other'" },
    { kind: "dependency-config", pack: "ComfyUI-Other", error: { kind: "toml-syntax", file: "/c/custom_nodes/ComfyUI-Other/comfy-env.toml", line: 1, column: 1, message: "Unexpected character" } },
  ],
  runtime: [
    { kind: "unknown-worker", key: "/packs/MyPack/nodes" },
    { kind: "spawn-failed", key: "k", label: "MyPack/nodes", message: "ENOENT: no such file or directory", log: "/run/comfy-env/logs/MyPack.log" },
    { kind: "not-ready", key: "k", label: "MyPack/nodes", timeoutMs: 60_000, log: "/run/comfy-env/logs/MyPack.log" },
    { kind: "crash-loop", key: "k", label: "MyPack/nodes", deaths: 5, windowMs: 60_000, retryInMs: 29_500, lastExit: { code: null, signal: "SIGSEGV" }, log: "/run/comfy-env/logs/MyPack.log" },
    { kind: "frame-too-large", size: 70_000_000 },
    { kind: "bad-msgpack", message: "unexpected end of buffer" },
    { kind: "runtime-dir", path: "/run/user/1000", message: "its mode is 755, not 700" },
    { kind: "no-runtime-dir", refused: [{ kind: "runtime-dir", path: "/run/user/1000", message: "it is owned by uid 0, not by this user (uid 1000); another user made it first" }, { kind: "runtime-dir", path: "/tmp/comfy-env-1000", message: "it is a symbolic link (another user may point it anywhere)" }] },
    { kind: "worker-files", path: "/run/comfy-env/s123-abcdef", message: "ENOSPC: no space left on device" },
    { kind: "config-unreadable", file: "/packs/MyPack/nodes/comfy-env.toml", message: "Unterminated string" },
  ],
  bridge: [
    { kind: "python-failed", python: "/ComfyUI/python_embeded/python.exe", message: "exit code 9009" },
    { kind: "python-too-old", python: "/usr/bin/python3", version: "3.8.10" },
    { kind: "foreign-package", dir: "/ComfyUI/venv/lib/python3.11/site-packages/comfy_env", installer: "pip", version: "0.1.2" },
    { kind: "write-failed", path: "/ComfyUI/venv/lib/python3.11/site-packages", message: "EACCES: permission denied" },
  ],
  fs: [realFs, { kind: "fs", op: "remove", path: "/cache/_env_abc123", code: "EBUSY", message: "EBUSY: resource busy or locked" }],
  usage: [
    { kind: "usage", message: "install: unknown flag --cdua", hints: ["did you mean `--cuda`?", "`comfy-env install --help` lists the flags"] },
    { kind: "usage", message: "run needs a NODE_DIR" },
  ],
  "self-update": [
    { kind: "not-compiled", main: "/repo/src/main.ts" },
    { kind: "release-not-found", url: "https://github.com/x/comfy-env/releases/download/v9.9.9/SHA256SUMS", version: "9.9.9" },
    { kind: "release-not-found", url: "https://github.com/x/comfy-env/releases/latest/download/SHA256SUMS" },
    { kind: "download-failed", cause: { kind: "network", url: "https://github.com/x/SHA256SUMS", message: "getaddrinfo ENOTFOUND github.com", attempts: 4 } },
    { kind: "no-asset", url: "https://github.com/x/SHA256SUMS", target: "linux-arm64", version: "0.4.0" },
    { kind: "checksum-mismatch", url: "https://github.com/x/comfy-env-linux-x64", expected: "aa11", actual: "bb22" },
    { kind: "bad-archive", url: "https://github.com/x/comfy-env-0.4.0-linux-x64.tar.gz", cause: { kind: "archive-member-missing", format: "tar.gz", member: "comfy-env", found: ["bin/other"] } },
    { kind: "bad-binary", path: "/usr/local/bin/.comfy-env.update", message: '"--version" exited 126 and printed ""' },
    { kind: "read-failed", path: "/usr/local/bin/comfy-env", message: "EACCES: permission denied" },
    { kind: "replace-failed", path: "/usr/local/bin/comfy-env", code: "EACCES", message: "EACCES: permission denied, rename" },
  ],
  install: [
    { kind: "host-python-failed", python: "/usr/bin/python3", message: "exit code 127" },
    { kind: "invalid-cuda", cuda: "banana" },
  ],
  command: [
    { kind: "no-env", nodeDir: "/packs/MyPack/nodes" },
    { kind: "spawn-failed", program: "blender", message: "ENOENT: no such file or directory" },
    { kind: "command-failed", program: "python", exitCode: 2, signal: null },
    { kind: "command-failed", program: "python", exitCode: 137, signal: "SIGKILL" },
    { kind: "remove-failed", hash: "abc123", message: "EBUSY: resource busy or locked" },
    { kind: "unlink-failed", link: "/packs/MyPack/nodes/_env_abc123", message: "not a link" },
    { kind: "check-failed", count: 2, of: "configs", first: "/packs/MyPack/nodes/comfy-env.toml:3: `cuda.packages`: unknown package", hints: ["check the name"], file: "/packs/MyPack/nodes/comfy-env.toml", line: 3 },
    { kind: "check-failed", count: 1, of: "checks", first: "tools pixi: not found", hints: ["install pixi"] },
    { kind: "bundle-failed", file: "/srv/doctor.tar.gz", cause: { kind: "fs", op: "write", path: "/srv/doctor.tar.gz", code: "EACCES", message: "EACCES: permission denied" } },
    { kind: "bundle-failed", file: "/srv/doctor.tar.gz", cause: { kind: "tar-bad-name", name: "../x" } },
    { kind: "install-failed", exitCode: 3 },
    { kind: "import-failed", summary: "2 node(s) importable; 1 of 2 folder(s) failed to import", label: "MyPack/nodes", message: "ModuleNotFoundError: No module named 'cv2'" },
    { kind: "not-env-config", file: "/packs/MyPack/comfy-env-root.toml" },
    { kind: "unsupported-cuda", cuda: "13.1", available: ["11.8", "12.6", "12.8"] },
    { kind: "interrupted", signal: "SIGINT", exitCode: 130 },
    { kind: "internal", command: "install" },
  ],
};

/** What a user sees for one error: the lines printed on stderr, then its exit code and where it points. */
function rendered(e: CliError): string {
  const buf = { text: "" };
  const s = { isTTY: false, write: (t: string) => ((buf.text += t), true) } as unknown as NodeJS.WriteStream;
  printError(new Output({ json: false, quiet: false, verbose: false }, s, s), renderError(e));
  const r = renderError(e);
  const at = r.file === undefined ? "" : ` (at ${r.file}${r.line === undefined ? "" : `:${r.line}`})`;
  return `## ${e.error.kind}: exit ${exitCodeOf(e)}${at}\n${buf.text}`;
}

describe("golden error texts", () => {
  if (UPDATE) fs.mkdirSync(GOLDEN, { recursive: true });
  for (const module of Object.keys(EXIT_CODE) as ErrorModule[]) {
    test(module, () => {
      const examples = EXAMPLES[module];
      // The exit table lists every kind (the type checker holds it complete): each needs an example.
      const kinds = Object.keys(EXIT_CODE[module]).sort();
      const exemplified: string[] = [...new Set(examples.map((e) => e.kind))].sort();
      expect(exemplified).toEqual(kinds);
      const text = placeholders(examples.map((error) => rendered({ kind: module, error } as CliError)).join("\n"));
      const file = path.join(GOLDEN, `${module}.txt`);
      if (UPDATE) fs.writeFileSync(file, text);
      else expect(text).toBe(fs.readFileSync(file, "utf8"));
    });
  }

  test("no golden file is left without its module", () => {
    const modules = Object.keys(EXIT_CODE).map((m) => `${m}.txt`).sort();
    expect(fs.readdirSync(GOLDEN).sort()).toEqual(modules);
  });
});
