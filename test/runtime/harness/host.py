"""A stand-in for ComfyUI: loads custom_nodes packs the way ComfyUI does and runs nodes.

Usage: python host.py <ComfyUI dir> [ComfyUI's arguments...]; they are parsed as ComfyUI's
main.py parses its own (comfy.options.enable_args_parsing, then the directory flags). Reads one JSON command per line on stdin, answers one JSON
line on stdout. Arrays in inputs: {"__array__": {"shape": [...], "dtype": "float32"}} (a
deterministic ramp); arrays in results come back as {"__ndarray__": {dtype, shape, sha256}}.
Torch tensors likewise: {"__tensor__": {shape, dtype, transpose?, requires_grad?}} in inputs,
{"__torch__": {dtype, shape, device, requires_grad, sha256}} in results.
"""
import hashlib
import importlib.util
import json
import os
import sys
import threading
import time
import traceback
import types

COMFY = os.path.abspath(sys.argv[1])
sys.path.insert(0, COMFY)
# ComfyUI's Python has ComfyUI's requirements; these stand in for them (outside the ComfyUI tree,
# which the workers see too).
sys.path.insert(1, os.path.join(os.path.dirname(os.path.abspath(__file__)), "host-packages"))
sys.argv = [os.path.join(COMFY, "main.py")] + sys.argv[2:]

import comfy.options  # noqa: E402

comfy.options.enable_args_parsing()

import folder_paths  # noqa: E402
from comfy.cli_args import args  # noqa: E402
import comfy.utils  # noqa: E402
import comfy.model_management  # noqa: E402
import execution  # noqa: E402  (main.py imports it before loading custom nodes)

# As main.py applies them.
for flag, setter in (("output_directory", folder_paths.set_output_directory), ("input_directory", folder_paths.set_input_directory),
                     ("user_directory", folder_paths.set_user_directory), ("temp_directory", folder_paths.set_temp_directory)):
    if getattr(args, flag):
        setter(os.path.abspath(getattr(args, flag)))

SENT = []


class PromptServer:
    """Stand-in for ComfyUI's server.PromptServer: records what nodes send to the browser."""

    class _Routes:
        def get(self, path):
            return lambda handler: handler

    instance = None

    def __init__(self):
        self.routes = self._Routes()

    def send_sync(self, event, data, sid=None):
        SENT.append([event, data, sid])


PromptServer.instance = PromptServer()
sys.modules["server"] = types.ModuleType("server")
sys.modules["server"].PromptServer = PromptServer

PROGRESS = []
comfy.utils.set_progress_bar_global_hook(
    lambda v, t, p=None, node_id=None: PROGRESS.append([v, t] if p is None else [v, t, [p[0], p[1].hex(), p[2]]]))
NODES = {}
DISPLAY = {}


def load_pack(d):
    name = os.path.basename(d)
    spec = importlib.util.spec_from_file_location(name, os.path.join(d, "__init__.py"), submodule_search_locations=[d])
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    NODES.update(getattr(mod, "NODE_CLASS_MAPPINGS", {}))
    DISPLAY.update(getattr(mod, "NODE_DISPLAY_NAME_MAPPINGS", {}))


def tensor_json(t):
    import torch

    x = t.detach().contiguous()
    raw = (x.view(torch.int16) if x.dtype == torch.bfloat16 else x).numpy().tobytes()
    return {"__torch__": {"dtype": str(t.dtype), "shape": list(t.shape), "device": str(t.device),
                          "requires_grad": t.requires_grad, "sha256": hashlib.sha256(raw).hexdigest()}}


