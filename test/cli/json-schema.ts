import path from "node:path";
import { z } from "zod";

/**
 * The --json documents as docs/json.md writes them down, one zod schema per command. Top-level
 * objects are strict: a key a command adds or renames without a line in docs/json.md fails.
 */

const absPath = z.string().refine((p) => path.isAbsolute(p), "not an absolute path");

export const errorSchema = z.strictObject({
  kind: z.string().min(1),
  message: z.string().min(1),
  causes: z.array(z.string()),
  hints: z.array(z.string()),
  file: absPath.optional(),
  line: z.number().int().positive().optional(),
});

/** A command's document: success with its body, or failure with `error` and whatever of the body it got to. */
function doc<B extends z.ZodRawShape>(command: string, body: B) {
  const envelope = { schema: z.literal(1), command: z.literal(command) };
  return z.union([
    z.strictObject({ ...envelope, ok: z.literal(true), exitCode: z.literal(0), ...body }),
    z.strictObject({ ...envelope, ok: z.literal(false), exitCode: z.number().int().min(1), error: errorSchema, ...z.object(body).partial().shape }),
  ]);
}

const warning = z.object({ file: absPath, line: z.number().int().optional(), key: z.string(), message: z.string(), text: z.string() });
const cudaTarget = z.strictObject({ cuda: z.string().nullable(), variant: z.string(), reason: z.string() });
const envResult = z.strictObject({
  label: z.string(),
  configFile: absPath,
  hash: z.string(),
  link: absPath,
  buildDir: absPath,
  outcome: z.enum(["reused", "built", "waited"]),
  seconds: z.number().nonnegative(),
});
const envStatus = z.object({
  hash: z.string(),
  dir: absPath,
  state: z.enum(["done", "broken", "building", "stale", "failed"]),
  sizeBytes: z.number().int().nonnegative(),
  source: z.string().optional(),
  configFile: absPath.optional(),
  builtAt: z.string().optional(),
  links: z.array(absPath),
});
const bridgeStatus = {
  python: absPath,
  pythonVersion: z.string(),
  sitePackages: absPath,
  installed: z.boolean(),
  ours: z.boolean(),
  version: z.string().nullable(),
  outdated: z.boolean(),
  binary: z.array(z.string()).nullable(),
};

