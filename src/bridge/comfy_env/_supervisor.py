"""The bridge's side of the control channel: one `comfy-env supervise` per ComfyUI process.

Frames: 4-byte big-endian length + msgpack. The supervisor exits and kills every worker when
its stdin closes, which the OS does for us when this process ends, however it ends.
"""
import json
import os
import struct
import subprocess
import sys
import threading

from . import _msgpack

_lock = threading.Lock()
_instance = None
_spawn_requests = 0
# Called once stop_idle() has stopped idle workers: the bridge's runtimes (_client) recheck their
# connections. A list the client fills, so that this module stays below the client.
_idle_stopped = []


class SupervisorError(RuntimeError):
    pass


def binary_command():
    """COMFY_ENV_BIN (a path or a JSON array), else what `bridge install` recorded."""
    override = os.environ.get("COMFY_ENV_BIN", "").strip()
    if override:
        return json.loads(override) if override.startswith("[") else [override]
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_binary.json")
    try:
        with open(here, "r", encoding="utf-8") as f:
            return list(json.load(f)["command"])
    except (OSError, ValueError, KeyError):
        raise SupervisorError(
            "comfy-env: cannot find the comfy-env binary (no %s); run `comfy-env bridge install --python %s`"
            % (here, sys.executable)
        )


def _binary_info(key, default):
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_binary.json")
    try:
        with open(here, "r", encoding="utf-8") as f:
            return str(json.load(f).get(key, default))
    except (OSError, ValueError):
        return default


def tool_version():
    return _binary_info("version", "dev")


def dist_version():
    """The version pip sees: the Python comfy-env API it provides, our version as local label."""
    return _binary_info("dist_version", "0.0.0+ce.dev")


class Supervisor(object):
    def __init__(self):
        cmd = binary_command() + ["supervise"]
        try:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)
        except OSError as e:
            raise SupervisorError("comfy-env: cannot start %s: %s" % (" ".join(cmd), e))
        self.next_id = 0
        self.lock = threading.Lock()

    def alive(self):
        return self.proc.poll() is None

    def close(self):
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                f.close()
            except OSError:
                pass

    def request(self, op, **fields):
        with self.lock:
            self.next_id += 1
            fields["id"] = self.next_id
            fields["op"] = op
            body = _msgpack.packb(fields)
            try:
                self.proc.stdin.write(struct.pack(">I", len(body)) + body)
                self.proc.stdin.flush()
                hdr = self._read(4)
                reply = _msgpack.unpackb(self._read(struct.unpack(">I", hdr)[0]))
            except (OSError, ValueError) as e:
                raise SupervisorError("comfy-env: the supervisor stopped answering (%s)" % e)
        if not isinstance(reply, dict) or not reply.get("ok"):
            raise SupervisorError(str(reply.get("error") if isinstance(reply, dict) else reply))
        return reply

    def _read(self, n):
        data = self.proc.stdout.read(n)
        if data is None or len(data) != n:
            raise OSError("supervisor exited (code %s)" % self.proc.poll())
        return data


def get():
    """The supervisor of this process, started on first use (a warm start never needs one)."""
    global _instance
    with _lock:
        if _instance is None or not _instance.alive():
            if _instance is not None:
                _instance.close()  # it died (killed, crashed): a new one serves from here on
            _instance = Supervisor()
            _watch_free()
        return _instance


def _watch_free():
    """ComfyUI's "Free model and node cache" (POST /free with free_memory) ends, between prompts,
    in PromptExecutor.reset() (prompt_worker in https://github.com/comfyanonymous/ComfyUI/blob/master/main.py),
    which drops the node cache; idle workers hold their nodes' models: stop them too. The next
    call starts a new worker."""
    cls = getattr(sys.modules.get("execution"), "PromptExecutor", None)
    reset = getattr(cls, "reset", None)
    if reset is None or getattr(reset, "_comfy_env", False):
        return

    def wrapped(self, *args, **kwargs):
        first = "caches" not in self.__dict__  # PromptExecutor.__init__'s own call frees nothing
        out = reset(self, *args, **kwargs)
        if not first:
            stop_idle()
        return out

    wrapped._comfy_env = True
    wrapped.__doc__ = reset.__doc__
    cls.reset = wrapped


def stop_idle():
    """Stop every worker not running a request (the supervisor replies once they are gone)."""
    sup = _instance
    if sup is None or not sup.alive():
        return
    try:
        sup.request("stop_idle")
    except SupervisorError:
        return
    for fn in _idle_stopped:
        fn()


def on_idle_stopped(fn):
    """Call fn() after each stop_idle() that stopped workers."""
    _idle_stopped.append(fn)


def spawn(**spec):
    global _spawn_requests
    _spawn_requests += 1
    return get().request("spawn", **spec)


def spawn_requests():
    """How many worker spawns this process asked for (tests check warm starts ask for none)."""
    return _spawn_requests


def started():
    return _instance is not None
