"""Putting a chart on the page: one of views.charts' charts from a cached template with new data, or one as built."""

from __future__ import annotations

import json
from typing import Any

import streamlit as st

from . import charts
from .cache import TEMPLATES


def chart_template(kind: str, options: str, layout: tuple, frame) -> dict:
    """A chart's Vega-Lite dict for one layout (log ticks, panels, schemes) and one set of labels (not its data).

    Building an Altair chart costs tens of milliseconds; a network with the same layout reuses the template
    with its own data, and the browser then only swaps the data of an unchanged spec.
    """
    return TEMPLATES.get(("chart", kind, options, layout),
                         lambda: charts.template(charts.BUILDERS[kind](frame, **json.loads(options))))


def draw(kind: str, frame, *, width: str = "stretch", **options: Any) -> None:
    """Draw charts.BUILDERS[kind] with `frame` as its data and `options` as the builder's keywords."""
    spec = chart_template(kind, json.dumps(options, sort_keys=True), charts.layout(kind, frame, **options), frame)
    st.vega_lite_chart(charts.with_data(spec, frame), width=width)


def draw_chart(chart, **options: Any) -> None:
    """Draw a built Altair chart (several datasets allowed); options as st.vega_lite_chart's (width).

    Not through st.altair_chart: that switches Altair's process-wide data transformer and theme while it
    serializes, and every session runs in a thread of this process (see views.charts.vega_lite).
    """
    st.vega_lite_chart(charts.vega_lite(chart), **options)
