import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { collectBuild } from "../../src/cache/collect.ts";
import { buildPaths } from "../../src/cache/layout.ts";
import { liveLinks, recordLink } from "../../src/cache/links.ts";
import { linkNode } from "../../src/install/link-node.ts";
import { envStatus, isGarbage } from "../../src/cache/status.ts";
import { runCli } from "../support/cli.ts";
import { writeFakeBuild } from "../support/fake-build.ts";
import { tmpdir } from "../support/tmp.ts";

/** A done build whose `.links` cannot be listed (a file where the folder goes: ENOTDIR, even as root). */
function unreadableLinks(root: string) {
  const p = buildPaths(root, "abc123");
  writeFakeBuild(p, "[cuda]\n");
  fs.writeFileSync(p.links, "not a folder");
  return p;
}

describe("a build whose link records cannot be read", () => {
  test("no .links folder at all: no links, not an error", async () => {
    await using dir = await tmpdir();
    const p = buildPaths(dir.path, "abc123");
    writeFakeBuild(p, "[cuda]\n");
    expect(liveLinks(p)._unsafeUnwrap()).toEqual([]);
    expect(isGarbage(envStatus(p, false))).toBe(true);
  });

  test("is an error, not an empty list, and never garbage", async () => {
    await using dir = await tmpdir();
    const p = unreadableLinks(dir.path);
    expect(liveLinks(p)._unsafeUnwrapErr()).toMatchObject({ kind: "links-unreadable", path: p.links, code: "ENOTDIR" });
    const s = envStatus(p, false);
    expect(s.linksError?.kind).toBe("links-unreadable");
    expect(isGarbage(s)).toBe(false);
    // Under its lock, collect reads them again and refuses rather than removing.
    expect(collectBuild(p)._unsafeUnwrapErr().kind).toBe("links-unreadable");
    expect(fs.existsSync(p.done)).toBe(true);
  });

  test("gc keeps it and says why", async () => {
    await using dir = await tmpdir();
    const p = unreadableLinks(dir.path);
    const r = await runCli(["gc", "--json", "--root", dir.path]);
    expect(r.exitCode).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.removed).toEqual([]);
    expect(doc.kept).toEqual([{ hash: "abc123", links: [] }]);
    expect(r.stderr).toContain(`cannot read the link records in ${p.links}`);
    expect(fs.existsSync(path.join(p.dir, ".done"))).toBe(true);
  });
});

describe("a link record that cannot be written", () => {
  test("is an error value, and the install's link step fails with it instead of throwing", async () => {
    await using dir = await tmpdir();
    const p = unreadableLinks(dir.path);
    const link = path.join(dir.path, "Pack", "nodes", "_env_abc123");
    expect(recordLink(p, link)._unsafeUnwrapErr()).toMatchObject({ kind: "link-record-failed", path: p.links });
    fs.mkdirSync(path.dirname(link), { recursive: true });
    const linked = linkNode(p, path.dirname(link));
    expect(linked._unsafeUnwrapErr()).toMatchObject({ kind: "cache", error: { kind: "link-record-failed" } });
  });
});
