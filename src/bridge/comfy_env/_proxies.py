"""In the host: the node classes ComfyUI sees for an isolated folder. A proxy has the node's
metadata (from its worker or the cache) and runs its FUNCTION, IS_CHANGED and VALIDATE_INPUTS as
requests to the worker; a placeholder fails with why the folder cannot run.
"""
import re

from . import _discovery
from ._client import INSTANCE_ATTR as _INSTANCE
from ._protocol import CALL, IS_CHANGED, VALIDATE


def make(name, meta, runtime, folder, failure):
    """The class for node `name`; `runtime` its folder's EnvRuntime, None for a placeholder;
    failure(node), when not None, the message running it raises."""
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
        request, call = runtime.request, CALL  # locals: the hot path reads no global

        def run(self, **kwargs):  # the hot path: nothing between ComfyUI and the request
            return request(call, name, kwargs, self._comfy_env_instance)
    else:
        def run(self, **kwargs):
            _check()
            for k in strip:
                kwargs.pop(k, None)
            return runtime.request(CALL, name, kwargs, self._comfy_env_instance)

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
            return runtime.request(IS_CHANGED, name, {k: v for k, v in kwargs.items() if k not in strip})
        ns["IS_CHANGED"] = classmethod(is_changed)
    if meta.get("has_validate_inputs"):
        def validate(cls, **kwargs):
            _check()
            return runtime.request(VALIDATE, name, {k: v for k, v in kwargs.items() if k not in strip})
        ns["VALIDATE_INPUTS"] = classmethod(validate)
    return type(str(name), (object,), ns)


def stub(pack_dir, folder, msg, state):
    """One placeholder node for a folder whose nodes are unknown; running it raises `msg`."""
    label = _discovery.label(pack_dir, folder)

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


def placeholders(pack_dir, folder, meta, failure, state, classes, display):
    """Nodes that fail when run with failure(node): the folder's nodes where they are known
    (an earlier read), else one stub."""
    nodes = (meta or {}).get("nodes") or {}
    for name, m in nodes.items():
        classes[name] = make(name, m, None, folder, failure)
    if nodes:
        display.update(meta.get("display") or {})
        return
    name, cls, disp = stub(pack_dir, folder, failure(None), state)
    classes[name] = cls
    display[name] = disp