def to_json(v):
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(v, torch.Tensor):
        return tensor_json(v)
    np = sys.modules.get("numpy")
    if np is not None and isinstance(v, np.ndarray):
        return {"__ndarray__": {"dtype": v.dtype.str, "shape": list(v.shape), "sha256": hashlib.sha256(np.ascontiguousarray(v).tobytes()).hexdigest()}}
    if isinstance(v, dict):
        return {str(k): to_json(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [to_json(x) for x in v]
    if isinstance(v, (set, frozenset)):
        return {"__set__": sorted(to_json(x) for x in v)}
    if isinstance(v, bytes):
        return {"__bytes__": v.hex()}
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    return {"__repr__": repr(v), "__type__": type(v).__name__}


def from_json(v):
    if isinstance(v, dict):
        if "__array__" in v:
            import numpy as np

            a = v["__array__"]
            n = 1
            for d in a["shape"]:
                n *= d
            return (np.arange(n, dtype=np.float64) % 251).astype(a["dtype"]).reshape(a["shape"])
        if "__tensor__" in v:
            import torch

            a = v["__tensor__"]
            n = 1
            for d in a["shape"]:
                n *= d
            t = (torch.arange(n, dtype=torch.float64) % 251 / 7).to(getattr(torch, a["dtype"])).reshape(a["shape"])
            if a.get("transpose"):
                t = t.transpose(0, 1)  # a view that is not contiguous
            return t.requires_grad_(True) if a.get("requires_grad") else t
        return {k: from_json(x) for k, x in v.items()}
    if isinstance(v, list):
        return [from_json(x) for x in v]
    return v


def meta_of(cls):
    attrs = {}
    for a in ("RETURN_TYPES", "RETURN_NAMES", "FUNCTION", "CATEGORY", "OUTPUT_NODE", "INPUT_IS_LIST", "OUTPUT_IS_LIST", "DESCRIPTION", "OUTPUT_TOOLTIPS"):
        if hasattr(cls, a):
            attrs[a] = to_json(getattr(cls, a))
    return {"input_types": to_json(cls.INPUT_TYPES()), "attrs": attrs, "has_is_changed": hasattr(cls, "IS_CHANGED"), "has_validate_inputs": hasattr(cls, "VALIDATE_INPUTS")}


def run_node(cls, inputs):
    t0 = time.monotonic()
    out = getattr(cls(), cls.FUNCTION)(**from_json(inputs))
    return {"result": to_json(out), "seconds": time.monotonic() - t0}


def in_process(folder, node):
    name = "inproc_" + hashlib.sha256(folder.encode()).hexdigest()[:8]
    mod = sys.modules.get(name)
    if mod is None:
        spec = importlib.util.spec_from_file_location(name, os.path.join(folder, "__init__.py"), submodule_search_locations=[folder])
        mod = importlib.util.module_from_spec(spec)
        sys.modules[name] = mod
        spec.loader.exec_module(mod)
    return mod.NODE_CLASS_MAPPINGS[node]


def handle(cmd):
    import comfy_env._supervisor as sup

    op = cmd["op"]
    if op == "load":
        for n in sorted(os.listdir(os.path.join(COMFY, "custom_nodes"))):
            d = os.path.join(COMFY, "custom_nodes", n)
            if os.path.isfile(os.path.join(d, "__init__.py")):
                load_pack(d)
        return {"nodes": {k: meta_of(c) for k, c in NODES.items()}, "display": DISPLAY, "spawns": sup.spawn_requests(), "supervisor": sup.started()}
    if op == "meta":
        return meta_of(NODES[cmd["node"]])
    if op == "run":
        return run_node(NODES[cmd["node"]], cmd.get("inputs", {}))
    if op == "inprocess":
        return run_node(in_process(cmd["folder"], cmd["node"]), cmd.get("inputs", {}))
    if op == "inprocess_meta":
        return meta_of(in_process(cmd["folder"], cmd["node"]))
    if op == "is_changed":
        return {"result": to_json(NODES[cmd["node"]].IS_CHANGED(**from_json(cmd["inputs"])))}
    if op == "validate":
        return {"result": to_json(NODES[cmd["node"]].VALIDATE_INPUTS(**from_json(cmd["inputs"])))}
    if op == "progress":
        events = list(PROGRESS)
        del PROGRESS[:]
        return {"events": events}
    if op == "cancel_during":
        # ComfyUI's Cancel button while the node runs: the flag is set from another thread.
        mm = comfy.model_management
        timer = threading.Timer(cmd["after"], mm.interrupt_current_processing)
        timer.start()
        t0 = time.monotonic()
        try:
            out = run_node(NODES[cmd["node"]], cmd.get("inputs", {}))
        except mm.InterruptProcessingException:
            out = {"interrupted": True}
        finally:
            timer.cancel()
            mm.interrupt_current_processing(False)  # ComfyUI clears it before the next prompt
        return dict(out, seconds=time.monotonic() - t0)
    if op == "concurrent":  # the same node from several threads at once; "text" is the thread's number
        results = [None] * cmd["threads"]

        def one(i):
            inputs = dict(cmd["inputs"], text=str(i)) if "text" in cmd["inputs"] else cmd["inputs"]
            try:
                results[i] = run_node(NODES[cmd["node"]], inputs)
            except Exception as e:
                results[i] = {"error": str(e)}

        threads = [threading.Thread(target=one, args=(i,)) for i in range(cmd["threads"])]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return {"results": results, "seconds": time.monotonic() - t0}
    if op == "instances":  # two node objects of one class, as ComfyUI holds one per node across runs
        cls = NODES["IsoCounter"]
        a, b = cls(), cls()
        out = [a.count(), a.count(), b.count()]
        del a  # the node left the graph
        out.append(b.count())
        return {"results": [list(r) for r in out]}
    if op == "free":
        # POST /free {"unload_models", "free_memory"}: what main.py's prompt_worker does with the
        # flags between prompts; its executor was made when the prompt thread started.
        free_memory = cmd.get("free_memory", False)
        if cmd.get("unload_models", free_memory):
            comfy.model_management.unload_all_models()
        if free_memory:
            EXECUTOR.reset()
        return {"freed": True}
    if op == "sent":
        return {"sent": SENT}
    if op == "freed":
        return {"freed": comfy.model_management.FREED}
    if op == "emptied":
        return {"emptied": comfy.model_management.EMPTIED}
    if op == "add_folder":  # as extra_model_paths.yaml and packs do
        folder_paths.add_model_folder_path(cmd["name"], cmd["path"])
        return {"paths": folder_paths.get_folder_paths(cmd["name"])}
    if op == "set_folder":  # a pack writing into the table itself
        folder_paths.folder_names_and_paths[cmd["name"]] = ([cmd["path"]], set())
        return {"paths": folder_paths.get_folder_paths(cmd["name"])}
    if op == "import":  # from outside every pack
        importlib.import_module(cmd["name"])
        return {"imported": cmd["name"]}
    if op == "stale_bridge":  # a bridge older than the binary, as `self-update` can leave one
        import comfy_env._protocol as protocol
        protocol.PROTOCOL -= 1
        return {"protocol": protocol.PROTOCOL}
    if op == "ps":
        return sup.get().request("ps") if sup.started() else {"workers": []}
    if op == "handle":
        rt = NODES[cmd["node"]].__dict__.get(NODES[cmd["node"]].FUNCTION).__closure__
        for c in rt or ():
            v = c.cell_contents
            h = getattr(getattr(v, "__self__", v), "handle", None)  # the runtime, or its bound request
            if isinstance(h, dict):
                return {"handle": h}
        return {"handle": None}
    raise ValueError("unknown op %r" % op)


EXECUTOR = execution.PromptExecutor(PromptServer.instance)
print(json.dumps({"ready": True, "pid": os.getpid()}), flush=True)
for line in sys.stdin:
    if not line.strip():
        continue
    cmd = json.loads(line)
    try:
        reply = handle(cmd)
    except Exception as e:
        # exception_type as ComfyUI's execution.py reports it (full_type_name).
        t = type(e)
        full = t.__qualname__ if t.__module__ == "builtins" else "%s.%s" % (t.__module__, t.__qualname__)
        reply = {"error": str(e), "type": t.__name__, "exception_type": full, "mro": [c.__name__ for c in t.__mro__],
                 "traceback": traceback.format_exc()}
    print(json.dumps(reply), flush=True)
