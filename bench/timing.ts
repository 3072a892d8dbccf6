// Shared timing for benchmarks: run commands alternately so both see the same machine state.

export interface Sample {
  label: string;
  ms: number[];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

/** Wall time of each command, interleaved, `runs` times after `warmup` untimed rounds. */
export function timeCommands(cmds: { label: string; argv: string[]; env?: Record<string, string> }[], runs = 30, warmup = 3): Sample[] {
  const samples = cmds.map((c) => ({ label: c.label, ms: [] as number[] }));
  for (let i = 0; i < warmup + runs; i++) {
    cmds.forEach((c, j) => {
      const t0 = performance.now();
      const r = Bun.spawnSync(c.argv, { env: c.env ?? (process.env as Record<string, string>), stdout: "ignore", stderr: "ignore" });
      const ms = performance.now() - t0;
      if (r.exitCode !== 0) throw new Error(`${c.argv.join(" ")} exited ${r.exitCode}`);
      if (i >= warmup) samples[j]?.ms.push(ms);
    });
  }
  return samples;
}

export function report(title: string, samples: Sample[], baseline: string): void {
  const base = samples.find((s) => s.label === baseline);
  if (!base) throw new Error(`no baseline ${baseline}`);
  console.log(`\n${title}`);
  for (const s of samples) {
    const ratio = median(s.ms) / median(base.ms);
    console.log(`  ${s.label.padEnd(34)} median ${median(s.ms).toFixed(1).padStart(6)} ms  p90 ${percentile(s.ms, 90).toFixed(1).padStart(6)} ms  ${s.label === baseline ? "(baseline)" : `${ratio.toFixed(2)}× baseline`}`);
  }
}
