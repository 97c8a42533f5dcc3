"""Tasks for the tests' worker processes: module-level functions a worker imports by name (tests.worker_tasks)."""

from threadpoolctl import threadpool_info


def blas_threads(*, report, cancelled) -> list[int]:
    """The thread count of every BLAS library loaded in the worker."""
    return [info["num_threads"] for info in threadpool_info() if info["user_api"] == "blas"]


def divide(a, b, *, report, cancelled):
    return a / b
