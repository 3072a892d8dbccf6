"""What `comfy-env supervise` and a worker agree on, mirrored by src/runtime/worker-contract.ts.

The supervisor starts `python -u -c "...; from comfy_env._worker import main; main()"` with:
  ENV_SECRET   the per-worker secret every client must send first (never argv)
  ENV_ADDRESS  "unix:<path>" (a socket in the supervisor's 0700 folder) or "tcp:127.0.0.1"
  ENV_SPEC     JSON with SPEC_FIELDS
  ENV_MARK     "1": a pack can tell it runs isolated
Worker                                      supervisor
  READY_FIELDS as one JSON line on stdout ->  hands the address to the bridge
  <- PING line                                 every ping interval, while idle
  PONG line ->                                 silence past a few intervals: hung, killed
  <- INTERRUPT line                            ComfyUI's Cancel
  stdin closed                                 the supervisor is gone or wants the worker gone
The busy file (BUSY_SIZE bytes, mapped by the worker, read by the supervisor): BUSY_RUNNING is 1
while a request runs (a node holding the GIL cannot pong, and is not hung); BUSY_FINISHED counts
finished requests mod 256 (a worker in use vs an idle one).
A test (test/runtime/worker-contract.test.ts) checks that both files say the same.
"""
import os

WORKER_MODULE = "comfy_env._worker"
ENV_SECRET = "COMFY_ENV_WORKER_SECRET"
ENV_ADDRESS = "COMFY_ENV_WORKER_ADDRESS"
ENV_SPEC = "COMFY_ENV_WORKER_SPEC"
ENV_MARK = "COMFYUI_ISOLATION_WORKER"
SPEC_FIELDS = ("node_dir", "module", "sys_path", "label", "generation", "busy_file")
READY_FIELDS = ("ready", "address", "pid")
PING = b"ping"
PONG = b"pong"
INTERRUPT = b"interrupt"
BUSY_SIZE = 2
BUSY_RUNNING = 0
BUSY_FINISHED = 1


def in_worker():
    """Whether this process is a worker (ENV_MARK set by the supervisor), not ComfyUI."""
    return os.environ.get(ENV_MARK) == "1"


def describe():
    """The contract as plain data, for the agreement test."""
    return {
        "workerModule": WORKER_MODULE,
        "env": {"secret": ENV_SECRET, "address": ENV_ADDRESS, "spec": ENV_SPEC, "mark": ENV_MARK},
        "specFields": list(SPEC_FIELDS),
        "readyFields": list(READY_FIELDS),
        "control": {"ping": PING.decode(), "pong": PONG.decode(), "interrupt": INTERRUPT.decode()},
        "busy": {"size": BUSY_SIZE, "running": BUSY_RUNNING, "finished": BUSY_FINISHED},
    }
