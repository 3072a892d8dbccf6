"""What bench.py and instructions.py share: the raw echo baseline and loading MixedPack the way
ComfyUI loads a pack."""
import importlib.util
import os
import socket
import struct
import sys
import tempfile
import time


class RawEcho(object):
    """A forked Python echo server with the bridge's framing (4-byte big-endian length)."""

    def __init__(self):
        path = os.path.join(tempfile.mkdtemp(), "echo.sock")
        srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        srv.bind(path)
        srv.listen(1)
        self.pid = os.fork()
        if self.pid == 0:
            c, _ = srv.accept()
            hdr = bytearray(4)
            while c.recv_into(hdr, 4, socket.MSG_WAITALL) == 4:
                body = c.recv(struct.unpack(">I", hdr)[0], socket.MSG_WAITALL)
                c.sendall(struct.pack(">I", len(body)) + body)
            os._exit(0)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)

    def run(self, n, times=None):
        """n round trips of a 41-byte payload; each one's seconds go to `times` when given."""
        c = self.sock
        payload = b"\x00" + b"x" * 40
        hdr = bytearray(4)
        for _ in range(n):
            t0 = time.perf_counter() if times is not None else 0
            c.sendall(struct.pack(">I", len(payload)) + payload)
            c.recv_into(hdr, 4, socket.MSG_WAITALL)
            c.recv(struct.unpack(">I", hdr)[0], socket.MSG_WAITALL)
            if times is not None:
                times.append(time.perf_counter() - t0)

    def close(self):
        self.sock.close()
        os.waitpid(self.pid, 0)


def load_mixed_pack(comfy):
    """MixedPack's NODE_CLASS_MAPPINGS, imported as ComfyUI imports a custom node pack."""
    if comfy not in sys.path:
        sys.path.insert(0, comfy)
    d = os.path.join(comfy, "custom_nodes", "MixedPack")
    spec = importlib.util.spec_from_file_location("MixedPack", os.path.join(d, "__init__.py"), submodule_search_locations=[d])
    mod = importlib.util.module_from_spec(spec)
    sys.modules["MixedPack"] = mod
    spec.loader.exec_module(mod)
    return mod.NODE_CLASS_MAPPINGS
