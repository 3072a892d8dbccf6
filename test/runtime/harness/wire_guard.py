"""Plain frames through the audit-hook guard (_codec) of _connection's decoders: python wire_guard.py <dir holding comfy_env>.

Prints one JSON line: whether the guard is in, what round-trips, which forbidden-global routes
are refused (for the guarded C decoder, and again for the restricted Unpickler it falls back
to), and whether unpickling elsewhere in the process is left alone.
"""
import copyreg
import json
import os
import pickle
import socket
import struct
import sys

sys.path.insert(0, sys.argv[1])
from comfy_env import _codec, _connection  # noqa: E402


class Evil(object):
    def __reduce__(self):
        return (os.getpid, ())


mod, name = os.getpid.__module__, os.getpid.__name__
FORBIDDEN = {
    "stack_global": pickle.dumps(Evil(), protocol=5),
    "global": pickle.dumps(Evil(), protocol=0),
    "inst": ("(i%s\n%s\n." % (mod, name)).encode(),
    "ext": b"\x80\x02\x82\xf0.",
}
copyreg.add_extension(mod, name, 240)  # after the pickles above, which would use it
VALUE = ({1}, frozenset([2]), bytearray(b"x"), 1j, slice(1, 2), range(3), {"k": [1.5, None, True, b"b", "s"]}, ())

a, b = socket.socketpair()
sender, receiver = _connection.Connection(a, allow_pickle=False), _connection.Connection(b, allow_pickle=False)


def run():
    sender.send(VALUE)
    got = {"roundtrip": receiver.recv() == VALUE, "refused": {}}
    for route, body in sorted(FORBIDDEN.items()):
        a.sendall(struct.pack(">IB", len(body) + 1, 0) + body)
        try:
            got["refused"][route] = "ran %r" % (receiver.recv(),)
        except _codec.WireError as e:
            got["refused"][route] = "refused to load %s.%s" % (mod, name) in str(e)
    return got


# Unpickling elsewhere in the process is left alone; it also leaves getpid in copyreg's extension
# cache, which the C unpickler consults before any find_class.
out = {"guarded": _connection._GUARDED, "elsewhere": [pickle.loads(FORBIDDEN["stack_global"]) == os.getpid(),
                                               pickle.loads(FORBIDDEN["ext"]) is os.getpid]}
out["fast"] = run()
_connection._GUARDED = False  # as where the hook cannot be installed: the restricted Unpickler decodes
out["fallback"] = run()
print(json.dumps(out))
