"""In a worker: ComfyUI's memory calls make the host free its own models first.

The host and its workers share the GPU, and the host's models are what the worker's
comfy.model_management knows nothing about. So once a node imports it, the worker's
free_memory(...) first asks the host to free as much (the same "vram" callback as
request_vram_budget), and soft_empty_cache() first has the host empty its cache, then each does
its own work in the worker. Outside a node call there is no host to ask: they run as they are.
"""
import functools

from . import _current_call


def _host_first(callback, name, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            callback(*name(args, kwargs))
        except RuntimeError:  # the host refused (callback): the worker still frees its own
            pass
        return fn(*args, **kwargs)

    wrapper._comfy_env_host_first = True
    return wrapper


def _free_memory_request(args, kwargs):
    required = args[0] if args else kwargs.get("memory_required", 0)
    return "vram", required, None


def patch(mm):
    """Wrap comfy.model_management's free_memory and soft_empty_cache (module attributes, so
    ComfyUI's own calls inside the module take the wrapped ones too)."""
    for attr, request in (("free_memory", _free_memory_request), ("soft_empty_cache", lambda a, k: ("empty_cache",))):
        fn = getattr(mm, attr, None)
        if callable(fn) and not getattr(fn, "_comfy_env_host_first", False):
            setattr(mm, attr, _host_first(_current_call.callback, request, fn))


def install():
    from . import _after_import

    _after_import.register("comfy.model_management", patch)
