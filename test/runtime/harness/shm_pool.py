"""Shared memory a connection keeps: python shm_pool.py <dir holding comfy_env> (needs numpy).

A host and a worker Connection in this process, each with its descriptor channel, and the
pool's bound set to 4 MiB. Calls carry float32 arrays of 3, 6 and 12 MiB each way (segments of
4, 8 and 16 MiB, as the issue's 256, 512 and 1024 MiB results, scaled down), then one call
without arrays. Prints one JSON line: whether every array arrived equal, each pool's bytes
kept, each side's map of its peer's segments, and the MiB of comfy-env segments this process
has mapped (/proc/self/maps: both sides' own and their maps of the other's).
"""
import json
import socket
import sys

sys.path.insert(0, sys.argv[1])
import numpy as np  # noqa: E402
from comfy_env import _connection, _shm  # noqa: E402

_shm.KEEP = 4 << 20


def connection():
    a, b = socket.socketpair()
    sa, sb = socket.socketpair()
    sa.setblocking(False)
    sb.setblocking(False)
    return _connection.Connection(a, side=sa), _connection.Connection(b, side=sb)


def mapped_mib():
    total = 0
    with open("/proc/self/maps") as f:
        for line in f:
            if "memfd:comfy-env" in line:
                lo, hi = line.split()[0].split("-")
                total += int(hi, 16) - int(lo, 16)
    return total >> 20


host, worker = connection()
equal = True
for i, mib in enumerate((3, 6, 12)):
    x = np.arange(mib << 18, dtype=np.float32)
    host.send(("call", i, "Node", {"x": x}, 0))
    req = worker.recv()
    equal = equal and np.array_equal(req[3]["x"], x)
    worker.send(("ok", i, (req[3]["x"] * 2,)))
    equal = equal and np.array_equal(host.recv()[2][0], x * 2)
host.send_flat(("call", 9, "Node", {}, 0), {})
worker.recv()
worker.send_flat(("ok", 9, ()), ())
host.recv()
print(json.dumps({
    "equal": bool(equal),
    "kept_mib": [sum(s.size for s in c.pool.segments) >> 20 for c in (host, worker)],
    "peer_maps": [sorted(host.peer.maps), sorted(worker.peer.maps)],
    "mapped_mib": mapped_mib(),
}))
