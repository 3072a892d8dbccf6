// Child process for the concurrency test: one ensurePixiDownloaded call, result as JSON on stdout.
import { ensurePixiDownloaded } from "../../../src/pixi/download.ts";

const [toolsDir, baseUrl, name, sha256] = process.argv.slice(2) as [string, string, string, string];
const r = await ensurePixiDownloaded({ toolsDir, baseUrl, platform: "linux-64", asset: { name, sha256 } });
process.stdout.write(JSON.stringify(r.isOk() ? { ok: r.value } : { err: r.error }));
process.exit(r.isOk() ? 0 : 1);
