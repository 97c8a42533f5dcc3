"""core.threads: one BLAS thread per computation, independent work side by side, never more than the cores."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_info

from core import threads

needs_two_cores = pytest.mark.skipif(threads.usable_cores() < 2, reason="side-by-side work needs two cores")


def blas_thread_counts() -> list[int]:
    return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]


# --- the BLAS setting --------------------------------------------------------------------------------------

def test_configure_gives_every_blas_pool_one_thread():
    threads.configure()
    assert blas_thread_counts() and set(blas_thread_counts()) == {threads.DEFAULT_BLAS_THREADS} == {1}
    assert [s["num_threads"] for s in threads.blas_settings()] == blas_thread_counts()


def test_blas_threads_sets_the_pool_inside_and_restores_it_after():
    threads.configure()
    with threads.blas_threads(2):
        assert set(blas_thread_counts()) == {2}
        with threads.blas_threads():  # the default: the project's one setting
            assert set(blas_thread_counts()) == {threads.DEFAULT_BLAS_THREADS}
        assert set(blas_thread_counts()) == {2}
    assert set(blas_thread_counts()) == {1}


def test_parallel_work_inside_blas_threads_keeps_its_setting():
    """A benchmark's blas_threads(2) holds through parallel_map (which calls configure()) until the block ends: the
    conv benchmark's 2-thread figures ran with one after its warm-up while configure() reset it."""
    threads.configure()
    with threads.blas_threads(2):
        threads.parallel_map(abs, range(3))
        threads.configure()
        assert set(blas_thread_counts()) == {2}
    assert set(blas_thread_counts()) == {1}
    threads.configure()
    assert set(blas_thread_counts()) == {1}


SCIPY_LOADED_BY_A_THREAD = """
import threading
from threadpoolctl import threadpool_info
from core import threads
threads.configure()  # the main thread first, as the app, the command line and the tests do
def computation():
    from scipy.linalg import lapack  # scipy's own OpenBLAS, loaded here (core.draws.orthogonal)
    threads.configure()
worker = threading.Thread(target=computation)
worker.start()
worker.join()
print(sorted(info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"))
"""


