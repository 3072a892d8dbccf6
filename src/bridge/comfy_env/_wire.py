"""Frames and the hot-path codec between the bridge and a worker (both Python, stdlib only).

Frame: a 4-byte big-endian length L, then L bytes: one kind byte and the body. Every L is a
length and nothing else, at most MAX_FRAME on every send path; a receiver reads exactly L bytes
or, for an L over MAX_FRAME, closes the connection, and it allocates a frame's buffer as the
bytes arrive, so a declared length reserves nothing. A value whose encoding is longer than
MAX_FRAME goes as several frames, each but the last with MORE in its kind byte, so no byte of a
value can ever be read as a header.
Kind byte: the codec in its low six bits, MORE, and FDS, which says that new shared-memory
descriptors came with this frame: they travel (SCM_RIGHTS) on a second socket, the descriptor
channel the client hands the worker with its secret, sent before the frame. So the data socket
is read with plain recv_into, which costs less than recvmsg.
Body: a pickle (protocol 5), by codec:
  0  plain data: builtins only, no descriptors. Decoded by the C `pickle.loads`, held to the
     allow-list by an audit hook (below), so a peer can never make it import or call anything
     else.
  2  plain data with array descriptors: a restricted Unpickler whose find_class admits only the
     allow-list and whose persistent_load maps the descriptors.
  1  the declared fallback for other objects: a full pickle, accepted only when allow_pickle is
     on (COMFY_ENV_ALLOW_PICKLE=0 turns it off), and only on a connection that already proved it
     holds the worker's secret.
  3  control, no value: the sender closed the segments whose ids (4 bytes each) the body lists
     (see _shm.Pool.release_all), so the receiver unmaps them too.
Why the full-pickle fallback stays on by default: values between nodes are often objects of the
packs' own classes (a mesh, a model wrapper, a PIL preview), which only pickle carries. The only
senders of such a frame are the two authenticated ends, and both already run the pack's code
(the worker its nodes, ComfyUI its __init__.py), so the fallback gives a pack nothing it lacks;
what came in as data (a prompt, a file's bytes) can no longer become a frame, see above.
numpy arrays and torch CPU tensors never go into the pickle: persistent_id swaps them for a
small descriptor of a shared-memory segment (see _shm), or inline bytes when they are small.
Why pickle and not a pure-Python msgpack: the C pickler is ~10x faster for the small messages of
the hot path (bench/runtime.ts measures the whole call against a raw echo).

Why an audit hook: pickle.loads takes no find_class, and a restricted Unpickler built per frame
costs three times the decode itself (bench/instructions.ts). The C unpickler raises the
"pickle.find_class" audit event before it resolves any global (GLOBAL, STACK_GLOBAL, INST, EXT),
and without a global a pickle can only build builtins containers and atoms. The hook refuses a
name off the allow-list when the Python frame that called loads is one of this module's plain
decoders (_PLAIN_DECODERS); everyone else's unpickling in the process is left alone. If the hook
cannot be installed, or a probe shows it does not hold, plain frames use the restricted
Unpickler instead.
"""
import array
import copyreg
import io
import os
import pickle
import socket
import struct
import sys
import time

from . import _shm

# What the frames above mean. The worker runs the binary's copy of this package and the host
# the bridge's: a bridge left behind by `self-update` must fail clearly, not misread frames.
# Protocol 3 moved the descriptor flag from the length's top bit, where a 2 GiB value could
# pass for a header, into the kind byte. A plain frame, as the hello is, reads the same in both.
PROTOCOL = 3
MAX_FRAME = (1 << 31) - 1  # the most a frame's length may say (tests set a small one)
CODEC = 0x3F  # the kind byte's codec bits (see above; codecs over 3 are refused)
RETIRED = 3
MORE = 0x40
FDS = 0x80
_HDR = struct.Struct(">I")
_HEAD = struct.Struct(">IB")  # a header and the frame's kind byte, in one (un)pack
_HEAD_PACK = _HEAD.pack
_HEAD_UNPACK = _HEAD.unpack_from
_dumps = pickle.dumps
_BytesIO = io.BytesIO
_SAFE_BUILTINS = frozenset(("set", "frozenset", "bytearray", "complex", "slice", "range"))
_SAFE_TYPES = (set, frozenset, bytearray, complex, slice, range)


