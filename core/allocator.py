"""Keep freed memory for reuse: a simulation allocates and frees the same large arrays on every call.

glibc's malloc hands arrays of a few MiB back to the kernel when they are freed and asks for fresh,
zeroed pages at the next call; on a virtual machine that costs about 0.5 ms a MiB, a fifth of a default
simulation. Raising its thresholds keeps up to TRIM_BYTES of freed memory per arena for the next call.
glibc gives busy threads arenas of their own, up to 8 per core, and a Streamlit server runs every session
in a thread: so the arenas are capped at one per core that may compute (core.threads.usable_cores()),
which bounds what is kept to about that many times TRIM_BYTES. Elsewhere (macOS, Windows, musl) this does
nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import sys

from .threads import usable_cores

# mallopt parameters, from glibc's malloc.h
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8
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
        (M_MMAP_THRESHOLD, MMAP_BYTES), (M_TRIM_THRESHOLD, TRIM_BYTES), (M_ARENA_MAX, usable_cores())))


def release_freed_memory() -> bool:
    """Hand the freed memory of every arena back to the kernel (glibc's malloc_trim); False where that is not glibc.

    For after a computation much larger than TRIM_BYTES: its freed arrays would otherwise stay resident,
    scattered between the arrays still in use where the thresholds cannot trim them.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        malloc_trim = libc.malloc_trim
    except (OSError, AttributeError):
        return False
    malloc_trim.argtypes, malloc_trim.restype = (ctypes.c_size_t,), ctypes.c_int
    malloc_trim(0)
    return True
