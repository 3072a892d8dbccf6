import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import path from "node:path";
import { renderWheelsError } from "../../src/cli/errors/wheels.ts";
import type { PixiPlatform } from "../../src/util/platform.ts";
import { chooseWheel } from "../../src/wheels/choose.ts";
import { parseWheelLinks } from "../../src/wheels/index-page.ts";
import type { WheelQuery } from "../../src/wheels/types.ts";

const FIXTURES = path.join(import.meta.dir, "..", "fixtures", "wheels");
const INDEX = "https://pozzettiandrea.github.io/cuda-wheels/v2/";

/** Links of a recorded page, as resolveCudaWheel would read them from `<INDEX><page>/`. */
function links(page: string) {
  return parseWheelLinks(readFileSync(path.join(FIXTURES, `${page}.html`), "utf8"), `${INDEX}${page}/`);
}

const ML = "manylinux_2_34_x86_64.manylinux_2_35_x86_64";

type Case = [
  page: string,
  query: [pkg: string, cuda: string, torch: string, python: string, platform: PixiPlatform],
  expected: string | { error: string },
];

// (page, query, chosen file name or the no-match message).
const CASES: Case[] = [
  // Real nvdiffrast page (excerpt).
  ["nvdiffrast", ["nvdiffrast", "12.8", "2.8", "3.11", "linux-64"], `nvdiffrast-0.4.0+cu128torch2.8-cp311-cp311-${ML}.whl`],
  ["nvdiffrast", ["nvdiffrast", "12.8", "2.8", "3.11", "win-64"], "nvdiffrast-0.4.0+cu128torch2.8-cp311-cp311-win_amd64.whl"],
  ["nvdiffrast", ["nvdiffrast", "12.8", "2.8.0", "3.10", "linux-64"], `nvdiffrast-0.4.0+cu128torch2.8-cp310-cp310-${ML}.whl`],
  ["nvdiffrast", ["nvdiffrast", "12.4", "2.4", "3.11", "linux-64"], `nvdiffrast-0.4.0+cu124torch2.4-cp311-cp311-${ML}.whl`],
  ["nvdiffrast", ["nvdiffrast", "12.4", "2.4", "3.12", "linux-64"], `nvdiffrast-0.4.0+cu124torch2.4-cp312-cp312-${ML}.whl`],
  ["nvdiffrast", ["nvdiffrast", "12.6", "2.8", "3.11", "linux-64"], `nvdiffrast-0.4.0+cu126torch2.8-cp311-cp311-${ML}.whl`],
  // Newer driver CUDA than any build: the closest older minor (cu128, not cu126).
  ["nvdiffrast", ["nvdiffrast", "12.9.1", "2.8", "3.11", "linux-64"], `nvdiffrast-0.4.0+cu128torch2.8-cp311-cp311-${ML}.whl`],
  // No cu128 cp312 build in the excerpt: an older CUDA minor of the same major fits.
  ["nvdiffrast", ["nvdiffrast", "12.8", "2.8", "3.12", "linux-64"], `nvdiffrast-0.4.0+cu126torch2.8-cp312-cp312-${ML}.whl`],
  ["nvdiffrast", ["nvdiffrast", "12.8", "2.8", "3.13", "linux-64"], `nvdiffrast-0.4.0+cu126torch2.8-cp313-cp313-${ML}.whl`],
  ["nvdiffrast", ["nvdiffrast", "13.0", "2.12", "3.11", "linux-64"], `nvdiffrast-0.4.0+cu130torch2.12-cp311-cp311-${ML}.whl`],
  // Exact CUDA beats the older minor of the same major.
  ["nvdiffrast", ["nvdiffrast", "13.2", "2.12", "3.11", "linux-64"], `nvdiffrast-0.4.0+cu132torch2.12-cp311-cp311-${ML}.whl`],
  ["nvdiffrast", ["nvdiffrast", "13.0", "2.12", "3.11", "win-64"], "nvdiffrast-0.4.0+cu130torch2.12-cp311-cp311-win_amd64.whl"],
  [
    "nvdiffrast",
    ["nvdiffrast", "12.1", "2.3", "3.11", "linux-64"],
    { error: "No nvdiffrast wheel for CUDA 12.1 + torch 2.3 + cp311 + linux-64; the index has: cu124 torch2.4 cp310/cp311/cp312, cu128 torch2.7 cp311, cu126 torch2.8 cp310/cp311/cp312/cp313, cu128 torch2.8 cp310/cp311, cu130 torch2.9 cp311, cu128 torch2.10 cp311/cp314" },
  ],
  // CUDA 13 has no torch 2.8 build: a newer-major build is never used for an older one or vice versa.
  [
    "nvdiffrast",
    ["nvdiffrast", "13.0", "2.8", "3.11", "linux-64"],
    { error: "No nvdiffrast wheel for CUDA 13.0 + torch 2.8 + cp311 + linux-64; the index has: cu128 torch2.8 cp310/cp311, cu126 torch2.8 cp310/cp311/cp312/cp313, cu130 torch2.9 cp311, cu128 torch2.7 cp311, cu128 torch2.10 cp311/cp314, cu130 torch2.12 cp311" },
  ],
  [
    "nvdiffrast",
    ["nvdiffrast", "12.8", "2.8", "3.14", "win-64"],
    { error: "No nvdiffrast wheel for CUDA 12.8 + torch 2.8 + cp314 + win-64; the index has: cu128 torch2.8 cp310/cp311, cu126 torch2.8 cp311, cu130 torch2.9 cp314, cu124 torch2.4 cp310/cp311, cu130 torch2.12 cp311" },
  ],
  [
    "nvdiffrast",
    ["nvdiffrast", "12.8", "2.8", "3.11", "linux-aarch64"],
    { error: "No nvdiffrast wheel for CUDA 12.8 + torch 2.8 + cp311 + linux-aarch64; the index has no linux-aarch64 wheels; it has: cu128 torch2.8 cp310/cp311 (linux-64, win-64), cu126 torch2.8 cp310/cp311/cp312/cp313 (linux-64, win-64), cu128 torch2.7 cp311 (linux-64), cu130 torch2.9 cp311/cp314 (linux-64, win-64), cu128 torch2.10 cp311/cp314 (linux-64), cu124 torch2.4 cp310/cp311/cp312 (linux-64, win-64)" },
  ],
  // Real pytorch3d page (single manylinux_2_35 tag).
  ["pytorch3d", ["pytorch3d", "12.4", "2.4", "3.11", "win-64"], "pytorch3d-0.7.9+cu124torch2.4-cp311-cp311-win_amd64.whl"],
  ["pytorch3d", ["pytorch3d", "12.8", "2.8", "3.10", "linux-64"], "pytorch3d-0.7.9+cu126torch2.8-cp310-cp310-manylinux_2_35_x86_64.whl"],
  [
    "pytorch3d",
    ["pytorch3d", "12.8", "2.8", "3.11", "linux-64"],
    { error: "No pytorch3d wheel for CUDA 12.8 + torch 2.8 + cp311 + linux-64; the index has: cu126 torch2.8 cp310, cu126 torch2.7 cp311, cu124 torch2.6 cp311, cu126 torch2.12 cp311/cp312, cu124 torch2.4 cp310/cp311/cp312" },
  ],
  [
    "pytorch3d",
    ["pytorch3d", "12.6", "2.12", "3.12", "win-64"],
    { error: "No pytorch3d wheel for CUDA 12.6 + torch 2.12 + cp312 + win-64; the index has: cu126 torch2.8 cp310, cu126 torch2.7 cp311, cu124 torch2.6 cp311, cu124 torch2.4 cp311" },
  ],
  // Real torch-scatter page: the dist name is torch_scatter.
  ["torch-scatter", ["torch_scatter", "12.4", "2.4", "3.11", "linux-64"], `torch_scatter-2.1.2+cu124torch2.4-cp311-cp311-${ML}.whl`],
  ["torch-scatter", ["torch-scatter", "12.6", "2.11", "3.12", "win-64"], "torch_scatter-2.1.2+cu126torch2.11-cp312-cp312-win_amd64.whl"],
  ["torch-scatter", ["torch-scatter", "12.8", "2.13", "3.14", "linux-64"], `torch_scatter-2.1.2+cu126torch2.13-cp314-cp314-${ML}.whl`],
  // Real gsplat page.
  ["gsplat", ["gsplat", "12.6", "2.8", "3.13", "linux-64"], `gsplat-1.5.3+cu126torch2.8-cp313-cp313-${ML}.whl`],
  ["gsplat", ["gsplat", "12.8", "2.8", "3.11", "win-64"], "gsplat-1.5.3+cu126torch2.8-cp311-cp311-win_amd64.whl"],
  [
    "gsplat",
    ["gsplat", "12.8", "2.8", "3.11", "osx-arm64"],
    { error: "No gsplat wheel for CUDA 12.8 + torch 2.8 + cp311 + osx-arm64; the index has no osx-arm64 wheels; it has: cu126 torch2.8 cp311/cp313 (linux-64, win-64), cu126 torch2.7 cp312 (win-64), cu124 torch2.4 cp311 (linux-64, win-64)" },
  ],
  // Constructed page: manylinux over linux_, highest version, other packages and unlabeled wheels ignored.
  ["demo-ext", ["demo-ext", "12.8", "2.8", "3.11", "linux-64"], "demo_ext-1.0.0+cu128torch2.8-cp311-cp311-manylinux_2_28_x86_64.whl"],
  // A higher package version wins over an exact-CUDA build of an older version.
  ["demo-ext", ["demo-ext", "12.8", "2.8", "3.12", "linux-64"], "demo_ext-1.1.0+cu126torch2.8-cp312-cp312-manylinux_2_28_x86_64.whl"],
  // abi3 (cp39 and newer) fits 3.13; the free-threaded cp313t build does not.
  ["demo-ext", ["demo-ext", "12.8", "2.8", "3.13", "linux-64"], "demo_ext-1.0.0+cu128torch2.8-cp39-abi3-manylinux_2_28_x86_64.whl"],
  // musllinux never fits linux-64 (a conda env is glibc); abi3 does.
  ["demo-ext", ["demo-ext", "12.8", "2.8", "3.10", "linux-64"], "demo_ext-1.0.0+cu128torch2.8-cp39-abi3-manylinux_2_28_x86_64.whl"],
  ["demo-ext", ["demo_ext", "12.8", "2.8", "3.11", "win-64"], "demo_ext-1.0.0+pt28cu128-cp311-cp311-win_amd64.whl"],
  ["demo-ext", ["demo-ext", "12.8", "2.8", "3.11", "osx-arm64"], "demo_ext-1.0.0+cu128torch2.8-cp311-cp311-macosx_11_0_arm64.whl"],
  ["demo-ext", ["demo-ext", "12.8", "2.8", "3.11", "linux-aarch64"], "demo_ext-1.0.0+cu128torch2.8-cp311-cp311-manylinux_2_28_aarch64.whl"],
  ["demo-ext", ["demo-ext", "12.4", "2.4", "3.11", "linux-64"], "demo_ext-1.0.0+cu121torch2.4-cp311-cp311-manylinux_2_28_x86_64.whl"],
  ["demo-ext", ["demo-ext", "11.8", "2.4", "3.11", "linux-64"], "demo_ext-1.0.0+cu118torch2.4-cp311-cp311-manylinux_2_28_x86_64.whl"],
  [
    "demo-ext",
    ["demo-ext", "12.8", "2.8", "3.9", "osx-64"],
    { error: "No demo-ext wheel for CUDA 12.8 + torch 2.8 + cp39 + osx-64; the index has no osx-64 wheels; it has: cu128 torch2.8 cp39/cp310/cp311/cp313 (linux-64, linux-aarch64, musllinux_1_2_x86_64, osx-arm64, win-64), cu126 torch2.8 cp312 (linux-64), cu121 torch2.4 cp311 (linux-64), cu118 torch2.4 cp311 (linux-64)" },
  ],
];

