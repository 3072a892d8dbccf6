"""Stand-in for ComfyUI's execution.py: the PromptExecutor whose reset() drops the node cache.

As in ComfyUI, __init__ calls reset() once, and main.py's prompt_worker calls it again when
POST /free asked for free_memory ("Free model and node cache").
"""


class PromptExecutor:
    def __init__(self, server, cache_type=False, cache_size=None):
        self.cache_size = cache_size
        self.cache_type = cache_type
        self.server = server
        self.reset()

    def reset(self):
        self.caches = {}  # ComfyUI: CacheSet(cache_type=..., cache_size=...)
        self.status_messages = []
        self.success = True
