"""comfy_env: the bridge between ComfyUI and the comfy-env binary (stdlib only, Python 3.9+).

Node packs keep their code unchanged:
    from comfy_env import register_nodes
    NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS = register_nodes()
Installed into ComfyUI's Python by `comfy-env bridge install --python <python>`.
"""
import os
import shutil
import subprocess
import sys

from . import _contract

__all__ = [
    "register_nodes", "install", "setup_env", "copy_files", "request_vram_budget", "WorkerError", "USE_COMFY_ENV_VAR",
    "wrap_nodes", "wrap_isolated_nodes", "enable_isolation", "setup_isolated_imports",
]

USE_COMFY_ENV_VAR = "COMFY_ENV_ISOLATE"


def _caller(depth=2):
    f = sys._getframe(depth)
    return f.f_globals.get("__file__"), f.f_globals.get("__name__"), f.f_globals.get("__package__")


def _caller_dir(depth=3):
    file, _, _ = _caller(depth)
    if not file:
        raise RuntimeError("comfy_env: call this from a node pack's module (no __file__ in the caller)")
    return os.path.dirname(os.path.abspath(file))


def register_nodes(nodes_package="nodes"):
    """(NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS) for the calling pack."""
    from . import _registry

    file, name, package = _caller()
    if not file:
        raise RuntimeError("comfy_env.register_nodes: call it from a pack's __init__.py")
    pack_dir = os.path.dirname(os.path.abspath(file))
    # The caller is the pack's package (__init__.py): its __name__ names the package.
    pkg = name if os.path.basename(file) == "__init__.py" and name and name != "__main__" else None
    return _registry.register(pack_dir, pkg, nodes_package)


# ---------------------------------------------------------------- older call forms
# They imported the node classes in ComfyUI's Python first, then rerouted each class's FUNCTION
# to the worker of the folder whose comfy-env.toml covers it; so do these, over the same
# workers as register_nodes (which keeps the nodes' imports out of ComfyUI's Python).

def wrap_nodes():
    """Older form: `from .nodes import NODE_CLASS_MAPPINGS` then `wrap_nodes()`. Runs each class
    of the caller's NODE_CLASS_MAPPINGS that lives under a folder with a comfy-env.toml in that
    folder's worker."""
    f = sys._getframe(1)
    file = f.f_globals.get("__file__")
    mappings = f.f_globals.get("NODE_CLASS_MAPPINGS")
    if not file or not isinstance(mappings, dict):
        raise RuntimeError("comfy_env.wrap_nodes: call it from a pack's __init__.py after NODE_CLASS_MAPPINGS is set "
                           "(or use: NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS = register_nodes())")
    _wrap_under(os.path.dirname(os.path.abspath(file)), mappings)


def enable_isolation(node_class_mappings):
    """Older form: `enable_isolation(NODE_CLASS_MAPPINGS)` from a pack's __init__.py, with the
    pack's comfy-env.toml at its root or in a subfolder. Same as wrap_nodes for these classes."""
    _wrap_under(_caller_dir(), node_class_mappings)
    return node_class_mappings


def wrap_isolated_nodes(node_class_mappings, nodes_dir):
    """Older form: run every class of `node_class_mappings` in the worker of `nodes_dir` (a
    folder with a comfy-env.toml and an __init__.py exporting the same NODE_CLASS_MAPPINGS)."""
    from . import _discovery, _registry

    folder = os.path.realpath(str(nodes_dir))
    if not os.path.isfile(os.path.join(folder, _discovery.CONFIG)):
        _registry._warn("%s has no comfy-env.toml; its nodes run in ComfyUI's Python" % folder)
        return node_class_mappings
    _registry.wrap_classes(_pack_of(folder), folder, node_class_mappings, only_inside=False)
    _release_stubs()
    return node_class_mappings


def setup_isolated_imports(init_file):
    """Older form, called from a pack's __init__.py before it imports its nodes: imports of
    packages that only the pack's environments have succeed in ComfyUI's Python with stubs
    (see _imports), since the nodes then run in their worker. Returns the stubbed module names,
    a list that grows as the pack imports them."""
    if _contract.in_worker():
        return []  # the worker has the real packages
    from . import _imports

    return _imports.setup(os.path.realpath(os.path.dirname(os.path.abspath(str(init_file)))))


