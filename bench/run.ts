// `npm run bench`: every benchmark, each printing ratios against a baseline from the same run.
// Pin to one CPU for stable numbers: `taskset -c 0 npm run bench`.
const BENCHES = ["install.ts", "detect.ts", "runtime.ts", "instructions.ts"];
for (const b of BENCHES) {
  const r = Bun.spawnSync([process.execPath, `${import.meta.dir}/${b}`], { stdout: "inherit", stderr: "inherit" });
  if (r.exitCode !== 0) process.exit(r.exitCode);
}
