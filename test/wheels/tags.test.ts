import { describe, expect, test } from "bun:test";
import { parseCudaLabel, parseWheelFilename } from "../../src/wheels/filename.ts";
import { nameVariants, parseWheelLinks } from "../../src/wheels/index-page.ts";
import { chooseWheel } from "../../src/wheels/choose.ts";
import { platformOfTag, platformRank, pythonRank, tagNeeds, withinLimits } from "../../src/wheels/tags.ts";

describe("wheel file names", () => {
  test("compressed tag sets are expanded, %2B decoded, build tag kept", () => {
    const w = parseWheelFilename("nvdiffrast-0.4.0%2Bcu128torch2.8-cp311-cp311-manylinux_2_34_x86_64.manylinux_2_35_x86_64.whl")._unsafeUnwrap();
    expect(w).toEqual({
      dist: "nvdiffrast",
      version: "0.4.0+cu128torch2.8",
      publicVersion: "0.4.0",
      local: "cu128torch2.8",
      build: undefined,
      pythonTags: ["cp311"],
      abiTags: ["cp311"],
      platformTags: ["manylinux_2_34_x86_64", "manylinux_2_35_x86_64"],
    });
    expect(parseWheelFilename("six-1.16.0-1-py2.py3-none-any.whl")._unsafeUnwrap()).toMatchObject({ build: "1", pythonTags: ["py2", "py3"] });
    expect(parseWheelFilename("not-a-wheel.tar.gz").isErr()).toBe(true);
    expect(parseWheelFilename("too-few-parts.whl").isErr()).toBe(true);
  });

  test("CUDA/torch local labels in both spellings, parsed, not substring-matched", () => {
    expect(parseCudaLabel("cu128torch2.8")).toEqual({ cuda: { major: 12, minor: 8 }, torch: { major: 2, minor: 8 } });
    expect(parseCudaLabel("cu130torch2.12")).toEqual({ cuda: { major: 13, minor: 0 }, torch: { major: 2, minor: 12 } });
    expect(parseCudaLabel("cu12.8torch2.8")).toEqual({ cuda: { major: 12, minor: 8 }, torch: { major: 2, minor: 8 } });
    expect(parseCudaLabel("pt28cu128")).toEqual({ cuda: { major: 12, minor: 8 }, torch: { major: 2, minor: 8 } });
    expect(parseCudaLabel("pt210cu126")).toEqual({ cuda: { major: 12, minor: 6 }, torch: { major: 2, minor: 10 } });
    expect(parseCudaLabel("cu118torch2.4")).toEqual({ cuda: { major: 11, minor: 8 }, torch: { major: 2, minor: 4 } });
    expect(parseCudaLabel("cpu")).toBeUndefined();
    expect(parseCudaLabel("torch2.8")).toBeUndefined();
    expect(parseCudaLabel("xcu128torch2.8")).toBeUndefined();
  });
});

describe("python tags", () => {
  const py311 = { major: 3, minor: 11 };
  test.each([
    ["cp311", "cp311", 4],
    ["cp39", "abi3", 3],
    ["cp311", "abi3", 3],
    ["cp312", "abi3", 0],
    ["cp311", "none", 2],
    ["py3", "none", 1],
    ["py311", "none", 1],
    ["py312", "none", 0],
    ["cp31", "cp31", 0], // "cp31" must not match cp311 the way a substring test would
    ["cp312", "cp312", 0],
    ["cp311", "cp311t", 0],
    ["pp310", "pypy310_pp73", 0],
    ["py2", "none", 0],
  ] as const)("%s-%s on 3.11 → %d", (py, abi, rank) => expect(pythonRank(py, abi, py311)).toBe(rank));
});

describe("platform tags", () => {
  test.each([
    ["manylinux_2_28_x86_64", "linux-64", 3],
    ["manylinux2014_x86_64", "linux-64", 3],
    ["manylinux1_x86_64", "linux-64", 3],
    ["linux_x86_64", "linux-64", 2],
    ["musllinux_1_2_x86_64", "linux-64", 0],
    ["manylinux_2_28_aarch64", "linux-64", 0],
    ["manylinux_2_28_aarch64", "linux-aarch64", 3],
    ["win_amd64", "win-64", 3],
    ["win32", "win-64", 0],
    ["win_amd64", "linux-64", 0],
    ["macosx_11_0_arm64", "osx-arm64", 3],
    ["macosx_10_9_universal2", "osx-arm64", 2],
    ["macosx_10_9_universal2", "osx-64", 2],
    ["macosx_10_9_x86_64", "osx-arm64", 0],
    ["any", "win-64", 1],
  ] as const)("%s on %s → %d", (tag, platform, rank) => expect(platformRank(tag, platform)).toBe(rank));

  test("tags map back to pixi platforms for listings", () => {
    expect(platformOfTag("manylinux_2_35_x86_64")).toBe("linux-64");
    expect(platformOfTag("win_amd64")).toBe("win-64");
    expect(platformOfTag("macosx_11_0_arm64")).toBe("osx-arm64");
    expect(platformOfTag("musllinux_1_2_x86_64")).toBeUndefined();
  });
});