def _pack_of(folder):
    d = folder
    while os.path.basename(os.path.dirname(d)) != "custom_nodes" and os.path.dirname(d) != d:
        d = os.path.dirname(d)
    return d if os.path.dirname(d) != d else os.path.dirname(folder)


def _wrap_under(pack_dir, mappings):
    from . import _discovery, _registry

    pack_dir = os.path.realpath(pack_dir)
    for folder in _discovery.config_folders(pack_dir):
        _registry.wrap_classes(pack_dir, folder, mappings, only_inside=True)
    _release_stubs()


def _release_stubs():
    imports = sys.modules.get("comfy_env._imports")
    if imports is not None:
        imports.release()


def install(node_dir=None, *args, **kwargs):
    """Build the calling pack's environments with the comfy-env binary (install.py uses this)."""
    from . import _supervisor

    pack = os.path.abspath(node_dir) if node_dir else _caller_dir()
    cmd = _supervisor.binary_command() + ["install", pack]
    print("[comfy-env] %s" % " ".join(cmd), flush=True)
    rc = subprocess.call(cmd)
    if rc != 0:
        raise RuntimeError("comfy-env install %s failed (exit code %d); see the messages above" % (pack, rc))
    return True


def setup_env(node_dir=None):
    """Prestartup: say which isolated folders the pack has and whether their envs are built."""
    from . import _discovery

    try:
        import faulthandler

        faulthandler.enable()
    except Exception:
        pass
    pack = os.path.abspath(node_dir) if node_dir else _caller_dir()
    name = os.path.basename(pack)
    folders = [f for f, iso in _discovery.discover(pack) if iso]
    if not folders:
        print("[comfy-env] %s: no isolation envs" % name)
    else:
        print("[comfy-env] %s: %d isolation env(s):" % (name, len(folders)))
        for f in folders:
            env = _discovery.find_env(f)
            print("[comfy-env]   %s -> %s" % (os.path.relpath(f, pack), env or "-"))
            print("[comfy-env]     env: %s  %s" % (env or "-", "[OK]" if env else "[MISSING -- run: comfy-env install %s]" % pack))
    print("[comfy-env] prestartup complete")


def copy_files(src, dst, pattern="*", overwrite=False):
    """Copy files matching `pattern` from `src` to `dst`; relative paths start at the caller's
    folder; a `dst` starting with input/output/temp/user goes to that ComfyUI folder."""
    import fnmatch

    base = _caller_dir()
    src = src if os.path.isabs(src) else os.path.join(base, src)
    if not os.path.isabs(dst):
        first = dst.replace("\\", "/").split("/", 1)
        if first[0] in ("input", "output", "temp", "user"):
            root = _comfy_folder(first[0], base)
            dst = os.path.join(root, first[1]) if len(first) > 1 else root
        else:
            dst = os.path.join(base, dst)
    if not os.path.isdir(src):
        return 0
    n = 0
    for root, _dirs, files in os.walk(src):
        for f in files:
            if not fnmatch.fnmatch(f, pattern):
                continue
            s = os.path.join(root, f)
            d = os.path.join(dst, os.path.relpath(s, src))
            if os.path.exists(d) and not overwrite:
                continue
            os.makedirs(os.path.dirname(d), exist_ok=True)
            shutil.copy2(s, d)
            n += 1
    return n


def _comfy_folder(kind, base):
    fp = sys.modules.get("folder_paths")
    getter = getattr(fp, "get_%s_directory" % kind, None) if fp else None
    if getter:
        return getter()
    from . import _discovery

    d = base
    while os.path.dirname(d) != d:
        comfy = _discovery.comfyui_dir(d)
        if comfy:
            return os.path.join(comfy, kind)
        d = os.path.dirname(d)
    return os.path.join(base, kind)


def request_vram_budget(total_size, model_info=None):
    """Ask ComfyUI to free `total_size` bytes of VRAM; from a worker this goes to the host."""
    if _contract.in_worker():
        from . import _current_call

        return _current_call.callback("vram", total_size, model_info)
    from . import _host_callbacks

    return _host_callbacks.vram(total_size, model_info)


def __getattr__(name):
    if name == "__version__":
        from ._supervisor import dist_version

        return dist_version()
    if name == "WorkerError":
        from ._client import WorkerError

        return WorkerError
    raise AttributeError(name)
