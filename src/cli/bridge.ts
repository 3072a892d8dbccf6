import { API_VERSION, bridgeStatus, DIST_VERSION, installBridge, probePython, selfCommand, uninstallBridge, type BridgeError, type BridgeStatus } from "../bridge/install.ts";
import { forgetInstall, installsFile, rememberInstall } from "../bridge/installs.ts";
import { findPortableNear } from "../util/portable.ts";
import { isCompiled, runningExecutable } from "../util/self-replace.ts";
import { openCommand, stringFlag, usage } from "./args.ts";
import { reportError } from "./errors/index.ts";
import { EXIT } from "./exit.ts";
import type { Output } from "./output.ts";
import { nearest } from "./suggest.ts";
import { commandLine } from "../util/command-line.ts";

const HELP = `Usage: comfy-env bridge <install|uninstall|status> [--python PY] [--force] [--json]

Puts the comfy_env Python package (the bridge node packs import) into the site-packages of
ComfyUI's interpreter PY, with a comfy_env-${DIST_VERSION}.dist-info (the API of the Python
comfy-env ${API_VERSION}) so pip counts packs' comfy-env pins as satisfied.
Without --python, inside or beside a ComfyUI portable folder, PY is its
python_embeded/python.exe.
  install     write (or update) the bridge; it starts this binary when ComfyUI runs nodes
  uninstall   remove it
  status      say what is installed in PY
A comfy_env that pip installed (the Python comfy-env) is replaced or removed only with --force.
install records PY in ${installsFile()} (uninstall removes it), so that
self-update reinstalls the bridge there with the new binary.
COMFY_ENV_BIN (a path, or a JSON array command) overrides which binary the bridge starts.`;

function fail(out: Output, e: BridgeError): number {
  return reportError(out, { kind: "bridge", error: e });
}

function render(out: Output, s: BridgeStatus): void {
  if (!s.installed) {
    out.result(`comfy_env is not installed in ${s.python} (${s.sitePackages})`);
    return;
  }
  const who = s.ours ? "comfy-env bridge" : "a comfy_env not installed by comfy-env";
  out.result(`${who} ${s.version ?? "?"} in ${s.sitePackages}${s.outdated ? " (differs from this binary's; run bridge install)" : ""}`);
  if (s.binary) out.result(`starts: ${commandLine(s.binary)}`);
}

export async function runBridge(args: string[], base: Output): Promise<number> {
  const opened = openCommand(args, { python: { type: "string" }, force: { type: "boolean", default: false } }, HELP, base);
  if (!opened.ok) return opened.exitCode;
  const { args: a, out } = opened;
  const action = a.positionals[0];
  const portable = stringFlag(a, "python") === undefined ? findPortableNear(process.cwd()) : undefined;
  const python = stringFlag(a, "python") ?? portable?.portable.python;
  const actions = ["install", "uninstall", "status"];
  if (!action || !actions.includes(action) || a.positionals.length > 1) {
    const near = action && !actions.includes(action) ? nearest(action, actions) : undefined;
    const message = !action ? "bridge needs an action" : actions.includes(action) ? `bridge ${action} takes no more words, got "${a.positionals.slice(1).join(" ")}"` : `unknown bridge action "${action}"`;
    const hints = [...(near ? [`did you mean \`comfy-env bridge ${near}\`?`] : []), `one of: ${actions.join(", ")} (\`comfy-env bridge --help\`)`];
    return reportError(out, usage(message, hints));
  }
  if (!python) {
    return reportError(out, usage("--python is required (no ComfyUI portable folder here or beside comfy-env): the interpreter ComfyUI runs with"));
  }
  if (portable) out.note(`using the ComfyUI portable Python ${python}`);
  const force = a.values.force === true;
  const info = probePython(python);
  if (info.isErr()) return fail(out, info.error);
  if (action === "status") {
    const s = bridgeStatus(info.value);
    out.document({ action, ...s }, EXIT.OK);
    render(out, s);
    return EXIT.OK;
  }
  if (action === "install") {
    const r = installBridge(info.value, selfCommand(), force);
    if (r.isErr()) return fail(out, r.error);
    // Recorded for self-update, which reruns this with its new binary; a bridge that starts the
    // sources (`bun src/main.ts`) is not a release's to refresh.
    const recorded = isCompiled() ? rememberInstall({ python: r.value.python, binary: runningExecutable() }) : undefined;
    out.document({ action, ...r.value }, EXIT.OK);
    out.result(`installed the comfy-env bridge ${r.value.version} into ${r.value.sitePackages}`);
    if (recorded?.isErr()) out.warn(`cannot record this install in ${installsFile()} (${recorded.error.message}): after a self-update, run this command again`);
    return EXIT.OK;
  }
  const r = uninstallBridge(info.value, force);
  if (r.isErr()) return fail(out, r.error);
  // A bridge removed on purpose is not put back by the next self-update.
  const forgotten = forgetInstall(info.value.executable);
  if (forgotten.isErr()) out.warn(`cannot remove ${info.value.executable} from ${installsFile()} (${forgotten.error.message}): the next self-update would install the bridge there again`);
  out.document({ action, removed: r.value.removed, ...bridgeStatus(info.value) }, EXIT.OK);
  out.result(r.value.removed ? `removed the comfy-env bridge from ${info.value.sitePackages}` : `no comfy_env in ${info.value.sitePackages}`);
  return EXIT.OK;
}
