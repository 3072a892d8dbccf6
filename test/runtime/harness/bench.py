"""Timings for bench/runtime.ts: python bench.py <ComfyUI dir> <iterations>. Prints one JSON line.

Run under `taskset -c 0`: the supervisor and worker inherit the affinity, and the raw echo
baseline (a forked Python server with the same 4-byte-length framing) runs on the same CPU.
"""
import json
import os
import socket
import struct
import sys
import tempfile
import time

COMFY = os.path.abspath(sys.argv[1])
N = int(sys.argv[2])
sys.path.insert(0, COMFY)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def raw_echo():
    path = os.path.join(tempfile.mkdtemp(), "echo.sock")
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(1)
    pid = os.fork()
    if pid == 0:
        c, _ = srv.accept()
        hdr = bytearray(4)
        while True:
            if c.recv_into(hdr, 4, socket.MSG_WAITALL) != 4:
                os._exit(0)
            n = struct.unpack(">I", hdr)[0]
            body = c.recv(n, socket.MSG_WAITALL)
            c.sendall(struct.pack(">I", len(body)) + body)
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(path)
    payload = b"\x00" + b"x" * 40
    hdr = bytearray(4)
    times = []
    for _ in range(N):
        t0 = time.perf_counter()
        c.sendall(struct.pack(">I", len(payload)) + payload)
        c.recv_into(hdr, 4, socket.MSG_WAITALL)
        c.recv(struct.unpack(">I", hdr)[0], socket.MSG_WAITALL)
        times.append(time.perf_counter() - t0)
    c.close()
    os.waitpid(pid, 0)
    return times


def main():
    import importlib.util
    import numpy as np

    d = os.path.join(COMFY, "custom_nodes", "MixedPack")
    spec = importlib.util.spec_from_file_location("MixedPack", os.path.join(d, "__init__.py"), submodule_search_locations=[d])
    mod = importlib.util.module_from_spec(spec)
    sys.modules["MixedPack"] = mod
    spec.loader.exec_module(mod)
    nodes = mod.NODE_CLASS_MAPPINGS
    noop = nodes["IsoNoop"]()
    for _ in range(200):
        noop.run()
    calls = []
    for _ in range(N):
        t0 = time.perf_counter()
        noop.run()
        calls.append(time.perf_counter() - t0)
    echo = raw_echo()

    a = (np.arange(16 * 1024 * 1024, dtype=np.float32) % 251)
    ident = nodes["IsoIdentity"]()
    rt, cp = [], []
    for i in range(7):
        t0 = time.perf_counter()
        (b,) = ident.run(array=a)
        t1 = time.perf_counter()
        assert b.shape == a.shape and (i or np.array_equal(a, b))
        c = a.copy()
        c2 = c.copy()
        t2 = time.perf_counter()
        if i >= 2:  # the first rounds map fresh segments
            rt.append(t1 - t0)
            cp.append(t2 - t1)
    print(json.dumps({
        "call_p50": pct(calls, 0.5), "call_p99": pct(calls, 0.99),
        "echo_p50": pct(echo, 0.5), "echo_p99": pct(echo, 0.99),
        "array_roundtrip": sorted(rt)[len(rt) // 2], "two_copies": sorted(cp)[len(cp) // 2],
    }))


main()
