"""In a worker: the request being served, and callback(), which asks the host something (progress,
vram, send_sync) over that request's connection while the node runs.

The worker fills the slot; node-facing code (_prompt_server, _memory, request_vram_budget) calls
back through it without importing the worker. Requests run one at a time, so one slot is enough,
and a node's own threads can report progress through it too.
"""
import threading

from . import _protocol
from ._connection import PeerClosed

# [(connection, call id)] while a request runs, else [None]: a list, so that the worker's hot
# path sets it with one item store rather than a module attribute's.
slot = [None]
_lock = threading.Lock()


def callback(name, *args):
    """The host's answer to `name`(*args); None outside a request (no host to ask)."""
    current = slot[0]
    if current is None:
        return None
    conn, call_id = current
    with _lock:
        try:
            conn.send(_protocol.callback(call_id, name, args))
            while True:
                msg = conn.recv()
                if _protocol.answers(msg, call_id):
                    break
        except OSError as e:  # the host is gone: not the node's error (see _worker._dispatch)
            raise PeerClosed(str(e))
    _, _, answered, value = msg
    if answered:
        return value
    raise RuntimeError("host refused %s: %s" % (name, value))
