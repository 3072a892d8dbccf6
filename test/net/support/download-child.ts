// Child process for the signal test: signals handled as `install` handles them, then one download.
import path from "node:path";
import { handleInterrupts } from "../../../src/util/interrupt.ts";
import { downloadFile } from "../../../src/util/http.ts";

const [dir, url] = process.argv.slice(2) as [string, string];
handleInterrupts(() => {});
await downloadFile(url, path.join(dir, "pixi.download"), { limits: { totalMs: 60_000, minBytesPerSecond: 1, windowMs: 30_000 } });
