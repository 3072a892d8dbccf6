// Behind a TLS-inspecting proxy the server's certificate comes from a CA only the user's machine
// knows. Here a loopback HTTPS server's certificate is signed by a test CA that reaches comfy-env
// only through SSL_CERT_FILE, SSL_CERT_DIR or NODE_EXTRA_CA_CERTS.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { renderPixiError } from "../../src/cli/errors/pixi.ts";
import { buildPaths } from "../../src/cache/layout.ts";
import { runPixiInstall } from "../../src/pixi/run.ts";
import { fetchText, type HttpError } from "../../src/util/http.ts";
import { CA_VARS, installerTlsEnv } from "../../src/util/tls.ts";
import { gitClone } from "../../src/nodepacks/git.ts";
import { tmpdir } from "../support/tmp.ts";

let dir: Awaited<ReturnType<typeof tmpdir>>;
let server: ReturnType<typeof Bun.serve>;
let url: string;
let caPem: string;

function openssl(args: string[], cwd: string): void {
  const r = Bun.spawnSync(["openssl", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`openssl ${args[0]}: ${r.stderr.toString()}`);
}

beforeAll(async () => {
  dir = await tmpdir("ce-tls-");
  const d = dir.path;
  openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=comfy-env test CA"], d);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr", "-subj", "/CN=127.0.0.1"], d);
  fs.writeFileSync(path.join(d, "ext"), "subjectAltName=IP:127.0.0.1\n");
  openssl(["x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "srv.pem", "-days", "2", "-extfile", "ext"], d);
  caPem = fs.readFileSync(path.join(d, "ca.pem"), "utf8").trim();
  const tls = { cert: fs.readFileSync(path.join(d, "srv.pem"), "utf8"), key: fs.readFileSync(path.join(d, "srv.key"), "utf8") };
  // /page for downloads; anything else is a file under www/ (a git repository served over dumb HTTP).
  const www = path.join(d, "www");
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    tls,
    fetch: (req) => {
      const p = new URL(req.url).pathname;
      if (p === "/page") return new Response("trusted");
      const file = path.join(www, path.normalize(p));
      return file.startsWith(www) && fs.existsSync(file) && fs.statSync(file).isFile() ? new Response(Bun.file(file)) : new Response("not found", { status: 404 });
    },
  });
  url = `https://127.0.0.1:${server.port}/page`;
});

afterAll(async () => {
  server?.stop(true);
  await dir?.[Symbol.asyncDispose]();
});

/** Run `fn` with only the given CA variables set (the http layer reads process.env). */
async function withCaVars<T>(vars: Partial<Record<(typeof CA_VARS)[number], string>>, fn: () => PromiseLike<T>): Promise<T> {
  const saved = CA_VARS.map((v) => [v, process.env[v]] as const);
  for (const v of CA_VARS) delete process.env[v];
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [v, value] of saved) value === undefined ? delete process.env[v] : (process.env[v] = value);
  }
}

describe("downloads trust the CAs the CA variables name", () => {
  test("without them the certificate is refused, and the error names the host, the likely proxy and the variables", async () => {
    const r = await withCaVars({}, () => fetchText(url, { retryDelaysMs: [] }));
    const e = r._unsafeUnwrapErr() as Extract<HttpError, { kind: "network" }>;
    expect(e.kind).toBe("network");
    const rendered = renderPixiError({ kind: "download-failed", url, cause: e });
    expect(rendered.hints?.[0]).toContain(`the certificate of 127.0.0.1:${server.port} is not signed by a trusted authority`);
    expect(rendered.hints?.[0]).toContain("TLS-inspection appliance");
    expect(rendered.hints?.[1]).toContain("SSL_CERT_FILE");
    expect(rendered.hints?.some((h) => h.includes("HTTPS_PROXY"))).toBe(false);
  });

  test("SSL_CERT_FILE", async () => {
    const r = await withCaVars({ SSL_CERT_FILE: path.join(dir.path, "ca.pem") }, () => fetchText(url, { retryDelaysMs: [] }));
    expect(r._unsafeUnwrap()).toBe("trusted");
  });

  test("SSL_CERT_DIR (OpenSSL's hashed names)", async () => {
    const certs = path.join(dir.path, "certs");
    fs.mkdirSync(certs, { recursive: true });
    fs.copyFileSync(path.join(dir.path, "ca.pem"), path.join(certs, "5a1b2c3d.0"));
    const r = await withCaVars({ SSL_CERT_DIR: certs }, () => fetchText(url, { retryDelaysMs: [] }));
    expect(r._unsafeUnwrap()).toBe("trusted");
  });

  test("NODE_EXTRA_CA_CERTS", async () => {
    const r = await withCaVars({ NODE_EXTRA_CA_CERTS: path.join(dir.path, "ca.pem") }, () => fetchText(url, { retryDelaysMs: [] }));
    expect(r._unsafeUnwrap()).toBe("trusted");
  });
});

