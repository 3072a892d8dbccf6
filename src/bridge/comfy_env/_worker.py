"""The worker: one persistent process per environment, run with the environment's Python.

Started by `comfy-env supervise` as _contract describes: it reports ready on its original
stdout, answers pings there, and exits when that pipe closes or its parent changes (supervisor
gone). Node output printed to stdout goes to stderr, which is the worker's log file.
Here: the bridge's requests (_protocol), one at a time on whichever connection _transport
accepted, the supervisor's control pipe, and start-up. The folder's nodes: _node_loader.
"""
import asyncio
import faulthandler
import inspect
import json
import mmap
import os
import signal
import sys
import threading
import time

from . import _after_import, _contract, _current_call, _failures, _host_state, _imports, _memory, _node_loader, _prompt_server, _protocol, _transport, _turn
from ._codec import WireError
from ._connection import PeerClosed
from ._protocol import CALL, HOST, IS_CHANGED, META, OK, PING, RELEASE, VALIDATE

# Requests run one at a time, whichever connection they come on.
_exec_turn = _turn.Turn()
_modules = sys.modules
# The folder's classes (_node_loader), bound here for the hot path.
_classes = _node_loader.classes
_v3 = _node_loader.v3
_spec = {}
# The busy bytes (see _contract): mapped from busy_file, so the supervisor sees them.
_busy = bytearray(_contract.BUSY_SIZE)
_RUNNING = _contract.BUSY_RUNNING
_FINISHED = _contract.BUSY_FINISHED


# The host's node objects' twins: instance id (the bridge's track) -> node object.
_instances = {}


def _new_instance(cls, iid):
    """The node object for the host's object `iid`, made on its first call and kept until the
    host's is gone ("release"), as ComfyUI keeps one per node; iid 0: a new one per call."""
    obj = cls()
    if iid:
        _instances[iid] = obj
    return obj


def _run_node(fn, inputs):
    """fn(**inputs), under torch.inference_mode() once torch is loaded, as ComfyUI runs nodes."""
    torch = _modules.get("torch")
    if torch is None or not hasattr(torch, "inference_mode"):
        return fn(**inputs)
    with torch.inference_mode():
        return fn(**inputs)


_V3_HOOKS = {"execute": ("EXECUTE_NORMALIZED", "EXECUTE_NORMALIZED_ASYNC"), "IS_CHANGED": ("fingerprint_inputs",) * 2,
             "VALIDATE_INPUTS": ("validate_inputs",) * 2}


def _v3_run(cls, hook, inputs):
    """Run a V3 node's hook as ComfyUI does: on a class clone holding the hidden inputs."""
    kinds, takes_v3_data = _v3[cls]
    hidden = {}
    for name, kind in kinds.items():
        if name in inputs:
            hidden[kind] = inputs.pop(name)
    clone = cls.PREPARE_CLASS_CLONE({"hidden_inputs": hidden} if takes_v3_data else hidden)
    sync, asynchronous = _V3_HOOKS[hook]
    if inspect.iscoroutinefunction(getattr(cls, "execute" if hook == "execute" else sync)):
        return asyncio.run(getattr(clone, asynchronous)(**inputs))
    fn = getattr(clone, sync)
    return _run_node(fn, inputs) if hook == "execute" else fn(**inputs)


def _v1_output(cls, out):
    """A V3 NodeOutput as the V1 return value the host's proxy hands ComfyUI."""
    if getattr(out, "expand", None) is not None or getattr(out, "block_execution", None) is not None:
        raise RuntimeError("comfy-env: %s returned a node expansion or an execution blocker; isolated V3 nodes "
                           "cannot do that yet" % cls.__name__)
    ui = getattr(out, "ui", None)
    if ui is not None and hasattr(ui, "as_dict"):
        ui = ui.as_dict()
    result = tuple(getattr(out, "args", None) or ())
    return {"ui": ui, "result": result} if ui is not None else result


_interrupted = False
_slot = _current_call.slot  # the request being served (see _current_call)


def _progress_hook(value, total, preview=None, node_id=None):
    if preview is None:
        _current_call.callback("progress", value, total)
        return
    try:
        _current_call.callback("progress", value, total, preview)  # ("JPEG", PIL image, size): pickled
    except WireError:
        _current_call.callback("progress", value, total)  # allow_pickle is off: the step without its preview


