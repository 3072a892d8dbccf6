import { describe, expect, test } from "bun:test";
import { describeHttpError } from "../../src/cli/errors/http.ts";
import { renderPixiError } from "../../src/cli/errors/pixi.ts";
import { renderWheelsError } from "../../src/cli/errors/wheels.ts";

describe("network error text", () => {
  test("checksum mismatch refuses loudly and shows both digests", () => {
    const r = renderPixiError({ kind: "checksum-mismatch", url: "https://x/v0.75.0/p.tar.gz", expected: "aa", actual: "bb", bytes: 10 });
    expect(r.message).toBe("pixi download from https://x/v0.75.0/p.tar.gz failed its checksum; refusing to install an unverified binary");
    expect(r.causes).toEqual(["expected sha256 aa", "got      sha256 bb (10 bytes)"]);
  });

  test("network failures suggest the proxy variables and the mirror; 404 does not blame the proxy", () => {
    const net = renderPixiError({ kind: "download-failed", url: "u", cause: { kind: "network", url: "u", code: "ECONNRESET", message: "socket hang up", attempts: 4 } });
    expect(net.causes).toEqual(["ECONNRESET: socket hang up (after 4 attempts)"]);
    expect(net.hints?.some((h) => h.includes("HTTPS_PROXY"))).toBe(true);
    expect(net.hints?.some((h) => h.includes("COMFY_ENV_PIXI_URL"))).toBe(true);
    const notFound = renderPixiError({ kind: "download-failed", url: "u", cause: { kind: "http-status", url: "u", status: 404 } });
    expect(notFound.hints?.some((h) => h.includes("HTTPS_PROXY"))).toBe(false);
    expect(describeHttpError({ kind: "truncated", url: "u", expected: 100, received: 40, attempts: 1 })).toBe("the connection closed after 40 of 100 bytes");
  });

  test("index errors name the page and the override variable", () => {
    const r = renderWheelsError({ kind: "index-unreachable", url: "https://i/v2/x/", cause: { kind: "http-status", url: "https://i/v2/x/", status: 503 } });
    expect(r.message).toBe("cannot read the CUDA-wheel index page https://i/v2/x/");
    expect(r.causes).toEqual(["the server answered HTTP 503"]);
    expect(r.hints?.some((h) => h.includes("COMFY_ENV_WHEELS_INDEX"))).toBe(true);
  });
});
