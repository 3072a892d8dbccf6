"""Shared-memory segments for arrays and tensors crossing the bridge <-> worker socket.

A sender owns a pool of segments per connection and reuses them: a segment is busy from the
frame that references it until the next value arrives from the peer (the peer copies arrays out
while decoding, before it can send anything). Then the pool keeps at most KEEP bytes of idle
segments and closes the rest, largest first, and the peer, told their ids, unmaps them too: a
connection holds what its biggest messages need only while they are in flight. On Unix a
segment is an anonymous file (memfd on Linux, an unlinked temp file elsewhere) whose descriptor
travels once to the peer (SCM_RIGHTS, on the connection's descriptor channel: see _connection), so
nothing is left behind when either side dies, even by kill -9. On Windows a segment is a named
mapping that disappears with the last handle.
"""
import mmap
import operator
import os
import secrets
import sys
import tempfile

WINDOWS = sys.platform == "win32"
MIN_SEGMENT = 1 << 20
# Arrays smaller than this travel inline in the frame: a segment costs more than the copy.
INLINE_LIMIT = 1 << 16
# Idle segment bytes a connection keeps for the next messages (tests set a small one): enough
# for a batch of big images. A message over it pays for a fresh segment each time, whose pages
# are faulted in on first write (256 MiB: 0.57 s, against 0.04 s to copy into a kept one, on
# the 2-core test VM); without a bound the biggest message's segments stay mapped for good.
KEEP = 256 << 20


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
        _unmap(self.mm)
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
        self.kept = 0  # bytes of all the segments

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
            self.kept += size
            if best.fd >= 0:
                self.unsent_fds.append(best.fd)
        best.busy = True
        self.lent.append(best)
        return best

    def release_all(self):
        """Free the lent segments, then close idle ones, largest first, while the pool holds
        more than KEEP bytes. Returns the closed ones' ids, for the peer to unmap. A segment
        whose descriptor has not gone to the peer yet stays: the peer numbers descriptors in
        the order they arrive."""
        for s in self.lent:
            s.busy = False
        del self.lent[:]
        closed = []
        if self.kept > KEEP:
            for s in sorted(self.segments, key=operator.attrgetter("size"), reverse=True):
                if self.kept <= KEEP:
                    break
                if s.fd >= 0 and s.fd in self.unsent_fds:
                    continue
                self.segments.remove(s)
                self.kept -= s.size
                s.close()
                closed.append(s.sid)
        return closed

    def take_unsent_fds(self):
        fds = self.unsent_fds
        self.unsent_fds = []
        return fds

    def close(self):
        for s in self.segments:
            s.close()
        self.segments = []
        self.kept = 0
        del self.lent[:]


class PeerMaps(object):
    """The peer's segments, mapped on first sight and kept until the peer closes them (see
    _connection's RETIRED frame) or the connection ends."""

    def __init__(self):
        self.maps = {}
        self.next_sid = 0

    def add_fds(self, fds):
        for fd in fds:
            size = os.fstat(fd).st_size
            self.maps[self.next_sid] = mmap.mmap(fd, size)
            os.close(fd)
            self.next_sid += 1

    def drop(self, sids):
        """Unmap the segments the peer closed (unknown ids are ignored)."""
        for sid in sids:
            mm = self.maps.pop(sid, None)
            if mm is not None:
                _unmap(mm)

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
            _unmap(mm)
        self.maps = {}


def _unmap(mm):
    try:
        mm.close()
    except (BufferError, ValueError):
        pass  # an array still views it: the mapping goes with the array
