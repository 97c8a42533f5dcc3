"""Keep freed memory for reuse: a simulation allocates and frees the same large arrays on every call.

glibc's malloc hands arrays of a few MiB back to the kernel when they are freed and asks for fresh,
zeroed pages at the next call; on a virtual machine that costs about 0.5 ms a MiB, a fifth of a default
simulation. Raising its thresholds keeps up to TRIM_BYTES of freed memory per arena (glibc gives busy
threads arenas of their own) for the next call. Elsewhere (macOS, Windows, musl) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

# mallopt parameters, from glibc's malloc.h
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_BYTES = 32 << 20  # arrays from 32 MiB up (4096 samples x 2048 float32 units) still go straight back
TRIM_BYTES = 64 << 20  # freed memory an arena keeps: a default simulation's largest arrays fit


@functools.cache  # once a process: the app's script calls it on every run
def keep_freed_memory() -> bool:
    """Tell glibc's malloc to keep freed memory for reuse; False where that is not glibc."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    return all(mallopt(param, value) == 1 for param, value in (
        (M_MMAP_THRESHOLD, MMAP_BYTES), (M_TRIM_THRESHOLD, TRIM_BYTES)))
