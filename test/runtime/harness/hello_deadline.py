"""A client without the secret trickling its hello to the worker's _serve (_transport.accept):
python hello_deadline.py <dir holding comfy_env> <AUTH_TIMEOUT in seconds>

The client declares a 200-byte secret and sends one wrong byte every 0.1 s, for at most 4 s.
Then a client with the right secret, sent at once, must still be greeted. Prints one JSON line:
the seconds until the trickling client was dropped (null: still served after 4 s), and the
greeting's first field.
"""
import json
import pickle
import select
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, sys.argv[1])
from comfy_env import _transport, _worker  # noqa: E402

_transport.AUTH_TIMEOUT = float(sys.argv[2])
SECRET = b"s" * 32


def serve():
    mine, theirs = socket.socketpair()
    threading.Thread(target=_worker._serve, args=(theirs, SECRET), daemon=True).start()
    return mine


def trickle():
    s = serve()
    t0 = time.monotonic()
    s.sendall(struct.pack(">I", 200))
    while time.monotonic() - t0 < 4:
        try:
            s.sendall(b"x")
            if select.select([s], [], [], 0.1)[0] and s.recv(1) == b"":
                return round(time.monotonic() - t0, 2)
        except OSError:
            return round(time.monotonic() - t0, 2)
    return None


def greeted():
    s = serve()
    s.settimeout(5)
    s.sendall(struct.pack(">I", len(SECRET)) + SECRET)
    head = b""
    while len(head) < 5:
        head += s.recv(5 - len(head))
    n = struct.unpack(">I", head[:4])[0]
    body = b""
    while len(body) < n - 1:
        body += s.recv(n - 1 - len(body))
    return pickle.loads(body)[0]


print(json.dumps({"dropped_after": trickle(), "greeting": greeted()}))
