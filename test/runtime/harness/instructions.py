"""Loops for bench/instructions.ts, which runs them under valgrind's callgrind twice (0 and N
iterations) and divides the difference by N: user-space instructions per call, free of the
VM's timing noise.

  python instructions.py host <ComfyUI dir> N          the no-op node through the bridge
                                                       (this process: the host's side)
  python instructions.py worker <ComfyUI dir> N <valgrind prefix as JSON>
                                                       N no-op requests to a worker started
                                                       under that prefix (the worker's side)
  python instructions.py echo N                        the raw echo: this client and a forked
                                                       server, the same framing
"""
import json
import os
import secrets
import subprocess
import sys
import tempfile

from baseline import RawEcho, load_mixed_pack

MODE = sys.argv[1]


def host(comfy, n):
    noop = load_mixed_pack(comfy)["IsoNoop"]()
    for _ in range(50):  # spawn, connect, warm
        noop.run()
    for _ in range(n):
        noop.run()


def worker(comfy, n, prefix):
    from comfy_env import _discovery, _transport

    folder = os.path.join(comfy, "custom_nodes", "MixedPack", "nodes", "iso")
    python = _discovery.env_python(_discovery.find_env(folder))
    secret = secrets.token_hex(16)
    address = "unix:" + os.path.join(tempfile.mkdtemp(), "w.sock")
    pkg = os.path.dirname(os.path.dirname(os.path.abspath(_transport.__file__)))
    env = dict(os.environ, COMFY_ENV_WORKER_SECRET=secret, COMFY_ENV_WORKER_ADDRESS=address, COMFYUI_ISOLATION_WORKER="1",
               COMFY_ENV_WORKER_SPEC=json.dumps({"node_dir": folder, "module": "iso_nodes", "sys_path": [comfy]}))
    boot = "import sys; sys.path.insert(0, %r); from comfy_env._worker import main; main()" % pkg
    proc = subprocess.Popen(prefix + [python, "-u", "-c", boot], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    json.loads(proc.stdout.readline())  # ready
    conn = _transport.connect(address, secret, timeout=120)
    for i in range(50 + n):
        conn.send_flat(("call", i, "IsoNoop", {}, 1), {})
        assert conn.recv() == ("ok", i, ())
    conn.close()
    proc.stdin.close()  # the worker exits when its control pipe closes
    proc.wait()


def echo(n):
    server = RawEcho()
    server.run(50 + n)
    server.close()


if MODE == "host":
    host(os.path.abspath(sys.argv[2]), int(sys.argv[3]))
elif MODE == "worker":
    worker(os.path.abspath(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4]))
else:
    echo(int(sys.argv[2]))
