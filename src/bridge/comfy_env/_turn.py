"""A mutex for the per-call hot paths: the bridge's request and the worker's dispatch.

Uncontended, taking and giving back a Turn are one C call each, list.pop() and list.append(),
which CPython runs atomically (under the GIL, and under a free-threaded build's per-list lock).
A `with threading.Lock()` costs over three times that, because acquire() parses its arguments on
every call (bench/instructions.ts counts it). A thread that finds the token taken polls for it
with a growing sleep: that happens only when two threads call into one environment at once.
Not re-entrant.
"""
import threading
import time


class Turn(object):
    __slots__ = ("take", "give", "_queue")

    def __init__(self):
        token = [None]
        self.take = token.pop  # IndexError: another thread has the turn; then call wait()
        self.give = token.append  # give(None) hands it back
        self._queue = threading.Lock()

    def wait(self):
        """Block until the turn is this thread's (after take() raised IndexError)."""
        with self._queue:  # one waiter polls at a time, the others queue here
            delay = 0.0001
            while True:
                time.sleep(delay)
                try:
                    self.take()
                    return
                except IndexError:
                    delay = min(delay * 2, 0.01)
