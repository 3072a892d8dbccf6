# ComfyUI's Python has its requirements; this stands in for safetensors there (tests only).
def safe_open(path, framework="pt", device="cpu"):
    return "host safetensors: %s" % path
