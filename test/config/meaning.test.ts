// What specific real configs mean, across the format generations.
import { describe, expect, test } from "bun:test";
import path from "node:path";
import { loadConfigFile } from "../../src/config/parse.ts";
import type { ConfigWarning, EnvConfig, RootConfig } from "../../src/config/types.ts";
import { CONFIGS_DIR } from "../support/fixtures.ts";

const DIR = CONFIGS_DIR;

function env(name: string): { config: EnvConfig; warnings: ConfigWarning[] } {
  const loaded = loadConfigFile(path.join(DIR, name))._unsafeUnwrap();
  if (loaded.role !== "env") throw new Error(`${name} loaded as ${loaded.role}`);
  return loaded;
}

function root(name: string): { config: RootConfig; warnings: ConfigWarning[] } {
  const loaded = loadConfigFile(path.join(DIR, name))._unsafeUnwrap();
  if (loaded.role !== "root") throw new Error(`${name} loaded as ${loaded.role}`);
  return loaded;
}

const brief = (ws: ConfigWarning[]) => ws.map((w) => [w.key, w.line]);

describe("current (pixi-superset) env files", () => {
  test("SAM3DBody nodes: channels, conda table spec, per-platform conda, cuda list", () => {
    const { config, warnings } = env("PozzettiAndrea__ComfyUI-SAM3DBody__nodes_comfy-env.toml");
    expect(config.python).toBeUndefined();
    expect(config.channels).toEqual(["conda-forge", "pozzettiandrea"]);
    expect(config.deps.conda).toEqual({ bpy: { version: "*", channel: "pozzettiandrea" }, av: "*" });
    expect(config.targets["linux-64"]).toEqual({ conda: { "xorg-libsm": "*" }, pypi: {} });
    expect(config.cudaPackages).toEqual(["detectron2", "torch-scatter", "torch-sparse", "torch-cluster", "flash-attn", "sageattention"]);
    expect(config.deps.pypi.trimesh).toEqual({ version: "*", extras: ["easy"] });
    expect(config.deps.pypi.pillow).toBe(">=9.0.0");
    expect(Object.keys(config.deps.pypi).slice(0, 3)).toEqual(["comfy-kitchen", "trimesh", "pillow"]);
    expect(warnings).toEqual([]);
  });

  test("GeometryPack main: url spec, targets, int env var, [apt] warning on line 1", () => {
    const { config, warnings } = env("desonglll__ComfyUI-GeometryPack__nodes_main_comfy-env.toml");
    expect(config.deps.conda).toEqual({ cgal: "*" });
    expect(config.deps.pypi.pyquadriflow).toEqual({
      url: "https://github.com/PozzettiAndrea/pyQuadriFlow/releases/download/v0.0.6/pyquadriflow-0.0.6-py3-none-any.whl",
    });
    expect(Object.keys(config.targets)).toEqual(["win-64", "linux-64"]);
    expect(config.targets["win-64"]!.pypi).toEqual({ embreex: "*", "msvc-runtime": "*" });
    expect(config.envVars).toEqual({ KMP_DUPLICATE_LIB_OK: "TRUE", OMP_NUM_THREADS: "1" });
    expect(warnings).toEqual([
      {
        file: path.join(DIR, "desonglll__ComfyUI-GeometryPack__nodes_main_comfy-env.toml"),
        line: 1,
        key: "apt",
        message: "[apt] is not used by comfy-env: install system packages yourself (ignored)",
      },
    ]);
    expect(config.passthrough).toEqual({});
  });

  test("OpenBlender depthanything: python pin, health check timeout, shared_env_name warned", () => {
    const { config, warnings } = env("PGCRT__ComfyUI-OpenBlender3D-Pack__components_depthanythingv3_nodes_comfy-env.toml");
    expect(config.python).toBe("3.11");
    expect(config.healthCheckTimeout).toBe(15);
    expect(brief(warnings)).toEqual([["options.shared_env_name", 4]]);
  });

  test("3D-Pack: conda compilers, cuda list, env var", () => {
    const { config } = env("PozzettiAndrea__ComfyUI-3D-Pack-env__nodes_comfy-env.toml");
    expect(config.deps.conda).toEqual({ "c-compiler": "*", "cxx-compiler": "*" });
    expect(config.envVars).toEqual({ PYTORCH_CUDA_ALLOC_CONF: "expandable_segments:True" });
    expect(config.cudaPackages.length).toBe(8);
  });

  test("rocm fork: [rocm] warned on line 4, cuda list kept", () => {
    const { config, warnings } = env("joelwachsler__ComfyUI-TRELLIS2-andrea-rocm__nodes_comfy-env.toml");
    expect(config.cudaPackages).toEqual(["flex_gemm_ap", "cumesh_vb", "o_voxel_vb_ap", "flash-attn", "sageattention", "drtk"]);
    expect(config.targets["linux-64"]!.conda).toEqual({ "c-compiler": "*" });
    expect(brief(warnings)).toEqual([["rocm", 4]]);
  });

  test("Qiuuc MoCap: top-level name warned on line 10, non-ASCII comments", () => {
    const { config, warnings } = env("Qiuuc__ComfyUI-MoCap__comfy-env.toml");
    expect(config.python).toBe("3.10");
    expect(config.cudaPackages).toEqual(["pytorch3d"]);
    expect(config.deps.pypi.lightning).toBe(">=2.4,<3");
    expect(brief(warnings)).toEqual([["name", 10]]);
  });

  test("vendored template: empty tables, [node_reqs] in an env file warned", () => {
    const { config, warnings } = env("PGCRT__ComfyUI-OpenBlender3D-Pack__vendor_comfy_env_templates_comfy-env.toml");
    expect(config.deps).toEqual({ conda: {}, pypi: {} });
    expect(config.cudaPackages).toEqual([]);
    expect(config.envVars).toEqual({});
    expect(warnings.map((w) => w.message)).toEqual([
      "[node_reqs] belongs in comfy-env-root.toml at the pack root; ignored in comfy-env.toml",
    ]);
  });
});

