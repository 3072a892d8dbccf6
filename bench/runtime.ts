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
const r = Bun.spawnSync([...pin, world.hostPython, path.join(HARNESS, "bench.py"), world.comfy, String(N)], { stdout: "pipe", stderr: "pipe" });
if (r.exitCode !== 0) {
  console.error(r.stderr.toString());
  process.exit(1);
}
const lastLine = (out: Uint8Array) => JSON.parse(out.toString().trim().split("\n").pop() as string);
const m = lastLine(r.stdout);
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
console.log(`runtime (${pin.length ? "taskset -c 0" : "unpinned"}, ${N} calls)`);
console.log(`  no-op call p50 ${us(m.call_p50)} vs raw echo ${us(m.echo_p50)}: ${(m.call_p50 / m.echo_p50).toFixed(2)}× (goal ≤ 1.5×)`);
console.log(`  no-op call p99 ${us(m.call_p99)} vs raw echo ${us(m.echo_p99)}: ${(m.call_p99 / m.echo_p99).toFixed(2)}× (goal ≤ 1.5×)`);
console.log(`  64 MiB float32 round trip ${ms(m.array_roundtrip)} vs two numpy copies ${ms(m.two_copies)}: ${(m.array_roundtrip / m.two_copies).toFixed(2)}× (goal ≤ 3×)`);
console.log(
  m.torch
    ? `  IMAGE 1×1024×1024×3 float32 tensor round trip ${ms(m.image_roundtrip)} vs two copies of its bytes ${ms(m.image_two_copies)}: ${(m.image_roundtrip / m.image_two_copies).toFixed(2)}×`
    : `  IMAGE 1×1024×1024×3 float32 round trip ${ms(m.image_roundtrip)} vs two numpy copies ${ms(m.image_two_copies)}: ${(m.image_roundtrip / m.image_two_copies).toFixed(2)}× (numpy array: no torch here)`,
);
console.log(`  host and worker Python: ${torchPython ? `${torchPython} (Debian, with torch)` : "pyenv 3.11"}`);
const c = median(cold);
const a = median(afterCrash);
console.log(`  first call after kill -9 ${ms(a)} vs cold spawn ${ms(c)}: ${(a / c).toFixed(2)}× (goal ≤ 1.1×; medians of ${RESTART_RUNS} runs)`);
