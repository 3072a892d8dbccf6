"""hello-pack: the smallest node pack with its own environment.

With comfy-env's bridge installed, register_nodes() runs the nodes under nodes/ inside the
environment built from nodes/comfy-env.toml. Without it, ComfyUI imports them directly.
"""
try:
    from comfy_env import register_nodes

    NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS = register_nodes()
except ImportError:
    from .nodes import NODE_CLASS_MAPPINGS, NODE_DISPLAY_NAME_MAPPINGS

__all__ = ["NODE_CLASS_MAPPINGS", "NODE_DISPLAY_NAME_MAPPINGS"]
