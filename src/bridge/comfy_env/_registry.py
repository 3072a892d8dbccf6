"""register_nodes(): in-process nodes for folders without a config, proxies for folders with one
(which folders, which environment: _discovery). A folder without a built environment still
registers its nodes, from the metadata cache or as one stub, and they raise a clear error when run.

Metadata cache: `<folder>/.comfy-env-nodes.cache`, keyed by the folder's .py paths, mtimes and
sizes, the env's Python and the tool version; a warm start builds proxies without a worker. A
folder whose nodes failed to import in their worker is cached the same way, with the reason: its
placeholder nodes say it again on the next start, without a worker.
"""
import hashlib
import importlib
import importlib.util
import os
import re
import sys

from . import _client, _codec, _discovery, _failures, _host_state, _imports, _supervisor

_INSTANCE = _client.INSTANCE_ATTR

CACHE_FILE = ".comfy-env-nodes.cache"
CACHE_FORMAT = "2"


def _warn(msg):
    sys.stderr.write("[comfy-env] %s\n" % msg)


# ------------------------------------------------------------------ metadata cache

def _py_files_key(folder):
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


def _env_key(env):
    """The env as the cache sees it: its Python (a rebuilt env is a new folder)."""
    real = os.path.realpath(_discovery.env_python(env))
    try:
        return "%s:%d" % (real, os.stat(real).st_mtime_ns)
    except OSError:
        return real


def read_cache(folder):
    try:
        with open(os.path.join(folder, CACHE_FILE), "rb") as f:
            data = _codec.decode_plain(f.read())
        return data if isinstance(data, dict) and data.get("format") == CACHE_FORMAT else None
    except Exception:
        return None


