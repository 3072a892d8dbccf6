// User-space instructions per no-op node call (host side + worker side) against the raw
// Python↔Python echo (client + server), counted by valgrind's callgrind: the same figure on
// every run, whatever else the VM is doing, where bench/runtime.ts's latencies drift. Each
// side is counted twice, with 0 and with N iterations; the difference over N is the per-call
// cost, start-up excluded. Skipped without valgrind.
import path from "node:path";
import { HARNESS, makeWorld } from "../test/runtime/host.ts";
import { tmpdir } from "../test/support/tmp.ts";

const N = Number(process.env.BENCH_INSTRUCTION_CALLS ?? 2000);
const valgrind = Bun.which("valgrind");
if (!valgrind) {
  console.log("instructions: valgrind is not installed; skipped");
  process.exit(0);
}
await using dir = await tmpdir("ce-bench-instr-");
const world = await makeWorld(dir.path);
const script = path.join(HARNESS, "instructions.py");
const callgrind = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null"];

/** Instructions counted by every process callgrind followed in one run, in exit order. */
function counted(cmd: string[]): number[] {
  const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  const err = r.stderr.toString();
  if (r.exitCode !== 0) throw new Error(`${cmd.join(" ")} failed:\n${err}`);
  return [...err.matchAll(/Collected : (\d+)/g)].map((m) => Number(m[1]));
}

/** Per-call instructions: (run with N − run with 0) / N, for each process counted. */
function perCall(cmd: (n: number) => string[]): number[] {
  const base = counted(cmd(0));
  return counted(cmd(N)).map((c, i) => (c - (base[i] as number)) / N);
}

const [host] = perCall((n) => [...callgrind, world.hostPython, script, "host", world.comfy, String(n)]);
const [worker] = perCall((n) => [world.hostPython, script, "worker", world.comfy, String(n), JSON.stringify(callgrind)]);
const echo = perCall((n) => [...callgrind, world.hostPython, script, "echo", String(n)]);
const ours = (host as number) + (worker as number);
const raw = echo.reduce((a, b) => a + b, 0);
const k = (x: number) => `${(x / 1000).toFixed(1)}k`;
console.log(`instructions per no-op call (callgrind, ${N} calls)`);
console.log(`  host ${k(host as number)} + worker ${k(worker as number)} = ${k(ours)} vs raw echo client + server ${k(raw)}: ${(ours / raw).toFixed(2)}×`);
