"""Calls from the bridge straight to a worker (the supervisor is not a hop)."""
import builtins
import os
import select
import socket
import sys
import itertools
import weakref

from . import _failures, _host_state, _protocol, _supervisor, _transport, _turn, _watchdog
from ._codec import WireError
from ._connection import PeerClosed
from ._protocol import CB, ERR, HOST, OK, RELEASE

DEFAULT_TIMEOUT = 600.0
# A connection unused this long is checked before its next request: its worker may have been
# restarted since.
STALE_AFTER = 0.5
_instance_ids = itertools.count(1)
INSTANCE_ATTR = "_comfy_env_instance"  # a host node object's id for its twin in the worker


def call_timeout():
    try:
        return float(os.environ.get("COMFY_ENV_CALL_TIMEOUT", "") or DEFAULT_TIMEOUT)
    except ValueError:
        return DEFAULT_TIMEOUT


class WorkerError(RuntimeError):
    """A node failed in its worker; the message carries the remote traceback. `exit` and `log`:
    how a worker that died ended ({code, signal}) and its log file."""

    exit = None
    log = None

    def __init__(self, message, traceback=None, node=None):
        RuntimeError.__init__(self, message)
        self.remote_traceback = traceback
        self.node = node

    def __str__(self):  # the message as written, whichever builtin the error also is (KeyError quotes)
        return str(self.args[0]) if self.args else ""


_error_classes = {}


def error_class(module, qualname):
    """The class a node's exception has in the host: one deriving from WorkerError and the
    node's own exception class where that is a builtin or one the host has imported (a
    ValueError is caught by `except ValueError`, and ComfyUI names it "ValueError"), else
    WorkerError. Only Exception subclasses: a node's SystemExit must not end ComfyUI."""
    if module == "builtins":
        base = getattr(builtins, qualname, None)
    else:
        base = sys.modules.get(module)
        for part in str(qualname).split("."):
            base = getattr(base, part, None)
    if not (isinstance(base, type) and issubclass(base, Exception)) or issubclass(base, WorkerError):
        return WorkerError
    cls = _error_classes.get(base)
    if cls is None:
        try:
            cls = type(base.__name__, (WorkerError, base), {"__module__": base.__module__, "__qualname__": base.__qualname__})
        except TypeError:  # a layout the two cannot share
            cls = WorkerError
        _error_classes[base] = cls
    return cls


def _raise_interrupt():
    """The node stopped for ComfyUI's Cancel: ComfyUI's own exception, so it reports an
    interruption and not an error."""
    mm = sys.modules.get("comfy.model_management")
    exc = getattr(mm, "InterruptProcessingException", None)
    if exc is not None:
        raise exc()


def _closed(sock):
    """Whether an idle connection has something to read: the worker never speaks unasked, so
    that is its end (EOF or reset)."""
    if hasattr(select, "poll"):
        p = select.poll()
        p.register(sock, select.POLLIN)
        return bool(p.poll(0))
    return bool(select.select([sock], [], [], 0)[0])


