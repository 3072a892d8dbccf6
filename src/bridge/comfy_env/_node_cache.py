"""The bridge's cache of an isolated folder's node metadata: `<folder>/.comfy-env-nodes.cache`,
keyed by the folder's .py paths, mtimes and sizes, the env's Python and the tool version, so that
a warm start builds proxies without a worker. A folder whose nodes failed to import in their
worker is cached the same way, with the reason: its placeholders say it again, without a worker.
Written as plain data (_codec), read back under the allow-list.
"""
import hashlib
import os

from . import _codec, _discovery, _supervisor

CACHE_FILE = ".comfy-env-nodes.cache"
CACHE_FORMAT = "2"


def files_key(folder):
    """The folder's .py files as the cache sees them: paths, mtimes and sizes."""
    h = hashlib.sha256()
    entries = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_env_")) and d != "__pycache__")
        for f in files:
            if f.endswith(".py"):
                p = os.path.join(root, f)
                st = os.stat(p)
                entries.append("%s:%d:%d" % (os.path.relpath(p, folder).replace(os.sep, "/"), st.st_mtime_ns, st.st_size))
    for e in sorted(entries):
        h.update(e.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()[:24]


def env_key(env):
    """The env as the cache sees it: its Python (a rebuilt env is a new folder)."""
    real = os.path.realpath(_discovery.env_python(env))
    try:
        return "%s:%d" % (real, os.stat(real).st_mtime_ns)
    except OSError:
        return real


def read(folder):
    """The folder's cache document, or None (none, unreadable, or of another format)."""
    try:
        with open(os.path.join(folder, CACHE_FILE), "rb") as f:
            data = _codec.decode_plain(f.read())
        return data if isinstance(data, dict) and data.get("format") == CACHE_FORMAT else None
    except Exception:
        return None


def write(folder, files, env, meta, failed=None):
    """`failed`: why the nodes did not import (then `meta` holds the nodes of an earlier read, if any)."""
    doc = {"format": CACHE_FORMAT, "files": files, "python": env, "tool": _supervisor.tool_version(), "meta": meta,
           "failed": failed}
    try:
        data = _codec.encode_plain(doc)
    except Exception:
        data = None
    if data is None:
        return  # metadata that needs pickle is fetched from the worker each start
    tmp = os.path.join(folder, "%s.%d.tmp" % (CACHE_FILE, os.getpid()))
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, os.path.join(folder, CACHE_FILE))
    except OSError:
        pass