@pytest.mark.slow
def test_a_blas_library_a_computing_thread_loads_gets_one_thread_too():
    """threadpoolctl lets one thread set an OpenBLAS pool and ignores the others: scipy's OpenBLAS, first loaded by a
    computing thread, kept a thread per core, which spin between its calls (in a new process: scipy unloaded)."""
    done = subprocess.run([sys.executable, "-c", SCIPY_LOADED_BY_A_THREAD], cwd=Path(__file__).parent.parent,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[1, 1]"  # numpy's pool and scipy's


@pytest.mark.parametrize("runnable, free", [(1, True), (2, False), (3, False), (9, False)])
@pytest.mark.parametrize("load", [0.0, 7.0])
def test_a_core_is_free_while_the_threads_runnable_now_leave_one(monkeypatch, tmp_path, runnable, free, load):
    """Two cores: free while the asking thread runs alone, whatever the 1-minute load average says."""
    loadavg = tmp_path / "loadavg"
    loadavg.write_text(f"{load:.2f} 0.84 0.64 {runnable}/83 28819\n")
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    monkeypatch.setattr(threads, "runnable_threads", partial(threads.runnable_threads, str(loadavg)))
    assert threads.machine_has_a_free_core() is free


@pytest.mark.parametrize("load, free", [(0.0, True), (1.2, True), (1.6, False), (7.0, False)])
def test_without_a_runnable_count_a_core_is_free_while_the_load_average_leaves_one(monkeypatch, tmp_path, load, free):
    """Where /proc/loadavg is missing (macOS) or unreadable, the 1-minute load average decides."""
    monkeypatch.setattr(threads, "usable_cores", lambda: 2)
    monkeypatch.setattr(threads, "runnable_threads", partial(threads.runnable_threads, str(tmp_path / "no_such_file")))
    monkeypatch.setattr(threads.os, "getloadavg", lambda: (load, 0.0, 0.0))
    assert threads.machine_has_a_free_core() is free


@pytest.mark.parametrize("text", ["", "0.1 0.2 0.3", "0.1 0.2 0.3 x/83 1"])
def test_a_loadavg_without_a_runnable_count_is_an_os_error(tmp_path, text):
    path = tmp_path / "loadavg"
    path.write_text(text)
    with pytest.raises(OSError, match="no runnable count"):
        threads.runnable_threads(str(path))


@pytest.mark.skipif(not Path("/proc/loadavg").exists(), reason="Linux's /proc/loadavg")
def test_this_thread_is_counted_as_runnable():
    assert threads.runnable_threads() >= 1


@pytest.mark.parametrize("n", [0, -1, 1.5, True, "2"])
def test_blas_threads_refuses_a_bad_count(n):
    with pytest.raises(ValueError, match="whole number of threads"), threads.blas_threads(n):
        pass


def test_usable_cores_is_the_affinity():
    assert threads.usable_cores() == len(os.sched_getaffinity(0))


# --- parallel_map ------------------------------------------------------------------------------------------

def test_results_come_in_the_order_of_the_items():
    def slow_square(i):
        time.sleep(0.002 * (8 - i))  # later items finish first
        return i * i

    assert threads.parallel_map(slow_square, range(8)) == [i * i for i in range(8)]
    assert threads.parallel_map(slow_square, []) == []
    assert threads.parallel_map(slow_square, [3], workers=1) == [9]


@needs_two_cores
def test_calls_run_side_by_side():
    """Two calls that each wait for the other can only finish if they run at the same time."""
    meet = threading.Barrier(2, timeout=30)
    assert threads.parallel_map(lambda i: meet.wait() >= 0, range(2), workers=2) == [True, True]


@pytest.mark.parametrize("setting", ["ignore", "raise"])
def test_the_calls_run_under_the_callers_floating_point_error_settings(setting):
    """np.errstate belongs to the caller's context (a context variable in numpy 2), which a new thread does not
    inherit: a product's second row block, computed on a helper thread, warned of an overflow simulate had silenced."""
    with np.errstate(over=setting):
        seen = threads.parallel_map(lambda i: np.geterr()["over"], range(4), workers=2, wait=lambda: None)
    assert seen == [setting] * 4


def test_the_first_failure_in_item_order_is_raised():
    def fail_some(i):
        time.sleep(0.01 * (6 - i))  # item 4 fails before item 2 in time
        if i in (2, 4):
            raise KeyError(i)
        return i

    with pytest.raises(KeyError) as caught:
        threads.parallel_map(fail_some, range(6))
    assert caught.value.args == (2,)


@pytest.mark.slow
def test_after_a_failure_the_calls_not_started_are_cancelled():
    started = []

    def fail_first(i):
        started.append(i)
        if i == 0:
            raise ValueError("first")
        time.sleep(0.05)
        return i

    with pytest.raises(ValueError, match="first"):
        threads.parallel_map(fail_first, range(200), workers=2)
    time.sleep(0.2)
    assert len(started) < 200


@pytest.mark.parametrize("workers", [0, -2, 1.5, False])
def test_a_bad_worker_count_is_refused(workers):
    with pytest.raises(ValueError, match="workers"):
        threads.parallel_map(abs, [1], workers=workers)


class InFlight:
    """Counts the calls inside `with gauge:` at once, and the most there ever were (peak)."""

    def __init__(self):
        self.lock, self.now, self.peak = threading.Lock(), 0, 0

    def __enter__(self):
        with self.lock:
            self.now += 1
            self.peak = max(self.peak, self.now)

    def __exit__(self, *exc):
        with self.lock:
            self.now -= 1


def running_at_most(callers: int, items: int, workers: int | None = None) -> int:
    """The most calls that ran at once when `callers` threads each ran parallel_map over `items` items."""
    gauge = InFlight()

    def busy(_):
        with gauge:
            time.sleep(0.02)

    sessions = [threading.Thread(target=threads.parallel_map, args=(busy, range(items), workers))
                for _ in range(callers)]
    for s in sessions:
        s.start()
    for s in sessions:
        s.join()
    return gauge.peak


@pytest.mark.slow
def test_all_callers_together_never_run_more_calls_than_cores():
    """Six sessions, each asking for eight workers: at no moment more calls than the machine's cores."""
    cores = threads.usable_cores()
    assert running_at_most(callers=6, items=8, workers=8) <= cores
    assert running_at_most(callers=1, items=8, workers=1) == 1


def test_nested_calls_finish_when_their_callers_hold_every_slot():
    """Inner calls would wait forever for slots their own callers hold, if they queued for them: a caller
    that holds a slot works on its items itself."""
    outer = threads.usable_cores() + 1
    inner = threads.parallel_map(lambda i: threads.parallel_map(lambda j: (i, j), range(3)), range(outer))
    assert inner == [[(i, j) for j in range(3)] for i in range(outer)]


@needs_two_cores
def test_a_nested_call_takes_the_slots_that_are_free():
    """A computation that splits its own work (as the draws of a network do) runs side by side when cores are
    free: two items that each wait for the other finish."""
    meet = threading.Barrier(2, timeout=30)
    with threads.compute_slot():
        assert threads.holds_slot()
        assert threads.parallel_map(lambda i: meet.wait() >= 0, range(2)) == [True, True]
    assert not threads.holds_slot()


def test_a_nested_call_that_will_not_join_later_runs_in_its_callers_thread_when_no_core_is_free():
    """join_later=False (core.conv's products): with every core taken when the call starts, the caller computes
    every item itself, even when a core frees during the call (a helper that joined later would take some)."""
    caller = threading.get_ident()
    with threads.compute_slot():
        taken = [threads.ADMISSION.try_core() for _ in range(threads.usable_cores())]
        assert not threads.ADMISSION.try_core()  # every core is in use

        def item(i: int) -> int:
            if i == 0:  # the cores free at once
                for got in taken:
                    if got:
                        threads.ADMISSION.release_core()
            time.sleep(0.03)  # time for a helper that looks for a core every 10 ms to find one
            return threading.get_ident()

        ran = threads.parallel_map(item, range(6), join_later=False)
    assert ran == [caller] * 6


@needs_two_cores
def test_a_nested_call_that_will_not_join_later_takes_a_core_that_is_free():
    meet = threading.Barrier(2, timeout=30)
    with threads.compute_slot():
        assert threads.parallel_map(lambda i: meet.wait() >= 0, range(2), join_later=False) == [True, True]


@pytest.mark.slow
def test_wait_is_called_in_the_callers_thread_until_the_end():
    caller, seen = threading.get_ident(), []
    threads.parallel_map(lambda i: time.sleep(0.1), range(4), wait=lambda: seen.append(threading.get_ident()),
                         every=0.01)
    assert len(seen) >= 2 and set(seen) == {caller}


def test_wait_is_called_while_a_single_item_runs():
    """wait() is the caller's chance to drive a page while its computation runs (or waits for the server):
    with one item too, the item runs in a thread of its own and wait() is called meanwhile."""
    called = threading.Event()
    assert threads.parallel_map(lambda _: called.wait(30), [0], wait=called.set, every=0.01) == [True]


@pytest.mark.slow
def test_an_error_in_wait_is_raised_and_cancels_what_has_not_started():
    started = []

    def work(i):
        started.append(i)
        time.sleep(0.05)

    def stop():
        raise InterruptedError("stop pressed")

    with pytest.raises(InterruptedError, match="stop pressed"):
        threads.parallel_map(work, range(100), workers=2, wait=stop, every=0.01)
    time.sleep(0.3)
    assert len(started) < 100


def test_side_by_side_matmuls_are_bitwise_those_of_a_loop():
    """One BLAS thread per call: the same products, bit for bit, whichever thread computes them."""
    threads.configure()
    rng = np.random.default_rng(0)
    pairs = [(rng.standard_normal((96, 200), dtype=np.float32),
              rng.standard_normal((200, 200), dtype=np.float32) / np.float32(14)) for _ in range(6)]

    def chain(pair):
        h, w = pair
        for _ in range(20):
            h = np.tanh(h @ w)
        return h @ w.T

    assert all(np.array_equal(x, y) for x, y in zip(threads.parallel_map(chain, pairs), map(chain, pairs)))


@pytest.mark.slow
def test_computations_that_together_need_more_than_the_budget_run_one_after_the_other():
    """Two networks that each need 60 % of the memory budget never run at once; small ones run beside them."""
    from core.config import DEFAULT_MEMORY_BUDGET

    gauge = InFlight()

    def big(_):
        with threads.compute_slot(int(0.6 * DEFAULT_MEMORY_BUDGET)), gauge:
            time.sleep(0.05)

    threads.parallel_map(big, range(4), slots=False)
    assert gauge.peak == 1
    with threads.compute_slot(DEFAULT_MEMORY_BUDGET):  # the whole budget; a nested slot needs no more
        with threads.compute_slot(DEFAULT_MEMORY_BUDGET):
            assert threads.holds_slot()


def test_configure_also_sets_a_blas_loaded_after_it():
    threads.configure()
    import scipy.linalg  # noqa: F401  (scipy's own OpenBLAS starts with a thread per core)

    threads.configure()
    assert set(blas_thread_counts()) == {threads.DEFAULT_BLAS_THREADS}


def test_configure_scans_the_libraries_again_only_after_an_import(monkeypatch):
    """The app calls configure() on every run: with no module imported since, it must not rescan the libraries."""
    import sys
    import types

    threads.configure()
    scans = []
    monkeypatch.setattr(threads, "threadpool_info", lambda: scans.append(1) or [])
    threads.configure()
    assert scans == []
    monkeypatch.setitem(sys.modules, "a_module_loaded_later", types.ModuleType("a_module_loaded_later"))
    threads.configure()
    assert scans == [1]


def test_a_networks_draws_side_by_side_are_the_numbers_drawn_one_after_another(monkeypatch):
    from core import draws

    shape = dict(seed=11, depth=6, width=70, batch=30, input="uniform", weight_family="normal", dtype="float32")
    draws.forget()
    together = draws.draw(**shape)
    draws.forget()
    monkeypatch.setattr(draws.threads, "parallel_map", lambda fn, items, **kwargs: [fn(i) for i in items])
    alone = draws.draw(**shape)
    for a, b in zip((together.x, together.readout, *together.weights), (alone.x, alone.readout, *alone.weights)):
        np.testing.assert_array_equal(a, b)
    assert len(together.weights) == 6


@pytest.mark.parametrize("slot, free, alone", [(False, True, True), (True, False, True), (True, True, False)])
def test_parts_share_the_cores_only_in_a_computation_on_a_machine_with_one_free(monkeypatch, slot, free, alone):
    """Outside a compute slot, or when the machine's load leaves no core free, every part runs in the caller's thread;
    otherwise a free core takes some (each part waits for the other, so both must run at once)."""
    if not alone and threads.usable_cores() < 2:
        pytest.skip("one usable core: no other core to share")
    monkeypatch.setattr(threads, "machine_has_a_free_core", lambda: free)
    meet = threading.Barrier(2, timeout=5)
    ran = []

    def part(i: int) -> None:
        ran.append(threading.get_ident())
        if not alone:
            meet.wait()

    with threads.compute_slot() if slot else contextlib.nullcontext():
        threads.each(part, range(2))
    assert (set(ran) == {threading.get_ident()}) is alone and len(ran) == 2
