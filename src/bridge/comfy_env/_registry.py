"""register_nodes() and the older wrap_* forms: a pack's nodes as ComfyUI gets them. A folder
without a config is imported in-process; an isolated one gets proxies (_proxies) over its
worker's runtime, from the metadata cache (_node_cache) or its worker. Which folders, which
environment: _discovery. A folder without a built environment, or whose nodes fail to import in
their worker, still registers its nodes, and they raise a clear error when run.
"""
import importlib
import importlib.util
import os
import sys

from . import _client, _contract, _discovery, _failures, _host_callbacks, _host_state, _imports, _node_cache, _proxies, _supervisor, _watchdog
from ._protocol import CALL, META

_INSTANCE = _client.INSTANCE_ATTR


def _warn(msg):
    sys.stderr.write("[comfy-env] %s\n" % msg)


def _not_built_message(pack_dir, folder, node):
    who = "node %s" % node if node else _discovery.label(pack_dir, folder)
    return ("comfy-env: %s needs the environment of %s, which is not built. Run: comfy-env install %s"
            % (who, folder, pack_dir))


def _import_failure(label, e, log):
    """Why the folder's nodes did not import (e: the meta request's WorkerError), in words."""
    if e.exit is not None:
        lines = _failures.log_tail(log, None)
        why = "its worker died while importing them: %s" % _failures.describe_exit(e.exit)
        where = _failures.crash_module(lines)
        if where:
            why += ", in %s line %d" % where
    else:
        lines = _failures.log_tail_after_import(log)
        tb = _failures.meaningful((e.remote_traceback or str(e)).splitlines())
        why = "%s\n%s" % (tb[-1] if tb else str(e), "\n".join(tb[-8:-1]))
    tail = lines[-_failures.TAIL_LINES:]
    if tail:
        why += "\nLast lines of the worker's stderr (%s):\n%s" % (log, "\n".join(tail))
    return "comfy-env: the nodes of %s failed to import in their worker: %s" % (label, why)


def _isolated(pack_dir, folder, classes, display):
    label = _discovery.label(pack_dir, folder)
    env = _discovery.find_env(folder)
    files_key = _node_cache.files_key(folder)
    cache = _node_cache.read(folder)
    fresh = cache is not None and cache.get("files") == files_key and cache.get("tool") == _supervisor.tool_version()
    if env is None:
        _warn("%s: environment not built; its nodes fail until you run: comfy-env install %s" % (label, pack_dir))
        known = cache["meta"] if fresh and not cache.get("failed") else None
        return _proxies.placeholders(pack_dir, folder, known, lambda node: _not_built_message(pack_dir, folder, node),
                                     "environment not built", classes, display)
    runtime = runtime_for(pack_dir, folder, env)
    env_key = _node_cache.env_key(env)
    if fresh and cache.get("python") == env_key:
        meta, failed = cache["meta"], cache.get("failed")
    else:
        meta, failed = _read_metadata(runtime, label, cache)
        if meta is None:
            return _proxies.placeholders(pack_dir, folder, None, lambda node: failed, "worker failed", classes, display)
        _node_cache.write(folder, files_key, env_key, meta, failed)
    if failed:
        _warn(failed)
        return _proxies.placeholders(pack_dir, folder, meta, lambda node: failed, "failed to import", classes, display)
    if meta.get("routes"):
        _warn("%s: its web routes (%s) exist only in its worker; ComfyUI does not serve them"
              % (label, ", ".join(meta["routes"])))
    for name, m in meta["nodes"].items():
        classes[name] = _proxies.make(name, m, runtime, folder, None)
    display.update(meta.get("display") or {})


def _read_metadata(runtime, label, cache):
    """(meta, failed) from a worker, which is then stopped unless a call waits for it. An
    import failure comes back as `failed`, with the nodes of the last good read as meta; a
    failure of the machinery (no supervisor, no worker) as (None, why): not cached."""
    try:
        return runtime.request(META, None, {}), None
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
            "key": folder, "label": _discovery.label(pack_dir, folder), "python": _discovery.env_python(real), "env_dir": real,
            "cwd": pack_dir, "node_dir": folder, "module": _discovery.module_name(pack_dir, folder),
            "sys_path": [p for p in (base,) if p], "env_vars": {},
        }
        rt = _runtimes[folder] = _client.EnvRuntime(spec, spec["label"], _host_callbacks.CALLBACKS)
        _host_state.watch(_watchdog.recheck)
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
    if _contract.in_worker():
        return 0
    if not os.path.isfile(os.path.join(folder, "__init__.py")):
        raise RuntimeError(
            "comfy-env: %s has a comfy-env.toml but no __init__.py, so its worker cannot import its nodes; "
            "move the nodes into nodes/<name>/ with the config and call register_nodes()" % folder)
    env = _discovery.find_env(folder)
    if env is None:
        _warn("%s: environment not built; its nodes run in ComfyUI's Python until you run: comfy-env install %s"
              % (_discovery.label(pack_dir, folder), pack_dir))
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
    request, track, call = runtime.request, runtime.track, CALL

    def run(self, **kwargs):
        return request(call, target, kwargs, getattr(self, _INSTANCE, 0) or track(self))

    return run


def _in_process(pack_dir, folder, caller_pkg, classes, display):
    rel = os.path.relpath(folder, pack_dir).replace(os.sep, ".")
    if caller_pkg:
        mod = importlib.import_module("%s.%s" % (caller_pkg, rel))
    else:
        name = _discovery.module_name(pack_dir, folder)
        spec = importlib.util.spec_from_file_location(name, os.path.join(folder, "__init__.py"), submodule_search_locations=[folder])
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    classes.update(getattr(mod, "NODE_CLASS_MAPPINGS", {}) or {})
    display.update(getattr(mod, "NODE_DISPLAY_NAME_MAPPINGS", {}) or {})


def register(pack_dir, caller_pkg, nodes_package="nodes"):
    classes, display = {}, {}
    isolate = not _contract.in_worker()
    for folder, iso in _discovery.discover(pack_dir, nodes_package):
        if iso and isolate:
            _isolated(pack_dir, folder, classes, display)
        else:
            _in_process(pack_dir, folder, caller_pkg, classes, display)
    return classes, display