describe("older generations", () => {
  test("SAM3DBody [env] + [cuda] map + [packages] with per-OS requirements", () => {
    const { config, warnings } = env("PozzettiAndrea__ComfyUI-SAM3DBody__comfy-env@35fc938b.toml");
    expect(config.python).toBe("3.12");
    expect(config.cudaPackages).toEqual(["detectron2", "torch-scatter", "torch-sparse", "torch-cluster"]);
    expect(config.deps.pypi.numpy).toBe(">=1.21.0,<2.0.0");
    expect(config.deps.pypi.bpy).toBe("*");
    expect(config.deps.pypi["networkx"]).toBe("==3.2.1");
    expect(config.targets).toEqual({
      "linux-64": { conda: {}, pypi: { xtcocotools: ">=1.14" } },
      "win-64": { conda: {}, pypi: { xtcocotools: ">=1.14" } },
    });
    expect(brief(warnings)).toEqual([["env.name", 6]]);
  });

  test("MotionCapture [mocap] named env: python, cuda map, requirements, [system] and [node_reqs] warned", () => {
    const { config, warnings } = env("PozzettiAndrea__ComfyUI-MotionCapture__comfy-env@ab5ff8e1.toml");
    expect(config.python).toBe("3.11");
    expect(config.cudaPackages).toEqual(["detectron2", "dpvo-cuda", "torch-scatter"]);
    expect(config.deps.pypi.numpy).toBe(">=1.23.0,<2.0.0");
    expect(config.deps.pypi.bpy).toBe("==4.2");
    expect(config.deps.pypi["chumpy-fork"]).toBe("*");
    expect(config.targets).toEqual({ "linux-64": { conda: {}, pypi: { pyrender: ">=0.1.45" } } });
    expect(brief(warnings)).toEqual([
      ["system", 8],
      ["node_reqs", 108],
    ]);
    expect(config.passthrough).toEqual({});
  });

  test("GeometryPack [geometrypack] with conda channels/packages and a repeated requirement", () => {
    const { config, warnings } = env("desonglll__ComfyUI-GeometryPack__comfy-env@41896e9f.toml");
    expect(config.python).toBe("3.11");
    expect(config.channels).toEqual(["conda-forge"]);
    expect(config.deps.conda).toEqual({ cgal: "*" });
    expect(config.cudaPackages).toEqual(["cumesh"]);
    // "numpy" then "numpy<2": both constraints kept.
    expect(config.deps.pypi).toEqual({ numpy: "<2", bpy: ">=4.2,<4.3", trimesh: ">=4.0.0", tqdm: "*" });
    expect(brief(warnings)).toEqual([
      ["system", 4],
      ["geometrypack.cuda.cumesh", 13],
    ]);
  });

  test("TRELLIS2 CRLF file with [trellis2] tables loads", () => {
    const { config } = env("PozzettiAndrea__ComfyUI-TRELLIS2__comfy-env@7804e622.toml");
    expect(config.python).toBe("3.12");
    expect(config.targets["win-64"]!.pypi).toEqual({ "triton-windows": ">=3.5.0" });
    expect(config.targets["linux-64"]!.pypi).toEqual({ triton: ">=3.0.0" });
    expect(config.cudaPackages).toContain("flash-attn");
  });

  test("[local] generation: warned, nothing used", () => {
    const { config, warnings } = env("PozzettiAndrea__ComfyUI-SAM3__comfy-env@774949a6.toml");
    expect(config.cudaPackages).toEqual([]);
    expect(config.deps.pypi).toEqual({});
    expect(brief(warnings)).toEqual([["local", 8]]);
  });

  test("comfyui-isolation file: placeholders and no_deps skipped with warnings", () => {
    const { config, warnings } = env("PozzettiAndrea__ComfyUI-TRELLIS2__comfyui_isolation_reqs@f6a7b22f.toml");
    expect(config.python).toBe("3.10");
    expect(config.deps.pypi["huggingface_hub"]).toBe(">=0.20.0,<1.0.0");
    expect(config.deps.pypi.torch).toBeUndefined();
    expect(brief(warnings)).toEqual([
      ["env.name", 7],
      ["worker", 12],
      ["packages.no_deps", 21],
      ["packages.requirements.0", 31],
      ["sources", 65],
    ]);
  });
});

