import fs from "node:fs";
import path from "node:path";
import { bridgeStatus, probePython } from "../../bridge/install.ts";
import { findEnvs } from "../../install/find.ts";
import { listPacks } from "../../config/discover.ts";
import { findPortableNear } from "../../util/portable.ts";
import { importNodeFolder, writeBridgePackage } from "../test-pack.ts";
import type { Check } from "./check.ts";
import { commandLine } from "../../util/command-line.ts";

export async function comfyuiChecks(comfyui: string, pythonFlag: string | undefined): Promise<Check[]> {
  const checks: Check[] = [];
  const python = pythonFlag ?? findPortableNear(comfyui)?.portable.python;
  if (!python) {
    checks.push({ group: "comfyui", name: "bridge", status: "warn", summary: "ComfyUI's Python is unknown, the bridge was not checked", fix: "pass --python PY, the interpreter ComfyUI runs with" });
  } else {
    const info = probePython(python);
    if (info.isErr()) checks.push({ group: "comfyui", name: "bridge", status: "fail", summary: `cannot run ${python}`, fix: "pass --python PY, the interpreter ComfyUI runs with" });
    else {
      const b = bridgeStatus(info.value);
      const fix = commandLine(["comfy-env", "bridge", "install", "--python", python]);
      if (!b.installed) checks.push({ group: "comfyui", name: "bridge", status: "fail", summary: `not installed in ${b.sitePackages}`, fix });
      else if (!b.ours) checks.push({ group: "comfyui", name: "bridge", status: "warn", summary: `a comfy_env not installed by comfy-env (${b.version ?? "?"}) is in ${b.sitePackages}`, fix: `${fix} --force` });
      else if (b.outdated) checks.push({ group: "comfyui", name: "bridge", status: "fail", summary: `bridge ${b.version ?? "?"} differs from this binary's: ComfyUI refuses its node calls`, fix });
      else checks.push({ group: "comfyui", name: "bridge", status: "ok", summary: `bridge ${b.version} in ${b.sitePackages}` });
    }
  }
  const packs = listPacks(path.resolve(comfyui));
  if (packs.isErr()) {
    checks.push({ group: "comfyui", name: "packs", status: "fail", summary: `cannot list ${path.join(comfyui, "custom_nodes")}`, fix: "--comfyui is the ComfyUI folder (holding custom_nodes)" });
    return checks;
  }
  const found = findEnvs(packs.value);
  if (found.isErr()) return [...checks, { group: "comfyui", name: "packs", status: "fail", summary: `cannot read the packs' configs: ${found.error.kind}`, fix: "`comfy-env check <pack>` shows the problem" }];
  const pyDir = writeBridgePackage();
  try {
    for (const pack of found.value) {
      for (const env of pack.envs) {
        const r = await importNodeFolder(pack.packDir, env.label, env.file.dir, pyDir, 300);
        const details = { nodeDir: r.nodeDir, envDir: r.envDir, nodes: r.nodes, ...(r.traceback ? { traceback: r.traceback } : {}) };
        if (!r.error) checks.push({ group: "comfyui", name: r.label, status: "ok", summary: `${r.nodes.length} node(s) import`, details });
        else if (!r.envDir) checks.push({ group: "comfyui", name: r.label, status: "fail", summary: r.error, fix: commandLine(["comfy-env", "install", pack.packDir]), details });
        else checks.push({ group: "comfyui", name: r.label, status: "fail", summary: `import failed: ${r.error}`, fix: `the traceback names the missing or broken piece; try it by hand: ${commandLine(["comfy-env", "run", r.nodeDir, "--", "python"])}`, details });
      }
    }
  } finally {
    fs.rmSync(pyDir, { recursive: true, force: true });
  }
  return checks;
}
