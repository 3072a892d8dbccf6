// Child for the full-disk test: one lock attempt, its result as JSON (run under `ulimit -f 0`).
import { acquireBuildLock } from "../../../src/cache/lock.ts";
import { buildPaths } from "../../../src/cache/layout.ts";

const [root] = process.argv.slice(2) as [string];
const r = await acquireBuildLock(buildPaths(root, "abc123"), { timeoutMs: 60_000 });
process.stdout.write(JSON.stringify(r.isOk() ? { ok: r.value.kind } : { err: r.error }));
