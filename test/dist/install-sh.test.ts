// install.sh run for real by sh (dash here) against a fake release site on 127.0.0.1.
import { describe, expect, test } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../support/cli.ts";
import { tmpdir } from "../support/tmp.ts";
import { fakeBinary, fakeRelease, packExecutable, pathWithout, sha256, startReleaseServer, type ReleaseServer } from "./helpers.ts";

const SCRIPT = path.join(REPO_ROOT, "install.sh");
const TARGETS = ["linux-x64", "linux-arm64", "darwin-x64", "darwin-arm64", "windows-x64"] as const;

interface Run {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function env(server: ReleaseServer, home: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    SHELL: "/bin/bash",
    COMFY_ENV_DOWNLOAD_URL: server.base,
    COMFY_ENV_OS: "linux",
    COMFY_ENV_ARCH: "x64",
    ...extra,
  };
}

async function run(cmd: string[], e: Record<string, string>, stdin?: string): Promise<Run> {
  const proc = Bun.spawn(cmd, { env: e, stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin), stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { exitCode, stdout, stderr };
}

const installSh = (e: Record<string, string>, ...args: string[]) => run(["sh", SCRIPT, ...args], e);

function runInstalled(bin: string): string {
  const r = Bun.spawnSync([bin, "--version"], { stdout: "pipe" });
  return r.stdout.toString().trim();
}

/** Only the installed binary: no temp file may be left behind. */
function listing(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}

/** Installs 0.1.0 into `dir` first, so a failure after it can be seen to leave it as it was; its bytes. */
async function installFirst(e: Record<string, string>, dir: string) {
  expect((await installSh({ ...e, COMFY_ENV_VERSION: "0.1.0" })).exitCode).toBe(0);
  return fs.readFileSync(path.join(dir, "comfy-env"));
}

describe("install.sh", () => {
  test("curl | sh installs the latest release into ~/.local/bin and prints a PATH hint", async () => {
    await using home = await tmpdir();
    await using server = startReleaseServer([fakeRelease("0.1.0", TARGETS), fakeRelease("0.2.0", TARGETS)], "0.2.0");
    server.extra["install.sh"] = fs.readFileSync(SCRIPT, "utf8");
    expect(Bun.which("curl")).not.toBeNull(); // this test needs curl installed (.ci/run installs it)
    const r = await run(["sh", "-c", `curl -fsSL ${server.url}/install.sh | sh`], env(server, home.path));
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const bin = path.join(home.path, ".local", "bin", "comfy-env");
    expect(runInstalled(bin)).toBe("comfy-env 0.2.0 (fake, linux-x64)");
    expect(fs.statSync(bin).mode & 0o777).toBe(0o755);
    expect(listing(path.dirname(bin))).toEqual(["comfy-env"]);
    expect(r.stdout).toContain(`installed comfy-env 0.2.0 (linux-x64) to ${bin}`);
    // Not a terminal and no --modify-path: the line to add is shown, no startup file is written.
    expect(r.stdout).toContain(`add it with: echo 'export PATH="${path.dirname(bin)}:$PATH"' >> ~/.bashrc`);
    expect(fs.existsSync(path.join(home.path, ".bashrc"))).toBe(false);
    expect(r.stdout).toContain("comfy-env install <ComfyUI>/custom_nodes/<pack>");
    expect(r.stdout).toContain("comfy-env bridge install --python <ComfyUI's python>");
    // latest/download is followed to the versioned folder, which the asset is then read from.
    expect(server.requests).toContain("/releases/latest/download/SHA256SUMS");
    expect(server.requests).toContain("/releases/download/v0.2.0/comfy-env-0.2.0-linux-x64.tar.gz");
  });

  test("wget -qO- | sh works on a machine without curl", async () => {
    await using home = await tmpdir();
    await using server = startReleaseServer([fakeRelease("0.2.0", TARGETS)], "0.2.0");
    server.extra["install.sh"] = fs.readFileSync(SCRIPT, "utf8");
    expect(Bun.which("wget")).not.toBeNull(); // this test needs wget installed (.ci/run installs it)
    const bin = pathWithout(path.join(home.path, "sysbin"), ["curl"]);
    const dir = path.join(home.path, "tools");
    const r = await run(["sh", "-c", `wget -qO- ${server.url}/install.sh | sh`], env(server, home.path, { PATH: bin, COMFY_ENV_INSTALL_DIR: dir }));
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    expect(runInstalled(path.join(dir, "comfy-env"))).toBe("comfy-env 0.2.0 (fake, linux-x64)");
  });

  test("COMFY_ENV_VERSION and --version pin a release; a version that does not exist fails", async () => {
    await using home = await tmpdir();
    await using server = startReleaseServer([fakeRelease("0.1.0", TARGETS), fakeRelease("0.2.0", TARGETS)], "0.2.0");
    const dir = path.join(home.path, "bin");
    const base = env(server, home.path, { COMFY_ENV_INSTALL_DIR: dir, PATH: `${dir}:${process.env.PATH}` });

    const pinned = await installSh({ ...base, COMFY_ENV_VERSION: "0.1.0" });
    expect(pinned.exitCode).toBe(0);
    expect(runInstalled(path.join(dir, "comfy-env"))).toBe("comfy-env 0.1.0 (fake, linux-x64)");
    expect(server.requests).not.toContain("/releases/latest/download/SHA256SUMS");
    // The folder is on PATH: no hint.
    expect(pinned.stdout).not.toContain("not on PATH");

    const flag = await installSh(base, "--version", "v0.2.0");
    expect(flag.exitCode).toBe(0);
    expect(runInstalled(path.join(dir, "comfy-env"))).toBe("comfy-env 0.2.0 (fake, linux-x64)");

    const missing = await installSh(base, "--version", "9.9.9");
    expect(missing.exitCode).toBe(3);
    expect(missing.stderr).toContain("/releases/download/v9.9.9/SHA256SUMS (is v9.9.9 a release?)");
    expect(runInstalled(path.join(dir, "comfy-env"))).toBe("comfy-env 0.2.0 (fake, linux-x64)");
  });

  test("a checksum mismatch stops with exit 3 and leaves the installed binary as it was", async () => {
    await using home = await tmpdir();
    const bad = fakeRelease("0.3.0", TARGETS);
    bad.sums = { "comfy-env-0.3.0-linux-x64.tar.gz": sha256("something else") };
    await using server = startReleaseServer([fakeRelease("0.1.0", TARGETS), bad], "0.3.0");
    const dir = path.join(home.path, "bin");
    const e = env(server, home.path, { COMFY_ENV_INSTALL_DIR: dir });
    const before = await installFirst(e, dir);

    const r = await installSh(e);
    expect(r.exitCode).toBe(3);
    expect(r.stderr).toContain("checksum mismatch for comfy-env-0.3.0-linux-x64.tar.gz");
    expect(r.stderr).toContain("was not changed");
    expect(fs.readFileSync(path.join(dir, "comfy-env"))).toEqual(before);
    expect(listing(dir)).toEqual(["comfy-env"]);
  });

  test("a missing asset (404, or no build for the target) stops with exit 3, nothing changed", async () => {
    await using home = await tmpdir();
    const gone = fakeRelease("0.3.0", ["linux-x64", "darwin-arm64"]);
    gone.missing = ["comfy-env-0.3.0-linux-x64.tar.gz"];
    await using server = startReleaseServer([fakeRelease("0.1.0", TARGETS), gone], "0.3.0");
    const dir = path.join(home.path, "bin");
    const e = env(server, home.path, { COMFY_ENV_INSTALL_DIR: dir });
    const before = await installFirst(e, dir);

    const r404 = await installSh(e);
    expect(r404.exitCode).toBe(3);
    expect(r404.stderr).toContain("cannot download ");
    expect(r404.stderr).toContain("comfy-env-0.3.0-linux-x64.tar.gz");

    const unlisted = await installSh({ ...e, COMFY_ENV_ARCH: "arm64" });
    expect(unlisted.exitCode).toBe(3);
    expect(unlisted.stderr).toContain("has no comfy-env build for linux-arm64");

    expect(fs.readFileSync(path.join(dir, "comfy-env"))).toEqual(before);
    expect(listing(dir)).toEqual(["comfy-env"]);
  });

  test("a re-run is idempotent: the current binary is recognised by its --version, nothing downloaded", async () => {
    await using home = await tmpdir();
    await using server = startReleaseServer([fakeRelease("0.2.0", TARGETS)], "0.2.0");
    const dir = path.join(home.path, "bin");
    const e = env(server, home.path, { COMFY_ENV_INSTALL_DIR: dir });
    expect((await installSh(e)).exitCode).toBe(0);
    const ino = fs.statSync(path.join(dir, "comfy-env")).ino;
    server.requests.length = 0;

    const again = await installSh(e);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain("comfy-env 0.2.0 (linux-x64) is already installed at");
    expect(server.requests).toEqual(["/releases/latest/download/SHA256SUMS", "/releases/download/v0.2.0/SHA256SUMS"]);
    expect(fs.statSync(path.join(dir, "comfy-env")).ino).toBe(ino);

    const quiet = await installSh(e, "--quiet");
    expect(quiet).toEqual({ exitCode: 0, stdout: "", stderr: "" });
  });

  test("OS and CPU choose the asset: windows gets comfy-env.exe, darwin arm64 its own build", async () => {
    await using home = await tmpdir();
    await using server = startReleaseServer([fakeRelease("0.2.0", TARGETS)], "0.2.0");
    const dir = path.join(home.path, "bin");
    const e = env(server, home.path, { COMFY_ENV_INSTALL_DIR: dir });
    expect((await installSh({ ...e, COMFY_ENV_OS: "windows" })).exitCode).toBe(0);
    expect(runInstalled(path.join(dir, "comfy-env.exe"))).toBe("comfy-env 0.2.0 (fake, windows-x64)");
    expect((await installSh({ ...e, COMFY_ENV_OS: "darwin", COMFY_ENV_ARCH: "arm64" })).exitCode).toBe(0);
    expect(runInstalled(path.join(dir, "comfy-env"))).toBe("comfy-env 0.2.0 (fake, darwin-arm64)");
  });

  test("bad input exits 1, missing tools exit 4", async () => {
    await using home = await tmpdir();
    await using server = startReleaseServer([fakeRelease("0.2.0", TARGETS)], "0.2.0");
    const e = env(server, home.path);
    const arch = await installSh({ ...e, COMFY_ENV_ARCH: "riscv64" });
    expect(arch.exitCode).toBe(1);
    expect(arch.stderr).toContain("no comfy-env build for linux-riscv64");
    const flag = await installSh(e, "--bogus");
    expect(flag.exitCode).toBe(1);
    expect(flag.stderr).toContain("unknown option: --bogus");

    const noFetch = await installSh({ ...e, PATH: pathWithout(path.join(home.path, "nofetch"), ["curl", "wget"]) });
    expect(noFetch.exitCode).toBe(4);
    expect(noFetch.stderr).toContain("curl or wget is needed");
    const noHash = await installSh({ ...e, PATH: pathWithout(path.join(home.path, "nohash"), ["sha256sum", "shasum", "openssl"]) });
    expect(noHash.exitCode).toBe(4);
    const noTar = await installSh({ ...e, PATH: pathWithout(path.join(home.path, "notar"), ["tar"]) });
    expect(noTar.exitCode).toBe(4);
    expect(noTar.stderr).toContain("tar is needed");
    const noUnzip = await installSh({ ...e, COMFY_ENV_OS: "windows", PATH: pathWithout(path.join(home.path, "nounzip"), ["unzip", "bsdtar"]) });
    expect(noUnzip.exitCode).toBe(4);
    expect(noUnzip.stderr).toContain("unzip is needed");
  });

  test("without sha256sum it verifies with shasum or openssl", async () => {
    await using home = await tmpdir();
    await using server = startReleaseServer([fakeRelease("0.2.0", TARGETS)], "0.2.0");
    for (const hidden of [["sha256sum"], ["sha256sum", "shasum"]]) {
      const dir = path.join(home.path, hidden.join("-"));
      const e = env(server, home.path, { COMFY_ENV_INSTALL_DIR: dir, PATH: pathWithout(path.join(home.path, `sys-${hidden.join("-")}`), hidden) });
      expect((await installSh(e)).exitCode).toBe(0);
      expect(fs.readFileSync(path.join(dir, "comfy-env"), "utf8")).toBe(fakeBinary("0.2.0", "linux-x64"));
      expect((await installSh(e)).stdout).toContain("is already installed");
    }
  });

  test("an archive without the binary, or one that is not an archive, stops with exit 3, nothing changed", async () => {
    await using home = await tmpdir();
    const wrongName = { version: "0.3.0", files: { "comfy-env-0.3.0-linux-x64.tar.gz": packExecutable("linux-x64", fakeBinary("0.3.0", "linux-x64"), "other") } };
    const notArchive = { version: "0.4.0", files: { "comfy-env-0.4.0-linux-x64.tar.gz": fakeBinary("0.4.0", "linux-x64") } };
    await using server = startReleaseServer([fakeRelease("0.1.0", TARGETS), wrongName, notArchive]);
    const dir = path.join(home.path, "bin");
    const e = env(server, home.path, { COMFY_ENV_INSTALL_DIR: dir });
    const before = await installFirst(e, dir);

    const r1 = await installSh({ ...e, COMFY_ENV_VERSION: "0.3.0" });
    expect(r1.exitCode).toBe(3);
    expect(r1.stderr).toContain("holds no comfy-env;");
    const r2 = await installSh({ ...e, COMFY_ENV_VERSION: "0.4.0" });
    expect(r2.exitCode).toBe(3);
    expect(r2.stderr).toContain("cannot unpack comfy-env-0.4.0-linux-x64.tar.gz");
    expect(fs.readFileSync(path.join(dir, "comfy-env"))).toEqual(before);
    expect(listing(dir)).toEqual(["comfy-env"]);
  });
  test("--modify-path adds one line to the shell's startup file, once however often it runs", async () => {
    const cases = [
      ["/bin/bash", ".bashrc", (d: string) => `export PATH="${d}:$PATH"`, "linux"],
      ["/bin/bash", ".bash_profile", (d: string) => `export PATH="${d}:$PATH"`, "darwin"],
      ["/usr/bin/zsh", ".zshrc", (d: string) => `export PATH="${d}:$PATH"`, "linux"],
      ["/usr/bin/fish", ".config/fish/config.fish", (d: string) => `fish_add_path "${d}"`, "linux"],
      ["/bin/dash", ".profile", (d: string) => `export PATH="${d}:$PATH"`, "linux"],
    ] as const;
    await using server = startReleaseServer([fakeRelease("0.2.0", TARGETS)], "0.2.0");
    for (const [shell, rc, line, os] of cases) {
      await using home = await tmpdir();
      fs.writeFileSync(path.join(home.path, ".bashrc"), "# mine\n");
      const e = env(server, home.path, { SHELL: shell, COMFY_ENV_OS: os });
      const first = await installSh(e, "--modify-path");
      expect({ shell, exitCode: first.exitCode, stderr: first.stderr }).toEqual({ shell, exitCode: 0, stderr: "" });
      expect(first.stdout).toContain(`added ${home.path}/.local/bin to PATH in ~/${rc}`);
      const again = await installSh(e, "--modify-path");
      expect(again.stdout).toContain(`is on PATH in new shells (~/${rc} adds it)`);
      const text = fs.readFileSync(path.join(home.path, rc), "utf8");
      expect({ shell, lines: text.split("\n").filter((l) => l === line(`${home.path}/.local/bin`)).length }).toEqual({ shell, lines: 1 });
      if (rc !== ".bashrc") expect(fs.readFileSync(path.join(home.path, ".bashrc"), "utf8")).toBe("# mine\n");
    }
  });

  test("the added line puts a folder with a space, $ and a quote on PATH as it is", async () => {
    await using home = await tmpdir();
    await using server = startReleaseServer([fakeRelease("0.2.0", TARGETS)], "0.2.0");
    const dir = path.join(home.path, 'my $HOME "tools"');
    const r = await installSh(env(server, home.path, { SHELL: "/bin/sh", COMFY_ENV_INSTALL_DIR: dir }), "--modify-path");
    expect(r.exitCode).toBe(0);
    const login = Bun.spawnSync(["sh", "-c", '. "$HOME/.profile"; command -v comfy-env'], { env: { HOME: home.path, PATH: "/usr/bin:/bin" }, stdout: "pipe" });
    expect(login.stdout.toString().trim()).toBe(path.join(dir, "comfy-env"));
  });

  test("--no-modify-path and COMFY_ENV_NO_MODIFY_PATH=1 leave every startup file untouched", async () => {
    await using home = await tmpdir();
    await using server = startReleaseServer([fakeRelease("0.2.0", TARGETS)], "0.2.0");
    fs.writeFileSync(path.join(home.path, ".bashrc"), "# mine\n");
    const e = env(server, home.path);
    for (const run of [() => installSh(e, "--no-modify-path"), () => installSh({ ...e, COMFY_ENV_NO_MODIFY_PATH: "1" })]) {
      const r = await run();
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain("is not on PATH; add it with:");
    }
    expect(fs.readFileSync(path.join(home.path, ".bashrc"), "utf8")).toBe("# mine\n");
    expect(fs.readdirSync(home.path).sort()).toEqual([".bashrc", ".local"]);
  });

  /** install.sh on a pseudo-terminal (util-linux `script`), `input` typed into it. */
  async function onTerminal(e: Record<string, string>, input: string, ...args: string[]): Promise<Run> {
    const cmd = ["sh", SCRIPT, ...args].map((a) => `'${a}'`).join(" ");
    return run(["script", "-qec", cmd, "/dev/null"], e, input);
  }

  test("on a terminal: a progress bar (curl's, wget's), and the PATH question, Enter meaning yes", async () => {
    expect(Bun.which("script")).not.toBeNull(); // util-linux, in every Debian
    await using server = startReleaseServer([fakeRelease("0.2.0", TARGETS)], "0.2.0");
    {
      await using home = await tmpdir();
      const r = await onTerminal(env(server, home.path), "\n");
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toContain("100.0%"); // curl --progress-bar
      expect(r.stdout).toContain(`${home.path}/.local/bin is not on PATH. Add it in ~/.bashrc? [Y/n]`);
      expect(fs.readFileSync(path.join(home.path, ".bashrc"), "utf8")).toContain(`export PATH="${home.path}/.local/bin:$PATH"`);
    }
    {
      await using home = await tmpdir();
      const r = await onTerminal(env(server, home.path, { PATH: pathWithout(path.join(home.path, "sysbin"), ["curl"]) }), "n\n");
      expect(r.exitCode).toBe(0);
      expect(r.stdout).toMatch(/100%\[=+>?\]/); // wget --show-progress
      expect(r.stdout).toContain("is not on PATH; add it with:");
      expect(fs.existsSync(path.join(home.path, ".bashrc"))).toBe(false);
    }
    {
      await using home = await tmpdir();
      const quiet = await onTerminal(env(server, home.path), "", "--quiet");
      expect({ exitCode: quiet.exitCode, stdout: quiet.stdout.trim() }).toEqual({ exitCode: 0, stdout: "" });
    }
  });
});
