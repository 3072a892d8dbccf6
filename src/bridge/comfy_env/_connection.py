"""Frames on a worker connection, and Connection: one value per send, read back as sent.
What a value's body holds: _codec; which values make up the conversation: _protocol.

Frame: a 4-byte big-endian length L, then L bytes: one kind byte and the body. Every L is a
length and nothing else, at most MAX_FRAME on every send path; a receiver reads exactly L bytes
or, for an L over MAX_FRAME, closes the connection, and it allocates a frame's buffer as the
bytes arrive, so a declared length reserves nothing. A value whose encoding is longer than
MAX_FRAME goes as several frames, each but the last with MORE in its kind byte, so no byte of a
value can ever be read as a header.
Kind byte: the codec in its low six bits (_codec's, or RETIRED), MORE, and FDS, which says that
new shared-memory descriptors came with this frame: they travel (SCM_RIGHTS) on a second socket,
the descriptor channel the client hands the worker with its secret (_transport), sent before the
frame. So the data socket is read with plain recv_into, which costs less than recvmsg.
RETIRED, a control frame with no value: the sender closed the segments whose ids (4 bytes each)
the body lists (see _shm.Pool.release_all), so the receiver unmaps them too.
"""
import array
import io
import pickle
import socket
import struct

from . import _codec, _shm
from ._codec import DESCRIPTORS, FULL, PLAIN, WireError

MAX_FRAME = (1 << 31) - 1  # the most a frame's length may say (tests set a small one)
CODEC = 0x3F  # the kind byte's codec bits (codecs over RETIRED are refused)
RETIRED = 3
MORE = 0x40
FDS = 0x80
_HDR = struct.Struct(">I")
_HEAD = struct.Struct(">IB")  # a header and the frame's kind byte, in one (un)pack
_HEAD_PACK = _HEAD.pack
_HEAD_UNPACK = _HEAD.unpack_from
_dumps = pickle.dumps
_BytesIO = io.BytesIO
# Bound here: the hot paths below read module globals.
_plain_loads = _codec.plain_loads
_EXT_CACHE = _codec.EXT_CACHE
_undecodable = _codec.undecodable
_Pickler = _codec.Pickler
_Unpickler = _codec.Unpickler
_PLAIN_KIND = bytes((PLAIN,))
_FULL_KIND = bytes((FULL,))
_DESCRIPTORS_KIND = bytes((DESCRIPTORS,))


class PeerClosed(Exception):
    """The connection ended."""


class FrameTooLong(PeerClosed):
    """The peer declared a frame longer than MAX_FRAME. Nothing after it can be read in step, so
    the connection ends, as if the peer had closed it."""


_ATOMS = frozenset((str, int, float, bool, type(None), bytes))
SCM = (socket.SOL_SOCKET, socket.SCM_RIGHTS) if hasattr(socket, "SCM_RIGHTS") else None
ANC = socket.CMSG_SPACE(64 * 4) if hasattr(socket, "CMSG_SPACE") else 0
_RBUF = 1 << 16


def fds_of(anc):
    """The descriptors in recvmsg's ancillary data."""
    fds = array.array("i")
    for level, kind, data in anc:
        if level == SCM[0] and kind == SCM[1]:
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
    return list(fds)


