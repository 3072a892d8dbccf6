import safetensors  # noqa: F401  (as ComfyUI's comfy_api.latest, through its _util and _io)

from . import _io as io
from . import _ui as ui


class ComfyExtension:
    async def on_load(self):
        pass

    async def get_node_list(self):
        raise NotImplementedError


__all__ = ["ComfyExtension", "io", "ui"]
