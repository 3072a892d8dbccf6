"""In a worker (and `comfy-env test-pack`): the folder's nodes. Its module is imported once, as
the worker's spec names it; its classes are its NODE_CLASS_MAPPINGS or, as ComfyUI does for V3
packs, the nodes its comfy_entrypoint() lists; metadata() describes them for the bridge, find()
names one for a request.
"""
import asyncio
import enum
import importlib.util
import inspect
import os
import sys
import threading

from . import _prompt_server

NODE_ATTRS = (
    "RETURN_TYPES", "RETURN_NAMES", "FUNCTION", "CATEGORY", "OUTPUT_NODE", "INPUT_IS_LIST",
    "OUTPUT_IS_LIST", "DESCRIPTION", "OUTPUT_TOOLTIPS", "DEPRECATED", "EXPERIMENTAL",
    "SEARCH_ALIASES", "API_NODE", "NOT_IDEMPOTENT", "DEV_ONLY",
)
# The folder: {"node_dir": its path, "module": the name it is imported under}, set by the worker
# (use) before the first request.
folder = {}
_module_lock = threading.Lock()
_module = None


def use(node_dir, module):
    """The folder whose nodes this process serves, and the module name it is imported under."""
    folder.update(node_dir=node_dir, module=module)


def _load_module():
    global _module
    with _module_lock:
        if _module is not None:
            return _module
        node_dir = folder["node_dir"]
        name = folder["module"]
        init = os.path.join(node_dir, "__init__.py")
        spec = importlib.util.spec_from_file_location(name, init, submodule_search_locations=[node_dir])
        if spec is None or spec.loader is None:
            raise ImportError("cannot import %s" % init)
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        try:
            spec.loader.exec_module(mod)
        except BaseException:
            del sys.modules[name]
            raise
        _module = mod
        return mod


classes = {}  # node name (or older alias) -> class; filled by find() on first use
_found = None
# ComfyUI V3 nodes (comfy_api's io.ComfyNode) among the classes -> (their hidden inputs as
# input name -> ComfyUI's kind, e.g. "unique_id" -> "UNIQUE_ID"; whether PREPARE_CLASS_CLONE
# takes V3Data, as newer ComfyUI's does, rather than the hidden dict itself).
v3 = {}


def _mappings():
    """(classes, display names) of the folder: its NODE_CLASS_MAPPINGS, else, as ComfyUI does,
    the nodes its comfy_entrypoint() extension lists (V3)."""
    global _found
    if _found is None:
        mod = _load_module()
        classes = getattr(mod, "NODE_CLASS_MAPPINGS", None) or {}
        display = getattr(mod, "NODE_DISPLAY_NAME_MAPPINGS", None) or {}
        if not classes and callable(getattr(mod, "comfy_entrypoint", None)):
            classes, display = _entrypoint_nodes(mod.comfy_entrypoint)
        for cls in classes.values():
            if isinstance(cls, type) and hasattr(cls, "define_schema") and hasattr(cls, "PREPARE_CLASS_CLONE"):
                hidden = cls.INPUT_TYPES().get("hidden") or {}
                params = list(inspect.signature(cls.PREPARE_CLASS_CLONE).parameters)
                # V3 lists hidden kinds as 1-tuples; ComfyUI fills a V1 class's (our proxy's) by name.
                v3[cls] = ({k: (v[0] if isinstance(v, tuple) else v) for k, v in hidden.items()}, params[:1] == ["v3_data"])
        _found = classes, display
    return _found


def _entrypoint_nodes(entrypoint):
    async def collect():
        ext = await _maybe_await(entrypoint())
        if callable(getattr(ext, "on_load", None)):
            await _maybe_await(ext.on_load())
        return await _maybe_await(ext.get_node_list())

    classes, display = {}, {}
    for cls in asyncio.run(collect()) or []:
        schema = cls.GET_SCHEMA()
        classes[schema.node_id] = cls
        if getattr(schema, "display_name", None):
            display[schema.node_id] = schema.display_name
    return classes, display


async def _maybe_await(v):
    return await v if inspect.isawaitable(v) else v


def _plain(v):
    """V3 input specs as ComfyUI's JSON shows them: enums by value."""
    if isinstance(v, enum.Enum):
        return _plain(v.value)
    if isinstance(v, dict):
        return {_plain(k): _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return type(v)(_plain(x) for x in v)
    return v


def _own(cls, name):
    """Whether a V3 node defines an optional hook itself (comfy_api's base only raises)."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return not (klass.__module__ or "").startswith("comfy_api")
    return False


def metadata():
    """The folder's nodes as the bridge builds proxies from them (_proxies.make), its display
    names, this Python's version and the web routes its modules declared (not served)."""
    found, display = _mappings()
    nodes = {}
    for name, cls in found.items():
        attrs = {}
        for a in NODE_ATTRS:
            if hasattr(cls, a):
                attrs[a] = getattr(cls, a)
        hidden = v3.get(cls)
        if hidden is None:
            nodes[name] = {
                "input_types": cls.INPUT_TYPES(),
                "attrs": attrs,
                "has_is_changed": hasattr(cls, "IS_CHANGED"),
                "has_validate_inputs": hasattr(cls, "VALIDATE_INPUTS"),
            }
            continue
        input_types = _plain(cls.INPUT_TYPES())
        if hidden[0]:
            input_types["hidden"] = dict(hidden[0])
        nodes[name] = {
            "input_types": input_types,
            "attrs": _plain(attrs),
            "has_is_changed": _own(cls, "fingerprint_inputs"),
            "has_validate_inputs": _own(cls, "validate_inputs"),
            "v3": True,
        }
    recorded = _prompt_server.PromptServer.instance.routes.recorded
    routes = list(recorded) if sys.modules.get("server") is _prompt_server else []
    return {"nodes": nodes, "display": dict(display), "python": list(sys.version_info[:3]), "routes": routes}


def find(class_name):
    """The class of node `class_name`; KeyError when the folder has none."""
    known = classes
    if not known:
        known.update(_mappings()[0])  # a copy: lookups by alias are cached in it
    cls = known.get(class_name)
    if cls is None and "\0" in class_name:
        # The older wrap_* forms: "<mapping key>\0<class name>".
        key, name = class_name.split("\0", 1)
        cls = known.get(key) or next((c for c in known.values() if getattr(c, "__name__", None) == name), None)
        if cls is not None:
            known[class_name] = cls
        class_name = key
    if cls is None:
        raise KeyError("no node %r in %s" % (class_name, folder["node_dir"]))
    return cls