/** A bare repository with one commit, served by `server` over git's dumb HTTP (plain files). */
function servedRepo(): { url: string; commit: string } {
  const git = (args: string[], cwd: string) => {
    const r = Bun.spawnSync(["git", "-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, stdout: "pipe", stderr: "pipe" });
    if (r.exitCode !== 0) throw new Error(`git ${args[0]}: ${r.stderr.toString()}`);
    return r.stdout.toString().trim();
  };
  const work = path.join(dir.path, "pack-src");
  fs.mkdirSync(work, { recursive: true });
  git(["init", "-q"], work);
  fs.writeFileSync(path.join(work, "__init__.py"), "NODE_CLASS_MAPPINGS = {}\n");
  git(["add", "."], work);
  git(["commit", "-qm", "one"], work);
  git(["clone", "-q", "--bare", work, path.join(dir.path, "www", "Pack.git")], dir.path);
  git(["update-server-info"], path.join(dir.path, "www", "Pack.git"));
  return { url: `https://127.0.0.1:${server.port}/Pack.git`, commit: git(["rev-parse", "HEAD"], work) };
}

describe("git clones of [node_reqs] packs trust the same roots", () => {
  test("NODE_EXTRA_CA_CERTS reaches git as a bundle (GIT_SSL_CAINFO), removed after the clone", async () => {
    const { url: repo, commit } = servedRepo();
    await using t = await tmpdir();
    const dest = path.join(t.path, ".Pack.tmp");
    const env: Record<string, string | undefined> = { ...process.env, NODE_EXTRA_CA_CERTS: path.join(dir.path, "ca.pem"), GIT_CONFIG_NOSYSTEM: "1", HOME: t.path };
    for (const v of ["SSL_CERT_FILE", "SSL_CERT_DIR", "GIT_SSL_CAINFO"]) delete env[v];
    const r = await gitClone("Pack", { kind: "git", url: repo, ref: { kind: "commit", value: commit } }, dest, path.join(t.path, "Pack"), env);
    expect(r._unsafeUnwrap()).toBeUndefined();
    expect(fs.readFileSync(path.join(dest, "__init__.py"), "utf8")).toBe("NODE_CLASS_MAPPINGS = {}\n");
    expect(fs.readdirSync(t.path)).toEqual([".Pack.tmp"]);
  });
});

describe("pixi, uv and pip are started to trust the same roots", () => {
  test("the system store always; with a CA variable, one bundle of every root as SSL_CERT_FILE and PIP_CERT", async () => {
    await using t = await tmpdir();
    const bundle = path.join(t.path, "ca-bundle.pem");
    const plain = installerTlsEnv({}, bundle);
    expect(plain).toEqual({ PIXI_TLS_ROOT_CERTS: "system", UV_NATIVE_TLS: "1", UV_SYSTEM_CERTS: "1" });
    expect(fs.existsSync(bundle)).toBe(false);
    const extra = installerTlsEnv({ NODE_EXTRA_CA_CERTS: path.join(dir.path, "ca.pem") }, bundle);
    expect(extra).toMatchObject({ SSL_CERT_FILE: bundle, PIP_CERT: bundle, GIT_SSL_CAINFO: bundle, PIXI_TLS_ROOT_CERTS: "system" });
    const written = fs.readFileSync(bundle, "utf8");
    expect(written).toContain(caPem);
    expect(written.match(/BEGIN CERTIFICATE/g)?.length).toBeGreaterThan(100); // the public roots stay trusted
  });

  test("pixi install runs with those variables", async () => {
    await using t = await tmpdir();
    const p = buildPaths(t.path, "abc123");
    fs.mkdirSync(p.dir, { recursive: true });
    const dump = path.join(t.path, "env.txt");
    const pixi = path.join(t.path, "pixi");
    fs.writeFileSync(pixi, `#!/bin/sh\nenv > '${dump}'\n`, { mode: 0o755 });
    const r = await withCaVars({ SSL_CERT_FILE: path.join(dir.path, "ca.pem") }, () => runPixiInstall(pixi, p, () => {}));
    expect(r.isOk()).toBe(true);
    const env = fs.readFileSync(dump, "utf8");
    expect(env).toContain("PIXI_TLS_ROOT_CERTS=system\n");
    expect(env).toContain(`SSL_CERT_FILE=${p.caBundle}\n`);
    expect(fs.readFileSync(p.caBundle, "utf8")).toContain(caPem);
  });
});
