// Which certificate authorities downloads trust. Behind a corporate proxy that inspects TLS, its
// CA is in the system store (put there by IT) or named by a variable, never in Bun's bundled
// Mozilla list, so comfy-env trusts all of them, and starts pixi, uv and pip so that they do too.
import fs from "node:fs";
import path from "node:path";
import tls from "node:tls";
import { readEnv } from "./env.ts";
import { namesIn, tryFs } from "./fs.ts";

type Env = Record<string, string | undefined>;

/** The variables that add certificate authorities (OpenSSL's two, and Node's). */
export const CA_VARS = ["SSL_CERT_FILE", "SSL_CERT_DIR", "NODE_EXTRA_CA_CERTS"] as const;

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

function pemCerts(file: string): string[] {
  try {
    return fs.readFileSync(file, "utf8").match(PEM_CERT) ?? [];
  } catch {
    return []; // a missing or unreadable file adds nothing; the TLS error then names the host
  }
}

/** OpenSSL's SSL_CERT_DIR: folders (path-list) of PEM files, hashed names included. */
function dirCerts(dirs: string): string[] {
  return dirs.split(path.delimiter).flatMap((dir) => {
    const names = namesIn(dir);
    return names.filter((n) => /\.(pem|crt|cer)$|^[0-9a-f]{8}\.\d+$/i.test(n)).flatMap((n) => pemCerts(path.join(dir, n)));
  });
}

/** Certificates the variables of `env` add, in CA_VARS order. */
export function extraCertificates(env: Env): string[] {
  const file = readEnv("SSL_CERT_FILE", env);
  const dirs = readEnv("SSL_CERT_DIR", env);
  const node = readEnv("NODE_EXTRA_CA_CERTS", env);
  return [...(file ? pemCerts(file) : []), ...(dirs ? dirCerts(dirs) : []), ...(node ? pemCerts(node) : [])];
}

function systemCertificates(): string[] {
  try {
    return tls.getCACertificates("system");
  } catch {
    return [];
  }
}

/** Every CA a download trusts: Bun's bundled roots, the OS store, and what the variables add. */
export function trustedCertificates(env: Env): string[] {
  return [...new Set([...tls.getCACertificates("bundled"), ...systemCertificates(), ...extraCertificates(env)])];
}

/**
 * Variables for pixi, uv and pip so they trust what comfy-env trusts: the OS store (pixi and uv
 * use their bundled roots by default), and, when a variable adds CAs and `bundle` is given, one
 * bundle of every root written there (rustls and OpenSSL read SSL_CERT_FILE; pip reads PIP_CERT;
 * git, for `[node_reqs]` packs and git dependencies, reads GIT_SSL_CAINFO: a GnuTLS build, as
 * Debian's, ignores SSL_CERT_FILE).
 */
export function installerTlsEnv(env: Env, bundle?: string): Record<string, string> {
  const out: Record<string, string> = {};
  // With an empty store (a bare container), "system" would trust nothing: keep their defaults.
  if (systemCertificates().length > 0) Object.assign(out, { PIXI_TLS_ROOT_CERTS: "system", UV_NATIVE_TLS: "1", UV_SYSTEM_CERTS: "1" });
  if (bundle && CA_VARS.some((v) => readEnv(v, env))) {
    // Unwritable: the installers still see the user's own SSL_CERT_FILE / SSL_CERT_DIR.
    const written = tryFs("write", bundle, () => fs.writeFileSync(bundle, `${trustedCertificates(env).join("\n")}\n`));
    if (written.isOk()) Object.assign(out, { SSL_CERT_FILE: bundle, PIP_CERT: bundle, GIT_SSL_CAINFO: bundle });
  }
  return out;
}
