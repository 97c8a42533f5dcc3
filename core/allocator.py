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

from .threads import ADMISSION, usable_cores

# mallopt parameters, from glibc's malloc.h
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8
MMAP_BYTES = 32 << 20  # arrays from 32 MiB up (4096 samples x 2048 float32 units) still go straight back
TRIM_BYTES = 64 << 20  # freed memory an arena keeps: a default simulation's largest arrays fit
# A computation up to this size leaves its freed memory to a computation waiting for its core (release_after): every
# tour step's network fits (72-116 MiB estimated). A larger one hands it back whoever waits: 8 sessions opening the
# largest network the page allows (1 GiB each), keeping it for each other, took the server to a peak of 2.0 GiB.
LEFT_BYTES = 128 << 20


@functools.cache  # once a process: the app's script calls it on every run
def keep_freed_memory() -> bool:
    """Tell glibc's malloc to keep freed memory for reuse; False where that is not glibc."""
    libc = _libc()
    if libc is None:
        return False
    _thresholds_set[0] = all(libc.mallopt(param, value) == 1 for param, value in (
        (M_MMAP_THRESHOLD, MMAP_BYTES), (M_TRIM_THRESHOLD, TRIM_BYTES), (M_ARENA_MAX, usable_cores())))
    return _thresholds_set[0]


_thresholds_set = [False]  # whether keep_freed_memory() has set glibc's thresholds in this process


def _libc():
    """glibc's functions this module calls, with their C signatures; None where that is not glibc."""
    return _load_libc() if sys.platform.startswith("linux") else None


@functools.cache
def _load_libc():
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        functions = libc.mallopt, libc.malloc_trim, libc.malloc, libc.free
    except (OSError, AttributeError):
        return None
    mallopt, malloc_trim, malloc, free = functions
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    malloc_trim.argtypes, malloc_trim.restype = (ctypes.c_size_t,), ctypes.c_int
    malloc.argtypes, malloc.restype = (ctypes.c_size_t,), ctypes.c_void_p
    free.argtypes, free.restype = (ctypes.c_void_p,), None
    return libc


TRIM_PROBE = 256 << 10  # a block freed to make glibc look at an arena's top: over the 64 KiB that makes it look


def release_after(need: int) -> bool:
    """release_freed_memory() after a computation whose memory estimate `need` (bytes) is over TRIM_BYTES, unless it
    is at most LEFT_BYTES and another computation waits for a core or memory (core.threads.ADMISSION); whether it
    released. Call it from the thread that computed.

    One that waits reuses the freed memory: handed back after each of a class's tour pages (72-116 MiB estimated),
    it was faulted in afresh by the next, 700,000 page faults and 1.1 s of the server's system time in a burst of
    30 pages (docs/performance.md, "A page's network on two cores"). The last computation of a burst hands it back.
    """
    return need > TRIM_BYTES and (need > LEFT_BYTES or not ADMISSION.waiting) and release_freed_memory()


def release_freed_memory() -> bool:
    """Hand freed memory back to the kernel; False where that is not glibc. Call it from the thread that freed it.

    For after a computation much larger than TRIM_BYTES (release_after): its freed arrays would otherwise stay
    resident. glibc's malloc_trim(0) returns the free blocks of every arena and the top of the main arena, but not
    the top of the other arenas (glibc 2.36's mtrim), where a thread's freed arrays end up; glibc trims that top
    only when a block of this thread's arena is freed and the top is over M_TRIM_THRESHOLD. So the threshold is
    set to 0 for one freed TRIM_PROBE block, then set back: the calling thread's arena keeps nothing either. Other
    threads' arenas keep their tops, under TRIM_BYTES each.
    """
    libc = _libc()
    if libc is None:
        return False
    libc.malloc_trim(0)
    # Only where keep_freed_memory() set the threshold: glibc's own threshold is dynamic, and trims on free anyway.
    if _thresholds_set[0] and libc.mallopt(M_TRIM_THRESHOLD, 0) == 1:
        try:
            libc.free(libc.malloc(TRIM_PROBE))
        finally:
            libc.mallopt(M_TRIM_THRESHOLD, TRIM_BYTES)
    return True
