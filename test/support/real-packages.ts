// What the tests that install real packages need: uv (from PyPI: `pip install uv`) and the
// machine's local CPU torch wheel, taken through pip as users would (`pip download torch`).
// Missing ones make those tests skip with a warning, or fail under COMFY_ENV_REQUIRE_UV=1 (CI).
import path from "node:path";

export const REQUIRE_UV = process.env.COMFY_ENV_REQUIRE_UV === "1";

/** uv on PATH, else the one `pip install uv` put beside python3; undefined when neither. */
export function findUv(): string | undefined {
  const onPath = Bun.which("uv");
  if (onPath) return onPath;
  const r = Bun.spawnSync(["python3", "-c", "import uv; print(uv.find_uv_bin())"], { stdout: "pipe", stderr: "pipe" });
  return r.exitCode === 0 ? r.stdout.toString().trim() : undefined;
}

/** The torch the machine has locally, as a wheel in `dir` (pip finds it; no download). */
export function localTorchWheel(dir: string, version = "2.13.0"): string | undefined {
  const r = Bun.spawnSync(["python3", "-m", "pip", "download", `torch==${version}`, "--no-deps", "--only-binary", ":all:", "--no-index", "-d", dir], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) return undefined;
  const file = [...new Bun.Glob("torch-*.whl").scanSync(dir)][0];
  return file === undefined ? undefined : path.join(dir, file);
}

/** Skip (with a warning) or fail, as REQUIRE_UV says, when something real is missing. */
export function missing(what: string): void {
  if (REQUIRE_UV) throw new Error(`${what} is missing and COMFY_ENV_REQUIRE_UV=1`);
  console.warn(`warning: ${what} is missing; skipping the tests with real PyPI packages`);
}
