"""core.allocator: glibc's malloc keeps freed memory where there is glibc, and nothing breaks elsewhere."""

import platform
import resource
import sys

import numpy as np
import pytest

from core import Config, simulate
from core.allocator import keep_freed_memory


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


def test_elsewhere_it_declines(monkeypatch):
    keep_freed_memory.cache_clear()
    monkeypatch.setattr(sys, "platform", "darwin")
    try:
        assert keep_freed_memory() is False
    finally:
        keep_freed_memory.cache_clear()
