"""core.cache, the draws' and the page's caches: what a server keeps is bounded by bytes, computed once, shared."""

from __future__ import annotations

import gc
import platform
import subprocess
import sys
import threading
import tracemalloc
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from core import Config, MemoryBudgetError, cache, draws, simulate
from core.train import BN_RESCUE, LECTURE_RACE
from core.network import COLUMNS
from views import cache as page_cache
from views import charts

ROOT = Path(__file__).resolve().parent.parent
SMALL = Config(depth=3, width=40, batch=50)


def array(mib: float) -> np.ndarray:
    return np.zeros(int(mib * 2**20) // 8)


def test_nbytes_counts_the_arrays_inside():
    result = simulate(SMALL)
    arrays = [*result.stats.values(), result.exploded, result.vanished, result.distinct_grad_units,
              result.weight_std, result.hist_edges, result.hist_counts, result.input_edges]
    assert sum(a.nbytes for a in arrays) <= cache.nbytes(result) <= sum(a.nbytes for a in arrays) + 64 * 64  # nodes
    assert cache.nbytes({"a": array(1), "b": (array(2), [array(3)])}) >= 6 * 2**20


def test_what_is_kept_stays_within_its_bytes_least_recently_used_first():
    kept = cache.ByteCache(10 * 2**20)
    for key in range(8):
        kept.get(key, lambda: array(2))
        kept.get(0, lambda: pytest.fail("key 0 was used last, so it stays"))
        assert kept.nbytes == sum(cache.nbytes(v) for v, _ in kept._entries.values()) <= kept.max_bytes
    assert 0 in kept and 7 in kept and 1 not in kept and len(kept) == 4


def test_many_small_values_are_all_kept():
    """Bounded by bytes, not by a count of entries."""
    kept = cache.ByteCache(2**20)
    for key in range(1000):
        kept.get(key, lambda: array(0.0005))
    assert len(kept) == 1000


def test_a_value_over_the_bound_is_returned_but_not_kept():
    kept = cache.ByteCache(2**20)
    assert kept.get("big", lambda: array(2)).nbytes == 2 * 2**20
    assert "big" not in kept and kept.nbytes == 0


def test_sessions_asking_at_once_compute_once_and_share_a_read_only_value():
    kept, calls, meet = cache.ByteCache(2**20), [], threading.Barrier(8, timeout=30)
    values = [None] * 8

    def compute():
        calls.append(1)
        return np.arange(5.0)

    def session(i):
        meet.wait()
        values[i] = kept.get("link", compute)

    sessions = [threading.Thread(target=session, args=(i,)) for i in range(8)]
    for s in sessions:
        s.start()
    for s in sessions:
        s.join()
    assert len(calls) == 1 and all(v is values[0] for v in values)
    with pytest.raises(ValueError, match="read-only"):
        values[0][0] = 1.0


def test_an_error_is_not_kept():
    kept = cache.ByteCache(2**20)
    with pytest.raises(ZeroDivisionError):
        kept.get("x", lambda: 1 / 0)
    assert "x" not in kept and kept.get("x", lambda: 2) == 2


def test_simulate_cached_is_simulate_computed_once():
    config = Config(depth=2, width=30, batch=20, seed=7)
    first = cache.simulate_cached(config)
    assert cache.simulate_cached(config) is first
    fresh = simulate(config)
    for name in COLUMNS:
        np.testing.assert_array_equal(first.stats[name], fresh.stats[name])
    with pytest.raises(MemoryBudgetError):
        cache.simulate_cached(config, memory_budget=1000)


def test_simulate_many_gives_each_network_in_order():
    configs = [Config(depth=2, width=20 + i, batch=20, seed=i, init="xavier_normal") for i in range(5)]
    results = cache.simulate_many(configs)
    assert [r.config for r in results] == configs
    for result, config in zip(results, configs):
        np.testing.assert_array_equal(result.act_std, simulate(config).act_std)


def test_a_session_gone_before_its_turn_leaves_the_line_without_computing(monkeypatch):
    """A network waiting for the server while a large computation holds the whole budget: once its session has
    gone it raises Cancelled at once, without waiting for the large one to end, and is neither computed nor kept."""
    from core import DEFAULT_MEMORY_BUDGET, threads

    config = Config(depth=2, width=20, batch=10, seed=626_262)
    computed, outcome = [], []
    monkeypatch.setattr(cache, "simulate", lambda *args, **kwargs: computed.append(args))
    gone = threading.Event()
    gone.set()

    def session() -> None:
        try:
            cache.simulate_cached(config, cancel=gone)
            outcome.append("computed")
        except threads.Cancelled:
            outcome.append("cancelled")

    with threads.compute_slot(DEFAULT_MEMORY_BUDGET):  # the whole budget, as the largest network holds it
        page = threading.Thread(target=session, daemon=True)
        page.start()
        page.join(30)
        left = not page.is_alive()  # before the large computation ends
    page.join(30)
    assert left and outcome == ["cancelled"] and not computed
    assert ("simulate", config, DEFAULT_MEMORY_BUDGET) not in cache.RESULTS


def test_sessions_comparing_the_same_networks_at_once_finish():
    """Workers waiting for a network another session computes must not hold the compute slots it needs."""
    configs = [Config(depth=3, width=60, batch=40, seed=100 + i) for i in range(6)]
    done = []

    def session(order):
        done.append(cache.simulate_many([configs[i] for i in order]))

    sessions = [threading.Thread(target=session, args=(order,), daemon=True)
                for order in ([0, 1, 2, 3, 4, 5], [5, 4, 3, 2, 1, 0], [2, 3, 0, 1, 5, 4], [1, 0, 3, 2, 4, 5])]
    for s in sessions:
        s.start()
    for s in sessions:
        s.join(timeout=120)
    assert len(done) == 4


RACE = Config(depth=2, width=16, batch=64, activation="relu", init="he_normal")


@pytest.mark.slow
def test_a_race_asked_for_twice_at_once_trains_once_and_only_its_trainer_reports():
    """A class pressing Run at one step: one race; the session computing it reports progress and grows the
    curves, the other waits and gets the same result object."""
    reports, curves, results = ([], []), ({}, {}), [None, None]
    reported = threading.Event()

    def session(i):
        def progress(done, total):
            reports[i].append(done)
            reported.set()
        results[i] = cache.race_cached(RACE, ("he_normal", "xavier_normal"), steps=40, progress=progress,
                                       live=curves[i])

    first, second = (threading.Thread(target=session, args=(i,)) for i in range(2))
    first.start()
    assert reported.wait(120)
    second.start()
    for s in (first, second):
        s.join(120)
    assert results[0] is results[1] and list(results[0]) == ["he_normal", "xavier_normal"]
    assert reports[0] and not reports[1]
    assert set(curves[0]) == {"he_normal", "xavier_normal"} and curves[1] == {}
    np.testing.assert_array_equal(curves[0]["he_normal"][0], results[0]["he_normal"].loss)


def test_a_race_is_kept_by_the_networks_it_trains():
    """Step 7's network (batch norm) races the run with batch norm by default; step 2's (none) races the lecture's
    five, unless asked for it too. Each run's network is set by its scheme (batch norm with it), so step 2's race of
    the six and step 7's default race are one race, trained once, and step 7's race of the five is step 2's."""
    step_2 = Config(depth=2, width=16, batch=64, activation="tanh", init="normal", std=0.01)
    step_7 = replace(step_2, batch_norm=True)
    six = (*LECTURE_RACE, BN_RESCUE)
    default = cache.race_cached(step_7, (), steps=3)
    assert tuple(default) == six and default[BN_RESCUE].config.batch_norm
    assert cache.race_cached(step_7, six, steps=3) is default
    assert cache.race_cached(step_2, six, steps=3) is default
    five = cache.race_cached(step_7, LECTURE_RACE, steps=3)
    assert tuple(five) == LECTURE_RACE and not any(r.config.batch_norm for r in five.values())
    assert cache.race_cached(step_2, (), steps=3) is five  # the same five networks
    assert len(cache.RESULTS) == 2
    # at another learning rate (the Training tab's box, lr= in a link) the same networks are another race
    slower = cache.race_cached(step_2, (), steps=3, lr=0.005)
    assert slower is not five and {r.lr for r in slower.values()} == {0.005} and len(cache.RESULTS) == 3
    assert cache.race_cached(step_7, LECTURE_RACE, steps=3, lr=0.005) is slower


class Halt(Exception):
    pass


def test_a_stopped_race_is_not_kept():
    def stop(done, total):
        if done >= 5:
            raise Halt
    with pytest.raises(Halt):
        cache.race_cached(RACE, ("he_normal",), steps=40, progress=stop)
    assert len(cache.RESULTS) == 0
    assert cache.race_cached(RACE, ("he_normal",), steps=40)["he_normal"].steps == 40  # trained anew, in full


# --- the draws' caches --------------------------------------------------------------------------------------

def test_assembled_draws_are_kept_by_bytes_not_by_count(monkeypatch):
    monkeypatch.setattr(draws, "ASSEMBLED_BYTES", 20 * 2**10)
    draws._assembled.clear()
    made = [draws.draw(seed, 1, 10, 10, "normal", "normal", "float32") for seed in range(30)]
    assert made[0].nbytes == 3 * 10 * 10 * 4  # input, read-out and one layer's weights
    assert len(draws._assembled) == 20 * 2**10 // 1200 == 17  # a count of 4 entries kept only 4
    assert draws._assembled.nbytes == sum(d.nbytes for d in draws._assembled.values()) <= draws.ASSEMBLED_BYTES
    assert draws.draw(29, 1, 10, 10, "normal", "normal", "float32") is made[29]
    draws._assembled.clear()
    assert draws._assembled.nbytes == 0


# --- malloc ---------------------------------------------------------------------------------------------------

FREED_BY_THREADS = """
import threading, numpy as np
from core.allocator import keep_freed_memory, release_freed_memory
keep_freed_memory()
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**20
def sessions(release):
    def session():
        for _ in range(3):
            kept = [np.ones(2**20) for _ in range(5)]  # 5 arrays of 8 MiB, under the 32 MiB mmap threshold
            del kept
        if release:
            release_freed_memory()  # as core.cache's computing thread does after a large network
    threads = [threading.Thread(target=session) for _ in range(8)]
    for s in threads: s.start()
    for s in threads: s.join()
start = rss()
sessions(release=False)
kept = rss() - start
sessions(release=True)
print(kept, rss() - start)
"""


@pytest.mark.slow
@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt and malloc_trim are glibc's")
def test_freed_memory_kept_is_bounded_by_the_cores_not_the_sessions():
    """Eight sessions freeing 40 MiB each: glibc would keep it in eight arenas (320 MiB); capped at one arena
    per usable core it keeps at most TRIM_BYTES (64 MiB) per core. Sessions that call release_freed_memory
    once done, as a computing thread does, leave less than one of their arrays behind (glibc's malloc_trim
    alone leaves a thread arena's top: 15 to 47 MiB in 4 of 100 such runs)."""
    from core.allocator import TRIM_BYTES
    from core.threads import usable_cores

    done = subprocess.run([sys.executable, "-c", FREED_BY_THREADS], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    kept, released = map(float, done.stdout.split())
    assert kept <= usable_cores() * (TRIM_BYTES / 2**20 + 40) < 8 * 40
    assert released < 8


# --- the page's caches (views/cache.py) ------------------------------------------------------------------------

def test_a_cache_counts_bytes_with_its_own_size_function():
    kept = cache.ByteCache(100, size=len)
    for key in "abcdef":
        kept.get(key, lambda: "x" * 30)
        assert kept.nbytes == 30 * len(kept) <= 100
    assert len(kept) == 3 and list(kept._entries) == ["d", "e", "f"]
    assert kept.get("long", lambda: "x" * 101) and "long" not in kept  # over the bound: returned, not kept


def traced_bytes(make, copies: int = 10) -> float:
    """Bytes a value made by make() holds: what tracemalloc counts, and what Arrow's memory pool holds, where pandas'
    str columns keep their strings and which tracemalloc does not see (make() once first: pandas' own caches)."""
    import pyarrow

    make()
    gc.collect()
    pool = pyarrow.total_allocated_bytes()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        kept = [make() for _ in range(copies)]
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - before + pyarrow.total_allocated_bytes() - pool
        return held / len(kept)
    finally:
        tracemalloc.stop()


@pytest.mark.slow
@pytest.mark.parametrize("config", [Config(), Config(depth=2, width=5, batch=10), Config(depth=100, width=50),
                                    Config(depth=30, activation="relu", init="he_normal", batch_norm=True)])
def test_the_page_s_frames_are_counted_at_least_at_what_they_hold(config):
    """size_of is a frame's deep memory_usage plus its own objects: not below what tracemalloc finds the page's
    frames of a network take, nor more than twice that."""
    result = simulate(config)

    def make():
        layers = charts.layer_frame(result)
        series = {"measured": "measured", "theory": "theory"}
        return {"layers": layers, "act_std": charts.series_frame(layers, "act_std", "predicted_act_std", series),
                "histogram": charts.histogram_frame(result, "en")}

    frames = make()
    deep = sum(int(f.memory_usage(deep=True).sum()) for f in frames.values())
    assert page_cache.size_of(frames) >= deep + 3 * page_cache.FRAME_OVERHEAD
    traced = traced_bytes(make)  # ten copies under tracemalloc: measured once for both bounds
    assert traced <= page_cache.size_of(frames) <= 2 * traced


def test_a_frame_s_strings_are_counted():
    """memory_usage(deep=True): a column of long labels counts its strings, not 8 bytes of pointer a row."""
    short, long = pd.DataFrame({"series": ["a"] * 100}), pd.DataFrame({"series": ["a" * 1000] * 100})
    assert page_cache.size_of(long) - page_cache.size_of(short) >= 100 * 999


@pytest.mark.slow
@pytest.mark.parametrize("columns", [1, 4, 16])
@pytest.mark.parametrize("kind", ["float", "str"])
def test_a_frame_is_counted_at_least_at_what_it_holds_whatever_its_columns(columns, kind):
    """size_of's own-object allowance grows with the frame's str columns (each an array object of its own), so a
    frame of many text columns is not under-counted; numpy columns need none."""
    values = np.arange(3.0) if kind == "float" else ["ab", "cd", "ef"]

    def make():
        return pd.DataFrame({f"c{i}": values for i in range(columns)})

    traced = traced_bytes(make)
    assert traced <= page_cache.size_of(make()) <= 2 * traced + page_cache.FRAME_OVERHEAD