def allow_pickle_default():
    return os.environ.get("COMFY_ENV_ALLOW_PICKLE", "1").strip().lower() not in ("0", "false", "no", "off")


class WireError(Exception):
    """The peer sent something this side refuses (bad frame, forbidden type)."""


class PeerClosed(Exception):
    """The connection ended."""


class FrameTooLong(PeerClosed):
    """The peer declared a frame longer than MAX_FRAME. Nothing after it can be read in step, so
    the connection ends, as if the peer had closed it."""


def _numpy():
    return sys.modules.get("numpy")


def _torch():
    return sys.modules.get("torch")


class _Pickler(pickle.Pickler):
    def __init__(self, f, conn):
        pickle.Pickler.__init__(self, f, protocol=5)
        self.conn = conn
        self.full = False
        self.descriptors = False

    def persistent_id(self, obj):
        np = _numpy()
        t = type(obj)
        if np is not None and t is np.ndarray and not obj.dtype.hasobject:
            self.descriptors = True
            return ("nd",) + self.conn._put_array(obj)
        torch = _torch()
        if torch is not None and isinstance(obj, torch.Tensor) and not obj.is_sparse:
            dev = str(obj.device)
            x = obj.detach()
            if x.device.type != "cpu":
                x = x.cpu()
            name = str(x.dtype).replace("torch.", "")
            if x.dtype == torch.bfloat16:
                x = x.view(torch.int16)
            self.descriptors = True
            return ("pt", name, dev) + self.conn._put_array(x.numpy())
        return None

    def reducer_override(self, obj):
        # A safe type's reduce pickles its class too (a global the allow-list admits).
        t = type(obj)
        if t not in _SAFE_TYPES and not (t is type and obj in _SAFE_TYPES):
            self.full = True
        return NotImplemented


def _admitted(module, name):
    """The allow-list of plain frames: builtins containers that carry no code."""
    return module == "builtins" and name in _SAFE_BUILTINS


def _refuse(module, name):
    return WireError("refused to load %s.%s from the peer (not on the allow-list)" % (module, name))


class _Unpickler(pickle.Unpickler):
    def __init__(self, f, conn, full):
        pickle.Unpickler.__init__(self, f)
        self.conn = conn
        self.full = full

    def find_class(self, module, name):
        if self.full or _admitted(module, name):
            return pickle.Unpickler.find_class(self, module, name)
        raise _refuse(module, name)

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid:
            raise WireError("bad descriptor")
        if pid[0] == "nd":
            return self.conn._get_array(pid[1:])
        if pid[0] == "pt" and len(pid) > 3:
            arr = self.conn._get_array(pid[3:])
            torch = _torch()
            if torch is None:
                try:
                    import torch  # noqa: F811
                except ImportError:
                    return arr  # a side without torch gets the numpy array
            t = torch.from_numpy(arr)
            if pid[1] == "bfloat16":
                t = t.view(torch.bfloat16)
            dev = pid[2]
            if isinstance(dev, str) and dev != "cpu":
                try:
                    t = t.to(dev)
                except Exception:
                    pass  # no such device on this side: keep it on the CPU
            return t
        raise WireError("unknown descriptor %r" % (pid[0],))


