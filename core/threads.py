"""One thread setting for the whole project: one BLAS thread per computation, computations side by side.

OpenBLAS starts a thread per core in every process and lets them spin while they wait for work. With
several computations at once (a race's schemes, a class's sessions on one small server) those threads
fight over the same cores: the default race took 17.8 s on a busy 2-core machine with a thread per core,
0.7 s with one. So every computation gets one BLAS thread (DEFAULT_BLAS_THREADS), and independent
computations run in threads of their own instead (numpy's matmul releases the GIL), at most
usable_cores() of them at once across the whole process (all the sessions of a Streamlit server), so one
session cannot take every core from the others. Those computations are admitted highest response ratio next
(a short one soon, none for ever), each with the memory it needs reserved from the server's budget (ADMISSION,
core.admission).

The pools are set through threadpoolctl (the library scikit-learn uses for the same purpose), not by
environment variables: the command line, the app, the benchmarks and the tests call configure() once.
Note that OpenBLAS has one thread setting per process: blas_threads(n) changes it for every thread
while it is active, so it is for benchmarks and single large matmuls on an otherwise idle process.
"""

from __future__ import annotations

import contextvars
import functools
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TypeVar

import numpy as np  # noqa: F401  (loads numpy's BLAS before threadpoolctl looks for it)
from threadpoolctl import OpenBLASController, ThreadpoolController, threadpool_info

from .admission import DEFAULT_SERVER_MIB, Admission

DEFAULT_BLAS_THREADS = 1  # one per computation: parallel work comes from parallel_map, not from inside BLAS

T = TypeVar("T")
R = TypeVar("R")


class Cancelled(Exception):
    """A computation ended early because its cancel signal was set (the page that asked for it has gone)."""


Cancel = threading.Event | Callable[[], bool] | None  # a computation's cancel signal: set, or True, to stop


def check(cancel: Cancel) -> None:
    """Raise Cancelled if the signal is set: a threading.Event that is set, or a callable that returns True."""
    if cancel is not None and (cancel.is_set() if isinstance(cancel, threading.Event) else cancel()):
        raise Cancelled


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity; a container's cpuset shows there)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def machine_has_a_free_core() -> bool:
    """Whether a core of usable_cores() is free at this moment: the threads runnable on the machine now (the first
    number of /proc/loadavg's fourth field, which counts the asking thread too) are fewer than the cores. Work
    outside this process (another server, a test suite, a browser) is not in ADMISSION's count, and a computation
    split over a busy machine's cores waits for its slowest part (docs/performance.md, conv nets: 1.5 times slower
    at a load of 5 on 2 cores). The count of this moment, not the 1-minute load average: a browser that drew a
    page a second ago, or a class's burst half a minute ago, leaves the cores free now. Where /proc/loadavg is
    missing (macOS), the 1-minute load average (os.getloadavg) must leave a core; True where neither is known."""
    try:
        return runnable_threads() < usable_cores()
    except OSError:
        pass
    try:
        return os.getloadavg()[0] < usable_cores() - 0.5
    except (AttributeError, OSError):  # Windows
        return True


def runnable_threads(path: str = "/proc/loadavg") -> int:
    """The threads running or ready to run on the machine at this moment, the asking one included (Linux's
    /proc/loadavg, fourth field "runnable/total"; proc(5)). OSError where the file is missing or not as described."""
    with open(path, encoding="ascii") as file:
        fields = file.read().split()
    try:
        return int(fields[3].split("/")[0])
    except (IndexError, ValueError) as error:
        raise OSError(f"{path}: no runnable count in {' '.join(fields)!r}") from error


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
    with _configure_lock:
        _blas_blocks[0] += 1
    try:
        with _controller().limit(limits=n, user_api="blas"):
            yield
    finally:
        with _configure_lock:
            _blas_blocks[0] -= 1


_configure_lock = threading.Lock()
_configured: list = []  # the limiter that holds the process-wide setting, once applied
_modules_seen = [0]  # len(sys.modules) at the last configure() that looked at the libraries
_blas_blocks = [0]  # blas_threads() blocks running: configure() leaves their setting to them


