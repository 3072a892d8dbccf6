"""How a value becomes a frame's body and back: the pickler and its allow-list, the audit-hook
guard on the C unpickler, and arrays swapped for shared-memory descriptors. Frames: _connection.

Body: a pickle (protocol 5), by codec (the frame's kind byte names it):
  PLAIN 0        plain data: builtins only, no descriptors. Decoded by the C `pickle.loads`, held
                 to the allow-list by an audit hook (below), so a peer can never make it import or
                 call anything else.
  DESCRIPTORS 2  plain data with array descriptors: a restricted Unpickler whose find_class admits
                 only the allow-list and whose persistent_load maps the descriptors.
  FULL 1         the declared fallback for other objects: a full pickle, accepted only when
                 allow_pickle is on (COMFY_ENV_ALLOW_PICKLE=0 turns it off), and only on a
                 connection that already proved it holds the worker's secret.
Why the full-pickle fallback stays on by default: values between nodes are often objects of the
packs' own classes (a mesh, a model wrapper, a PIL preview), which only pickle carries. The only
senders of such a frame are the two authenticated ends, and both already run the pack's code
(the worker its nodes, ComfyUI its __init__.py), so the fallback gives a pack nothing it lacks;
what came in as data (a prompt, a file's bytes) can never become a frame (see _connection).
numpy arrays and torch CPU tensors never go into the pickle: persistent_id swaps them for a
small descriptor of a shared-memory segment (see _shm), or inline bytes when they are small.
Why pickle and not a pure-Python msgpack: the C pickler is ~10x faster for the small messages of
the hot path (bench/runtime.ts measures the whole call against a raw echo).

Why an audit hook: pickle.loads takes no find_class, and a restricted Unpickler built per frame
costs three times the decode itself (bench/instructions.ts). The C unpickler raises the
"pickle.find_class" audit event before it resolves any global (GLOBAL, STACK_GLOBAL, INST, EXT),
and without a global a pickle can only build builtins containers and atoms. The hook refuses a
name off the allow-list when the Python frame that called loads is one of the plain decoders
named to install_guard(); everyone else's unpickling in the process is left alone. If the hook
cannot be installed, or a probe shows it does not hold, plain frames use the restricted
Unpickler instead.
"""
import copyreg
import io
import os
import pickle
import sys

from . import _shm

PLAIN = 0
FULL = 1
DESCRIPTORS = 2
_SAFE_BUILTINS = frozenset(("set", "frozenset", "bytearray", "complex", "slice", "range"))
_SAFE_TYPES = (set, frozenset, bytearray, complex, slice, range)


def allow_pickle_default():
    return os.environ.get("COMFY_ENV_ALLOW_PICKLE", "1").strip().lower() not in ("0", "false", "no", "off")


class WireError(Exception):
    """The peer sent something this side refuses (bad frame, forbidden type)."""


def _numpy():
    return sys.modules.get("numpy")


def _torch():
    return sys.modules.get("torch")


class Arrays(object):
    """One connection's arrays as descriptors: its own in segments of `pool` (or inline bytes
    when small, or when `inline`: no way to pass a segment), the peer's mapped through `peer`."""

    def __init__(self, pool, peer, inline):
        self.pool = pool
        self.peer = peer
        self.inline = inline

    def put(self, arr):
        shape = tuple(int(d) for d in arr.shape)
        dt = arr.dtype.str
        n = arr.nbytes
        if n < _shm.INLINE_LIMIT or self.inline:
            np = _numpy()
            return (dt, shape, None, None, 0, 0, np.ascontiguousarray(arr).tobytes())
        seg = self.pool.acquire(n)
        np = _numpy()
        dst = np.frombuffer(seg.mm, dtype=arr.dtype, count=arr.size).reshape(shape)
        np.copyto(dst, arr, casting="no")
        del dst
        return (dt, shape, seg.sid, seg.tag, seg.size, 0, None)

    def get(self, d):
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


class Pickler(pickle.Pickler):
    """After dump(): `full` when the value needs FULL, `descriptors` when it holds arrays."""

    def __init__(self, f, arrays):
        pickle.Pickler.__init__(self, f, protocol=5)
        self.arrays = arrays
        self.full = False
        self.descriptors = False

    def persistent_id(self, obj):
        np = _numpy()
        t = type(obj)
        if np is not None and t is np.ndarray and not obj.dtype.hasobject:
            self.descriptors = True
            return ("nd",) + self.arrays.put(obj)
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
            return ("pt", name, dev) + self.arrays.put(x.numpy())
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


class Unpickler(pickle.Unpickler):
    def __init__(self, f, arrays, full):
        pickle.Unpickler.__init__(self, f)
        self.arrays = arrays
        self.full = full

    def find_class(self, module, name):
        if self.full or _admitted(module, name):
            return pickle.Unpickler.find_class(self, module, name)
        raise _refuse(module, name)

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or not pid:
            raise WireError("bad descriptor")
        if pid[0] == "nd":
            return self.arrays.get(pid[1:])
        if pid[0] == "pt" and len(pid) > 3:
            arr = self.arrays.get(pid[3:])
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


def restricted(arrays):
    """The Unpickler class for one connection's PLAIN and DESCRIPTORS frames, `arrays` bound."""

    class _Restricted(Unpickler):
        # The C constructor only: building one per frame must stay cheap. find_class and
        # persistent_load are Unpickler's, with full off.
        __init__ = pickle.Unpickler.__init__

    _Restricted.arrays = arrays
    _Restricted.full = False
    return _Restricted


class _NoArrays(object):
    def put(self, arr):
        raise WireError("arrays are not plain data here")


def encode_plain(obj):
    """obj as a PLAIN body, or None when it needs FULL; arrays raise WireError (no segments)."""
    buf = io.BytesIO()
    p = Pickler(buf, _NoArrays())
    p.dump(obj)
    return None if p.full else buf.getvalue()


def decode_plain(data):
    """A PLAIN body, held to the allow-list by the restricted Unpickler."""
    return Unpickler(io.BytesIO(data), None, False).load()


try:
    from _pickle import loads as plain_loads  # the C unpickler: its find_class raises the audit event
except ImportError:
    plain_loads = None
# The C unpickler resolves an EXT opcode from this cache without any find_class: the decoders
# empty it first (it is empty unless some code registered a copyreg extension and unpickled it).
EXT_CACHE = copyreg._extension_cache
# The frames whose calls to plain_loads the hook holds to the allow-list.
_decoders = frozenset()


def _plain_guard(event, args):
    if event == "pickle.find_class" and sys._getframe(1).f_code in _decoders:
        module, name = args
        if not _admitted(module, name):
            raise _refuse(module, name)


def _probe(data):
    return plain_loads(data)


def install_guard(decoders):
    """Whether the functions whose code objects are `decoders` may call plain_loads on a peer's
    bytes: the hook is in and refuses a global. Called once per process (by _connection)."""
    global _decoders
    if plain_loads is None or not hasattr(sys, "addaudithook"):
        return False
    _decoders = frozenset(tuple(decoders) + (_probe.__code__,))
    try:
        sys.addaudithook(_plain_guard)
        _probe(pickle.dumps(os.getpid))
    except WireError:
        return True
    except Exception:
        pass
    return False


def undecodable(e):
    return e if isinstance(e, WireError) else WireError("undecodable frame: %s: %s" % (type(e).__name__, e))


def describe(obj):
    t = type(obj)
    return "%s.%s" % (t.__module__, t.__qualname__)