_ATOMS = frozenset((str, int, float, bool, type(None), bytes))
_SCM = (socket.SOL_SOCKET, socket.SCM_RIGHTS) if hasattr(socket, "SCM_RIGHTS") else None
_ANC = socket.CMSG_SPACE(64 * 4) if hasattr(socket, "CMSG_SPACE") else 0
_RBUF = 1 << 16


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
        self.allow_pickle = allow_pickle_default() if allow_pickle is None else allow_pickle
        self.pool = _shm.Pool()
        self.peer = _shm.PeerMaps()
        self._sendall = sock.sendall
        self._recv_into = sock.recv_into
        self._out = io.BytesIO()
        self._pickler = _Pickler(self._out, self)
        self._rbuf = bytearray(_RBUF)
        self._rview = memoryview(self._rbuf)
        # Buffered bytes are _rbuf[_rpos:_rend]; both are 0 whenever nothing is buffered.
        self._rpos = 0
        self._rend = 0
        self._lent = self.pool.lent
        conn = self

        class _Restricted(_Unpickler):
            # The C constructor only: building one per frame must stay cheap. find_class and
            # persistent_load are _Unpickler's, with full off.
            __init__ = pickle.Unpickler.__init__

        _Restricted.conn = conn
        _Restricted.full = False
        self._restricted = _Restricted

    # -- arrays
    def _put_array(self, arr):
        shape = tuple(int(d) for d in arr.shape)
        dt = arr.dtype.str
        n = arr.nbytes
        if n < _shm.INLINE_LIMIT or self.side is None and not _shm.WINDOWS:
            np = _numpy()
            return (dt, shape, None, None, 0, 0, np.ascontiguousarray(arr).tobytes())
        seg = self.pool.acquire(n)
        np = _numpy()
        dst = np.frombuffer(seg.mm, dtype=arr.dtype, count=arr.size).reshape(shape)
        np.copyto(dst, arr, casting="no")
        del dst
        return (dt, shape, seg.sid, seg.tag, seg.size, 0, None)

    def _get_array(self, d):
        np = _numpy()
        if np is None:
            try:
                import numpy as np  # noqa: F811
            except ImportError:
                raise WireError("an array arrived but numpy is not installed in this Python (%s)" % sys.executable)
        if len(d) != 7:
            raise WireError("bad array descriptor")
        dt, shape, sid, tag, size, offset, raw = d
        dtype = np.dtype(dt)
        if dtype.hasobject or not isinstance(shape, tuple) or not all(isinstance(x, int) and x >= 0 for x in shape):
            raise WireError("bad array descriptor")
        count = 1
        for x in shape:
            count *= x
        nbytes = count * dtype.itemsize
        if raw is not None:
            if not isinstance(raw, bytes) or len(raw) != nbytes:
                raise WireError("bad inline array")
            return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()
        mm = self.peer.get(sid, tag, size)
        if not isinstance(offset, int) or offset < 0 or offset + nbytes > len(mm):
            raise WireError("array descriptor outside its segment")
        return np.frombuffer(mm, dtype=dtype, count=count, offset=offset).reshape(shape).copy()

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
            return self._send_long(0, data, 0)
        self._sendall(_HEAD_PACK(n, 0) + data)

    def send(self, obj):
        # One pickler per connection, reset per frame: building a Pickler costs more than a
        # small frame's whole encoding.
        buf, p = self._out, self._pickler
        buf.seek(0)
        buf.truncate()
        buf.write(b"\x00")
        p.full = p.descriptors = False
        p.clear_memo()
        p.dump(obj)
        if p.full:
            if not self.allow_pickle:
                raise WireError("this value needs pickle (allow_pickle is off): %s" % _describe(obj))
            buf.seek(0)
            buf.write(b"\x01")
        elif p.descriptors:
            buf.seek(0)
            buf.write(b"\x02")
        payload = buf.getbuffer()  # the kind byte, then the pickle
        try:
            fds = self.pool.take_unsent_fds()
            if fds:
                # First the descriptors: the reader takes them when it reads this frame's kind
                # byte, before it decodes the body that names them.
                self.side.sendmsg([bytes((len(fds),))], [(_SCM[0], _SCM[1], array.array("i", fds))])
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
            self._pickler = _Pickler(self._out, self)

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
            if k > 5 and _HEAD_UNPACK(self._rbuf) == (k - 4, 0) and _GUARDED:
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
            _data, anc, _flags, _addr = self.side.recvmsg(1, _ANC)
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
        if codec == 1:
            if not self.allow_pickle:
                raise WireError("the peer sent a pickled object but allow_pickle is off")
        elif codec > 2:
            raise WireError("bad frame kind")
        if _EXT_CACHE:
            _EXT_CACHE.clear()
        try:
            if codec == 0 and _GUARDED:
                return _plain_loads(body)
            f = _BytesIO(body)  # a copy: the receive buffer is reused
            if codec != 1:
                return self._restricted(f).load()
            return _Unpickler(f, self, True).load()
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


