// Bun's native hasher: importing node:crypto costs ~11 ms at start, more than a warm install.

/** Incremental sha256 (update(...) then digest("hex")). */
export function sha256(): Bun.CryptoHasher {
  return new Bun.CryptoHasher("sha256");
}

/** sha256 hex of the parts, hashed in order. */
export function sha256Hex(...parts: (string | Uint8Array)[]): string {
  const h = sha256();
  for (const p of parts) h.update(p);
  return h.digest("hex");
}