describe("chooseWheel on recorded index pages", () => {
  test("at least 20 recorded cases", () => expect(CASES.length).toBeGreaterThanOrEqual(20));

  test.each(CASES)("%s %j", (page, [pkg, cuda, torch, python, platform], expected) => {
    const query: WheelQuery = { pkg, cuda, torch, python, platform };
    const r = chooseWheel(query, links(page));
    if (typeof expected === "string") {
      const chosen = r._unsafeUnwrap();
      expect(chosen.filename).toBe(expected);
      expect(chosen.source).toBe("index");
      expect(chosen.version).toBe(expected.split("-")[1] ?? "");
      expect(decodeURIComponent(chosen.url).endsWith(`/${expected}`)).toBe(true);
      expect(chosen.reason).toContain(pkg);
    } else {
      const e = r._unsafeUnwrapErr();
      expect(e.kind).toBe("no-matching-wheel");
      expect(renderWheelsError(e).message).toBe(expected.error);
    }
  });
});

describe("chooseWheel details", () => {
  test("relative hrefs resolve against the page and keep their #sha256 fragment", () => {
    const r = chooseWheel({ pkg: "demo-ext", cuda: "12.8", torch: "2.8", python: "3.11", platform: "linux-64" }, links("demo-ext"))._unsafeUnwrap();
    expect(r.url).toBe("https://pozzettiandrea.github.io/cuda-wheels/v2/files/demo_ext-1.0.0%2Bcu128torch2.8-cp311-cp311-manylinux_2_28_x86_64.whl");
    const all = links("demo-ext");
    expect(all.find((l) => l.filename.includes("linux_x86_64"))?.url).toEndWith("#sha256=" + "1".repeat(64));
    expect(all.some((l) => l.filename.endsWith(".tar.gz"))).toBe(false);
  });

  test("the reason says which build, which tag, and how close", () => {
    const exact = chooseWheel({ pkg: "nvdiffrast", cuda: "12.8", torch: "2.8", python: "3.11", platform: "linux-64" }, links("nvdiffrast"))._unsafeUnwrap();
    expect(exact.reason).toBe("nvdiffrast 0.4.0 for cu128 torch2.8 cp311-cp311-manylinux_2_34_x86_64 (exact CUDA; 2 of 23 CUDA wheels fit)");
    const older = chooseWheel({ pkg: "nvdiffrast", cuda: "12.8", torch: "2.8", python: "3.12", platform: "linux-64" }, links("nvdiffrast"))._unsafeUnwrap();
    expect(older.reason).toContain("CUDA 12.6 build, compatible with 12.8 (same major)");
  });

  test("linux_x86_64 is taken when it is the only Linux build", () => {
    const only = [{ filename: "foo-1.0+cu128torch2.8-cp311-cp311-linux_x86_64.whl", url: "http://x/foo.whl" }];
    expect(chooseWheel({ pkg: "foo", cuda: "12.8", torch: "2.8", python: "3.11", platform: "linux-64" }, only).isOk()).toBe(true);
  });

  test("a page with no CUDA wheels of the package", () => {
    const e = chooseWheel({ pkg: "foo", cuda: "12.8", torch: "2.8", python: "3.11", platform: "linux-64" }, [{ filename: "foo-1.0-py3-none-any.whl", url: "http://x/a.whl" }])._unsafeUnwrapErr();
    expect(e).toEqual({ kind: "no-matching-wheel", query: { pkg: "foo", cuda: "12.8", torch: "2.8", python: "3.11", platform: "linux-64" }, available: [], platformCovered: false });
    expect(renderWheelsError(e).message).toBe("No foo wheel for CUDA 12.8 + torch 2.8 + cp311 + linux-64; the index lists no CUDA wheels for it");
  });

  // Python's packaging orders these; the hand-written ordering got epochs and the "v" prefix wrong.
  test.each([
    ["1!0.1", "2.0"],
    ["v1.1", "1.0.5"],
    ["1.0.1", "1.0.post1"],
    ["1.0.post2", "1.0.post1"],
    ["1.0", "1.0rc1"],
    ["1.0rc1", "1.0b2"],
    ["1.0a1", "1.0.dev0"],
    ["0.7.10", "0.7.9"],
  ])("version %s is chosen over %s (PEP 440 order)", (newer, older) => {
    const wheel = (v: string) => ({ filename: `foo-${v}+cu128torch2.8-cp311-cp311-manylinux_2_28_x86_64.whl`, url: `http://x/${v}.whl` });
    const q: WheelQuery = { pkg: "foo", cuda: "12.8", torch: "2.8", python: "3.11", platform: "linux-64" };
    expect(chooseWheel(q, [wheel(older), wheel(newer)])._unsafeUnwrap().version).toBe(`${newer}+cu128torch2.8`);
    expect(chooseWheel(q, [wheel(newer), wheel(older)])._unsafeUnwrap().version).toBe(`${newer}+cu128torch2.8`);
  });

  test("a wheel whose version PEP 440 cannot read is skipped", () => {
    const q: WheelQuery = { pkg: "foo", cuda: "12.8", torch: "2.8", python: "3.11", platform: "linux-64" };
    const files = ["foo-banana+cu128torch2.8-cp311-cp311-manylinux_2_28_x86_64.whl", "foo-1.0+cu128torch2.8-cp311-cp311-manylinux_2_28_x86_64.whl"];
    expect(chooseWheel(q, files.map((f) => ({ filename: f, url: `http://x/${f}` })))._unsafeUnwrap().version).toBe("1.0+cu128torch2.8");
  });

  test("malformed query versions are errors, not silent mismatches", () => {
    expect(chooseWheel({ pkg: "x", cuda: "twelve", torch: "2.8", python: "3.11", platform: "linux-64" }, [])._unsafeUnwrapErr()).toEqual({ kind: "bad-wheel-query", field: "cuda", value: "twelve" });
    expect(chooseWheel({ pkg: "x", cuda: "12.8", torch: "2.8", python: "3", platform: "linux-64" }, []).isErr()).toBe(true);
    expect(chooseWheel({ pkg: "x", cuda: "12.8", torch: "latest", python: "3.11", platform: "linux-64" }, [])._unsafeUnwrapErr()).toMatchObject({ field: "torch" });
  });
});
