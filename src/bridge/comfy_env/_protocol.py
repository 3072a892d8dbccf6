"""The messages between the bridge (_client) and a worker (_worker): their kinds and fields,
built and read here. Each message is a tuple of plain data, its kind first; _connection carries
it as frames, _transport opens the connection with the hello.

A call, and a callback during one:

    bridge (_client.EnvRuntime)                        worker (_worker)
      | request(CALL, id, node, inputs, iid) ---------->  the node object `iid` runs
      |                                                   it reports progress (_current_call):
      | <---------------------- callback(id, "progress", (value, total))
      | the host's ProgressBar (_host_callbacks)
      | callback_reply(id, True, answer) -------------->  the node goes on
      | <---------------------- ok(id, outputs)  or  err(id, failure(...))

Other requests, same layout: IS_CHANGED and VALIDATE run the node class's hooks; META asks for
the folder's nodes; HOST carries ComfyUI's settings (before the first call, and when they
change); RELEASE lists the instance ids whose host objects are gone; PING is answered "pong".
The hot paths (_client.EnvRuntime.request, _worker._dispatch) build request() and ok() and read
ok() inline, with these constants: a Python call there costs more than the rest of the check
(bench/instructions.ts counts it).
"""
import os
import traceback

# What the frames mean. The worker runs the binary's copy of this package and the host the
# bridge's: a bridge left behind by `self-update` must fail clearly, not misread frames.
# Protocol 3 moved the descriptor flag from a frame length's top bit, where a 2 GiB value could
# pass for a header, into the kind byte (_connection). A hello reads the same in both.
PROTOCOL = 3

# Requests: (kind, call id, node, inputs, instance id).
CALL = "call"
IS_CHANGED = "is_changed"
VALIDATE = "validate"
META = "meta"
HOST = "host"
RELEASE = "release"
PING = "ping"
# Answers and callbacks.
OK = "ok"
ERR = "err"
CB = "cb"
CBR = "cbr"
HELLO = "hello"


def request(kind, call_id, node=None, inputs=None, instance=0):
    """`inputs`: the node's keyword arguments (a dict), HOST's snapshot, RELEASE's id list."""
    return (kind, call_id, node, inputs, instance)


def ok(call_id, result):
    return (OK, call_id, result)


def err(call_id, error):
    """`error`: failure() for a node's exception, refusal() for a request the worker refused
    (then call_id is None where the request had none)."""
    return (ERR, call_id, error)


def failure(e, node):
    """A node's exception `e` as plain data; call it where `e` is being handled (its traceback)."""
    return {
        "type": type(e).__name__,
        "module": type(e).__module__,  # the host raises the same class where it has it
        "qualname": type(e).__qualname__,
        "message": str(e),
        "traceback": traceback.format_exc(),
        "node": node,
        "pid": os.getpid(),
    }


def refusal(kind, message):
    return {"type": kind, "message": message, "traceback": "", "node": None}


def callback(call_id, name, args):
    """The worker asks the host `name`(*args) during call `call_id`."""
    return (CB, call_id, name, args)


def callback_reply(call_id, answered, value):
    """The host's answer: `value`, or when not `answered`, why not (a string)."""
    return (CBR, call_id, answered, value)


def answers(msg, call_id):
    """Whether `msg` is the callback_reply for a callback of call `call_id`."""
    return isinstance(msg, tuple) and len(msg) == 4 and msg[0] == CBR and msg[1] == call_id


def hello(pid, generation):
    """The worker's first frame on a connection, once the client proved it holds the secret."""
    return (HELLO, pid, generation, PROTOCOL)


def is_hello(msg):
    return isinstance(msg, tuple) and len(msg) > 0 and msg[0] == HELLO


def same_protocol(hello_msg):
    """Whether the worker that sent `hello_msg` speaks this side's protocol."""
    return hello_msg[3:4] == (PROTOCOL,)