describe("root files", () => {
  test("3D-Pack root: [node_reqs] and [types]", () => {
    const { config, warnings } = root("PozzettiAndrea__ComfyUI-3D-Pack-env__comfy-env-root@39d5daf6.toml");
    expect(config.nodeReqs).toMatchObject([{ name: "ComfyUI-GeometryPack", source: { kind: "git", repo: "PozzettiAndrea/ComfyUI-GeometryPack" } }]);
    expect(config.types).toEqual({ TRIMESH: "custom" });
    expect(warnings).toEqual([]);
  });

  test("rocm root: [settings] read, [cuda] warned, no final newline", () => {
    const { config, warnings } = root("joelwachsler__ComfyUI-TRELLIS2-andrea-rocm__comfy-env-root.toml");
    expect(config.settings).toEqual({ isolate: false });
    expect(config.nodeReqs.map((r) => r.name)).toEqual(["ComfyUI-GeometryPack"]);
    expect(warnings.map((w) => [w.key, w.line, w.message])).toEqual([
      ["cuda", 1, "[cuda] belongs in comfy-env.toml; ignored in comfy-env-root.toml"],
    ]);
  });

  test("MotionCapture root: [apt] and [brew] warned with their lines", () => {
    const { config, warnings } = root("PozzettiAndrea__ComfyUI-MotionCapture__comfy-env-root.toml");
    expect(config.nodeReqs.map((r) => r.name)).toEqual(["ComfyUI-VideoHelperSuite", "ComfyUI-CameraPack", "ComfyUI-HyMotion"]);
    expect(brief(warnings)).toEqual([
      ["apt", 1],
      ["brew", 4],
    ]);
  });

  test("comments-only root file is an empty, valid config", () => {
    const { config, warnings } = root("antoinebou12__ComfyUI-UML__comfy-env-root.toml");
    expect(config.settings).toEqual({});
    expect(config.nodeReqs).toEqual([]);
    expect(warnings).toEqual([]);
  });

  test("checkpoint copy is a root file by its name", () => {
    const { config } = root("PozzettiAndrea__ComfyUI-DepthAnythingV3__.ipynb_checkpoints_comfy-env-root-checkpoint@ef6dedfc.toml");
    expect(config.nodeReqs.map((r) => r.name)).toEqual(["ComfyUI-VideoHelperSuite", "ComfyUI-KJNodes"]);
  });
});
