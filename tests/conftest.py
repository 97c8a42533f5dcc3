"""The tests run with the project's one thread setting (one BLAS thread per computation, core/threads.py), each
with the server's caches empty."""

import pytest
from hypothesis import settings

from core import cache, threads
from views import cache as page_cache

# No per-example deadline: the tests assert what is computed, never how fast (the machine is shared).
settings.register_profile("project", deadline=None)
settings.load_profile("project")


def pytest_configure(config):
    threads.configure()


@pytest.fixture(autouse=True)
def empty_caches():
    """What a server keeps for its sessions starts empty in every test: a result kept by an earlier test would
    hide a computation (or its fault) from the next."""
    for kept in (cache.RESULTS, *page_cache.CACHES.values()):
        kept.clear()
