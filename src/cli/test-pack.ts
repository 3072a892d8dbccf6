import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { findEnvs } from "../install/find.ts";
import { PACKAGE_FILES } from "../bridge/files.ts";
import { configEnvVars } from "../runtime/config-vars.ts";
import { isolationEnv, type EnvVars } from "../runtime/isolation.ts";
import { envPythonRelPath, hostOs } from "../util/platform.ts";
import { messageOf } from "../util/result.ts";
import { openCommand, stringFlag, usage } from "./args.ts";
import { errorDocOf, exitCodeOf, renderError, reportError, type CliError } from "./errors/index.ts";
import { EXIT } from "./exit.ts";
import { runInstall } from "./install.ts";
import type { Output } from "./output.ts";
import { findNodeEnv } from "./run.ts";

export const TEST_HELP = `Usage: comfy-env test [PACK_DIR...] [--cuda X.Y|none] [--root DIR] [--timeout S] [--json]

Build the environments of each node pack (as install does), then import every isolated node
folder (one holding a comfy-env.toml) in its environment the way its worker does, and report
per folder how many nodes registered, or the import error. Ends with "N of N nodes
importable". Exit 1 if any folder fails to import.

Options:
  --cuda X.Y|none   build for this CUDA version, or CPU (default: detected)
  --root DIR        cache root (default ~/.ce, C:/ce on Windows; env COMFY_ENV_ROOT)
  --timeout S       seconds one folder's import may take (default 300)`;

const DEFAULT_TIMEOUT_S = 300;

/**
 * Runs in the env's Python: the worker's own loader (`_node_loader.metadata()`, which imports the
 * folder as its worker would), then one JSON line on the real stdout; what nodes print goes to
 * stderr, as in a worker.
 */
const PROBE = `
import json, os, sys, traceback
spec = json.loads(os.environ.pop("COMFY_ENV_TEST_SPEC"))
sys.path.insert(0, spec["py_dir"])
from comfy_env import _node_loader, _prompt_server
_node_loader.use(spec["node_dir"], spec["module"])
for p in reversed(spec["sys_path"]):
    if p not in sys.path:
        sys.path.insert(0, p)
sys.modules.setdefault("server", _prompt_server)
out = os.fdopen(os.dup(1), "w")
os.dup2(2, 1)
try:
    meta = _node_loader.metadata()
    res = {"nodes": sorted(meta["nodes"]), "python": ".".join(map(str, meta["python"]))}
except BaseException as e:
    res = {"error": "".join(traceback.format_exception_only(type(e), e)).strip(), "traceback": traceback.format_exc()}
out.write(json.dumps(res) + "\\n")
out.flush()
`;

export interface FolderResult {
  label: string;
  nodeDir: string;
  envDir: string | null;
  nodes: string[];
  python?: string;
  error?: string;
  traceback?: string;
}

/** ComfyUI's folder when the pack sits in its custom_nodes (the worker puts it on sys.path). */
function comfyuiDirOf(packDir: string): string[] {
  const parent = path.dirname(packDir);
  return path.basename(parent) === "custom_nodes" ? [path.dirname(parent)] : [];
}

/** The module name the bridge gives a folder, so relative imports resolve the same way. */
function moduleName(packDir: string, nodeDir: string): string {
  const w = (s: string) => s.replace(/\W/g, "_");
  return `_comfy_env_${w(path.basename(packDir))}__${w(path.relative(packDir, nodeDir) || ".")}`;
}

/** Import one isolated folder in its env as its worker would: its nodes, or the import error. */
export async function importNodeFolder(packDir: string, label: string, nodeDir: string, pyDir: string, timeoutS: number): Promise<FolderResult> {
  const base = { label, nodeDir, nodes: [] as string[] };
  const link = findNodeEnv(nodeDir);
  if (!link) return { ...base, envDir: null, error: "no built environment (no _env_<hash> link with a Python in it)" };
  const envDir = fs.realpathSync(link);
  const vars = await configEnvVars(nodeDir);
  if (vars.isErr()) return { ...base, envDir, error: renderError({ kind: "runtime", error: vars.error }).message };
  const env = isolationEnv(hostOs(), envDir, process.env as EnvVars, vars.value, fs.existsSync);
  env.COMFY_ENV_TEST_SPEC = JSON.stringify({ py_dir: pyDir, node_dir: nodeDir, module: moduleName(packDir, nodeDir), sys_path: comfyuiDirOf(packDir), label });
  try {
    const proc = Bun.spawn([path.join(envDir, envPythonRelPath()), "-c", PROBE], { cwd: packDir, env, stdin: "ignore", stdout: "pipe", stderr: "pipe", timeout: timeoutS * 1000 });
    const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    const line = stdout.trim().split("\n").at(-1) ?? "";
    if (line.startsWith("{")) return { ...base, envDir, ...(JSON.parse(line) as Partial<FolderResult>) };
    const why = proc.signalCode ? `killed by ${proc.signalCode}${proc.signalCode === "SIGTERM" ? ` after ${timeoutS} s (--timeout)` : ""}` : `exit code ${code}`;
    return { ...base, envDir, error: `the import did not finish (${why})`, traceback: stderr.trim().split("\n").slice(-20).join("\n") };
  } catch (e) {
    return { ...base, envDir, error: `cannot start the env's Python: ${messageOf(e)}` };
  }
}

