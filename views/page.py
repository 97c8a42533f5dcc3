"""What a tab is given to draw itself: the network, its result, the language, and the frames its charts draw from.

Every session of the server shares what is computed: the results in core.cache (a class opening one link
computes it once, each computation in one of the server's compute slots), the page's frames and chart
templates in views.cache; each kept while its bytes allow, and handed out without a copy. No streamlit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

import pandas as pd

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
    "layers" (charts.layer_frame), "act_std" and "grad_std" (measured and theory, charts.series_frame), "stream_std"
    (act_std with a residual stream's branch, charts.branch_frame), "input_histogram" (layer 0 alone, for a
    digits input; None otherwise) and
    "histogram" (charts.histogram_frame).

    cancel ends the network's computation between layers once the session has gone (computing.session_gone), or
    while it waits for the server (waiting(n) is told how many computations come first); nothing is kept then,
    and a session waiting for the same network computes it itself."""
    def make() -> dict:
        result = cache.simulate_cached(config, memory_budget(), cancel=cancel, waiting=waiting)
        layers = charts.layer_frame(result)
        names = series_names(lang, config.residual)
        series = {"measured": names["measured"], "theory": names["theory"]}
        act_std = charts.series_frame(layers, "act_std", "predicted_act_std", series)
        branch = {"measured": names["branch"], "theory": names["branch_theory"]} if config.residual else None
        return {
            "layers": layers,
            "act_std": act_std,
            # the Activations tab's std chart: a residual stream's branch beside the stream (the same rows without)
            "stream_std": pd.concat([act_std, charts.branch_frame(layers, branch)], ignore_index=True)
            if branch else act_std,
            "grad_std": charts.series_frame(layers, "grad_std", "predicted_grad_std", series, first_layer=1),
            "histogram": charts.histogram_frame(result, lang),
            # a real input's own histogram (the digits' standardized pixels), over its own range
            "input_histogram": charts.histogram_frame(result, lang, layers=[0]) if config.input == "digits" else None,
        }
    return FRAMES.get(("network", config, lang), make)


def series_names(lang: str, residual: bool = False) -> dict[str, str]:
    """The series of a per-layer chart in `lang`: "measured" and "theory", and for a residual stream its branch
    beside them, "branch" and "branch_theory" (the activation std chart's)."""
    names = {"measured": t(lang, "measured"), "theory": t(lang, "theory")}
    if residual:
        names |= {"branch": t(lang, "branch_series"), "branch_theory": t(lang, "branch_theory_series")}
    return names


def layer_titles(config: Config, lang: str) -> dict[str, str]:
    """The titles of the charts of a layer's values, "mean", "std" and "hist": the activations', or a residual
    network's stream x_l's (its layers are the stream, core.residual)."""
    if config.residual:
        return {"mean": t(lang, "chart_stream_mean"), "std": t(lang, "chart_stream_std"),
                "hist": t(lang, "chart_stream_hist")}
    return {"mean": t(lang, "chart_act_mean"), "std": t(lang, "chart_act_std"), "hist": t(lang, "chart_hist")}


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

    def titles(self) -> dict[str, str]:
        """layer_titles() of this page's network."""
        return layer_titles(self.config, self.lang)

    def names(self) -> dict[str, str]:
        """The series of a per-layer chart, measured and theory, in the page's language."""
        return series_names(self.lang)

    def stream_names(self) -> dict[str, str]:
        """The activation std chart's series: names(), and for a residual stream its branch beside it."""
        return series_names(self.lang, self.config.residual)
