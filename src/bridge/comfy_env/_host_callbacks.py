"""In the host: what a worker's node may ask of ComfyUI while it runs (_protocol.callback), by
name: progress bars, freeing VRAM, PromptServer.send_sync to the browser, emptying the cache.
"""
import sys


def progress(value, total, preview=None):
    """A step of a node's ProgressBar (with its preview image, when it has one)."""
    try:
        import comfy.utils as cu
    except Exception:
        return None
    bar = cu.ProgressBar(total)
    bar.update_absolute(value, total, preview)
    return None


def vram(total_size, model_info=None):
    """Free `total_size` bytes of VRAM in ComfyUI (request_vram_budget, a worker's free_memory)."""
    try:
        import comfy.model_management as mm
    except Exception:
        return {"freed": False}
    device = mm.get_torch_device()
    mm.free_memory(total_size, device)
    return {"freed": True, "free_memory": mm.get_free_memory(device)}


def send_sync(event, data, sid=None):
    """A node's PromptServer.instance.send_sync in its worker: to the browser through ComfyUI."""
    server = getattr(sys.modules.get("server"), "PromptServer", None)
    instance = getattr(server, "instance", None)
    if instance is not None:
        instance.send_sync(event, data, sid)
    return None


def empty_cache():
    """A worker's soft_empty_cache(): the host gives back its cached memory first (_memory)."""
    mm = sys.modules.get("comfy.model_management")
    if mm is not None and hasattr(mm, "soft_empty_cache"):
        mm.soft_empty_cache()
    return None


CALLBACKS = {"progress": progress, "vram": vram, "send_sync": send_sync, "empty_cache": empty_cache}
