"""The page's own caches: its pandas frames and chart templates, made once per server and kept by their bytes.

core.cache keeps the computed results (numpy only); what the page makes from them (the charts' frames per
network and language, the Theory tab's map, the charts' Vega-Lite templates) is kept here, in the same
ByteCache, sized by size_of. Every session of a server shares them without a copy: nothing that reads them
changes them (the charts get a new top-level dict, views.charts.with_data; Streamlit turns a frame into
Arrow without changing it).
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pandas as pd

from core.cache import ByteCache

FRAME_BYTES = 16 << 20  # a network's frames take ~75 KiB a language, the Theory tab's map ~145 KiB: ~200 of them
TEMPLATE_BYTES = 8 << 20  # a chart's template is counted as 10-30 KiB: several hundred layouts and label sets
# A DataFrame's own objects beyond what memory_usage counts (its index, block manager, column names): 4.5-11 KiB
# a frame as tracemalloc and Arrow's memory pool measure the page's frames (tests/test_cache.py checks that
# size_of is not below it).
FRAME_OVERHEAD = 12 << 10
# A column of an extension dtype (pandas' str) holds an array object of its own beyond what memory_usage counts:
# ~1.2 KiB a column as tracemalloc measures it (2.5 KiB for 1 column, 12 KiB for 8), numpy columns ~30 bytes.
EXTENSION_COLUMN_OVERHEAD = 3 << 9


def size_of(value: Any) -> int:
    """Bytes a kept value takes: a pandas frame's memory_usage(deep=True) (its strings too) plus FRAME_OVERHEAD
    and EXTENSION_COLUMN_OVERHEAD per str column, a numpy array's nbytes, and sys.getsizeof of anything else,
    through dicts (keys too), lists and tuples (and their own). Strings shared between values are counted in
    each: an upper bound for a chart's template."""
    if isinstance(value, pd.DataFrame):
        extension_columns = sum(not isinstance(dtype, np.dtype) for dtype in value.dtypes)
        own = FRAME_OVERHEAD + EXTENSION_COLUMN_OVERHEAD * extension_columns
        return int(value.memory_usage(deep=True).sum()) + own
    if isinstance(value, np.ndarray):
        return value.nbytes + sys.getsizeof(np.empty(0))
    if isinstance(value, dict):
        return sys.getsizeof(value) + sum(size_of(k) + size_of(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return sys.getsizeof(value) + sum(size_of(v) for v in value)
    return sys.getsizeof(value)


FRAMES = ByteCache(FRAME_BYTES, size=size_of)  # one per process, like core.cache.RESULTS
TEMPLATES = ByteCache(TEMPLATE_BYTES, size=size_of)
CACHES = {"frames": FRAMES, "templates": TEMPLATES}
