"""Reaching a worker: its listener, the bridge's connect, and both halves of the hello that opens
every connection. Model: CPython's multiprocessing/connection.py (Listener and Client together).

Address: "unix:<path>" (a socket file, 0600) or "tcp:127.0.0.1:<port>" (Windows, or a socket path
too long). The hello: the client sends the worker's secret as one length-prefixed frame; on a Unix
socket one end of the descriptor channel (see _connection) rides along (SCM_RIGHTS). The worker
checks it within AUTH_TIMEOUT in all, then greets (_protocol.hello); the client checks that the
greeting names its own protocol.
"""
import array
import hmac
import os
import socket
import sys
import time

from . import _connection, _protocol
from ._codec import WireError

AUTH_TIMEOUT = 5.0  # seconds a client has to send its whole secret
SECRET_LIMIT = 256


class StaleBridge(Exception):
    """The worker speaks another protocol: the bridge was installed from an older binary."""


def listen(address):
    """(listening socket, the address clients connect to) for the supervisor's `address`."""
    if address.startswith("unix:"):
        path = address[5:]
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        old = os.umask(0o177)
        try:
            s.bind(path)
        finally:
            os.umask(old)
        os.chmod(path, 0o600)
        s.listen(16)
        return s, address
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    return s, "tcp:127.0.0.1:%d" % s.getsockname()[1]


def accept(sock, secret, generation):
    """The worker's half of the hello on an accepted socket: the Connection, greeted, or None
    (the client did not prove it holds `secret` in time, or went away); a refused socket is
    closed."""
    fds = [] if sock.family != socket.AF_INET else None
    side = None
    try:
        got = recv_raw(sock, SECRET_LIMIT, fds, time.monotonic() + AUTH_TIMEOUT)
        if got is None or not hmac.compare_digest(got, secret):
            raise ValueError("not our client")
        sock.settimeout(None)
        if fds:  # the client's end of its descriptor channel
            side = socket.socket(fileno=fds[0])
            fds.pop(0)
            if side.family != socket.AF_UNIX:
                raise ValueError("not a descriptor channel")
            side.setblocking(False)
    except (OSError, ValueError):
        sock.close()
        if side is not None:
            side.close()
        return None
    finally:
        for fd in fds or ():  # nobody else's descriptors stay open here
            os.close(fd)
    conn = _connection.Connection(sock, side=side)
    try:
        conn.send(_protocol.hello(os.getpid(), generation))
    except OSError:
        conn.close()
        return None
    return conn


def connect(address, secret, timeout=10.0):
    """The bridge's half: a Connection to the worker at `address`, greeted. Raises OSError,
    WireError, PeerClosed, or StaleBridge."""
    if address.startswith("unix:"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        target = address[5:]
    elif address.startswith("tcp:"):
        host, port = address[4:].rsplit(":", 1)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        target = (host, int(port))
    else:
        raise ValueError("bad worker address %r" % address)
    sock.settimeout(timeout)
    sock.connect(target)
    side = None
    if sock.family != socket.AF_INET:
        # The descriptor channel: one end goes to the worker with the secret.
        side, theirs = socket.socketpair()
        try:
            send_raw(sock, secret.encode(), [theirs.fileno()])
        finally:
            theirs.close()
        side.setblocking(False)
    else:
        send_raw(sock, secret.encode())
    conn = _connection.Connection(sock, side=side)
    hello = conn.recv()
    if not _protocol.is_hello(hello):
        raise WireError("the worker did not greet")
    if not _protocol.same_protocol(hello):
        conn.close()
        raise StaleBridge(
            "the comfy_env bridge in %s does not match the comfy-env binary that runs the worker (it was "
            "updated since the bridge was installed); run `comfy-env bridge install --python %s` and restart ComfyUI"
            % (os.path.dirname(os.path.abspath(__file__)), sys.executable))
    sock.settimeout(None)
    return conn


def send_raw(sock, payload, fds=()):
    """A length-prefixed frame; on a Unix socket `fds` ride along (SCM_RIGHTS)."""
    frame = _connection._HDR.pack(len(payload)) + payload
    if not fds:
        sock.sendall(frame)
        return
    scm = _connection.SCM
    sent = sock.sendmsg([frame], [(scm[0], scm[1], array.array("i", fds))])
    if sent < len(frame):
        sock.sendall(frame[sent:])


def recv_raw(sock, limit, fds=None, deadline=None):
    """A length-prefixed frame of at most `limit` bytes, or None (too long, closed, or not whole
    by `deadline`, a time.monotonic() value). With a list as `fds`, the descriptors that came
    with it are appended there (Unix sockets)."""
    hdr = _recv_exact(sock, 4, fds, deadline)
    if hdr is None:
        return None
    n = _connection._HDR.unpack(hdr)[0]
    if n > limit:
        return None
    return _recv_exact(sock, n, fds, deadline)


def _recv_exact(sock, n, fds, deadline):
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        if deadline is not None:
            # The whole read's time is bounded, not each recv's: a peer trickling a byte now
            # and then would otherwise hold this thread for good.
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            sock.settimeout(left)
        try:
            if fds is None:
                k = sock.recv_into(view[got:], n - got)
            else:
                k, anc, _flags, _addr = sock.recvmsg_into([view[got:n]], _connection.ANC)
                fds.extend(_connection.fds_of(anc))
        except socket.timeout:
            return None
        if k == 0:
            return None
        got += k
    return bytes(buf)
