import { describe, expect, test } from "bun:test";
import { executableName, findReleaseAsset, formatSha256Sums, parseSha256Sums, releaseAssetName, releaseFileUrl, targetExecutableName } from "../../src/util/release.ts";

const A = "a".repeat(64);
const B = "B".repeat(64);

describe("release naming", () => {
  test("assets are archives named for version and target: .tar.gz for Unix, .zip for Windows, holding comfy-env[.exe]", () => {
    expect(releaseAssetName("0.1.0", "linux-x64")).toBe("comfy-env-0.1.0-linux-x64.tar.gz");
    expect(releaseAssetName("0.1.0", "darwin-arm64")).toBe("comfy-env-0.1.0-darwin-arm64.tar.gz");
    expect(releaseAssetName("0.1.0", "windows-x64")).toBe("comfy-env-0.1.0-windows-x64.zip");
    expect([executableName("linux-x64"), executableName("windows-x64")]).toEqual(["comfy-env", "comfy-env.exe"]);
    expect(targetExecutableName("0.1.0", "windows-x64")).toBe("comfy-env-0.1.0-windows-x64.exe");
  });

  test("URLs: latest/download, or download/v<X> for a pinned version (a leading v is accepted)", () => {
    expect(releaseFileUrl("https://h/r/", undefined, "SHA256SUMS")).toBe("https://h/r/latest/download/SHA256SUMS");
    expect(releaseFileUrl("https://h/r", "v1.2.3", "x")).toBe("https://h/r/download/v1.2.3/x");
  });
});

describe("SHA256SUMS", () => {
  test("round-trips, reads binary-mode '*' names and CRLF, lowercases digests, skips junk", () => {
    const text = `${formatSha256Sums([{ name: "comfy-env-1.0.0-linux-x64.tar.gz", sha256: A }])}${B} *comfy-env-1.0.0-windows-x64.zip\r\nnot a line\n`;
    expect([...parseSha256Sums(text)]).toEqual([
      ["comfy-env-1.0.0-linux-x64.tar.gz", A],
      ["comfy-env-1.0.0-windows-x64.zip", B.toLowerCase()],
    ]);
  });

  test("finds the asset of a target; without a version it is read from the name", () => {
    // The installers are listed too, and an unpacked executable of an older release layout is no asset.
    const sums = parseSha256Sums(`${A}  install.sh\n${A}  comfy-env-0.9.0-linux-arm64\n${A}  comfy-env-1.0.0-linux-x64.tar.gz\n${B}  comfy-env-1.0.0-linux-arm64.tar.gz\n${A}  comfy-env-1.0.0-windows-x64.zip\n${A}  install.ps1\n`);
    expect(findReleaseAsset(sums, "linux-arm64")).toEqual({ name: "comfy-env-1.0.0-linux-arm64.tar.gz", version: "1.0.0", sha256: B.toLowerCase() });
    expect(findReleaseAsset(sums, "windows-x64")?.name).toBe("comfy-env-1.0.0-windows-x64.zip");
    expect(findReleaseAsset(sums, "linux-x64", "v1.0.0")?.name).toBe("comfy-env-1.0.0-linux-x64.tar.gz");
    expect(findReleaseAsset(sums, "linux-x64", "2.0.0")).toBeUndefined();
    expect(findReleaseAsset(sums, "darwin-arm64")).toBeUndefined();
  });
});
