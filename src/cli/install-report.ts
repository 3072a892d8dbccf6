import path from "node:path";
import type { EnvBuildResult } from "../install/link-node.ts";
import type { Output } from "./output.ts";

/** One line per env: `✓ MyPack/nodes → _env_a1b2c3 (built in 12.3s)`. */
export function reportBuilt(out: Output, r: EnvBuildResult): void {
  const how = r.outcome === "built" ? `built in ${r.seconds.toFixed(1)}s` : r.outcome === "waited" ? "built by another process" : "up to date";
  out.result(`✓ ${r.label} → ${path.basename(r.link)} (${how})`);
}
