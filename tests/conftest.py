"""The tests run with the project's one thread setting: one BLAS thread per computation (core/threads.py)."""

from core import threads


def pytest_configure(config):
    threads.configure()
