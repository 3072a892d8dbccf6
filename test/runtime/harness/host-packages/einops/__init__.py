# ComfyUI's Python has its requirements; this stands in for einops there (tests only).
def rearrange(tensor, pattern, **axes):
    return tensor
