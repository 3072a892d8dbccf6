"""The worker channel's framing under values and frames made to break it:
python framing.py <dir holding comfy_env> <mark file>

Prints one JSON line:
  smuggle  a value over the frame limit, holding a whole full-pickle frame where protocol 2's
           reader resumed, sent by send_flat and by send: whether it arrived intact, whether
           the next message is still in step, the longest frame length any send path wrote,
           and whether the smuggled frame ran (it creates the mark file)
  short    a 1-byte and a 0-byte frame: what the receiver made of them and of the next message
  long     with the real limit, a declared length near 2^31 with 1 MiB behind it, then the end,
           and a length over the limit, read with the address space capped at 512 MiB over what the process uses now:
           what each recv raised
"""
import json
import os
import pickle
import resource
import socket
import struct
import sys
import threading

sys.path.insert(0, sys.argv[1])
from comfy_env import _codec, _connection  # noqa: E402

MARK = sys.argv[2]
REAL = {"MAX_FRAME": _connection.MAX_FRAME, "FD_BIT": 1 << 31}
LIMIT = 4096
_connection.MAX_FRAME = LIMIT - 1
# Protocol 2 flagged descriptors with the length bit just above the frame limit (2^31): set so,
# for this limit, the overlap is reproduced where that bit still exists, and ignored elsewhere.
_connection.FD_BIT = LIMIT
# A receive buffer smaller than the value, as a real one (64 KiB) is than a 2 GiB value: else
# the whole frame arrives in one read and is decoded without its length being looked at.
_connection._RBUF = 1024


class Evil(object):
    def __reduce__(self):
        return (os.system, ("touch %s" % MARK,))


def pair():
    a, b = socket.socketpair()
    b.settimeout(3)  # a misread length must fail the check, not hang it
    return a, _connection.Connection(a), b, _connection.Connection(b)


def outcome(conn):
    try:
        return ["value", repr(conn.recv())[:80]]
    except _codec.WireError as e:
        return ["WireError", str(e)[:80]]
    except Exception as e:
        return [type(e).__name__, str(e)[:80]]


def smuggling_value(wrap):
    """Bytes whose encoding, as wrap(value) sent whole, puts a full-pickle frame LIMIT bytes
    before its end: where protocol 2's reader resumed after taking the length for a descriptor
    frame of length - LIMIT bytes."""
    body = pickle.dumps(Evil(), protocol=5)
    frame = struct.pack(">IB", len(body) + 1, 1) + body
    probe = b"<" * 600 + frame
    data = pickle.dumps(wrap(probe), protocol=5)
    after = len(data) - (data.index(frame) + len(frame))
    return b"<" * 600 + frame + b">" * (LIMIT - len(frame) - after)


def longest_frame(send, msg):
    """The longest length in the headers `send` writes for msg, read off the raw stream."""
    a, conn, b, _ = pair()
    out = []

    def read():
        buf = b""
        while True:
            chunk = b.recv(1 << 16)
            if not chunk:
                break
            buf += chunk
        pos = 0
        while pos + 4 <= len(buf):
            n = struct.unpack_from(">I", buf, pos)[0]
            out.append(n)
            pos += 4 + n

    t = threading.Thread(target=read)
    t.start()
    try:
        getattr(conn, send)(*msg)
    except Exception as e:
        return "%s: %s" % (type(e).__name__, e)
    finally:
        a.close()
        t.join()
    return max(out)


def smuggle():
    got = {}
    for send in ("send_flat", "send"):
        value = smuggling_value(lambda v: ("ok", 1, v))
        msg = ("ok", 1, value)
        args = (msg, value) if send == "send_flat" else (msg,)
        a, sender, b, receiver = pair()
        result = {"longest": longest_frame(send, args)}

        def send_all():
            try:
                getattr(sender, send)(*args)
                sender.send(("ping", 2))
            except Exception as e:
                result["send"] = "%s: %s" % (type(e).__name__, e)

        t = threading.Thread(target=send_all)
        t.start()
        first = outcome(receiver)
        result["intact"] = first == ["value", repr(msg)[:80]]
        result["first"] = first[0]
        result["next"] = outcome(receiver)
        t.join()
        got[send] = result
    got["pwned"] = os.path.exists(MARK)
    return got


def short():
    got = {}
    for name, raw in (("one_byte", struct.pack(">I", 1) + b"\x00"), ("empty", struct.pack(">I", 0))):
        a, sender, b, receiver = pair()
        a.sendall(raw)
        sender.send(("after", name))
        got[name] = [outcome(receiver)[0], outcome(receiver)]
    return got


def vm_size():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmSize")


def long():
    for name, value in REAL.items():  # the real limit: a near-2^31 length is then a length to honour
        setattr(_connection, name, value)
    got = {}
    a, _, b, receiver = pair()
    near = pair()

    def feed():
        try:
            near[0].sendall(struct.pack(">IB", (1 << 31) - 16, 0) + b"\x00" * (1 << 20))
        except OSError:
            pass  # the receiver gave up first
        near[0].close()

    t = threading.Thread(target=feed, daemon=True)
    t.start()
    resource.setrlimit(resource.RLIMIT_AS, (vm_size() + (512 << 20), resource.RLIM_INFINITY))
    got["near_2_31"] = outcome(near[3])
    near[2].close()
    t.join(5)
    a.sendall(struct.pack(">I", 0xFFFFFFF0) + b"\x00" * 64)
    got["over_limit"] = outcome(receiver)
    return got


print(json.dumps({"smuggle": smuggle(), "short": short(), "long": long()}))
