"""Shared-memory segments for arrays and tensors crossing the bridge <-> worker socket.

A sender owns a pool of segments per connection and reuses them: a segment is busy from the
frame that references it until the next frame arrives from the peer (the peer copies arrays out
while decoding, before it can send anything). On Unix a segment is an anonymous file (memfd on
Linux, an unlinked temp file elsewhere) whose descriptor travels once to the peer (SCM_RIGHTS,
on the connection's descriptor channel: see _wire), so nothing is left behind when either side dies, even by kill -9. On Windows a
segment is a named mapping that disappears with the last handle.
"""
import mmap
import os
import secrets
import sys
import tempfile

WINDOWS = sys.platform == "win32"
MIN_SEGMENT = 1 << 20
# Arrays smaller than this travel inline in the frame: a segment costs more than the copy.
INLINE_LIMIT = 1 << 16


class Segment(object):
    __slots__ = ("sid", "size", "mm", "fd", "tag", "busy")

    def __init__(self, sid, size):
        self.sid = sid
        self.size = size
        self.busy = False
        self.fd = -1
        self.tag = None
        if WINDOWS:
            self.tag = "comfy-env-%d-%s" % (os.getpid(), secrets.token_hex(8))
            self.mm = mmap.mmap(-1, size, tagname=self.tag)
            return
        if hasattr(os, "memfd_create"):
            fd = os.memfd_create("comfy-env", 0)
        else:
            fd, path = tempfile.mkstemp(prefix="comfy-env-shm-")
            os.unlink(path)
        os.ftruncate(fd, size)
        self.fd = fd
        self.mm = mmap.mmap(fd, size)

    def close(self):
        try:
            self.mm.close()
        except (BufferError, ValueError):
            pass
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class Pool(object):
    """Segments this side writes into, for one connection."""

    def __init__(self):
        self.segments = []
        self.lent = []  # the busy ones: kept as one list, checked on every frame received
        self.next_sid = 0
        self.unsent_fds = []

    def acquire(self, nbytes):
        best = None
        for s in self.segments:
            if not s.busy and s.size >= nbytes and (best is None or s.size < best.size):
                best = s
        if best is None:
            size = MIN_SEGMENT
            while size < nbytes:
                size <<= 1
            best = Segment(self.next_sid, size)
            self.next_sid += 1
            self.segments.append(best)
            if best.fd >= 0:
                self.unsent_fds.append(best.fd)
        best.busy = True
        self.lent.append(best)
        return best

    def release_all(self):
        for s in self.lent:
            s.busy = False
        del self.lent[:]

    def take_unsent_fds(self):
        fds = self.unsent_fds
        self.unsent_fds = []
        return fds

    def close(self):
        for s in self.segments:
            s.close()
        self.segments = []
        del self.lent[:]


class PeerMaps(object):
    """The peer's segments, mapped on first sight and kept while the connection lives."""

    def __init__(self):
        self.maps = {}
        self.next_sid = 0

    def add_fds(self, fds):
        for fd in fds:
            size = os.fstat(fd).st_size
            self.maps[self.next_sid] = mmap.mmap(fd, size)
            os.close(fd)
            self.next_sid += 1

    def get(self, sid, tag, size):
        mm = self.maps.get(sid)
        if mm is None:
            if not WINDOWS or not isinstance(tag, str) or not tag.startswith("comfy-env-"):
                raise ValueError("unknown shared-memory segment %r" % (sid,))
            mm = mmap.mmap(-1, size, tagname=tag)
            self.maps[sid] = mm
        return mm

    def close(self):
        for mm in self.maps.values():
            try:
                mm.close()
            except (BufferError, ValueError):
                pass
        self.maps = {}
