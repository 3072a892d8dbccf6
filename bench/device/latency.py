"""No-op calls through the bridge against the raw echo, interleaved in blocks of 250, with the
percentiles of both: python latency.py <ComfyUI dir> (BLOCKS pairs of blocks, default 40)."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "runtime", "harness"))
from baseline import RawEcho, load_mixed_pack  # noqa: E402

noop = load_mixed_pack(sys.argv[1])["IsoNoop"]()
echo = RawEcho()
for _ in range(300):
    noop.run()
echo.run(300, [])
calls, echoes = [], []
clock = time.perf_counter
for _ in range(int(os.environ.get("BLOCKS", "40"))):
    echo.run(250, echoes)
    for _ in range(250):
        t0 = clock()
        noop.run()
        calls.append(clock() - t0)
echo.close()


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * q))] * 1e6


print(" ".join("p%g %.1f/%.1f µs = %.2f×" % (q * 100, pct(calls, q), pct(echoes, q), pct(calls, q) / pct(echoes, q))
               for q in (0.1, 0.5, 0.9, 0.99)))
