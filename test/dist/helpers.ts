// A fake GitHub release site on 127.0.0.1 for install.sh and self-update, and the compiled
// host binary they are tested with.
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../support/cli.ts";
import { tarGz, zip } from "../../src/util/archive-write.ts";
import { archiveFormat, executableName, formatSha256Sums, releaseAssetName } from "../../src/util/release.ts";

export const BUN = process.execPath;

export function sha256(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * A stand-in executable: a shell script answering `--version` like comfy-env does. Any other
 * command line is appended to $FAKE_COMFY_ENV_LOG when set, and fails (exit 3, with a JSON error
 * document) when it names a path containing "unwritable".
 */
export function fakeBinary(version: string, target: string): string {
  return `#!/bin/sh
if [ "$1" = --version ]; then echo "comfy-env ${version} (fake, ${target})"; exit 0; fi
if [ -n "\${FAKE_COMFY_ENV_LOG:-}" ]; then echo "$*" >> "$FAKE_COMFY_ENV_LOG"; fi
case "$*" in *unwritable*) echo '{"ok":false,"error":{"message":"cannot write into site-packages"}}'; exit 3 ;; esac
echo '{"ok":true}'
`;
}

export interface FakeRelease {
  version: string;
  /** Served files, name → content; SHA256SUMS is generated from them unless given. */
  files: Record<string, string | Uint8Array>;
  /** Checksums to publish instead of the real ones (name → hex), merged over the generated ones. */
  sums?: Record<string, string>;
  /** Names listed in SHA256SUMS whose file the server does not have (a 404). */
  missing?: string[];
}

/** `data` as the executable of `target`'s release archive (.tar.gz, or .zip for Windows), stored as `name`. */
export function packExecutable(target: string, data: string | Uint8Array, name = executableName(target)): Uint8Array {
  const entry = { name, data: typeof data === "string" ? new TextEncoder().encode(data) : data, mode: 0o755 };
  return (archiveFormat(target) === "zip" ? zip([entry], 1_700_000_000) : tarGz([entry], 1_700_000_000))._unsafeUnwrap();
}

/** A release with one archived fake binary per target. */
export function fakeRelease(version: string, targets: readonly string[]): FakeRelease {
  const files: Record<string, Uint8Array> = {};
  for (const t of targets) files[releaseAssetName(version, t)] = packExecutable(t, fakeBinary(version, t));
  return { version, files };
}

export interface ReleaseServer {
  /** The COMFY_ENV_DOWNLOAD_URL to use: `<server>/releases`. */
  base: string;
  url: string;
  /** Paths requested, in order. */
  requests: string[];
  /** Extra files served at `/<name>` (install.sh for the `curl | sh` test). */
  extra: Record<string, string>;
  stop(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * GitHub's layout: `/releases/download/v<X>/<file>`, and `/releases/latest/download/<file>`
 * answered with a 302 to the latest version, as GitHub does.
 */
export function startReleaseServer(releases: FakeRelease[], latest?: string): ReleaseServer {
  const byVersion = new Map(releases.map((r) => [r.version, r]));
  const requests: string[] = [];
  const extra: Record<string, string> = {};
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const { pathname: p, origin } = new URL(req.url);
      requests.push(p);
      const x = extra[p.slice(1)];
      if (x !== undefined) return new Response(x);
      const latestMatch = /^\/releases\/latest\/download\/([^/]+)$/.exec(p);
      if (latestMatch && latest !== undefined) return Response.redirect(`${origin}/releases/download/v${latest}/${latestMatch[1]}`, 302);
      const m = /^\/releases\/download\/v([^/]+)\/([^/]+)$/.exec(p);
      const rel = m ? byVersion.get(m[1] as string) : undefined;
      if (!m || !rel) return new Response("not found", { status: 404 });
      const name = m[2] as string;
      if (name === "SHA256SUMS") return new Response(sumsOf(rel));
      const body = rel.files[name];
      return body === undefined || rel.missing?.includes(name) ? new Response("not found", { status: 404 }) : new Response(body);
    },
  });
  const url = `http://127.0.0.1:${server.port}`;
  const stop = () => server.stop(true);
  return { base: `${url}/releases`, url, requests, extra, stop, [Symbol.asyncDispose]: stop };
}

function sumsOf(rel: FakeRelease): string {
  const entries = Object.entries(rel.files).map(([name, body]) => ({ name, sha256: rel.sums?.[name] ?? sha256(body) }));
  return formatSha256Sums(entries);
}

/**
 * The compiled comfy-env for this machine: COMFY_ENV_TEST_BINARY when set (CI builds it once),
 * else built by build.ts into `dir`.
 */
export function hostBinary(dir: string): string {
  const given = process.env.COMFY_ENV_TEST_BINARY;
  if (given) return path.resolve(REPO_ROOT, given);
  const r = Bun.spawnSync([BUN, "run", "build.ts", "--outdir", dir], { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`build.ts failed: ${r.stderr.toString()}`);
  return path.join(dir, process.platform === "win32" ? "comfy-env.exe" : "comfy-env");
}

/**
 * A PATH of links to every program in the system folders except `hidden`, so the script under
 * test cannot find them (curl, wget...).
 */
export function pathWithout(dir: string, hidden: readonly string[]): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const sys of ["/usr/local/bin", "/usr/bin", "/bin"]) {
    let names: string[] = [];
    try {
      names = fs.readdirSync(sys);
    } catch {
      continue;
    }
    for (const n of names) {
      if (hidden.includes(n)) continue;
      try {
        fs.symlinkSync(path.join(sys, n), path.join(dir, n));
      } catch {
        // Already linked from an earlier system folder (/bin is often /usr/bin).
      }
    }
  }
  return dir;
}
