"""ComfyUI's settings as the host has them, taken in the host and applied in the worker.

A worker imports ComfyUI's own comfy.cli_args and folder_paths from ComfyUI's folder, but its
command line is not ComfyUI's: real ComfyUI parses arguments only after
comfy.options.enable_args_parsing() (main.py), so a worker's `args` would hold the defaults, and
its folder_paths would miss --output-directory and the folders that extra_model_paths.yaml and
other packs added. The bridge sends what the host holds (`snapshot`) on every new connection and
again before the next request once it changed (`folders_key` is the cheap part to compare); the
worker copies it onto those modules as they are imported and whenever a newer one arrives.
See https://github.com/comfyanonymous/ComfyUI/blob/master/comfy/options.py and folder_paths.py.
"""
import enum
import functools
import sys

_DIRS = ("base_path", "models_dir", "output_directory", "temp_directory", "input_directory", "user_directory")


class _Skip(Exception):
    pass


def _encode(v):
    """A value of ComfyUI's args as plain data (enums by class and value); _Skip if it is none."""
    if isinstance(v, enum.Enum):
        return {"enum": [type(v).__module__, type(v).__qualname__, _encode(v.value)]}
    if v is None or isinstance(v, (bool, int, float, str)):
        return {"v": v}
    if isinstance(v, (set, frozenset)):
        return {"set": [_encode(x) for x in v]}
    if isinstance(v, (list, tuple)):
        return {"list": [_encode(x) for x in v], "tuple": isinstance(v, tuple)}
    raise _Skip()


def _decode(d):
    if "v" in d:
        return d["v"]
    if "set" in d:
        return {_decode(x) for x in d["set"]}
    if "list" in d:
        items = [_decode(x) for x in d["list"]]
        return tuple(items) if d.get("tuple") else items
    module, qualname, value = d["enum"]
    cls = sys.modules.get(module)
    for part in qualname.split("."):
        cls = getattr(cls, part, None)
    if not (isinstance(cls, type) and issubclass(cls, enum.Enum)):
        raise _Skip()
    return cls(_decode(value))


# ------------------------------------------------------------------ host

def _folders(fp):
    folders = {}
    # list(): one C call under the GIL, so the watchdog's thread may read while ComfyUI's writes.
    for name, entry in list(getattr(fp, "folder_names_and_paths", {}).items()):
        try:
            paths, exts = entry
            folders[str(name)] = ([str(p) for p in paths], set(exts) if isinstance(exts, (set, frozenset)) else [str(e) for e in exts])
        except (TypeError, ValueError):
            continue  # not ComfyUI's (paths, extensions): nothing a worker could use
    return folders


def folders_key():
    """What the host's folder_paths holds now, to compare with what a worker was sent."""
    fp = sys.modules.get("folder_paths")
    if fp is None:
        return None
    return tuple(getattr(fp, d, None) for d in _DIRS), _folders(fp)


def snapshot():
    """The host's parsed comfy.cli_args.args and folder_paths state, as plain data."""
    args = {}
    cli = sys.modules.get("comfy.cli_args")
    # A host without comfy.cli_args (a script, not ComfyUI's main.py) sends no flags.
    for k, v in getattr(getattr(cli, "args", None), "__dict__", {}).items():
        try:
            args[k] = _encode(v)
        except _Skip:
            pass
    key = folders_key()
    state = {"args": args if cli is not None else None, "folders": None}
    if key is not None:
        state["folders"] = {"dirs": dict(zip(_DIRS, key[0])), "paths": key[1]}
    return state


_SETTERS = ("add_model_folder_path", "set_output_directory", "set_temp_directory", "set_input_directory", "set_user_directory")


def watch(changed):
    """Call changed() after each of the host's folder_paths setters, so that a folder added
    while workers run reaches them before their next request (the bridge's watchdog notices
    other changes, such as a pack writing into folder_names_and_paths itself, within a tick)."""
    fp = sys.modules.get("folder_paths")
    for name in _SETTERS:
        fn = getattr(fp, name, None)
        if callable(fn) and not getattr(fn, "_comfy_env_watched", False):
            setattr(fp, name, _then(fn, changed))


def _then(fn, changed):
    @functools.wraps(fn)
    def setter(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        finally:
            changed()

    setter._comfy_env_watched = True
    return setter


# ------------------------------------------------------------------ worker

_state = {"args": None, "folders": None}


def apply(state):
    """A snapshot from the host: onto the modules imported already, and kept for later ones."""
    _state.update(state)
    for name, fn in (("comfy.cli_args", _apply_args), ("folder_paths", _apply_folders)):
        mod = sys.modules.get(name)
        if mod is not None:
            fn(mod)


def _apply_args(mod):
    args = getattr(mod, "args", None)
    if args is None or not _state["args"]:
        return
    for k, v in _state["args"].items():
        try:
            setattr(args, k, _decode(v))  # in place: `from comfy.cli_args import args` sees it
        except (_Skip, ValueError, TypeError):
            pass


def _apply_folders(fp):
    folders = _state["folders"]
    if not folders:
        return
    for d, value in folders["dirs"].items():
        if value is not None:
            setattr(fp, d, value)
    table = getattr(fp, "folder_names_and_paths", None)
    if isinstance(table, dict):
        table.clear()  # in place: modules holding the dict see the host's
        table.update({k: (list(paths), exts) for k, (paths, exts) in folders["paths"].items()})
    cache = getattr(fp, "filename_list_cache", None)
    if isinstance(cache, dict):
        cache.clear()


def install():
    """In the worker, before any ComfyUI module is imported."""
    from . import _after_import

    _after_import.register("comfy.cli_args", _apply_args)
    _after_import.register("folder_paths", _apply_folders)

