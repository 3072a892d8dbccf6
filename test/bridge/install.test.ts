import { describe, expect } from "bun:test";
import fs from "node:fs";
import path from "node:path";
import { API_VERSION, DIST_VERSION } from "../../src/bridge/install.ts";
import { runCli } from "../support/cli.ts";
import { python, testWithPythons } from "../support/pythons.ts";
import { tmpdir } from "../support/tmp.ts";

describe("bridge install / status / uninstall", () => {
  testWithPythons("3.9")("into a Python 3.9 venv: importable, pip sees comfy-env, then removed", async () => {
    const py39 = python("3.9");
    await using dir = await tmpdir();
    const venv = path.join(dir.path, "v");
    expect(Bun.spawnSync([py39, "-m", "venv", venv]).exitCode).toBe(0);
    const py = path.join(venv, "bin", "python");
    const inst = await runCli(["bridge", "install", "--python", py, "--json"]);
    expect(inst.exitCode).toBe(0);
    expect(JSON.parse(inst.stdout).ours).toBe(true);
    const imp = Bun.spawnSync([py, "-c", "import comfy_env, comfy_env._worker, comfy_env._registry, comfy_env._client; print(comfy_env.register_nodes.__name__)"], { stdout: "pipe", stderr: "pipe" });
    expect(imp.stderr.toString()).toBe("");
    expect(imp.stdout.toString().trim()).toBe("register_nodes");
    const pip = Bun.spawnSync([py, "-m", "pip", "show", "comfy-env"], { stdout: "pipe", stderr: "pipe" });
    expect(pip.stdout.toString()).toContain("Name: comfy-env");
    expect(pip.stdout.toString()).toContain(`Version: ${DIST_VERSION}`);
    // Packs pin the Python tool; with no index to fetch from, pip succeeds only if the bridge satisfies the pin.
    for (const pin of ["comfy-env>=0.4.0", `comfy-env==${API_VERSION}`, "comfy_env<0.5"]) {
      const sat = Bun.spawnSync([py, "-m", "pip", "install", "--no-index", "--disable-pip-version-check", pin], { stdout: "pipe", stderr: "pipe" });
      expect(sat.stdout.toString()).toContain("Requirement already satisfied");
      expect(sat.exitCode).toBe(0);
    }
    const ver = Bun.spawnSync([py, "-c", "import comfy_env; print(comfy_env.__version__)"], { stdout: "pipe" });
    expect(ver.stdout.toString().trim()).toBe(DIST_VERSION);
    const st = JSON.parse((await runCli(["bridge", "status", "--python", py, "--json"])).stdout);
    expect(st).toMatchObject({ installed: true, ours: true, outdated: false });
    expect(st.binary.length).toBeGreaterThan(0);
    const un = await runCli(["bridge", "uninstall", "--python", py]);
    expect(un.exitCode).toBe(0);
    expect(Bun.spawnSync([py, "-c", "import comfy_env"]).exitCode).not.toBe(0);
    expect(JSON.parse((await runCli(["bridge", "status", "--python", py, "--json"])).stdout).installed).toBe(false);
  }, 60_000);

  testWithPythons("3.11")("a comfy_env installed by pip is not replaced without --force", async () => {
    const py = python("3.11");
    await using dir = await tmpdir();
    const venv = path.join(dir.path, "v");
    expect(Bun.spawnSync([py, "-m", "venv", "--without-pip", venv]).exitCode).toBe(0);
    const vpy = path.join(venv, "bin", "python");
    const site = path.join(venv, "lib", "python3.11", "site-packages");
    fs.mkdirSync(path.join(site, "comfy_env"));
    fs.writeFileSync(path.join(site, "comfy_env", "__init__.py"), "");
    fs.mkdirSync(path.join(site, "comfy_env-0.4.22.dist-info"));
    fs.writeFileSync(path.join(site, "comfy_env-0.4.22.dist-info", "INSTALLER"), "pip\n");
    const r = await runCli(["bridge", "install", "--python", vpy]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain("--force");
    expect((await runCli(["bridge", "install", "--python", vpy, "--force"])).exitCode).toBe(0);
    expect(fs.existsSync(path.join(site, "comfy_env-0.4.22.dist-info"))).toBe(false);
  }, 60_000);

  testWithPythons("3.11")("without --python, inside a ComfyUI portable folder: its python_embeded/python.exe", async () => {
    const py = python("3.11");
    await using dir = await tmpdir();
    const venv = path.join(dir.path, "v");
    expect(Bun.spawnSync([py, "-m", "venv", "--without-pip", venv]).exitCode).toBe(0);
    const root = path.join(dir.path, "ComfyUI_windows_portable");
    const customNodes = path.join(root, "ComfyUI", "custom_nodes");
    fs.mkdirSync(customNodes, { recursive: true });
    fs.mkdirSync(path.join(root, "python_embeded"));
    // A script, not a symlink: the venv's Python then reports the venv's site-packages.
    const exe = path.join(root, "python_embeded", "python.exe");
    fs.writeFileSync(exe, `#!/bin/sh\nexec ${JSON.stringify(path.join(venv, "bin", "python"))} "$@"\n`, { mode: 0o755 });
    const r = await runCli(["bridge", "install", "--json"], { cwd: customNodes });
    expect(r.stderr).toContain(exe);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).sitePackages).toBe(path.join(venv, "lib", "python3.11", "site-packages"));
    expect(fs.existsSync(path.join(venv, "lib", "python3.11", "site-packages", "comfy_env", "_binary.json"))).toBe(true);
    const none = await runCli(["bridge", "install"], { cwd: dir.path + "/v" });
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain("--python is required");
  }, 60_000);
});
