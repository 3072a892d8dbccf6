import { describe, expect, test } from "bun:test";
import { existsSync, symlinkSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { normalizeName, startIndexServer, startStaticServer } from "../support/index-server.ts";
import { findPython, missingPython, python, pythonsIn } from "../support/pythons.ts";
import { tmpdir } from "../support/tmp.ts";
import { buildWheel } from "../support/wheel.ts";

describe("buildWheel", () => {
  test("writes a wheel whose RECORD hashes match its contents", async () => {
    await using dir = await tmpdir();
    const whl = await buildWheel(
      { name: "My.Pkg", version: "2.8.0+cu128", files: { "my_pkg/__init__.py": "X = 1\n" }, requires: ["dep>=1"], pythonTag: "cp311", abiTag: "cp311", platformTag: "linux_x86_64" },
      dir.path,
    );
    expect(path.basename(whl)).toBe("my_pkg-2.8.0+cu128-cp311-cp311-linux_x86_64.whl");
    const check = `
import base64, hashlib, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
info = "my_pkg-2.8.0+cu128.dist-info/"
for line in z.read(info + "RECORD").decode().splitlines():
    p, h, n = line.rsplit(",", 2)
    if h:
        d = z.read(p)
        assert h == "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(d).digest()).rstrip(b"=").decode(), p
        assert int(n) == len(d), p
meta = z.read(info + "METADATA").decode()
assert "Name: My.Pkg" in meta and "Requires-Dist: dep>=1" in meta, meta
assert "Tag: cp311-cp311-linux_x86_64" in z.read(info + "WHEEL").decode()
print("ok")
`;
    const r = Bun.spawnSync(["python3", "-c", check, whl]);
    expect(r.stderr.toString()).toBe("");
    expect(r.stdout.toString().trim()).toBe("ok");
  });
});

describe("startIndexServer", () => {
  test("serves PEP 503 pages with sha256 links and the files", async () => {
    await using dir = await tmpdir();
    const whl = await buildWheel({ name: "Foo_Bar", version: "1.0", files: { "foo_bar/__init__.py": "" } }, dir.path);
    const server = await startIndexServer(dir.path);
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/simple\/$/);
      expect(await (await fetch(server.url)).text()).toContain('href="foo-bar/"');

      const page = await (await fetch(`${server.url}foo-bar/`)).text();
      const href = /href="([^"]+)"/.exec(page)?.[1] ?? "";
      const sha = new Bun.CryptoHasher("sha256").update(await Bun.file(whl).bytes()).digest("hex");
      expect(href).toBe(`../../files/foo_bar-1.0-py3-none-any.whl#sha256=${sha}`);

      const file = await fetch(new URL(href, `${server.url}foo-bar/`));
      expect(file.status).toBe(200);
      expect(new Uint8Array(await file.arrayBuffer())).toEqual(await Bun.file(whl).bytes());

      const redirect = await fetch(`${server.url}Foo.Bar`, { redirect: "manual" });
      expect(redirect.status).toBe(301);
      expect(redirect.headers.get("location")).toBe("/simple/foo-bar/");
      expect((await fetch(`${server.url}nope/`)).status).toBe(404);
      expect(server.requests).toContain("/simple/foo-bar/");
    } finally {
      await server.stop();
    }
  });

  test("normalizeName follows PEP 503", () => {
    expect(normalizeName("Foo__Bar.-baz")).toBe("foo-bar-baz");
  });
});

describe("startStaticServer", () => {
  test("serves files under its root only", async () => {
    await using dir = await tmpdir();
    await mkdir(path.join(dir.path, "a"));
    await writeFile(path.join(dir.path, "a", "b.txt"), "hello");
    const server = await startStaticServer(dir.path);
    try {
      expect(await (await fetch(`${server.url}a/b.txt`)).text()).toBe("hello");
      expect((await fetch(`${server.url}a/missing`)).status).toBe(404);
      expect((await fetch(`${server.url}a`)).status).toBe(404);
      expect((await fetch(`${server.url}..%2f..%2fetc%2fpasswd`)).status).toBe(403);
      expect(server.requests).toEqual(["/a/b.txt", "/a/missing", "/a", "/../../etc/passwd"]);
    } finally {
      await server.stop();
    }
  });
});

describe("tmpdir / findPython", () => {
  test("tmpdir is real and removed on dispose", async () => {
    let kept = "";
    {
      await using dir = await tmpdir("ce-x-");
      kept = dir.path;
      expect(existsSync(kept)).toBe(true);
      expect(path.basename(kept)).toStartWith("ce-x-");
    }
    expect(existsSync(kept)).toBe(false);
  });

  test("findPython picks an existing interpreter of that minor", () => {
    const py = findPython("3.11");
    expect(py).toBeDefined();
    const r = Bun.spawnSync([py ?? "", "-c", "import sys; print('%d.%d' % sys.version_info[:2])"]);
    expect(r.stdout.toString().trim()).toBe("3.11");
    expect(findPython("2.1")).toBeUndefined();
  });

  test("Pythons are found on PATH and among uv's managed ones; PIXI_STANDIN_PYTHONS, when set, is the only place", async () => {
    await using dir = await tmpdir();
    const real = python("3.11");
    const onPath = path.join(dir.path, "bin");
    const uvBin = path.join(dir.path, "uv", "cpython-3.12.4-linux-x86_64-gnu", "bin");
    const standin = path.join(dir.path, "pythons", "3.10.1", "bin");
    for (const d of [onPath, uvBin, standin]) await mkdir(d, { recursive: true });
    symlinkSync(real, path.join(onPath, "python3.11"));
    symlinkSync(real, path.join(uvBin, "python3.12"));
    symlinkSync(real, path.join(standin, "python3.10"));
    const env = { HOME: path.join(dir.path, "nohome"), PATH: onPath, UV_PYTHON_INSTALL_DIR: path.join(dir.path, "uv") };
    const found = pythonsIn(env).map((f) => [f.exe, f.version.slice(0, 2).join(".")]);
    expect(found).toEqual([
      [path.join(onPath, "python3.11"), "3.11"],
      [path.join(uvBin, "python3.12"), "3.12"],
    ]);
    expect(pythonsIn({ ...env, PIXI_STANDIN_PYTHONS: path.join(dir.path, "pythons") }).map((f) => f.exe)).toEqual([path.join(standin, "python3.10")]);
  });

  test("a missing Python is named with how to get it", () => {
    expect(missingPython("3.99")).toContain("Python 3.99 not found");
    expect(missingPython("3.99")).toContain("uv python install 3.99");
    expect(() => python("3.99")).toThrow("uv python install 3.99");
  });
});