def configure() -> None:
    """Set every BLAS pool of the process to DEFAULT_BLAS_THREADS threads; safe to call again.

    Each call looks for libraries loaded since the last one (scipy brings an OpenBLAS of its own, which
    starts with a thread per core) and sets those too. A BLAS library comes with the import of the module
    that links it, so a call that finds no module imported since the last one returns at once: scanning
    the process's libraries costs a Streamlit server ~10 % of a page's run, and the app calls this on every run.
    """
    with _configure_lock:
        if _configured and _modules_seen[0] == len(sys.modules):
            return
        _modules_seen[0] = len(sys.modules)
        _controller.cache_clear()
        pools = [info["num_threads"] for info in threadpool_info() if info.get("user_api") == "blas"]
        if not _configured or any(n != DEFAULT_BLAS_THREADS for n in pools):
            # threadpoolctl lets only the thread that first set an OpenBLAS pool change it and ignores the others
            # without a word: scipy's OpenBLAS, loaded by a computing thread (core.draws.orthogonal), kept a thread
            # per core, spinning between its calls (step 10's 64 QRs: 4 s of CPU instead of 0.05 s). The one
            # setting is made from whichever thread finds the library, and the control given back.
            if not _blas_blocks[0]:
                OpenBLASController.clear_controlling_thread(force=True)
            _configured.append(_controller().limit(limits=DEFAULT_BLAS_THREADS, user_api="blas"))
            OpenBLASController.clear_controlling_thread()


def blas_settings() -> list[dict]:
    """Each loaded BLAS library with its thread count and its kernels (OpenBLAS's "architecture", which its last bits
    depend on), for benchmarks to print beside their figures."""
    return [{k: info[k] for k in ("internal_api", "num_threads", "version", "threading_layer", "architecture")
             if k in info}
            for info in threadpool_info() if info.get("user_api") == "blas"]


# The process's computations (every session of a Streamlit server) are admitted here, highest response ratio next:
# at most usable_cores() at once, and the memory they reserve (compute_slot's nbytes) adds up to at most the
# server's budget (core.admission; the app sets it from INIT_EXPLORER_MEMORY_MIB), one computation's budget
# (core.config.DEFAULT_MEMORY_BUDGET) unless set: two large networks wait for each other instead of needing
# twice the memory at once.
ADMISSION = Admission(usable_cores(), DEFAULT_SERVER_MIB << 20)
_holding = threading.local()  # a thread that holds a slot runs nested work itself instead of queueing


@contextmanager
def compute_slot(nbytes: int = 0, cancel: Cancel = None, waiting: Callable[[int], None] | None = None,
                 every: float = 0.1, work: float = 0.0) -> Iterator[None]:
    """Hold one of the process's usable_cores() compute slots for the block and reserve nbytes of the server's
    memory budget (ADMISSION); waits until both are free and this computation, of `work` seconds of one core, has
    the highest response ratio of those waiting (core.admission). A computation needing the whole budget runs
    alone.

    While it waits, Cancelled is raised as soon as cancel is set (looked at every `every` seconds), and
    waiting(n) is told how many computations run or wait before this one whenever that changes (0 once
    admitted); waiting must be quick. Nested use in a thread that already holds a slot does not wait again.
    """
    if getattr(_holding, "slot", False):
        yield
        return
    with ADMISSION.admit(nbytes, check=None if cancel is None else partial(check, cancel), waiting=waiting,
                         every=every, work=work):
        _holding.slot = True
        try:
            yield
        finally:
            _holding.slot = False


def step_aside(cancel: Cancel = None, every: float = 0.1) -> bool:
    """In a thread holding a compute slot, between steps of a long computation (paused meanwhile): lend the core
    to a computation waiting for one and wait for a core again, ranked as a computation of a SLICE's work
    (ADMISSION.step_aside, core.admission); whether it did. Cancelled as soon as cancel is set while waiting, with
    the core held again."""
    return ADMISSION.step_aside(check=None if cancel is None else partial(check, cancel), every=every)


def holds_slot() -> bool:
    """Whether this thread holds a compute slot (it runs inside parallel_map or compute_slot)."""
    return getattr(_holding, "slot", False)


