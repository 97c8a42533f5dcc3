"""The peak of what a call allocates, as tracemalloc counts it (numpy reports its arrays to tracemalloc)."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable


def traced_peak(run: Callable[[], object]) -> int:
    """Bytes: the highest total traced while run() ran, counted from the start of the call."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