def write_cache(folder, files_key, env_key, meta, failed=None):
    """`failed`: why the nodes did not import (then `meta` holds the nodes of an earlier read, if any)."""
    doc = {"format": CACHE_FORMAT, "files": files_key, "python": env_key, "tool": _supervisor.tool_version(), "meta": meta,
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


# ------------------------------------------------------------------ host callbacks

def _progress(value, total, preview=None):
    try:
        import comfy.utils as cu
    except Exception:
        return None
    bar = cu.ProgressBar(total)
    bar.update_absolute(value, total, preview)
    return None


def _vram(total_size, model_info=None):
    try:
        import comfy.model_management as mm
    except Exception:
        return {"freed": False}
    device = mm.get_torch_device()
    mm.free_memory(total_size, device)
    return {"freed": True, "free_memory": mm.get_free_memory(device)}


def _send_sync(event, data, sid=None):
    """A node's PromptServer.instance.send_sync in its worker: to the browser through ComfyUI."""
    server = getattr(sys.modules.get("server"), "PromptServer", None)
    instance = getattr(server, "instance", None)
    if instance is not None:
        instance.send_sync(event, data, sid)
    return None


def _empty_cache():
    """A worker's soft_empty_cache(): the host gives back its cached memory first (_memory)."""
    mm = sys.modules.get("comfy.model_management")
    if mm is not None and hasattr(mm, "soft_empty_cache"):
        mm.soft_empty_cache()
    return None


HOST_CALLBACKS = {"progress": _progress, "vram": _vram, "send_sync": _send_sync, "empty_cache": _empty_cache}


# ------------------------------------------------------------------ proxies

def _label(pack_dir, folder):
    return "%s/%s" % (os.path.basename(pack_dir), os.path.relpath(folder, pack_dir).replace(os.sep, "/"))


def _not_built_message(pack_dir, folder, node):
    who = "node %s" % node if node else _label(pack_dir, folder)
    return ("comfy-env: %s needs the environment of %s, which is not built. Run: comfy-env install %s"
            % (who, folder, pack_dir))


def _make_proxy(name, meta, runtime, folder, failure):
    attrs = dict(meta.get("attrs") or {})
    input_types = meta.get("input_types") or {"required": {}}
    fn_name = attrs.get("FUNCTION") or "execute"
    hidden = (input_types.get("hidden") or {}) if isinstance(input_types, dict) else {}
    # Hidden inputs travel to the node (UNIQUE_ID, PROMPT, EXTRA_PNGINFO are plain data), but for
    # DYNPROMPT: a live object of ComfyUI's executor that has no meaning in another process.
    strip = {k for k, kind in hidden.items() if kind == "DYNPROMPT"}

    def _check():
        if failure is not None:
            raise RuntimeError(failure(name))

    if failure is None and not strip:
        request = runtime.request

        def run(self, **kwargs):  # the hot path: nothing between ComfyUI and the request
            return request("call", name, kwargs, self._comfy_env_instance)
    else:
        def run(self, **kwargs):
            _check()
            for k in strip:
                kwargs.pop(k, None)
            return runtime.request("call", name, kwargs, self._comfy_env_instance)

    ns = dict(attrs)
    if runtime is not None:
        def __init__(self):  # ComfyUI makes one per node in the graph: so does the worker
            runtime.track(self)
        ns["__init__"] = __init__
    ns.update({
        "INPUT_TYPES": classmethod(lambda cls: input_types),
        fn_name: run,
        _INSTANCE: 0,  # untracked: a new worker-side object per call
        "_comfy_env_isolated": True,
        "_comfy_env_class": name,
        "_comfy_env_folder": folder,
        "__module__": "comfy_env.proxies",
    })
    if meta.get("has_is_changed"):
        def is_changed(cls, **kwargs):
            _check()
            return runtime.request("is_changed", name, {k: v for k, v in kwargs.items() if k not in strip})
        ns["IS_CHANGED"] = classmethod(is_changed)
    if meta.get("has_validate_inputs"):
        def validate(cls, **kwargs):
            _check()
            return runtime.request("validate", name, {k: v for k, v in kwargs.items() if k not in strip})
        ns["VALIDATE_INPUTS"] = classmethod(validate)
    return type(str(name), (object,), ns)


def _stub(pack_dir, folder, msg, state):
    """One placeholder node for a folder whose nodes are unknown; running it raises `msg`."""
    label = _label(pack_dir, folder)

    def run(self, **kwargs):
        raise RuntimeError(msg)

    name = "ComfyEnvUnavailable_" + re.sub(r"\W+", "_", label)
    cls = type(name, (object,), {
        "INPUT_TYPES": classmethod(lambda cls: {"required": {}}),
        "RETURN_TYPES": (), "FUNCTION": "run", "CATEGORY": "comfy-env", "OUTPUT_NODE": True,
        "DESCRIPTION": msg, "run": run, "_comfy_env_isolated": True,
        "__module__": "comfy_env.proxies",
    })
    return name, cls, "%s (%s)" % (label, state)


def _module_name(pack_dir, folder):
    return "_comfy_env_%s__%s" % (re.sub(r"\W", "_", os.path.basename(pack_dir)),
                                  re.sub(r"\W", "_", os.path.relpath(folder, pack_dir)))


def _placeholders(pack_dir, folder, meta, failure, state, classes, display):
    """Nodes that fail when run with failure(node): the folder's nodes where they are known
    (an earlier read), else one stub."""
    nodes = (meta or {}).get("nodes") or {}
    for name, m in nodes.items():
        classes[name] = _make_proxy(name, m, None, folder, failure)
    if nodes:
        display.update(meta.get("display") or {})
        return
    name, cls, disp = _stub(pack_dir, folder, failure(None), state)
    classes[name] = cls
    display[name] = disp


def _import_failure(label, e, log):
    """Why the folder's nodes did not import (e: the meta request's WorkerError), in words."""
    lines = _failures.log_tail(log, None)
    if e.exit is not None:
        why = "its worker died while importing them: %s" % _failures.describe_exit(e.exit)
        where = _failures.crash_module(lines)
        if where:
            why += ", in %s line %d" % where
    else:
        tb = _failures.meaningful((e.remote_traceback or str(e)).splitlines())
        why = "%s\n%s" % (tb[-1] if tb else str(e), "\n".join(tb[-8:-1]))
    tail = lines[-_failures.TAIL_LINES:]
    if tail:
        why += "\nLast lines of the worker's stderr (%s):\n%s" % (log, "\n".join(tail))
    return "comfy-env: the nodes of %s failed to import in their worker: %s" % (label, why)


def _isolated(pack_dir, folder, classes, display):
    label = _label(pack_dir, folder)
    env = _discovery.find_env(folder)
    files_key = _py_files_key(folder)
    cache = read_cache(folder)
    fresh = cache is not None and cache.get("files") == files_key and cache.get("tool") == _supervisor.tool_version()
    if env is None:
        _warn("%s: environment not built; its nodes fail until you run: comfy-env install %s" % (label, pack_dir))
        known = cache["meta"] if fresh and not cache.get("failed") else None
        return _placeholders(pack_dir, folder, known, lambda node: _not_built_message(pack_dir, folder, node),
                             "environment not built", classes, display)
    runtime = runtime_for(pack_dir, folder, env)
    env_key = _env_key(env)
    if fresh and cache.get("python") == env_key:
        meta, failed = cache["meta"], cache.get("failed")
    else:
        meta, failed = _read_metadata(runtime, label, cache)
        if meta is None:
            return _placeholders(pack_dir, folder, None, lambda node: failed, "worker failed", classes, display)
        write_cache(folder, files_key, env_key, meta, failed)
    if failed:
        _warn(failed)
        return _placeholders(pack_dir, folder, meta, lambda node: failed, "failed to import", classes, display)
    if meta.get("routes"):
        _warn("%s: its web routes (%s) exist only in its worker; ComfyUI does not serve them"
              % (label, ", ".join(meta["routes"])))
    for name, m in meta["nodes"].items():
        classes[name] = _make_proxy(name, m, runtime, folder, None)
    display.update(meta.get("display") or {})


def _read_metadata(runtime, label, cache):
    """(meta, failed) from a worker, which is then stopped unless a call waits for it. An
    import failure comes back as `failed`, with the nodes of the last good read as meta; a
    failure of the machinery (no supervisor, no worker) as (None, why): not cached."""
    try:
        return runtime.request("meta", None, {}), None
    except _client.WorkerError as e:
        if e.exit is None and e.remote_traceback is None:
            _warn("%s: cannot read its nodes from the worker: %s" % (label, e))
            return None, "comfy-env: %s: its worker failed to load the nodes (%s)" % (label, e)
        old = (cache or {}).get("meta") or {"nodes": {}, "display": {}}
        return old, _import_failure(label, e, (runtime.handle or {}).get("log") or e.log)
    finally:
        runtime.stop_unless_waited()


_runtimes = {}


def runtime_for(pack_dir, folder, env):
    """The one EnvRuntime of an isolated folder in this process (register_nodes and the older
    wrap_* forms share it). [env_vars] come from the folder's config: the supervisor reads it."""
    rt = _runtimes.get(folder)
    if rt is None:
        base = _discovery.comfyui_dir(pack_dir)
        # Started through the build folder's real path, not the _env_ link: on Windows a path
        # through the junction is longer (MAX_PATH) and some tools resolve it wrongly.
        real = os.path.realpath(env)
        spec = {
            "key": folder, "label": _label(pack_dir, folder), "python": _discovery.env_python(real), "env_dir": real,
            "cwd": pack_dir, "node_dir": folder, "module": _module_name(pack_dir, folder),
            "sys_path": [p for p in (base,) if p], "env_vars": {},
        }
        rt = _runtimes[folder] = _client.EnvRuntime(spec, spec["label"], HOST_CALLBACKS)
        _host_state.watch(_client.recheck)
    return rt


# ------------------------------------------------------------------ older call forms

def _source_file(cls):
    mod = sys.modules.get(getattr(cls, "__module__", None) or "")
    f = getattr(mod, "__file__", None)
    return os.path.realpath(f) if f else None


def wrap_classes(pack_dir, folder, mappings, only_inside):
    """Make each node class of `mappings` run its FUNCTION in `folder`'s worker (the older
    forms imported the classes in the host first). The worker finds a class by its mapping
    key in the folder's NODE_CLASS_MAPPINGS, or by class name. Returns how many it wrapped."""
    if os.environ.get("COMFYUI_ISOLATION_WORKER") == "1":
        return 0
    if not os.path.isfile(os.path.join(folder, "__init__.py")):
        raise RuntimeError(
            "comfy-env: %s has a comfy-env.toml but no __init__.py, so its worker cannot import its nodes; "
            "move the nodes into nodes/<name>/ with the config and call register_nodes()" % folder)
    env = _discovery.find_env(folder)
    if env is None:
        _warn("%s: environment not built; its nodes run in ComfyUI's Python until you run: comfy-env install %s"
              % (_label(pack_dir, folder), pack_dir))
        return 0
    runtime = runtime_for(pack_dir, folder, env)
    n = 0
    for key, cls in mappings.items():
        fn_name = getattr(cls, "FUNCTION", None)
        if not isinstance(fn_name, str) or getattr(cls, "_comfy_env_isolated", False):
            continue
        src = _source_file(cls)
        if only_inside and (src is None or not _imports.inside(src, folder)):
            continue
        setattr(cls, fn_name, _wrapped_run(runtime, "%s\0%s" % (key, cls.__name__)))
        cls._comfy_env_isolated = True
        cls._comfy_env_folder = folder
        n += 1
    return n


def _wrapped_run(runtime, target):
    request, track = runtime.request, runtime.track

    def run(self, **kwargs):
        return request("call", target, kwargs, getattr(self, _INSTANCE, 0) or track(self))

    return run


def _in_process(pack_dir, folder, caller_pkg, classes, display):
    rel = os.path.relpath(folder, pack_dir).replace(os.sep, ".")
    if caller_pkg:
        mod = importlib.import_module("%s.%s" % (caller_pkg, rel))
    else:
        name = _module_name(pack_dir, folder)
        spec = importlib.util.spec_from_file_location(name, os.path.join(folder, "__init__.py"), submodule_search_locations=[folder])
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    classes.update(getattr(mod, "NODE_CLASS_MAPPINGS", {}) or {})
    display.update(getattr(mod, "NODE_DISPLAY_NAME_MAPPINGS", {}) or {})


def register(pack_dir, caller_pkg, nodes_package="nodes"):
    classes, display = {}, {}
    isolate = os.environ.get("COMFYUI_ISOLATION_WORKER") != "1"
    for folder, iso in _discovery.discover(pack_dir, nodes_package):
        if iso and isolate:
            _isolated(pack_dir, folder, classes, display)
        else:
            _in_process(pack_dir, folder, caller_pkg, classes, display)
    return classes, display
