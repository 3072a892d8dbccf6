# Minimal stand-in for ComfyUI's `comfy` package: just what the bridge and test nodes use.