def _install_progress_hook(cu):
    if hasattr(cu, "set_progress_bar_global_hook"):
        cu.set_progress_bar_global_hook(_progress_hook)


def _prepare_comfy():
    """ComfyUI's modules as a node imports them here: with the host's settings (_host_state),
    its memory calls asking the host first (_memory), its progress bars reaching the host, and
    its requirements that the env lacks stood in for (_imports)."""
    _host_state.install()
    _memory.install()
    _after_import.register("comfy.utils", _install_progress_hook)
    _imports.stand_in_requirements(_spec.get("sys_path", []), "%s (for %s)" % (sys.prefix, _spec.get("label") or _spec["node_dir"]))


def _dispatch(conn, msg):
    if type(msg) is tuple and len(msg) == 5:
        op, call_id, node, inputs, iid = msg
    elif type(msg) is tuple and len(msg) == 2:  # (PING, id)
        op, call_id, node, inputs, iid = msg[0], msg[1], None, None, 0
    else:
        conn.send(_protocol.err(None, _protocol.refusal("ProtocolError", "bad request")))
        return
    turn = _exec_turn
    try:
        if type(node) is str and type(inputs) is dict and op in _NODE_OPS:
            try:
                turn.take()
            except IndexError:
                turn.wait()
            try:
                if _interrupted:
                    _clear_interrupt()
                _slot[0] = (conn, call_id)
                _busy[_RUNNING] = 1
                cls = _classes.get(node)
                if cls is None:
                    cls = _node_loader.find(node)
                if op != CALL:
                    result = _v3_run(cls, _NODE_OPS[op], inputs) if cls in _v3 else getattr(cls, _NODE_OPS[op])(**inputs)
                elif cls in _v3:
                    result = _v1_output(cls, _v3_run(cls, "execute", inputs))
                else:
                    obj = _instances.get(iid)
                    if obj is None or type(obj) is not cls:
                        obj = _new_instance(cls, iid)
                    if "torch" in _modules:
                        result = _run_node(getattr(obj, cls.FUNCTION), inputs)
                    else:  # ComfyUI's own call, as long as no node has loaded torch
                        result = getattr(obj, cls.FUNCTION)(**inputs)
            finally:
                _busy[_RUNNING] = 0
                _busy[_FINISHED] = (_busy[_FINISHED] + 1) & 255
                _slot[0] = None
                turn.give(None)
        elif op == META:
            try:
                turn.take()
            except IndexError:
                turn.wait()
            _busy[_RUNNING] = 1  # importing the nodes can hold the GIL as long as a call
            try:
                result = _node_loader.metadata()
            except BaseException:
                # After what the import printed (see _failures.IMPORT_FAILED); fd 2 itself, as a
                # pack may have replaced sys.stderr.
                try:
                    sys.stderr.flush()
                except Exception:
                    pass
                os.write(2, (_failures.IMPORT_FAILED + "\n").encode())
                raise
            finally:
                _busy[_RUNNING] = 0
                _busy[_FINISHED] = (_busy[_FINISHED] + 1) & 255
                turn.give(None)
        elif op == HOST and type(inputs) is dict:  # ComfyUI's settings in the host (_host_state)
            try:
                turn.take()
            except IndexError:
                turn.wait()
            try:
                _host_state.apply(inputs)
                result = None
            finally:
                turn.give(None)
        elif op == PING:
            result = "pong"
        elif op == RELEASE and type(inputs) is list:
            for i in inputs:
                _instances.pop(i, None)
            result = None
        else:
            raise ValueError("unknown request %r" % (op,))
    except PeerClosed:
        raise  # a callback lost the host: so has this request
    except BaseException as e:  # a node's OSError, SystemExit or KeyboardInterrupt must not end the worker
        conn.send(_protocol.err(call_id, _protocol.failure(e, node if type(node) is str else None)))
        return
    try:
        conn.send_flat((OK, call_id, result), result)  # _protocol.ok, inline on the hot path
    except WireError as e:
        conn.send(_protocol.err(call_id, _protocol.failure(e, node)))


_NODE_OPS = {CALL: None, IS_CHANGED: "IS_CHANGED", VALIDATE: "VALIDATE_INPUTS"}


