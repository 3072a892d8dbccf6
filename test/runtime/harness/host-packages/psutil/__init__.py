# ComfyUI's Python has its requirements; this stands in for psutil there (tests only).
import collections

_VM = collections.namedtuple("svmem", "total available")


def virtual_memory():
    return _VM(16 << 30, 8 << 30)
