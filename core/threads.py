"""One thread setting for the whole project: one BLAS thread per computation, computations side by side.

OpenBLAS starts a thread per core in every process and lets them spin while they wait for work. With
several computations at once (a race's schemes, a class's sessions on one small server) those threads
fight over the same cores: the default race took 17.8 s on a busy 2-core machine with a thread per core,
0.7 s with one. So every computation gets one BLAS thread (DEFAULT_BLAS_THREADS), and independent
computations run in threads of their own instead (numpy's matmul releases the GIL), at most
usable_cores() of them at once across the whole process (all the sessions of a Streamlit server), so one
session cannot take every core from the others.

The pools are set through threadpoolctl (the library scikit-learn uses for the same purpose), not by
environment variables: the command line, the app, the benchmarks and the tests call configure() once.
Note that OpenBLAS has one thread setting per process: blas_threads(n) changes it for every thread
while it is active, so it is for benchmarks and single large matmuls on an otherwise idle process.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor
from concurrent.futures import wait as futures_wait
from contextlib import contextmanager
from typing import TypeVar

import numpy as np  # noqa: F401  (loads numpy's BLAS before threadpoolctl looks for it)
from threadpoolctl import ThreadpoolController, threadpool_info

DEFAULT_BLAS_THREADS = 1  # one per computation: parallel work comes from parallel_map, not from inside BLAS

T = TypeVar("T")
R = TypeVar("R")


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity; a container's cpuset shows there)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


@functools.cache
def _controller() -> ThreadpoolController:
    # Scanning the loaded libraries takes ~0.5 ms; a kept controller sets a limit in ~0.02 ms.
    return ThreadpoolController()


@contextmanager
def blas_threads(n: int | None = None) -> Iterator[None]:
    """Run the block with n BLAS threads (default DEFAULT_BLAS_THREADS), then restore the previous number.

    threadpoolctl.threadpool_limits(n, user_api="blas"); the setting is the process's, not the thread's.
    """
    n = DEFAULT_BLAS_THREADS if n is None else n
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n={n!r} is not allowed: a whole number of threads from 1 up")
    with _controller().limit(limits=n, user_api="blas"):
        yield


_configure_lock = threading.Lock()
_configured: list = []  # the limiter that holds the process-wide setting, once applied


def configure() -> None:
    """Set every BLAS pool of the process to DEFAULT_BLAS_THREADS threads; once a process, safe to call again."""
    with _configure_lock:
        if not _configured:
            _configured.append(_controller().limit(limits=DEFAULT_BLAS_THREADS, user_api="blas"))


def blas_settings() -> list[dict]:
    """Each loaded BLAS library with its thread count, for benchmarks to print beside their figures."""
    return [{k: info[k] for k in ("internal_api", "num_threads", "version", "threading_layer") if k in info}
            for info in threadpool_info() if info.get("user_api") == "blas"]


# At most usable_cores() computations run at once in the process, across every caller.
_SLOTS = threading.BoundedSemaphore(usable_cores())
_holding = threading.local()  # a thread that holds a slot runs nested work itself instead of queueing


@contextmanager
def compute_slot() -> Iterator[None]:
    """Hold one of the process's usable_cores() compute slots for the block (waits for a free one).

    Nested use in a thread that already holds a slot does not wait again.
    """
    if getattr(_holding, "slot", False):
        yield
        return
    with _SLOTS:
        _holding.slot = True
        try:
            yield
        finally:
            _holding.slot = False


def parallel_map(fn: Callable[[T], R], items: Iterable[T], workers: int | None = None, *,
                 wait: Callable[[], None] | None = None, every: float = 0.1, slots: bool = True) -> list[R]:
    """[fn(item) for item in items], run in up to `workers` threads (default usable_cores()).

    Each call holds a compute slot, so across all callers at most usable_cores() calls run at once; a
    call made from inside another (nested) runs in its caller's thread. With slots=False the calls hold
    none: for fn that takes its own slot where it computes, so that a call waiting for a result another
    thread computes (core.cache) does not hold a slot that thread needs. Results come in the order of
    items. If calls raise, the calls not yet started are cancelled and the exception of the first
    failing item (in the order of items) is raised once the calls already running have ended.

    wait(), when given, is called in this caller's thread every `every` seconds while the calls run and
    once when they have all ended: the place to report progress to a UI that must be driven from its own
    thread. If it raises, the calls not yet started are cancelled and its exception is raised at once,
    without waiting for the running ones (stop them through state their fn checks, e.g. a
    threading.Event). fn must not share mutable state between items; with one BLAS thread, each call
    gives bitwise the same result as in a plain loop.
    """
    items = list(items)
    workers = usable_cores() if workers is None else workers
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers={workers!r} is not allowed: a whole number from 1 up")
    configure()

    def run(item: T) -> R:
        if not slots:
            return fn(item)
        with compute_slot():
            return fn(item)

    if len(items) <= 1 or workers == 1 or getattr(_holding, "slot", False):
        results = [run(item) for item in items]  # in this thread (when nested, it already holds its slot)
        if wait is not None:
            wait()
        return results
    pool = ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="compute")
    futures = [pool.submit(run, item) for item in items]
    try:
        pending = set(futures)
        while pending:
            finished, pending = futures_wait(pending, timeout=None if wait is None else every,
                                             return_when=FIRST_EXCEPTION)
            if any(f.exception() is not None for f in finished):
                for f in futures:
                    f.cancel()  # those not yet started
                for f in futures:  # the first failure in the order of items; earlier calls may still run
                    if not f.cancelled() and f.exception() is not None:
                        raise f.exception()
            if wait is not None:
                wait()
        return [f.result() for f in futures]
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