def parallel_map(fn: Callable[[T], R], items: Iterable[T], workers: int | None = None, *,
                 wait: Callable[[], None] | None = None, every: float = 0.1, slots: bool = True,
                 join_later: bool = True) -> list[R]:
    """[fn(item) for item in items], run in up to `workers` threads (default usable_cores()).

    Each call holds a compute slot, so across all callers at most usable_cores() calls run at once; each
    thread takes its slot in line with every other computation (ADMISSION). The items are taken in order
    by whichever thread is free. A caller that holds a slot itself (nested use: a computation that splits
    its own work) works on the items in its own thread, and more threads join it only as cores are free
    and no computation waits for one, so nested use never waits for a slot its caller holds (with
    join_later=False only if one is free at once: for work of a few milliseconds, where a helper that looks for
    a core every 10 ms would keep the caller waiting for it after the work is done). With
    slots=False the calls hold none: for fn that takes its own slot where it computes, so that a call
    waiting for a result another thread computes (core.cache) does not hold a slot that thread needs.

    Results come in the order of items. If calls raise, no new item is started and the exception of the
    first failing item (in the order of items) is raised once the calls already running have ended.

    wait(), when given, is called in this caller's thread every `every` seconds while the calls run and
    once when they have all ended: the place to report progress to a UI that must be driven from its own
    thread. The calls then run in threads of their own (even a single one), unless the caller holds a slot.
    If wait() raises, no new item is started and its exception is raised at once, without waiting
    for the running ones (stop them through state their fn checks, e.g. a threading.Event). fn must not
    share mutable state between items; with one BLAS thread, each call gives bitwise the same result as
    in a plain loop.
    """
    items = list(items)
    workers = usable_cores() if workers is None else workers
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers={workers!r} is not allowed: a whole number from 1 up")
    configure()
    count = len(items)
    results: list = [None] * count
    errors: list[BaseException | None] = [None] * count
    lock, following = threading.Lock(), [0]  # the next item to start
    halt = threading.Event()  # an item failed, or wait() raised: start no more items

    def take() -> int | None:
        with lock:
            if halt.is_set() or following[0] >= count:
                return None
            following[0] += 1
            return following[0] - 1

    def work() -> None:
        index = take()
        while index is not None:
            try:
                results[index] = fn(items[index])
            except BaseException as error:  # noqa: BLE001  (raised again in the caller)
                errors[index] = error
                halt.set()
            index = take()

    def no_work_left() -> bool:
        return halt.is_set() or following[0] >= count

    def helper() -> None:
        if not slots:
            work()
            return
        if nested:  # borrow a core the caller's computation may use, while there is work left for it
            while not ADMISSION.try_core():
                if no_work_left() or not join_later:
                    return
                time.sleep(0.01)
            _holding.slot = True
            try:
                work()
            finally:
                _holding.slot = False
                ADMISSION.release_core()
            return
        try:
            with compute_slot(cancel=no_work_left, every=0.01):  # in line with every other computation
                work()
        except Cancelled:  # raised only while waiting: work() keeps fn's exceptions
            return

    nested = holds_slot()
    # The caller's thread works on the items too, unless it is to call wait() while they run.
    inline = nested or (wait is None and (workers == 1 or count <= 1))
    # Each helper runs in a copy of the caller's context: numpy's floating-point error settings (np.errstate) are a
    # context variable, which a new thread does not inherit, so a row block computed on a helper had warned of an
    # overflow the caller's computation had set to be ignored.
    helpers = [threading.Thread(target=contextvars.copy_context().run, args=(helper,), name=f"compute-{i}",
                                daemon=True) for i in range(max(0, min(workers, count) - inline))]
    for h in helpers:
        h.start()
    if inline:
        if slots:
            with compute_slot():  # no wait when nested: the caller's own slot
                work()
        else:
            work()
    while True:
        alive = [h for h in helpers if h.is_alive()]
        if not alive:
            break
        alive[0].join(timeout=None if wait is None else every)
        if wait is not None and alive[0].is_alive():
            _call_wait(wait, halt)
    if wait is not None:
        _call_wait(wait, halt)
    failed = next((e for e in errors if e is not None), None)
    if failed is not None:
        raise failed
    return results


def each(fn: Callable[[T], object], items: Iterable[T]) -> None:
    """fn(item) for every item: in this thread, with a free core's help when the computation holds a compute
    slot, a core is free now (parallel_map's nested use: it never waits for one, and takes none while another
    computation waits; a product takes milliseconds, so a core that frees later is not waited for) and the
    machine's load leaves one free (machine_has_a_free_core). For parts of one computation whose results do not
    depend on the thread that computes them (a product's row blocks, core.products.matmul_rows)."""
    items = list(items)
    if len(items) > 1 and holds_slot() and machine_has_a_free_core():
        parallel_map(fn, items, join_later=False)
        return
    for item in items:
        fn(item)


def _call_wait(wait: Callable[[], None], halt: threading.Event) -> None:
    try:
        wait()
    except BaseException:
        halt.set()  # start no more items; the running ones end on their own
        raise
