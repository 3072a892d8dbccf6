# Minimal stand-in for ComfyUI's `comfy_api` package (the V3 node API): just the surface the
# bridge's worker relies on, shaped as ComfyUI's comfy_api.latest is.