class EnvRuntime(object):
    """One isolated folder's worker as seen from the host: spawn on first use, call, recover."""

    def __init__(self, spec, label, host_callbacks):
        self.spec = spec
        self.key = spec["key"]
        self.label = label
        self.callbacks = host_callbacks
        self.turn = _turn.Turn()
        self.conn = None
        self.handle = None
        self.spawned_by = None  # the supervisor that started our worker
        self.timeout = call_timeout()
        self.next_id = 0
        self.running = 0  # the id of the call in flight, 0 when none
        # The watchdog's: the call id it last saw and when, the call it timed out (its socket
        # shut down) and the one it passed ComfyUI's Cancel to; `idle` asks the next request to
        # check the connection first.
        self.seen = 0
        self.seen_at = 0.0
        self.expired = 0
        self.interrupted = 0
        self.idle = False
        # Ids of host node objects that are gone: the worker drops their twins (see track).
        self.released = []
        self.synced = None  # the host's folder_paths as this worker last got them
        _watchdog.watch(self)

    def track(self, obj):
        """The id under which the worker keeps one node object for the host's node object `obj`
        (ComfyUI keeps one per node in the graph, and nodes cache models on self), for as long
        as `obj` lives; 0 where `obj` cannot be followed (no __dict__ or weakref): then each
        call gets a new one."""
        try:
            iid = next(_instance_ids)
            weakref.finalize(obj, self.released.append, iid).atexit = False
            setattr(obj, INSTANCE_ATTR, iid)
            return iid
        except (TypeError, AttributeError):
            return 0

    def _tick(self, now, cancelled):
        """The watchdog's look at this runtime (on its thread, every _watchdog.TICK)."""
        call, conn = self.running, self.conn
        if not call:
            if self.seen != self.next_id:  # calls ran since the last look: the idle clock starts
                self.seen, self.seen_at = self.next_id, now
            elif now - self.seen_at >= STALE_AFTER:
                self.idle = True
            return
        if call != self.seen:  # a new call: its clock starts now, up to one _watchdog.TICK late
            self.seen, self.seen_at = call, now
        if conn is None:
            return
        if now - self.seen_at >= self.timeout:
            if self.expired != call:
                self.expired = call
                try:
                    conn.sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        elif cancelled is not None and self.interrupted != call and cancelled():
            # ComfyUI's Cancel: its flag is in this process, the node in the worker.
            self.interrupted = call
            try:
                _supervisor.get().request("interrupt", key=self.key)
            except _supervisor.SupervisorError:
                pass

    def _ensure(self):
        if self.conn is not None:
            return self.conn
        sup = _supervisor.get()
        if self.spawned_by is not sup:
            # A supervisor started since (the last one died) has never heard of our worker.
            self.handle = _supervisor.spawn(**self.spec)
            self.spawned_by = sup
        else:
            self.handle = sup.request("ensure", key=self.key)
        self.conn = _transport.connect(self.handle["address"], self.handle["secret"])
        self._sync(self.conn)
        return self.conn

    def _sync(self, conn):
        """ComfyUI's settings as the host has them (_host_state), before the connection's first
        request and after they changed."""
        self.synced = _host_state.folders_key()
        conn.send(_protocol.request(HOST, 0, None, _host_state.snapshot(), 0))
        reply = conn.recv()
        if not (type(reply) is tuple and reply[:1] == (OK,)):
            raise WireError("the worker refused ComfyUI's settings: %r" % (reply,))

    def _drop(self):
        if self.conn is not None:
            try:
                self.conn.close()
            except OSError:
                pass
        self.conn = None

    def request(self, op, node, inputs, instance=0):
        """One request and its answer, serving host callbacks meanwhile; `instance` is a call's
        node object (track). The socket stays blocking (a socket timeout costs a poll() per recv
        on the hot path); the watchdog shuts it down when the call outlives the timeout."""
        turn = self.turn
        try:
            turn.take()
        except IndexError:
            turn.wait()
        try:
            conn = self.conn
            if conn is None or self.idle:
                conn = self._ready(node)
            self.next_id = self.running = call_id = self.next_id + 1
            msg = (op, call_id, node, inputs, instance)  # _protocol.request, inline on the hot path
            try:
                try:
                    if self.released:
                        self._release(conn, call_id)
                    conn.send_flat(msg, inputs)
                except (PeerClosed, ConnectionError):
                    # The worker cannot run a request it did not wholly receive: once more, to a
                    # new one.
                    conn = self._replace(node)
                    conn.send_flat(msg, inputs)
                msg = conn.recv()
                if type(msg) is tuple and len(msg) == 3 and msg[0] == OK and msg[1] == call_id:  # _protocol.ok
                    return msg[2]  # the hot path: one send, one receive
                return self._wait(conn, call_id, node, msg)
            except WorkerError:
                raise  # the node's own error, though it may be an OSError too (error_class)
            except (PeerClosed, OSError):
                self._drop()
                if self.expired == call_id:
                    raise self._timed_out(node)
                raise self._death(node)
            finally:
                self.running = 0
        finally:
            turn.give(None)

    def stop_unless_waited(self):
        """Stop the worker unless a request has it or waits for it: one started only to read
        node metadata at start-up is not left idle (the next call starts one)."""
        turn = self.turn
        try:
            turn.take()
        except IndexError:
            return  # a request runs: it needs the worker
        try:
            if turn._queue.locked() or self.conn is None:
                return  # a request waits for the turn (Turn.wait holds the queue), or no worker
            self._drop()
            try:
                # "stop", not "kill": a stop on purpose, which is no death to back off from.
                _supervisor.get().request("stop", key=self.key)
            except _supervisor.SupervisorError:
                pass
        finally:
            turn.give(None)

    def _release(self, conn, call_id):
        """Tell the worker which node objects' twins to drop, before the call with that id."""
        ids = self.released[:]
        del self.released[:len(ids)]  # what a finalizer appends meanwhile waits for the next call
        conn.send(_protocol.request(RELEASE, call_id, None, ids, 0))
        conn.recv()

    def _ready(self, node):
        """The connection for the next request: made on first use; after a while unused, first
        checked, and replaced if its worker ended meanwhile (a crash, a hang the supervisor
        ended)."""
        self.idle = False
        conn = self.conn
        if conn is None:
            return self._connected(node)
        if _closed(conn.sock):
            return self._replace(node)
        if _host_state.folders_key() != self.synced:
            try:
                self._sync(conn)
            except (PeerClosed, OSError):
                return self._replace(node)
        return conn

    def _replace(self, node):
        """A connection to a new worker, once the supervisor has reaped the old one (else ensure
        hands back its address)."""
        self._drop()
        try:
            _supervisor.get().request("exit_info", key=self.key, wait_ms=300)
        except _supervisor.SupervisorError:
            pass
        return self._connected(node)

    def _connected(self, node):
        try:
            return self._ensure()
        except (_supervisor.SupervisorError, _transport.StaleBridge) as e:
            raise WorkerError("comfy-env: %s: %s" % (self.label, e), node=node)
        except (OSError, WireError, PeerClosed) as e:
            self._drop()
            raise WorkerError("comfy-env: cannot reach the worker for %s: %s" % (self.label, e), node=node)

    def _timed_out(self, node):
        try:
            _supervisor.get().request("kill", key=self.key)
        except _supervisor.SupervisorError:
            pass
        return WorkerError(
            "comfy-env: node %s did not finish within %g s in the worker for %s; the worker was "
            "stopped and the next run starts a new one (COMFY_ENV_CALL_TIMEOUT sets the limit)"
            % (node, self.timeout, self.label),
            node=node,
        )

    def _death(self, node):
        ex, log = None, self.handle.get("log") if self.handle else None
        try:
            info = _supervisor.get().request("exit_info", key=self.key, wait_ms=800)
            ex = info.get("exit") or {}
            log = info.get("log") or log
        except _supervisor.SupervisorError:
            pass
        e = WorkerError("comfy-env: the worker for %s died while running %s (%s); log: %s. The next run starts a new worker."
                        % (self.label, node, _failures.describe_exit(ex), log), node=node)
        e.exit, e.log = ex, log
        return e

    def _wait(self, conn, call_id, node, msg):
        """Serve host callbacks until the answer to `call_id` arrives; `msg` came first."""
        while True:
            if type(msg) is tuple and len(msg) >= 3:
                kind = msg[0]
                if kind == CB:
                    self._answer(conn, msg)
                elif msg[1] == call_id:
                    if kind == OK:
                        return msg[2]
                    if kind == ERR:
                        e = msg[2] if isinstance(msg[2], dict) else {}
                        if e.get("type") == "InterruptProcessingException":
                            _raise_interrupt()
                        raise error_class(e.get("module"), e.get("qualname"))(
                            "%s in node %s (worker for %s, pid %s): %s\n\nWorker traceback:\n%s" % (
                                e.get("type", "Error"), node, self.label, e.get("pid"), e.get("message", ""), e.get("traceback", "")),
                            traceback=e.get("traceback"), node=node)
            msg = conn.recv()

    def _answer(self, conn, msg):
        _, call_id, name, args = msg
        fn = self.callbacks.get(name)
        try:
            if fn is None:
                raise KeyError("no host callback %r" % (name,))
            reply = _protocol.callback_reply(call_id, True, fn(*args))
        except Exception as e:
            reply = _protocol.callback_reply(call_id, False, "%s: %s" % (type(e).__name__, e))
        conn.send(reply)
