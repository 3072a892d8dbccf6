// Runtime benchmarks, ratios against baselines measured in the same run (goals from issue #6):
//   no-op node call p50/p99 vs a raw Python↔Python Unix-socket echo with the same framing (≤ 1.5×)
//   64 MiB float32 array round trip through a worker vs two numpy copies of it (≤ 3×)
//   IMAGE-sized 1×1024×1024×3 float32 torch tensor round trip vs two copies of its bytes (Debian's
//   python3-torch for host and env when installed, else the same bytes as a numpy array)
//   first call after kill -9 of the worker vs the first call on a cold spawn (≤ 1.1×), both from
//   the bridge on a running supervisor, medians of RESTART_RUNS fresh host processes
// Everything runs pinned to CPU 0 (taskset -c 0) when taskset exists.
import path from "node:path";
import { debianTorchPython, makeWorld, HARNESS } from "../test/runtime/host.ts";
import { tmpdir } from "../test/support/tmp.ts";

const N = Number(process.env.BENCH_ITERATIONS ?? 5000);
const RESTART_RUNS = Number(process.env.BENCH_RESTART_RUNS ?? 7);
// Each latency run is a fresh host process; the VM's stalls hit a run's call or echo blocks
// unevenly, so each ratio is the median over runs, with its range.
const LATENCY_RUNS = Number(process.env.BENCH_LATENCY_RUNS ?? 3);
await using dir = await tmpdir("ce-bench-runtime-");
const torchPython = debianTorchPython();
// The worker runs the same Python build as the host, which also runs both ends of the echo.
const world = await makeWorld(dir.path, torchPython ? { hostBase: torchPython, envBase: torchPython, envSitePaths: ["/usr/lib/python3/dist-packages"] } : {});
if (!world.envHasNumpy) {
  console.log("runtime bench: numpy is not available to the env's Python; skipped");
  process.exit(0);
}
// Warm the metadata cache so the timed process measures calls only.
Bun.spawnSync([world.hostPython, "-c", `import sys; sys.path.insert(0, ${JSON.stringify(world.comfy)}); import importlib.util as u, os; d=${JSON.stringify(world.mixed)}; s=u.spec_from_file_location("MixedPack", os.path.join(d, "__init__.py"), submodule_search_locations=[d]); m=u.module_from_spec(s); sys.modules["MixedPack"]=m; s.loader.exec_module(m)`]);
const pin = Bun.which("taskset") ? ["taskset", "-c", "0"] : [];
const lastLine = (out: Uint8Array) => JSON.parse(out.toString().trim().split("\n").pop() as string);
const runs: Record<string, number>[] = [];
for (let i = 0; i < LATENCY_RUNS; i++) {
  const r = Bun.spawnSync([...pin, world.hostPython, path.join(HARNESS, "bench.py"), world.comfy, String(N)], { stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) {
    console.error(r.stderr.toString());
    process.exit(1);
  }
  runs.push(lastLine(r.stdout));
}
const cold: number[] = [];
const afterCrash: number[] = [];
for (let i = 0; i < RESTART_RUNS; i++) {
  const rr = Bun.spawnSync([...pin, world.hostPython, path.join(HARNESS, "bench.py"), world.comfy, "0", "restart"], { stdout: "pipe", stderr: "pipe" });
  if (rr.exitCode !== 0) {
    console.error(rr.stderr.toString());
    process.exit(1);
  }
  const t = lastLine(rr.stdout);
  cold.push(t.cold);
  afterCrash.push(t.after_crash);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const us = (s: number) => `${(s * 1e6).toFixed(1)} µs`;
const ms = (s: number) => `${(s * 1e3).toFixed(1)} ms`;
/** "<what> <ours> vs <baseline>: <median ratio>× (range over runs)", the figures of the median run. */
function ratio(what: string, ours: string, base: string, fmt: (s: number) => string, goal: string): string {
  const sorted = [...runs].sort((x, y) => (x[ours] as number) / (x[base] as number) - (y[ours] as number) / (y[base] as number));
  const r = (m: Record<string, number>) => (m[ours] as number) / (m[base] as number);
  const mid = sorted[Math.floor(sorted.length / 2)] as Record<string, number>;
  const range = runs.length > 1 ? `; ${r(sorted[0] as Record<string, number>).toFixed(2)}–${r(sorted[sorted.length - 1] as Record<string, number>).toFixed(2)}× over ${runs.length} runs` : "";
  return `  ${what.replace("%o", fmt(mid[ours] as number)).replace("%b", fmt(mid[base] as number))}: ${r(mid).toFixed(2)}×${range ? ` (median${range}${goal ? `; goal ${goal}` : ""})` : goal ? ` (goal ${goal})` : ""}`;
}
const torch = Boolean(runs[0]?.torch);
console.log(`runtime (${pin.length ? "taskset -c 0" : "unpinned"}, ${N} calls a run)`);
console.log(ratio("no-op call p50 %o vs raw echo %b", "call_p50", "echo_p50", us, "≤ 1.5×"));
console.log(ratio("no-op call p99 %o vs raw echo %b", "call_p99", "echo_p99", us, "≤ 1.5×"));
console.log(ratio("64 MiB float32 round trip %o vs two numpy copies %b", "array_roundtrip", "two_copies", ms, "≤ 3×"));
console.log(
  torch
    ? ratio("IMAGE 1×1024×1024×3 float32 tensor round trip %o vs two copies of its bytes %b", "image_roundtrip", "image_two_copies", ms, "")
    : ratio("IMAGE 1×1024×1024×3 float32 round trip %o vs two numpy copies %b (numpy array: no torch here)", "image_roundtrip", "image_two_copies", ms, ""),
);
console.log(`  host and worker Python: ${torchPython ? `${torchPython} (Debian, with torch)` : "pyenv 3.11"}`);
const c = median(cold);
const a = median(afterCrash);
console.log(`  first call after kill -9 ${ms(a)} vs cold spawn ${ms(c)}: ${(a / c).toFixed(2)}× (goal ≤ 1.1×; medians of ${RESTART_RUNS} runs)`);