try:
    from _pickle import loads as _plain_loads  # the C unpickler: its find_class raises the audit event
except ImportError:
    _plain_loads = None
# The frames whose calls to _plain_loads the hook holds to the allow-list.
_PLAIN_DECODERS = frozenset()
# The C unpickler resolves an EXT opcode from this cache without any find_class: the decoders
# empty it first (it is empty unless some code registered a copyreg extension and unpickled it).
_EXT_CACHE = copyreg._extension_cache


def _plain_guard(event, args):
    if event == "pickle.find_class" and sys._getframe(1).f_code in _PLAIN_DECODERS:
        module, name = args
        if not _admitted(module, name):
            raise _refuse(module, name)


def _probe(data):
    return _plain_loads(data)


def _install_plain_guard():
    """Whether plain frames may use _plain_loads: the hook is in and refuses a global."""
    global _PLAIN_DECODERS
    if _plain_loads is None or not hasattr(sys, "addaudithook"):
        return False
    _PLAIN_DECODERS = frozenset((Connection.recv.__code__, Connection.decode.__code__, _probe.__code__))
    try:
        sys.addaudithook(_plain_guard)
        _probe(pickle.dumps(os.getpid))
    except WireError:
        return True
    except Exception:
        pass
    return False


_GUARDED = _install_plain_guard()


def _undecodable(e):
    return e if isinstance(e, WireError) else WireError("undecodable frame: %s: %s" % (type(e).__name__, e))


def _describe(obj):
    t = type(obj)
    return "%s.%s" % (t.__module__, t.__qualname__)


def fds_of(anc):
    """The descriptors in recvmsg's ancillary data."""
    fds = array.array("i")
    for level, kind, data in anc:
        if level == _SCM[0] and kind == _SCM[1]:
            fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
    return list(fds)


def send_raw(sock, payload, fds=()):
    """A length-prefixed frame; on a Unix socket `fds` ride along (SCM_RIGHTS)."""
    frame = _HDR.pack(len(payload)) + payload
    if not fds:
        sock.sendall(frame)
        return
    sent = sock.sendmsg([frame], [(_SCM[0], _SCM[1], array.array("i", fds))])
    if sent < len(frame):
        sock.sendall(frame[sent:])


def recv_raw(sock, limit, fds=None, deadline=None):
    """A length-prefixed frame of at most `limit` bytes, or None (too long, closed, or not whole
    by `deadline`, a time.monotonic() value). With a list as `fds`, the descriptors that came
    with it are appended there (Unix sockets)."""
    hdr = _recv_exact(sock, 4, fds, deadline)
    if hdr is None:
        return None
    n = _HDR.unpack(hdr)[0]
    if n > limit:
        return None
    return _recv_exact(sock, n, fds, deadline)


def _recv_exact(sock, n, fds, deadline):
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        if deadline is not None:
            # The whole read's time is bounded, not each recv's: a peer trickling a byte now
            # and then would otherwise hold this thread for good.
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            sock.settimeout(left)
        try:
            if fds is None:
                k = sock.recv_into(view[got:], n - got)
            else:
                k, anc, _flags, _addr = sock.recvmsg_into([view[got:n]], _ANC)
                fds.extend(fds_of(anc))
        except socket.timeout:
            return None
        if k == 0:
            return None
        got += k
    return bytes(buf)