class Connection(object):
    """One authenticated socket with its shared-memory pools. One thread at a time.

    Hot path (bench/runtime.ts): a small plain-data message is one pickle.dumps and one send;
    receiving reads greedily into a reused buffer, so a small frame is one recv.
    `side` is the descriptor channel (a Unix socket, non-blocking). Without one, arrays travel
    inline in the frame, unless segments go by name (Windows).
    """

    def __init__(self, sock, allow_pickle=None, side=None):
        self.sock = sock
        self.side = side
        self.allow_pickle = _codec.allow_pickle_default() if allow_pickle is None else allow_pickle
        self.pool = _shm.Pool()
        self.peer = _shm.PeerMaps()
        self.arrays = _codec.Arrays(self.pool, self.peer, side is None and not _shm.WINDOWS)
        self._sendall = sock.sendall
        self._recv_into = sock.recv_into
        self._out = io.BytesIO()
        self._pickler = _Pickler(self._out, self.arrays)
        self._rbuf = bytearray(_RBUF)
        self._rview = memoryview(self._rbuf)
        # Buffered bytes are _rbuf[_rpos:_rend]; both are 0 whenever nothing is buffered.
        self._rpos = 0
        self._rend = 0
        self._lent = self.pool.lent
        self._restricted = _codec.restricted(self.arrays)

    # -- frames
    def send_flat(self, msg, value):
        """send(msg) where `value` is the message's only non-atom part (the call's inputs, the
        result): when it holds atoms only (no arrays, nothing that needs full pickle), plain
        pickle.dumps makes the same frame without Python callbacks."""
        t = type(value)
        if t is dict:
            for k in value:
                if type(k) not in _ATOMS or type(value[k]) not in _ATOMS:
                    return self.send(msg)
        elif t is tuple or t is list:
            for x in value:
                if type(x) not in _ATOMS:
                    return self.send(msg)
        elif t not in _ATOMS:
            return self.send(msg)
        data = _dumps(msg, 5)
        n = len(data) + 1
        if n > MAX_FRAME:
            return self._send_long(PLAIN, data, 0)
        self._sendall(_HEAD_PACK(n, 0) + data)  # 0: PLAIN, a constant on the hot path

    def send(self, obj):
        # One pickler per connection, reset per frame: building a Pickler costs more than a
        # small frame's whole encoding.
        buf, p = self._out, self._pickler
        buf.seek(0)
        buf.truncate()
        buf.write(_PLAIN_KIND)
        p.full = p.descriptors = False
        p.clear_memo()
        p.dump(obj)
        if p.full:
            if not self.allow_pickle:
                raise WireError("this value needs pickle (allow_pickle is off): %s" % _codec.describe(obj))
            buf.seek(0)
            buf.write(_FULL_KIND)
        elif p.descriptors:
            buf.seek(0)
            buf.write(_DESCRIPTORS_KIND)
        payload = buf.getbuffer()  # the kind byte, then the pickle
        try:
            fds = self.pool.take_unsent_fds()
            if fds:
                # First the descriptors: the reader takes them when it reads this frame's kind
                # byte, before it decodes the body that names them.
                self.side.sendmsg([bytes((len(fds),))], [(SCM[0], SCM[1], array.array("i", fds))])
                payload[0] |= FDS
            n = len(payload)
            if n > MAX_FRAME:
                self._send_long(payload[0], payload, 1)
            elif n < 65536:
                self.sock.sendall(_HDR.pack(n) + payload)
            else:
                self.sock.sendall(_HDR.pack(n))
                self.sock.sendall(payload)
        finally:
            payload.release()
        if buf.tell() > (1 << 20):
            self._out = io.BytesIO()  # do not keep a big frame's buffer alive
            self._pickler = _Pickler(self._out, self.arrays)

    def _send_long(self, kind, data, start):
        """data[start:], a body longer than one frame, as frames of at most MAX_FRAME bytes:
        MORE in all but the last one's kind byte, FDS (when set) in the first one's only."""
        step = MAX_FRAME - 1
        view = memoryview(data)
        end = len(view)
        at = start
        while at < end:
            part = view[at:at + step]
            at += len(part)
            self.sock.sendall(_HEAD_PACK(len(part) + 1, kind | MORE if at < end else kind))
            self.sock.sendall(part)
            kind &= ~FDS

    def _fill(self):
        """Read whatever has arrived (at least one byte) after the buffered bytes."""
        buf, pos, end = self._rbuf, self._rpos, self._rend
        if pos == end:
            pos = end = self._rpos = self._rend = 0
        elif end == len(buf):
            buf[: end - pos] = buf[pos:end]
            end -= pos
            pos = self._rpos = 0
            self._rend = end
        k = self._recv_into(self._rview[end:])
        if k == 0:
            raise PeerClosed()
        self._rend = end + k

    def recv(self):
        if not self._rend:
            # The common case: nothing buffered, one read brings one whole small plain frame,
            # decoded here without decode()'s call and checks.
            k = self._recv_into(self._rview)
            if k > 5 and _HEAD_UNPACK(self._rbuf) == (k - 4, 0) and _GUARDED:  # one whole PLAIN frame
                if self._lent:  # the peer answered: our segments are free again
                    self._peer_answered()
                if _EXT_CACHE:
                    _EXT_CACHE.clear()
                try:
                    return _plain_loads(self._rview[5:k])
                except Exception as e:
                    raise _undecodable(e)
            if k == 0:
                raise PeerClosed()
            self._rend = k
        return self._recv_slow()

    def _peer_answered(self):
        """The peer decoded our last frame before it sent a value: our segments are free again.
        Those the pool closes now (over its bound, see _shm.Pool.release_all) are named to the
        peer at once, so that it unmaps them too."""
        closed = self.pool.release_all()
        if closed:
            body = struct.pack(">%dI" % len(closed), *closed)
            try:
                self._sendall(_HEAD_PACK(len(body) + 1, RETIRED) + body)
            except OSError:
                pass  # the peer is gone, and its maps with it; the value that came is still read

    def _take_fds(self):
        """Whether the descriptors sent ahead of the frame being read were on the descriptor
        channel (they are mapped now)."""
        if self.side is None:
            return False
        try:
            _data, anc, _flags, _addr = self.side.recvmsg(1, ANC)
        except (BlockingIOError, InterruptedError):
            return False
        self.peer.add_fds(fds_of(anc))
        return True

    def _recv_slow(self):
        """The next value, read frame by frame: exactly the bytes each header declares, so a
        frame refused leaves the next one in step."""
        whole = None  # a value sent as several frames (MORE): its body so far
        codec = None  # the value's codec, from its first frame
        fds_ok = True
        while True:
            while self._rend - self._rpos < 4:
                self._fill()
            n = _HDR.unpack_from(self._rbuf, self._rpos)[0]
            if n > MAX_FRAME:
                raise FrameTooLong("the peer sent a frame of %d bytes (at most %d)" % (n, MAX_FRAME))
            self._rpos += 4
            if n == 0:
                self._settle()
                raise WireError("an empty frame")
            while self._rend == self._rpos:
                self._fill()
            kind = self._rbuf[self._rpos]
            self._rpos += 1
            if kind & FDS and not self._take_fds():
                fds_ok = False
            if whole is None and not kind & MORE and n <= len(self._rbuf):
                # A small frame: its body is read into the buffer and decoded from there.
                while self._rend - self._rpos < n - 1:
                    self._fill()
                pos = self._rpos
                body = self._rview[pos:pos + n - 1]
                self._rpos = pos + n - 1
            else:
                body = whole = self._append(whole, n - 1)
            self._settle()
            if codec is None:
                codec = kind & CODEC
            elif kind & CODEC != codec:
                raise WireError("a frame of another kind inside a value sent in several frames")
            if kind & MORE:
                continue
            if codec != RETIRED:
                break
            self.peer.drop(struct.unpack(">%dI" % (len(body) // 4), body[: len(body) - len(body) % 4]))
            whole = codec = None  # a control frame: the value comes next
        if not fds_ok:  # refused after reading it whole: the next frame still starts in step
            raise WireError("a descriptor frame came without its descriptors")
        # The peer decoded our last frame before sending this value: our segments are free again.
        if self._lent:
            self._peer_answered()
        return self.decode(codec, body)

    def _settle(self):
        if self._rpos == self._rend:
            self._rpos = self._rend = 0

    def _append(self, out, n):
        """`out` (a new bytearray when None) with the stream's next n bytes appended. It grows
        only as they arrive, doubling at most, so a declared length alone reserves nothing."""
        if out is None:
            out = bytearray()
        end = len(out) + n
        pos = self._rpos
        take = min(self._rend - pos, n)
        out += self._rview[pos:pos + take]
        self._rpos = pos + take
        filled = len(out)
        while filled < end:
            if filled == len(out):
                out += bytes(min(end - filled, max(filled, _RBUF)))
            k = self._recv_into(memoryview(out)[filled:])
            if k == 0:
                raise PeerClosed()
            filled += k
        return out

    def decode(self, codec, body):
        if codec == FULL:
            if not self.allow_pickle:
                raise WireError("the peer sent a pickled object but allow_pickle is off")
        elif codec > DESCRIPTORS:
            raise WireError("bad frame kind")
        if _EXT_CACHE:
            _EXT_CACHE.clear()
        try:
            if codec == PLAIN and _GUARDED:
                return _plain_loads(body)
            f = _BytesIO(body)  # a copy: the receive buffer is reused
            if codec != FULL:
                return self._restricted(f).load()
            return _Unpickler(f, self.arrays, True).load()
        except Exception as e:
            raise _undecodable(e)

    def close(self):
        try:
            self.sock.close()
            if self.side is not None:
                self.side.close()
        finally:
            self.pool.close()
            self.peer.close()


# Whether plain frames may use the C unpickler: recv and decode are its only callers on a
# peer's bytes, so the audit hook holds those two to the allow-list (_codec).
_GUARDED = _codec.install_guard((Connection.recv.__code__, Connection.decode.__code__))
