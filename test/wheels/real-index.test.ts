// The resolver against the real CUDA-wheel index pages served on loopback: for every
// (package, CUDA, torch, Python, platform) a page offers, the right file; wheels the target's
// glibc cannot load are refused with what they need.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { renderWheelsError } from "../../src/cli/errors/wheels.ts";
import type { PixiPlatform } from "../../src/util/platform.ts";
import { parseWheelLinks } from "../../src/wheels/index-page.ts";
import { resolveCudaWheel } from "../../src/wheels/resolve.ts";
import type { WheelQuery } from "../../src/wheels/types.ts";
import { REAL_PAGES, realPage, startRealWheelsIndex, type PagesServer } from "../support/cuda-wheels-index.ts";

let server: PagesServer;
beforeAll(() => {
  server = startRealWheelsIndex();
});
afterAll(() => server.stop());

const PLATFORM_OF: [RegExp, PixiPlatform][] = [
  [/^(?:many)?linux(?:_\d+_\d+)?_x86_64$/, "linux-64"],
  [/^manylinux_\d+_\d+_aarch64$/, "linux-aarch64"],
  [/^win_amd64$/, "win-64"],
];

interface Offer {
  query: WheelQuery;
  /** Files with exactly this build, Python and platform; manylinux ones preferred over linux_. */
  best: { filename: string; url: string }[];
  /** Every file with exactly this build, Python and platform. */
  all: { filename: string; url: string }[];
}

/** Every combination a page offers, from its link texts (the files the index means). */
function offers(pkg: string): Offer[] {
  const byKey = new Map<string, Offer & { rank: number }>();
  for (const link of parseWheelLinks(realPage(pkg), `${server.index}${pkg}/`)) {
    const m = /^([^-]+)-([^-+]+)\+cu(\d+)(\d)torch(\d+\.\d+)-cp(\d)(\d+)-cp\d+-(.+)\.whl$/.exec(link.filename);
    if (!m) throw new Error(`unexpected file on the ${pkg} page: ${link.filename}`);
    const [, dist, , cuMajor, cuMinor, torch, pyMajor, pyMinor, plats] = m as unknown as string[];
    for (const plat of new Set(plats!.split(".").map((t) => PLATFORM_OF.find(([re]) => re.test(t))?.[1]))) {
      if (plat === undefined) throw new Error(`unknown platform in ${link.filename}`);
      const query: WheelQuery = { pkg: dist!, cuda: `${cuMajor}.${cuMinor}`, torch: torch!, python: `${pyMajor}.${pyMinor}`, platform: plat };
      const rank = plats!.startsWith("manylinux") || plat === "win-64" ? 2 : 1;
      const key = JSON.stringify(query);
      const o = byKey.get(key);
      if (!o) byKey.set(key, { query, best: [link], all: [link], rank });
      else {
        o.all.push(link);
        if (rank > o.rank) Object.assign(o, { best: [link], rank });
        else if (rank === o.rank) o.best.push(link);
      }
    }
  }
  return [...byKey.values()];
}

describe.each(REAL_PAGES)("%s page", (pkg) => {
  test("every offered combination resolves to its file (text as the file, href as the URL)", async () => {
    const all = offers(pkg);
    expect(all.length).toBeGreaterThan(50);
    for (const { query, best } of all) {
      const r = (await resolveCudaWheel(query, { indexUrl: server.index }))._unsafeUnwrap();
      if (r.source !== "index") throw new Error(`${JSON.stringify(query)} went to PyPI`);
      // Ties (two tag sets of one platform) go to the first file name in sort order.
      const want = [...best].sort((a, b) => (a.filename < b.filename ? -1 : 1))[0]!;
      expect({ query, filename: r.filename, url: r.url }).toEqual({ query, filename: want.filename, url: want.url });
    }
  });

  test("on glibc 2.31, wheels needing a newer glibc are refused, saying which glibc they need", async () => {
    /** The lowest glibc minor (2.X) a file's tag set needs; a linux_ tag needs none. */
    const need = (f: string) => Math.min(...[...f.matchAll(/manylinux_2_(\d+)_/g)].map((m) => Number(m[1])), /[-.]linux_/.test(f) ? 0 : Infinity);
    let refused = 0;
    for (const { query, all } of offers(pkg).filter((o) => o.query.platform === "linux-64")) {
      const r = await resolveCudaWheel({ ...query, glibc: "2.31" }, { indexUrl: server.index });
      if (r.isOk()) {
        // A loadable file: this combination's, or an older CUDA minor's build of it.
        const f = r.value.source === "index" ? r.value.filename : "";
        expect([need(f) <= 31, f.includes(`torch${query.torch}-cp${query.python.replace(".", "")}-`)]).toEqual([true, true]);
        continue;
      }
      refused++;
      const least = Math.min(...all.map((b) => need(b.filename)));
      expect(least).toBeGreaterThan(31);
      const e = r.error;
      if (e.kind !== "no-matching-wheel") throw new Error(e.kind);
      expect(e.needs).toEqual({ glibc: `2.${least}` });
      expect(renderWheelsError(e).message).toStartWith(`No ${query.pkg} wheel for CUDA ${query.cuda} + torch ${query.torch} + cp${query.python.replace(".", "")} + linux-64 on glibc 2.31: its wheels for this build need glibc 2.${least} or newer`);
    }
    expect(refused).toBeGreaterThan(0);
  });
});

describe("link text and href", () => {
  test("the spconv page's 49 links whose text names another file are read by their text, the href kept as URL", () => {
    const links = parseWheelLinks(realPage("spconv"), `${server.index}spconv/`);
    const differ = links.filter((l) => decodeURIComponent(l.url.split("/").pop()!) !== l.filename);
    expect(differ).toHaveLength(49);
    expect(differ[0]).toEqual({
      filename: "spconv-2.3.8+cu124torch2.5-cp313-cp313-win_amd64.whl",
      url: "https://github.com/PozzettiAndrea/cuda-wheels/releases/download/spconv-latest/spconv-2.3.8%2Bcu124torch2.6-cp313-cp313-win_amd64.whl",
    });
  });

  test("a link without a wheel file name as text is read by its href", () => {
    const html = '<a href="files/a-1.0%2Bcu128torch2.8-cp311-cp311-win_amd64.whl#sha256=ab">download</a> <a href="x/b.whl"><b>b-2.0-py3-none-any.whl</b></a>';
    expect(parseWheelLinks(html, "http://i/v2/a/")).toEqual([
      { filename: "a-1.0+cu128torch2.8-cp311-cp311-win_amd64.whl", url: "http://i/v2/a/files/a-1.0%2Bcu128torch2.8-cp311-cp311-win_amd64.whl#sha256=ab" },
      { filename: "b-2.0-py3-none-any.whl", url: "http://i/v2/a/x/b.whl" },
    ]);
  });
});
