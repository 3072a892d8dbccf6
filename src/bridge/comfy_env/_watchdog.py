"""One thread for every runtime of the host (_client.EnvRuntime), looking at each every TICK:
call timeouts and ComfyUI's Cancel (EnvRuntime._tick), so that the hot path needs no clock (a
call only shows its id in `running` while it runs); and folder_paths changed behind ComfyUI's
functions, after which every runtime sends the host's settings again."""
import sys
import threading
import time

from . import _host_state, _supervisor

TICK = 0.05

_runtimes = []
_lock = threading.Lock()
_thread = None
_folders = None  # the host's folder_paths as last seen (_host_state.folders_key)


def watch(runtime):
    """Look at `runtime` from now on (its `_tick(now, cancelled)` and `idle`)."""
    global _thread
    with _lock:
        _runtimes.append(runtime)
        if _thread is None:
            _thread = threading.Thread(target=_run, name="comfy-env-watchdog", daemon=True)
            _thread.start()


def recheck():
    """Before its next request each runtime checks its connection (workers were stopped) and
    sends the host's ComfyUI settings again if they changed."""
    for rt in list(_runtimes):
        rt.idle = True


def _run():
    global _folders
    while True:
        time.sleep(TICK)
        now = time.monotonic()
        mm = sys.modules.get("comfy.model_management")
        cancelled = getattr(mm, "processing_interrupted", None)
        folders = _host_state.folders_key()
        if folders != _folders:  # a pack changed folder_paths without its functions
            _folders = folders
            recheck()
        for rt in list(_runtimes):
            rt._tick(now, cancelled)


_supervisor.on_idle_stopped(recheck)
