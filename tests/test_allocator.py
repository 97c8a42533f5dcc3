"""core.allocator: glibc's malloc keeps freed memory where there is glibc, and nothing breaks elsewhere."""

import platform
import resource
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from core import Config, simulate
from core.allocator import LEFT_BYTES, TRIM_BYTES, keep_freed_memory, release_freed_memory


@pytest.mark.slow
@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_freed_memory_is_reused_not_faulted_in_again():
    assert keep_freed_memory() is True
    config = Config(depth=4, width=300, batch=600)
    before = simulate(config)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    after = simulate(config)
    # the second call reuses the first one's freed arrays (about 10 MiB of them): at most a few new pages
    assert resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults < 200
    np.testing.assert_array_equal(before.act_std, after.act_std)


WAITED_FOR = """
import resource, sys, threading, time
from dataclasses import replace
from core import Config, cache, threads
from core.allocator import keep_freed_memory
from core.network import estimate_memory
keep_freed_memory()
threads.ADMISSION.cores = 1
config = Config(init="normal", std=1.0, activation="tanh")  # step 3's network: 93 MiB estimated
cache.simulate_cached(config)  # its draws kept: the networks below differ in their scale only
waited = sys.argv[1] == "waited"
with threads.compute_slot():
    other = threading.Thread(target=lambda: threads.compute_slot().__enter__())  # waits for the one core
    if waited:
        other.start()
        while not threads.ADMISSION.waiting:
            time.sleep(0.001)
    cache.simulate_cached(replace(config, std=0.5))  # computed while the other waits, or with none waiting
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
cache.simulate_cached(replace(config, std=0.7))
print((resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults) * resource.getpagesize(), estimate_memory(config))
"""


def freed_then_faulted(case: str) -> tuple[int, int]:
    """WAITED_FOR in a new process: the bytes the third network faulted in, and the networks' memory estimate."""
    done = subprocess.run([sys.executable, "-c", WAITED_FOR, case], cwd=Path(__file__).parent.parent,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    faulted, estimate = map(int, done.stdout.split())
    return faulted, estimate


@pytest.mark.slow
@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_a_tour_network_s_freed_memory_is_left_for_a_computation_that_waits_and_handed_back_when_none_does():
    """core.cache.simulate_cached after a network over TRIM_BYTES and within LEFT_BYTES (step 3's, 93 MiB): with
    another computation waiting for its core, the freed memory stays and the next network faults in almost none of
    it (0.1 MiB measured); with none waiting, it goes back to the system and the next network faults its arrays in
    again (63 MiB)."""
    waited, estimate = freed_then_faulted("waited")
    alone, _ = freed_then_faulted("alone")
    assert TRIM_BYTES < estimate <= LEFT_BYTES
    assert alone > estimate / 4  # the arrays a network allocates, short of its estimate (an upper bound)
    assert waited < alone / 8, (waited, alone)


@pytest.mark.parametrize("need, waiting, released", [
    (TRIM_BYTES, 0, False),  # what malloc keeps anyway
    (TRIM_BYTES + 1, 0, True), (LEFT_BYTES, 0, True),  # none waits: back to the system
    (TRIM_BYTES + 1, 1, False), (LEFT_BYTES, 3, False),  # a tour page's, with pages waiting: left for them
    (LEFT_BYTES + 1, 1, True), (1 << 30, 7, True),  # larger: back whoever waits
])
def test_freed_memory_is_handed_back_by_the_computation_s_size_and_whether_one_waits(monkeypatch, need, waiting,
                                                                                      released):
    """release_after's rule. Over LEFT_BYTES a computation hands its memory back although others wait: 8 sessions
    opening the largest network (1 GiB) kept it for each other and peaked at 2,075 MiB (docs/performance.md); glibc
    trims a large network's freed top by itself, but not the freed blocks between the blocks still in use."""
    from core import allocator
    calls = []
    monkeypatch.setattr(allocator, "ADMISSION", SimpleNamespace(waiting=waiting))
    monkeypatch.setattr(allocator, "release_freed_memory", lambda: calls.append(1) or True)
    assert allocator.release_after(need) is released
    assert len(calls) == released


ONE_THREAD = """
import threading, numpy as np
from core.allocator import keep_freed_memory, release_freed_memory
keep_freed_memory()
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**20
out = []
def session():  # the first thread after the main one: an arena of its own
    start = rss()
    kept = [np.ones(2**20) for _ in range(5)]  # 40 MiB under the mmap threshold, freed to the arena's top
    del kept
    freed = rss() - start
    release_freed_memory()
    out.append((freed, rss() - start))
thread = threading.Thread(target=session)
thread.start()
thread.join()
print(*out[0])
"""


@pytest.mark.slow
@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt and malloc_trim are glibc's")
def test_a_thread_s_freed_arrays_go_back_when_it_releases_them():
    """Freed arrays in a thread's own arena stay resident (its top is under TRIM_BYTES); release_freed_memory in
    that thread hands them back. malloc_trim alone leaves that top (glibc 2.36: 6.9 of the 40 MiB)."""
    done = subprocess.run([sys.executable, "-c", ONE_THREAD], cwd=Path(__file__).parent.parent,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    freed, released = map(float, done.stdout.split())
    assert freed >= 39  # kept for reuse, as keep_freed_memory means
    assert released < 1


def test_elsewhere_it_declines(monkeypatch):
    keep_freed_memory.cache_clear()
    monkeypatch.setattr(sys, "platform", "darwin")
    try:
        assert keep_freed_memory() is False
        assert release_freed_memory() is False
    finally:
        keep_freed_memory.cache_clear()
