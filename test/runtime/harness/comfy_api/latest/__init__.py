from . import _io as io
from . import _ui as ui


class ComfyExtension:
    async def on_load(self):
        pass

    async def get_node_list(self):
        raise NotImplementedError


__all__ = ["ComfyExtension", "io", "ui"]
