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
  server = Bun.serve({ port: 0, hostname: "127.0.0.1", tls, fetch: () => new Response("trusted") });
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

describe("pixi, uv and pip are started to trust the same roots", () => {
  test("the system store always; with a CA variable, one bundle of every root as SSL_CERT_FILE and PIP_CERT", async () => {
    await using t = await tmpdir();
    const bundle = path.join(t.path, "ca-bundle.pem");
    const plain = installerTlsEnv({}, bundle);
    expect(plain).toEqual({ PIXI_TLS_ROOT_CERTS: "system", UV_NATIVE_TLS: "1", UV_SYSTEM_CERTS: "1" });
    expect(fs.existsSync(bundle)).toBe(false);
    const extra = installerTlsEnv({ NODE_EXTRA_CA_CERTS: path.join(dir.path, "ca.pem") }, bundle);
    expect(extra).toMatchObject({ SSL_CERT_FILE: bundle, PIP_CERT: bundle, PIXI_TLS_ROOT_CERTS: "system" });
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
