import { COMMIT, TARGET, VERSION } from "../version.ts";
import { earlyOptions, usage } from "./args.ts";
import { EXIT } from "./exit.ts";
import { Output } from "./output.ts";
import { reportError } from "./errors/index.ts";
import { nearest } from "./suggest.ts";
// install is the hot command (a launcher runs it on every ComfyUI start) and its fast path is
// light, so it loads with the entry chunk; the build path inside it still loads on demand.
import { runInstall } from "./install.ts";

type Command = (args: string[], out: Output) => Promise<number>;

// The other commands load on demand: a warm `install` must not pay for HTTP, zod or FFI.
const COMMANDS: Record<string, { run: Command; summary: string }> = {
  install: { run: runInstall, summary: "build and link the environments of node packs" },
  check: { run: async (a, o) => (await import("./check.ts")).runCheck(a, o), summary: "validate a pack's configs as install would, without building (file:line lines)" },
  generate: { run: async (a, o) => (await import("./generate.ts")).runGenerate(a, o), summary: "print the pixi.toml a comfy-env.toml becomes" },
  status: { run: async (a, o) => (await import("./status.ts")).runStatus(a, o), summary: "list cached environments, their state, size and links" },
  doctor: { run: async (a, o) => (await import("./doctor/index.ts")).runDoctor(a, o), summary: "check tools, network, cache, envs (and a ComfyUI's bridge and packs), each with its fix" },
  gc: { run: async (a, o) => (await import("./gc.ts")).runGc(a, o), summary: "remove cached environments no node folder links to" },
  remove: { run: async (a, o) => (await import("./remove.ts")).runRemove(a, o), summary: "unlink a node pack's environments (gc then frees them)" },
  detect: { run: async (a, o) => (await import("./detect.ts")).runDetect(a, o), summary: "show GPUs, CUDA, and the build variant install will use" },
  wheels: { run: async (a, o) => (await import("./wheels.ts")).runWheels(a, o), summary: "show which CUDA wheel a package resolves to, and why" },
  bridge: { run: async (a, o) => (await import("./bridge.ts")).runBridge(a, o), summary: "install, remove or show the comfy_env Python bridge in ComfyUI's Python" },
  supervise: { run: async (a, o) => (await import("./supervise.ts")).runSupervise(a, o), summary: "run node workers for one ComfyUI process (started by the bridge)" },
  run: { run: async (a, o) => (await import("./run.ts")).runRun(a, o), summary: "run a command (or a shell) in a node folder's environment, as its worker would" },
  test: { run: async (a, o) => (await import("./test-pack.ts")).runTest(a, o), summary: "build a pack's envs and import every isolated folder: N of N nodes importable" },
  ps: { run: async (a, o) => (await import("./ps.ts")).runPs(a, o), summary: "list running supervisors and their workers" },
  "self-update": { run: async (a, o) => (await import("./self-update.ts")).runSelfUpdate(a, o), summary: "replace this executable with the latest (or a pinned) release" },
};

export const HELP = `comfy-env ${VERSION}: isolated Python environments for ComfyUI custom nodes

Usage: comfy-env <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(13)}${c.summary}`)
  .join("\n")}

Every command takes --json (one JSON document on stdout), -q/--quiet, -v/--verbose, -h/--help,
--color=auto|always|never. \`comfy-env help COMMAND\` shows a command's help.

Exit codes:
  0  success
  1  bad input: a config error (file:line is printed), a bad flag, a missing folder
  2  internal error: a bug in comfy-env, please report it
  3  the work failed: pixi install, a wheel install or a removal (the log path is printed)
  4  a required tool (pixi) was not found

Environment: COMFY_ENV_ROOT (cache root), COMFY_ENV_PIXI (pixi to use),
COMFY_ENV_CUDA_VERSION (CUDA to build for, or "none"), NO_COLOR, FORCE_COLOR, TERM=dumb.`;

export function versionLine(): string {
  return `comfy-env ${VERSION} (${COMMIT}, ${TARGET})`;
}

/** `--version --json`: what a launcher checks before it trusts this binary with a ComfyUI. */
async function versionDoc(): Promise<Record<string, unknown>> {
  const { API_VERSION, DIST_VERSION } = await import("../bridge/install.ts");
  const { PACKAGE_FILES } = await import("../bridge/files.ts");
  // The bridge and its workers refuse a peer of another protocol; read it from the embedded source.
  const protocol = /^PROTOCOL = (\d+)$/m.exec(PACKAGE_FILES["comfy_env/_protocol.py"] ?? "");
  return { version: VERSION, commit: COMMIT, target: TARGET, bridge: { protocol: protocol ? Number(protocol[1]) : null, version: DIST_VERSION, api: API_VERSION } };
}

export async function main(argv: string[]): Promise<number> {
  const out = new Output({ ...earlyOptions(argv), quiet: false, verbose: false });
  // `comfy-env --json status` means `comfy-env status --json`.
  const words = argv[0] === "--json" && argv.length > 1 ? [argv[1] as string, "--json", ...argv.slice(2)] : argv;
  // `comfy-env help install` is `comfy-env install --help`.
  const [first, ...rest] = words[0] === "help" && words[1] !== undefined && !words[1].startsWith("-") ? [words[1], "--help", ...words.slice(2)] : words;
  if (first === undefined || first === "help" || first === "--help" || first === "-h" || (first === "--json" && rest.length === 0)) {
    out.setCommand("help");
    out.result(HELP);
    out.document({ help: HELP, commands: Object.entries(COMMANDS).map(([name, c]) => ({ name, summary: c.summary })) }, EXIT.OK);
    return EXIT.OK;
  }
  if (first === "--version" || first === "-V" || first === "version") {
    out.setCommand("version");
    out.result(versionLine());
    if (out.json) out.document(await versionDoc(), EXIT.OK);
    return EXIT.OK;
  }
  const cmd = COMMANDS[first];
  if (!cmd) {
    out.setCommand(first);
    const near = nearest(first, first.startsWith("-") ? ["--version", "--help", "--json"] : Object.keys(COMMANDS));
    const hints = [...(near ? [`did you mean \`comfy-env ${near}\`?`] : []), "`comfy-env help` lists the commands"];
    return reportError(out, usage(`unknown ${first.startsWith("-") ? "flag" : "command"} "${first}"`, hints));
  }
  out.setCommand(first);
  try {
    const code = await cmd.run(rest, out);
    // The contract is one document per run; a path that wrote none still says how it ended.
    out.document({}, code);
    return code;
  } catch (e) {
    // Modules return errors as values; anything thrown is a bug, so say so and show where.
    out.note(e instanceof Error ? (e.stack ?? e.message) : String(e));
    return reportError(out, { kind: "command", error: { kind: "internal", command: first } });
  }
}
