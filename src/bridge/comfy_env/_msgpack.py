"""A small msgpack codec for the control channel to the comfy-env binary (stdlib only).

Covers what the supervisor protocol uses: None, bool, int, float, str, bytes, list/tuple, dict.
"""
import struct

_pack_d = struct.Struct(">d").pack


def packb(obj):
    out = bytearray()
    _enc(obj, out)
    return bytes(out)


def _enc(o, out):
    if o is None:
        out.append(0xC0)
    elif o is True:
        out.append(0xC3)
    elif o is False:
        out.append(0xC2)
    elif isinstance(o, int):
        if 0 <= o < 0x80:
            out.append(o)
        elif -32 <= o < 0:
            out.append(o & 0xFF)
        elif 0 <= o <= 0xFFFFFFFF:
            out.append(0xCE)
            out += struct.pack(">I", o)
        elif -(1 << 31) <= o < 0:
            out.append(0xD2)
            out += struct.pack(">i", o)
        elif 0 <= o <= 0xFFFFFFFFFFFFFFFF:
            out.append(0xCF)
            out += struct.pack(">Q", o)
        elif -(1 << 63) <= o < 0:
            out.append(0xD3)
            out += struct.pack(">q", o)
        else:
            raise OverflowError("integer out of msgpack range")
    elif isinstance(o, float):
        out.append(0xCB)
        out += _pack_d(o)
    elif isinstance(o, str):
        b = o.encode("utf-8")
        n = len(b)
        if n < 32:
            out.append(0xA0 | n)
        elif n < 0x100:
            out += bytes((0xD9, n))
        elif n < 0x10000:
            out.append(0xDA)
            out += struct.pack(">H", n)
        else:
            out.append(0xDB)
            out += struct.pack(">I", n)
        out += b
    elif isinstance(o, (bytes, bytearray, memoryview)):
        b = bytes(o)
        n = len(b)
        if n < 0x100:
            out += bytes((0xC4, n))
        elif n < 0x10000:
            out.append(0xC5)
            out += struct.pack(">H", n)
        else:
            out.append(0xC6)
            out += struct.pack(">I", n)
        out += b
    elif isinstance(o, (list, tuple)):
        n = len(o)
        if n < 16:
            out.append(0x90 | n)
        elif n < 0x10000:
            out.append(0xDC)
            out += struct.pack(">H", n)
        else:
            out.append(0xDD)
            out += struct.pack(">I", n)
        for x in o:
            _enc(x, out)
    elif isinstance(o, dict):
        n = len(o)
        if n < 16:
            out.append(0x80 | n)
        elif n < 0x10000:
            out.append(0xDE)
            out += struct.pack(">H", n)
        else:
            out.append(0xDF)
            out += struct.pack(">I", n)
        for k, v in o.items():
            _enc(k, out)
            _enc(v, out)
    else:
        raise TypeError("cannot msgpack-encode %s" % type(o).__name__)


class _Reader:
    __slots__ = ("b", "i")

    def __init__(self, b):
        self.b = b
        self.i = 0

    def take(self, n):
        j = self.i + n
        if j > len(self.b):
            raise ValueError("truncated msgpack data")
        s = self.b[self.i:j]
        self.i = j
        return s

    def unpack(self, fmt, n):
        return struct.unpack(fmt, self.take(n))[0]


def unpackb(data):
    r = _Reader(bytes(data))
    v = _dec(r)
    if r.i != len(r.b):
        raise ValueError("extra bytes after msgpack value")
    return v


def _dec(r):
    t = r.take(1)[0]
    if t < 0x80:
        return t
    if t >= 0xE0:
        return t - 0x100
    if 0x80 <= t <= 0x8F:
        return _map(r, t & 0x0F)
    if 0x90 <= t <= 0x9F:
        return [_dec(r) for _ in range(t & 0x0F)]
    if 0xA0 <= t <= 0xBF:
        return r.take(t & 0x1F).decode("utf-8")
    if t == 0xC0:
        return None
    if t == 0xC2:
        return False
    if t == 0xC3:
        return True
    if t == 0xC4:
        return r.take(r.take(1)[0])
    if t == 0xC5:
        return r.take(r.unpack(">H", 2))
    if t == 0xC6:
        return r.take(r.unpack(">I", 4))
    if t == 0xCA:
        return r.unpack(">f", 4)
    if t == 0xCB:
        return r.unpack(">d", 8)
    if t == 0xCC:
        return r.take(1)[0]
    if t == 0xCD:
        return r.unpack(">H", 2)
    if t == 0xCE:
        return r.unpack(">I", 4)
    if t == 0xCF:
        return r.unpack(">Q", 8)
    if t == 0xD0:
        return r.unpack(">b", 1)
    if t == 0xD1:
        return r.unpack(">h", 2)
    if t == 0xD2:
        return r.unpack(">i", 4)
    if t == 0xD3:
        return r.unpack(">q", 8)
    if t == 0xD9:
        return r.take(r.take(1)[0]).decode("utf-8")
    if t == 0xDA:
        return r.take(r.unpack(">H", 2)).decode("utf-8")
    if t == 0xDB:
        return r.take(r.unpack(">I", 4)).decode("utf-8")
    if t == 0xDC:
        return [_dec(r) for _ in range(r.unpack(">H", 2))]
    if t == 0xDD:
        return [_dec(r) for _ in range(r.unpack(">I", 4))]
    if t == 0xDE:
        return _map(r, r.unpack(">H", 2))
    if t == 0xDF:
        return _map(r, r.unpack(">I", 4))
    raise ValueError("unsupported msgpack type byte 0x%02x" % t)


def _map(r, n):
    d = {}
    for _ in range(n):
        k = _dec(r)
        d[k] = _dec(r)
    return d
