"""What a tab is given to draw itself: the network, its result, the language, and the frames its charts draw from.

Every session of the server shares what is computed: the results in core.cache (a class opening one link
computes it once, each computation in one of the server's compute slots), the page's frames and chart
templates in views.cache; each kept while its bytes allow, and handed out without a copy. No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

import core
from core import Config, Result, cache
from core.threads import ADMISSION, Cancel

from . import charts
from .cache import FRAMES
from .text import t


def memory_budget() -> int:
    """What one computation of the page may need, in bytes: core's budget for one, or the server's for all at
    once (INIT_EXPLORER_MEMORY_MIB, set by the app's main()) where that is smaller. Read on every call: tests
    change core's."""
    return min(core.DEFAULT_MEMORY_BUDGET, ADMISSION.memory)


def frames(config: Config, lang: str, cancel: Cancel = None, waiting: Callable[[int], None] | None = None) -> dict:
    """The small frames the charts and the table draw from, per network and language (pandas takes ms each):
    "layers" (charts.layer_frame), "act_std" and "grad_std" (measured and theory, charts.series_frame) and
    "histogram" (charts.histogram_frame).

    cancel ends the network's computation between layers once the session has gone (computing.session_gone), or
    while it waits for the server (waiting(n) is told how many computations come first); nothing is kept then,
    and a session waiting for the same network computes it itself."""
    def make() -> dict:
        result = cache.simulate_cached(config, memory_budget(), cancel=cancel, waiting=waiting)
        layers = charts.layer_frame(result)
        series = {"measured": t(lang, "measured"), "theory": t(lang, "theory")}
        return {
            "layers": layers,
            "act_std": charts.series_frame(layers, "act_std", "predicted_act_std", series),
            "grad_std": charts.series_frame(layers, "grad_std", "predicted_grad_std", series, first_layer=1),
            "histogram": charts.histogram_frame(result, lang),
        }
    return FRAMES.get(("network", config, lang), make)


@dataclass(frozen=True)
class Page:
    """What a tab needs to draw itself: the sidebar's Config, its simulated Result and the page's language."""

    config: Config
    result: Result
    lang: str

    def t(self, key: str, **values: Any) -> str:
        return t(self.lang, key, **values)

    def frames(self) -> dict:
        return frames(self.config, self.lang)

    def names(self) -> dict[str, str]:
        """The two series of a per-layer chart, measured and theory, in the page's language."""
        return {"measured": self.t("measured"), "theory": self.t("theory")}