export const SCHEMAS = {
  help: doc("help", { help: z.string(), commands: z.array(z.strictObject({ name: z.string(), summary: z.string() })) }),
  version: doc("version", {
    version: z.string(),
    commit: z.string(),
    target: z.string(),
    bridge: z.strictObject({ protocol: z.number().int().positive(), version: z.string(), api: z.string() }),
  }),
  install: doc("install", {
    root: absPath,
    decision: cudaTarget.nullable(),
    nodePacks: z.array(z.object({ name: z.string(), outcome: z.enum(["cloned", "found", "failed"]), exitCode: z.number().int().min(1).optional(), error: errorSchema.optional() })),
    envs: z.array(envResult),
    failures: z.array(z.strictObject({ label: z.string(), exitCode: z.number().int().min(1), error: errorSchema })),
    warnings: z.array(warning),
  }),
  check: doc("check", {
    packs: z.array(absPath),
    configs: z.array(absPath),
    problems: z.array(
      z.strictObject({ severity: z.enum(["error", "warning"]), kind: z.string(), file: absPath, line: z.number().int().positive().optional(), message: z.string(), hints: z.array(z.string()) }),
    ),
    errors: z.number().int().nonnegative(),
    warnings: z.number().int().nonnegative(),
  }),
  generate: doc("generate", {
    file: absPath,
    hash: z.string(),
    platform: z.string(),
    cuda: z.string().nullable(),
    python: z.string(),
    manifest: z.string(),
    warnings: z.array(warning.omit({ text: true })),
  }),
  status: doc("status", { root: absPath, envs: z.array(envStatus) }),
  gc: doc("gc", {
    root: absPath,
    dryRun: z.boolean(),
    removed: z.array(z.strictObject({ hash: z.string(), dir: absPath, sizeBytes: z.number().int(), state: z.string() })),
    leftovers: z.array(z.strictObject({ dir: absPath, sizeBytes: z.number().int().nonnegative() })),
    kept: z.array(z.strictObject({ hash: z.string(), links: z.array(absPath) })),
    failed: z.array(z.strictObject({ hash: z.string(), message: z.string() })),
    freedBytes: z.number().int().nonnegative(),
  }),
  detect: doc("detect", {
    host: z.object({ os: z.string(), arch: z.string(), platform: z.string() }),
    gpus: z.array(z.object({ index: z.number().int(), vendor: z.enum(["nvidia", "amd", "intel"]) })),
    gpuSource: z.string().nullable(),
    attempts: z.array(z.object({ method: z.string(), outcome: z.string() })),
    driver: z.object({ version: z.string().nullable(), cuda: z.string().nullable() }),
    nvcc: z.object({ version: z.string(), path: absPath }).nullable(),
    nvccError: z.object({ kind: z.string() }).nullable(),
    torch: z.object({ python: z.string(), version: z.string().nullable() }).nullable(),
    torchError: z.object({ kind: z.string() }).nullable(),
    decision: z.object({ variant: z.string(), cuda: z.string().nullable(), torch: z.string().nullable(), reason: z.string() }).nullable(),
    decisionError: z.object({ kind: z.string() }).nullable(),
  }),
  wheels: doc("wheels", {
    query: z.strictObject({ pkg: z.string(), cuda: z.string(), torch: z.string(), python: z.string(), platform: z.string(), glibc: z.string().optional(), macos: z.string().optional() }),
    index: z.string().url(),
    resolution: z.union([
      z.object({ source: z.literal("index"), filename: z.string(), url: z.string().url(), reason: z.string() }),
      z.object({ source: z.literal("pypi"), requirement: z.string(), reason: z.string() }),
    ]),
  }),
  bridge: doc("bridge", {
    action: z.enum(["install", "uninstall", "status"]),
    ...bridgeStatus,
    removed: z.boolean().optional(),
  }),
  run: doc("run", { nodeDir: absPath, envDir: absPath, argv: z.array(z.string()).min(1), signal: z.string().nullable() }),
  test: doc("test", {
    packs: z.array(absPath),
    folders: z.array(
      z.strictObject({
        label: z.string(),
        nodeDir: absPath,
        envDir: absPath.nullable(),
        nodes: z.array(z.string()),
        python: z.string().optional(),
        error: z.string().optional(),
        traceback: z.string().optional(),
      }),
    ),
    nodes: z.number().int().nonnegative(),
    failedFolders: z.number().int().nonnegative(),
  }),
  doctor: doc("doctor", {
    root: absPath,
    checks: z.array(
      z.strictObject({
        group: z.enum(["tools", "network", "cache", "envs", "gpu", "comfyui"]),
        name: z.string(),
        status: z.enum(["ok", "warn", "fail"]),
        summary: z.string(),
        fix: z.string().optional(),
        details: z.record(z.string(), z.unknown()).optional(),
      }),
    ),
    counts: z.strictObject({ ok: z.number().int(), warn: z.number().int(), fail: z.number().int() }),
    bundle: z.strictObject({ path: absPath, bytes: z.number().int().positive() }).optional(),
  }),
  ps: doc("ps", { supervisors: z.array(z.object({ pid: z.number().int(), parentPid: z.number().int(), workers: z.array(z.object({ label: z.string(), log: absPath })) })) }),
  "self-update": doc("self-update", {
    updated: z.boolean(),
    from: z.string(),
    to: z.string(),
    target: z.string(),
    path: absPath,
    asset: z.string(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    bridges: z.array(
      z.strictObject({ python: absPath, status: z.enum(["refreshed", "failed", "gone"]), command: z.string().startsWith("comfy-env bridge install --python "), message: z.string().optional() }),
    ),
  }),
} as const;

/** A usage error (bad flag, unknown command or action) of any command: the envelope and `error` only. */
export function usageSchema(command: string) {
  return z.strictObject({ schema: z.literal(1), command: z.literal(command), ok: z.literal(false), exitCode: z.literal(1), error: errorSchema.extend({ kind: z.literal("usage") }) });
}

/** `COMMAND --help --json`: the help text in the envelope. */
export function helpSchema(command: string) {
  return z.strictObject({ schema: z.literal(1), command: z.literal(command), ok: z.literal(true), exitCode: z.literal(0), help: z.string() });
}
