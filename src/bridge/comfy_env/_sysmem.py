"""psutil.virtual_memory() for a worker whose env lacks psutil: ComfyUI's comfy.model_management
reads the machine's total and available memory through it while it is imported, so without it
that module (and every node that checks ComfyUI's interrupt flag) could not import."""
import collections
import os
import sys

VirtualMemory = collections.namedtuple("VirtualMemory", "total available")


def virtual_memory():
    if sys.platform == "win32":
        return _windows()
    if os.path.exists("/proc/meminfo"):
        return _proc_meminfo()
    return _sysconf()


def _proc_meminfo():
    info = {}
    with open("/proc/meminfo", "r") as f:
        for line in f:
            key, _, value = line.partition(":")
            info[key] = int(value.split()[0]) * 1024  # kB
    return VirtualMemory(info["MemTotal"], info.get("MemAvailable", info["MemFree"]))


def _sysconf():
    page = os.sysconf("SC_PAGE_SIZE")
    total = os.sysconf("SC_PHYS_PAGES") * page
    # macOS has no SC_AVPHYS_PAGES: all of it, as ComfyUI's use (a budget) prefers to a guess of 0.
    free = os.sysconf("SC_AVPHYS_PAGES") * page if "SC_AVPHYS_PAGES" in os.sysconf_names else total
    return VirtualMemory(total, free)


def _windows():
    import ctypes

    class MemoryStatusEx(ctypes.Structure):  # GlobalMemoryStatusEx's MEMORYSTATUSEX
        _fields_ = [("dwLength", ctypes.c_ulong), ("dwMemoryLoad", ctypes.c_ulong), ("ullTotalPhys", ctypes.c_ulonglong),
                    ("ullAvailPhys", ctypes.c_ulonglong), ("ullTotalPageFile", ctypes.c_ulonglong),
                    ("ullAvailPageFile", ctypes.c_ulonglong), ("ullTotalVirtual", ctypes.c_ulonglong),
                    ("ullAvailVirtual", ctypes.c_ulonglong), ("ullAvailExtendedVirtual", ctypes.c_ulonglong)]

    status = MemoryStatusEx()
    status.dwLength = ctypes.sizeof(MemoryStatusEx)
    ctypes.windll.kernel32.GlobalMemoryStatusEx(ctypes.byref(status))
    return VirtualMemory(status.ullTotalPhys, status.ullAvailPhys)