def _serve(sock, secret):
    """One connection: the hello (_transport), then its requests until it ends."""
    conn = _transport.accept(sock, secret, _spec.get("generation", 0))
    if conn is None:
        return
    try:
        while True:
            try:
                msg = conn.recv()
            except WireError as e:
                conn.send(_protocol.err(None, _protocol.refusal("WireError", str(e))))
                continue
            _dispatch(conn, msg)
    except (PeerClosed, OSError, MemoryError):
        pass
    finally:
        conn.close()


def _end():
    """The supervisor is gone: end this worker and what its nodes started. On Unix the worker
    leads its process group (the supervisor starts it so); on Windows the job object does this
    when the supervisor's handle closes."""
    if hasattr(os, "killpg") and os.getpgrp() == os.getpid():
        os.killpg(os.getpid(), signal.SIGKILL)
    os._exit(0)


def _watch_parent(ppid):
    while True:
        time.sleep(0.5)
        if os.getppid() != ppid:
            _end()


def _watch_control(ctl_in, ctl_out):
    global _interrupted
    for line in ctl_in:
        line = line.strip()
        if line == _contract.PING:
            ctl_out.write(_contract.PONG + b"\n")
            ctl_out.flush()
        elif line == _contract.INTERRUPT:
            # ComfyUI's Cancel: raise its flag here too; a node that checks it (as ComfyUI's
            # samplers do) stops with InterruptProcessingException.
            _interrupted = True
            _set_comfy_interrupt(True)
    _end()  # the supervisor closed the pipe: it is gone or wants us gone


def _clear_interrupt():
    """A Cancel belongs to the call it came for: the next call starts without it."""
    global _interrupted
    _interrupted = False
    _set_comfy_interrupt(False)


def _set_comfy_interrupt(value):
    mm = _modules.get("comfy.model_management")
    if mm is not None and hasattr(mm, "interrupt_current_processing"):
        mm.interrupt_current_processing(value)


def _map_busy(path):
    global _busy
    try:
        with open(path, "r+b") as f:
            _busy = mmap.mmap(f.fileno(), _contract.BUSY_SIZE)
    except (OSError, ValueError) as e:
        sys.stderr.write("comfy-env worker: cannot map %s (%s); long calls may be taken for a hang\n" % (path, e))


_dll_dirs = []  # the handles os.add_dll_directory returns: closing one removes its folder


def _add_env_dll_dirs(prefix=None, add=getattr(os, "add_dll_directory", None)):
    """Windows: extension modules load their DLLs from the folders added here, not from PATH
    (Python 3.8+), so the env's Library\\bin is added and a host CUDA or MKL on PATH cannot
    shadow the env's copies. https://docs.python.org/3/library/os.html#os.add_dll_directory"""
    if add is None:
        return
    lib = os.path.join(prefix or sys.prefix, "Library", "bin")
    if os.path.isdir(lib):
        _dll_dirs.append(add(lib))


def main():
    _add_env_dll_dirs()
    secret = os.environ.pop(_contract.ENV_SECRET, "").encode()
    address = os.environ.pop(_contract.ENV_ADDRESS, "")
    _spec.update(json.loads(os.environ.pop(_contract.ENV_SPEC, "{}")))
    _node_loader.use(_spec.get("node_dir"), _spec.get("module"))
    if not secret or not address:
        sys.stderr.write("comfy-env worker: started without a secret or address\n")
        sys.exit(2)
    if _spec.get("busy_file"):
        _map_busy(_spec["busy_file"])
    for p in reversed(_spec.get("sys_path", [])):
        if p not in sys.path:
            sys.path.insert(0, p)
    sys.modules.setdefault("server", _prompt_server)  # see _prompt_server: ComfyUI's is of no use here
    # A crash leaves the crashed thread's Python stack in the log: the bridge names the module.
    faulthandler.enable(all_threads=False)
    _prepare_comfy()
    ctl_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    ctl_in = os.fdopen(os.dup(0), "rb")
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    listener, bound = _transport.listen(address)
    ready = dict(zip(_contract.READY_FIELDS, (True, bound, os.getpid())))
    ctl_out.write((json.dumps(ready) + "\n").encode())
    ctl_out.flush()
    threading.Thread(target=_watch_control, args=(ctl_in, ctl_out), daemon=True).start()
    while True:
        try:
            sock, _ = listener.accept()
        except OSError:
            continue
        threading.Thread(target=_serve, args=(sock, secret), daemon=True).start()


if __name__ == "__main__":
    main()
