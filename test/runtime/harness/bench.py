"""Timings for bench/runtime.ts: python bench.py <ComfyUI dir> <iterations> [restart]. Prints one
JSON line. With `restart`: one cold first call on a fresh supervisor, then one first call after
kill -9 of the worker (one per process: a second crash within a minute waits out a backoff).

Run under `taskset -c 0`: the supervisor and worker inherit the affinity, and the raw echo
baseline (a forked Python server with the same 4-byte-length framing) runs on the same CPU.
"""
import json
import os
import sys
import time

from baseline import RawEcho, load_mixed_pack

COMFY = os.path.abspath(sys.argv[1])
N = int(sys.argv[2])
sys.path.insert(0, COMFY)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def load_nodes():
    return load_mixed_pack(COMFY)


def restart():
    import signal
    import comfy_env._supervisor as sup

    noop = load_nodes()["IsoNoop"]()
    sup.get().request("ps")  # the supervisor is up: both timings start from a running one
    t0 = time.perf_counter()
    noop.run()  # spawn request, worker start, connect, call
    cold = time.perf_counter() - t0
    pid = sup.get().request("ps")["workers"][0]["pid"]
    os.kill(pid, signal.SIGKILL)
    while sup.get().request("ps")["workers"][0]["state"] != "exited":
        time.sleep(0.005)
    t0 = time.perf_counter()
    noop.run()  # dead connection found, ensure restarts the worker, connect, call
    after = time.perf_counter() - t0
    assert sup.get().request("ps")["workers"][0]["generation"] == 2
    print(json.dumps({"cold": cold, "after_crash": after}))


def roundtrip(ident, a, copy):
    """Median of a value's trip through the worker and back vs two copies of it."""
    rt, cp = [], []
    for i in range(7):
        t0 = time.perf_counter()
        (b,) = ident.run(array=a)
        t1 = time.perf_counter()
        assert b.shape == a.shape and b.dtype == a.dtype and type(b) is type(a) and (i or bool((a == b).all()))
        c = copy(a)
        c2 = copy(c)  # noqa: F841
        t2 = time.perf_counter()
        if i >= 2:  # the first rounds map fresh segments
            rt.append(t1 - t0)
            cp.append(t2 - t1)
    return sorted(rt)[len(rt) // 2], sorted(cp)[len(cp) // 2]


def main():
    import numpy as np

    nodes = load_nodes()
    noop = nodes["IsoNoop"]()
    echo_server = RawEcho()
    calls, echo = [], []
    for _ in range(200):
        noop.run()
    echo_server.run(200, [])
    # Alternating blocks: the VM's slow drifts land on both sides of the ratio alike.
    block = 250
    for done in range(0, N, block):
        n = min(block, N - done)
        echo_server.run(n, echo)
        for _ in range(n):
            t0 = time.perf_counter()
            noop.run()
            calls.append(time.perf_counter() - t0)
    echo_server.close()

    ident = nodes["IsoIdentity"]()
    big_rt, big_cp = roundtrip(ident, np.arange(16 * 1024 * 1024, dtype=np.float32) % 251, np.copy)
    # ComfyUI's IMAGE is a [B, H, W, C] float32 torch tensor; without torch the same bytes travel
    # as a numpy array.
    try:
        import torch

        torch.set_num_threads(1)  # pinned to one CPU: more threads only contend
        has_torch = True
        # The baseline copies the tensor's bytes with numpy: Debian's torch.clone is ~6x slower.
        img_rt, img_cp = roundtrip(ident, torch.rand(1, 1024, 1024, 3), lambda t: torch.from_numpy(t.numpy().copy()))
    except ImportError:
        has_torch = False
        img_rt, img_cp = roundtrip(ident, (np.arange(1024 * 1024 * 3, dtype=np.float32) % 251 / 251).reshape(1, 1024, 1024, 3), np.copy)
    print(json.dumps({
        "call_p50": pct(calls, 0.5), "call_p99": pct(calls, 0.99),
        "echo_p50": pct(echo, 0.5), "echo_p99": pct(echo, 0.99),
        "array_roundtrip": big_rt, "two_copies": big_cp,
        "image_roundtrip": img_rt, "image_two_copies": img_cp, "torch": has_torch,
    }))


if len(sys.argv) > 3 and sys.argv[3] == "restart":
    restart()
else:
    main()
