"""The tests run with the project's one thread setting: one BLAS thread per computation (core/threads.py)."""

from hypothesis import settings

from core import threads

# No per-example deadline: the tests assert what is computed, never how fast (the machine is shared).
settings.register_profile("project", deadline=None)
settings.load_profile("project")


def pytest_configure(config):
    threads.configure()
