"""Throws malformed traffic at a worker: python abuse.py <address> <secret> <frames> <mark file>.

1. Clients without the secret: each connects, sends garbage and must be dropped.
2. One authenticated client sends <frames> malformed frames (bad kind bytes, garbage pickles,
   forbidden globals, bad array descriptors, descriptors announced but never sent); each must be
   answered with an error, never run.
Prints one JSON line: counts, and whether the worker still answers a ping.
"""
import json
import os
import pickle
import random
import socket
import struct
import sys

address, secret, frames = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
rng = random.Random(1234)
MARK = sys.argv[4]  # created only if a forbidden global ever ran


def connect():
    if address.startswith("unix:"):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(address[5:])
    else:
        host, port = address[4:].rsplit(":", 1)
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.connect((host, int(port)))
    s.settimeout(10)
    return s


def frame(payload):
    return struct.pack(">I", len(payload)) + payload


def recv_frame(s):
    def exact(n):
        b = b""
        while len(b) < n:
            c = s.recv(n - len(b))
            if not c:
                raise EOFError()
            b += c
        return b
    n = struct.unpack(">I", exact(4))[0]
    return exact(n)


class Evil:
    def __reduce__(self):
        return (os.system, ("touch %s" % MARK,))


# 1. no secret
refused = 0
for i in range(200):
    s = connect()
    kind = i % 4
    try:
        if kind == 0:
            s.sendall(frame(b"x" * 64))  # wrong secret, right length
        elif kind == 1:
            s.sendall(struct.pack(">I", 0xFFFFFFF0) + b"junk")  # absurd length
        elif kind == 2:
            s.sendall(frame(b"\x00" + pickle.dumps(("ping", 1), protocol=5)))  # a request, no auth
        else:
            s.sendall(bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 40))))
        data = s.recv(1)
        if data == b"":
            refused += 1
    except (ConnectionError, socket.timeout):
        refused += 1
    finally:
        s.close()

# 2. authenticated garbage
s = connect()
s.sendall(frame(secret))
hello = recv_frame(s)
errors = 0
# A forbidden global by every route: STACK_GLOBAL and protocol 0's GLOBAL in plain frames (the
# audit-hook path), and in a frame with descriptors (the restricted Unpickler's find_class).
evils = [b"\x00" + pickle.dumps(Evil(), protocol=5), b"\x00" + pickle.dumps(Evil(), protocol=0),
         b"\x02" + pickle.dumps(Evil(), protocol=5)]


class _DescPickler(pickle.Pickler):
    def persistent_id(self, obj):
        return ("nd", "<f4", (1 << 20,), 99, None, 1 << 30, 0, None) if obj == "ARRAY" else None


def bad_descriptor():
    import io
    b = io.BytesIO()
    _DescPickler(b, protocol=5).dump(("call", 1, "IsoArray", {"array": "ARRAY"}, 0))
    return b"\x02" + b.getvalue()  # the flag of plain data with descriptors


bad_desc = bad_descriptor()
ping = pickle.dumps(("ping", 0), protocol=5)
for i in range(frames):
    k = i % 6
    if k == 0:
        # A kind byte with no codec (4-63), some with FDS (and no descriptors).
        p = bytes([rng.randint(4, 63) | rng.choice((0, 0x80))]) + b"garbage"
    elif k == 1 and i % 12 == 1:
        p = bad_desc
    elif k == 1:
        p = b"\x00" + bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64)))
    elif k == 2:
        p = evils[(i // 6) % len(evils)]
    elif k == 3:
        p = b"\x00" + pickle.dumps(("call", i, "NoSuchNode", {}, 0), protocol=5)
    elif k == 4 and i % 12 == 10:
        # Says descriptors came with it (FDS in its kind byte), but none did (this client
        # never sent its channel).
        s.sendall(struct.pack(">IB", len(ping) + 1, 0x80) + ping)
        p = None
    elif k == 4:
        p = b"\x00\x80\x05\x95"  # truncated pickle
    else:
        p = b"\x00" + pickle.dumps([1, 2, 3], protocol=5)  # not a request
    if p is not None:
        s.sendall(frame(p))
    reply = recv_frame(s)
    if reply[:1] == b"\x00" and b"err" in reply:
        errors += 1
s.sendall(frame(b"\x00" + pickle.dumps(("ping", 7), protocol=5)))
pong = pickle.loads(recv_frame(s)[1:])
print(json.dumps({"refused": refused, "errors": errors, "pong": list(pong), "pwned": os.path.exists(MARK)}))
