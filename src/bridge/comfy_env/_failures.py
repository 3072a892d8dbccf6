"""Why a worker failed, in words: how it ended, the end of its log, the module it crashed in."""
import os
import re
import signal
import time

# Windows NTSTATUS codes a crashed process exits with (the common ones for native extensions).
# https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-erref/596a1078-e883-4972-9bbc-49e60bebca55
_NTSTATUS = {
    0xC0000005: "access violation",
    0xC0000409: "stack buffer overrun",
    0xC00000FD: "stack overflow",
    0xC0000374: "heap corruption",
    0xC000001D: "illegal instruction",
    0xC0000135: "a DLL was not found",
    0xC0000139: "a DLL entry point was not found",
    0xC0000142: "a DLL failed to initialize",
}
_SIGNALS = {"SIGSEGV": "segmentation fault", "SIGBUS": "bus error", "SIGILL": "illegal instruction",
            "SIGFPE": "floating-point exception", "SIGABRT": "aborted", "SIGKILL": "killed"}
TAIL_LINES = 20
# The supervisor writes this line before each generation's output (src/runtime/supervisor.ts).
_GENERATION = re.compile(r"^--- \S+ .*: generation \d+, ")
# faulthandler's stack lines, most recent call first: `  File "x.py", line 3 in <module>`.
_FRAME = re.compile(r'^\s*File "(.+)", line (\d+) in (.+)$')


def describe_exit(exit):
    """`exit` as the supervisor reports it ({code, signal}): "it was killed by SIGSEGV (...)"."""
    exit = exit or {}
    sig = exit.get("signal")
    if sig:
        name = sig if str(sig).startswith("SIG") else _signal_name(sig)
        what = _SIGNALS.get(name)
        return "it was killed by %s%s" % (name, " (%s)" % what if what else "")
    code = exit.get("code")
    if code is None:
        return "it exited"
    status = int(code) & 0xFFFFFFFF
    if status in _NTSTATUS:
        return "it exited with status 0x%08X (%s)" % (status, _NTSTATUS[status])
    return "it exited with code %s" % code


def _signal_name(sig):
    try:
        return signal.Signals(int(sig)).name
    except (ValueError, TypeError):
        return str(sig)


def log_tail(log, lines=TAIL_LINES):
    """The last `lines` (None: all) the worker's latest generation wrote to its log (its stderr)."""
    if not log:
        return []
    try:
        with open(log, "rb") as f:
            f.seek(0, os.SEEK_END)
            f.seek(max(0, f.tell() - 64 * 1024))
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return []
    out = text.splitlines()
    for i in range(len(out) - 1, -1, -1):
        if _GENERATION.match(out[i]):
            out = out[i + 1:]
            break
    out = meaningful(out)
    return out if lines is None else out[-lines:]


# The worker writes this line to its stderr after a failed import and before it answers: the
# supervisor copies stderr into the log a moment later than the answer arrives, so the bridge
# reads the log once this line is there, and everything the import printed is there too.
IMPORT_FAILED = "comfy-env worker: the nodes failed to import"


def log_tail_after_import(log, wait=2.0):
    """log_tail(log, None) once the worker's IMPORT_FAILED line reached the log (at most `wait`
    seconds), without that line."""
    deadline = time.monotonic() + wait
    while True:
        lines = log_tail(log, None)
        if IMPORT_FAILED in lines or not log or time.monotonic() >= deadline:
            return [l for l in lines if l != IMPORT_FAILED]
        time.sleep(0.02)


def meaningful(lines):
    """`lines` without blank ones and importlib's own frames (every import stack has them)."""
    return [l for l in lines if l.strip() and '"<frozen importlib' not in l]


def crash_module(lines):
    """(file, line) of the innermost module-level frame of the crashed thread's stack that
    faulthandler printed: the module being imported when the worker crashed; None when the log
    has no such stack."""
    current = False
    for line in lines:
        if line.startswith(("Stack (", "Current thread ", "Thread 0x")):
            current = not line.startswith("Thread 0x")  # the crashed thread's, not another's
            continue
        m = _FRAME.match(line) if current else None
        if m and m.group(3).strip() == "<module>" and not m.group(1).startswith("<"):
            return m.group(1), int(m.group(2))
    return None
