import path from "node:path";

export interface WheelSpec {
  /** Distribution name as written in METADATA ("My-Pkg"); the file name uses the escaped form. */
  name: string;
  version: string;
  /** Archive path → text content, e.g. { "mypkg/__init__.py": "X = 1\n" }. */
  files: Record<string, string>;
  /** Requires-Dist lines, e.g. ["dep>=1.0", "extra-only; extra == 'x'"]. */
  requires?: string[];
  /** console_scripts: script name → "module:function". */
  entryPoints?: Record<string, string>;
  /** Default "py3". */
  pythonTag?: string;
  /** Default "none". */
  abiTag?: string;
  /** Default "any". */
  platformTag?: string;
}

const MAKE_WHEEL = path.join(import.meta.dir, "make_wheel.py");

/** Build a valid .whl (METADATA, WHEEL, RECORD with sha256) in outDir; resolves to its path. */
export async function buildWheel(spec: WheelSpec, outDir: string): Promise<string> {
  const proc = Bun.spawn(["python3", MAKE_WHEEL], { stdin: "pipe", stdout: "pipe", stderr: "pipe" });
  proc.stdin.write(JSON.stringify({ ...spec, outDir }));
  await proc.stdin.end();
  const [out, errText, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`make_wheel.py failed (${code}): ${errText}`);
  return out.trim();
}

/** The torch family releases every env gets by default, as tiny importable stand-in wheels. */
export const TORCH_STANDINS = [
  ["torch", "2.8.0"],
  ["torchvision", "0.23.0"],
  ["torchaudio", "2.8.0"],
] as const;

/** Write the torch family stand-ins into a local index's wheel folder (no torch is downloaded). */
export async function buildTorchStandins(outDir: string): Promise<void> {
  for (const [name, version] of TORCH_STANDINS) {
    await buildWheel({ name, version, files: { [`${name}/__init__.py`]: `__version__ = "${version}"\n` } }, outDir);
  }
}