/** The embedded comfy_env package in a fresh temp folder (the caller removes it), for the import probe. */
export function writeBridgePackage(): string {
  const pyDir = fs.mkdtempSync(path.join(os.tmpdir(), "comfy-env-probe-"));
  for (const [rel, text] of Object.entries(PACKAGE_FILES)) {
    fs.mkdirSync(path.dirname(path.join(pyDir, rel)), { recursive: true });
    fs.writeFileSync(path.join(pyDir, rel), text);
  }
  return pyDir;
}

/** `comfy-env test`: build, then import each isolated folder as its worker would. */
export async function runTest(args: string[], base: Output): Promise<number> {
  const opened = openCommand(args, { cuda: { type: "string" }, root: { type: "string" }, timeout: { type: "string" } }, TEST_HELP, base);
  if (!opened.ok) return opened.exitCode;
  const { args: a, out } = opened;
  const timeoutS = Number(stringFlag(a, "timeout") ?? DEFAULT_TIMEOUT_S);
  if (!(timeoutS > 0)) return reportError(out, usage(`--timeout is a number of seconds, not "${stringFlag(a, "timeout")}"`));
  const packs = (a.positionals.length > 0 ? a.positionals : [process.cwd()]).map((p) => path.resolve(p));
  const found = findEnvs(packs);
  if (found.isErr()) return reportError(out, { kind: "config", error: found.error });

  // install's own report (✓ lines, errors) on stderr only: under --json stdout is ours.
  const installArgs = [...packs, ...(["cuda", "root"] as const).flatMap((k) => (stringFlag(a, k) ? [`--${k}`, stringFlag(a, k) as string] : []))];
  const built = await runInstall(installArgs, out.withOptions({ json: false, quiet: out.quiet || out.json, verbose: out.verbose, color: out.colorMode }));
  if (built !== EXIT.OK) {
    return reportError(out, { kind: "command", error: { kind: "install-failed", exitCode: built } }, { packs });
  }

  const pyDir = writeBridgePackage();
  const folders: FolderResult[] = [];
  try {
    for (const pack of found.value) {
      for (const env of pack.envs) {
        const r = await importNodeFolder(pack.packDir, env.label, env.file.dir, pyDir, timeoutS);
        folders.push(r);
        if (r.error) {
          out.error(`${r.label}: import failed: ${r.error}`);
          if (r.traceback) out.note(r.traceback.replace(/^/gm, "  │ "));
        } else {
          out.result(`✓ ${r.label}: ${r.nodes.length} node(s)${out.verbose ? ` (${r.nodes.join(", ")})` : ""}`);
        }
      }
    }
  } finally {
    fs.rmSync(pyDir, { recursive: true, force: true });
  }

  const failed = folders.filter((f) => f.error);
  const nodes = folders.reduce((n, f) => n + f.nodes.length, 0);
  const summary = failed.length === 0 ? `${nodes} of ${nodes} nodes importable (${folders.length} folder(s))` : `${nodes} node(s) importable; ${failed.length} of ${folders.length} folder(s) failed to import`;
  out.result(summary);
  const body = { packs, folders, nodes, failedFolders: failed.length };
  if (failed.length === 0) {
    out.document(body, EXIT.OK);
    return EXIT.OK;
  }
  const first = failed[0] as FolderResult;
  const e: CliError = { kind: "command", error: { kind: "import-failed", summary, label: first.label, message: first.error ?? "" } };
  out.document({ ...body, error: errorDocOf(e) }, exitCodeOf(e));
  return exitCodeOf(e);
}