describe("glibc and macOS limits", () => {
  test("what a platform tag needs", () => {
    expect(tagNeeds("manylinux_2_35_x86_64")).toEqual({ glibc: { major: 2, minor: 35 } });
    expect(tagNeeds("manylinux2014_x86_64")).toEqual({ glibc: { major: 2, minor: 17 } });
    expect(tagNeeds("manylinux1_x86_64")).toEqual({ glibc: { major: 2, minor: 5 } });
    expect(tagNeeds("macosx_14_0_arm64")).toEqual({ macos: { major: 14, minor: 0 } });
    expect(tagNeeds("linux_x86_64")).toBeUndefined();
    expect(tagNeeds("win_amd64")).toBeUndefined();
  });

  test.each([
    ["manylinux_2_35_x86_64", { glibc: { major: 2, minor: 31 } }, false],
    ["manylinux_2_35_x86_64", { glibc: { major: 2, minor: 35 } }, true],
    ["manylinux2014_x86_64", { glibc: { major: 2, minor: 31 } }, true],
    ["manylinux_2_35_x86_64", {}, true],
    ["linux_x86_64", { glibc: { major: 2, minor: 5 } }, true],
    ["macosx_14_0_arm64", { macos: { major: 13, minor: 6 } }, false],
    ["macosx_11_0_arm64", { macos: { major: 13, minor: 6 } }, true],
  ] as const)("%s within %j: %s", (tag, limits, want) => expect(withinLimits(tag, limits)).toBe(want));

  test("a wheel for a newer macOS is not chosen; the error says which macOS it needs", () => {
    const links = ["m-1.0+cu128torch2.8-cp311-cp311-macosx_14_0_arm64.whl"].map((f) => ({ filename: f, url: `http://x/${f}` }));
    const q = { pkg: "m", cuda: "12.8", torch: "2.8", python: "3.11", platform: "osx-arm64" } as const;
    expect(chooseWheel({ ...q, macos: "14.2" }, links).isOk()).toBe(true);
    expect(chooseWheel({ ...q, macos: "13.6" }, links)._unsafeUnwrapErr()).toMatchObject({ kind: "no-matching-wheel", needs: { macos: "14.0" } });
  });

  test("of two tag sets, the one the glibc can load is taken", () => {
    const links = ["g-1.0+cu128torch2.8-cp311-cp311-manylinux_2_39_x86_64.whl", "g-1.0+cu128torch2.8-cp311-cp311-manylinux_2_28_x86_64.whl"].map((f) => ({ filename: f, url: `http://x/${f}` }));
    const q = { pkg: "g", cuda: "12.8", torch: "2.8", python: "3.11", platform: "linux-64" } as const;
    expect(chooseWheel({ ...q, glibc: "2.31" }, links)._unsafeUnwrap().filename).toContain("manylinux_2_28");
    expect(chooseWheel({ ...q, glibc: "2.27" }, links)._unsafeUnwrapErr()).toMatchObject({ needs: { glibc: "2.28" } });
  });
});

describe("index pages", () => {
  test("anchors with quotes, entities, relative and absolute hrefs; only wheels; no duplicates", () => {
    const html = `
      <a href="../files/a-1.0-py3-none-any.whl#sha256=abc">a</a>
      <A HREF='https://cdn.example/b-1.0%2Bcu128torch2.8-cp311-cp311-win_amd64.whl?x=1&amp;y=2'>b</A>
      <a data-x="1" href=c-1.0-py3-none-any.whl>c</a>
      <a href="../files/a-1.0-py3-none-any.whl#sha256=abc">again</a>
      <a href="d-1.0.tar.gz">sdist</a>
      <a href="sub/">folder</a>`;
    expect(parseWheelLinks(html, "http://idx.test/v2/pkg/")).toEqual([
      { filename: "a-1.0-py3-none-any.whl", url: "http://idx.test/v2/files/a-1.0-py3-none-any.whl#sha256=abc" },
      { filename: "b-1.0+cu128torch2.8-cp311-cp311-win_amd64.whl", url: "https://cdn.example/b-1.0%2Bcu128torch2.8-cp311-cp311-win_amd64.whl?x=1&y=2" },
      { filename: "c-1.0-py3-none-any.whl", url: "http://idx.test/v2/pkg/c-1.0-py3-none-any.whl" },
    ]);
  });

  test("name variants: as written, - → _, _ → -, PEP 503 form; deduplicated", () => {
    expect(nameVariants("nvdiffrast")).toEqual(["nvdiffrast"]);
    expect(nameVariants("torch_scatter")).toEqual(["torch_scatter", "torch-scatter"]);
    expect(nameVariants("pointnet2-ops")).toEqual(["pointnet2-ops", "pointnet2_ops"]);
    expect(nameVariants("Flash_Attn")).toEqual(["Flash_Attn", "Flash-Attn", "flash-attn"]);
  });
});
