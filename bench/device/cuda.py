"""Torch tensors on the GPU through an isolated node: python cuda.py <ComfyUI dir>. Prints JSON:
each tensor's device, dtype and whether it came back bit-identical, IsoTorch's own report, and
the median IMAGE round trip against two device→host→device copies. DEV=cpu runs it on the CPU."""
import json
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "test", "runtime", "harness"))
import torch  # noqa: E402
from baseline import load_mixed_pack  # noqa: E402

DEV = os.environ.get("DEV", "cuda")
sync = torch.cuda.synchronize if DEV == "cuda" else (lambda: None)
nodes = load_mixed_pack(sys.argv[1])
ident, tnode = nodes["IsoIdentity"](), nodes["IsoTorch"]()
out = {"torch": torch.__version__, "gpu": torch.cuda.get_device_name(0) if DEV == "cuda" else None}
x = torch.rand(1, 1024, 1024, 3, device=DEV)  # ComfyUI's IMAGE
b = torch.randn(64, 64, device=DEV, dtype=torch.bfloat16)
v = x[0, ::2, ::3, :]  # a non-contiguous view
for name, t in (("image", x), ("bf16", b), ("view", v)):
    (back,) = ident.run(array=t)
    out[name] = [str(back.device), str(back.dtype), list(back.shape), bool(torch.equal(t, back))]
img, desc = tnode.run(image=x, factor=2.0)
out["torch_node"] = [desc, str(img.device), bool(torch.allclose(img, (x * 2).clamp(0, 20)))]
trip, copies = [], []
for i in range(9):
    sync()
    t0 = time.perf_counter()
    ident.run(array=x)
    sync()
    t1 = time.perf_counter()
    x.cpu().to(DEV).cpu().to(DEV)
    sync()
    if i >= 2:  # the first rounds map fresh segments
        trip.append(t1 - t0)
        copies.append(time.perf_counter() - t1)
out["image_round_trip_ms"] = round(sorted(trip)[len(trip) // 2] * 1e3, 2)
out["two_device_host_device_copies_ms"] = round(sorted(copies)[len(copies) // 2] * 1e3, 2)
print(json.dumps(out))
