"""Putting a chart on the page: one of views.charts' charts from a cached template with new data, or one as built;
under each, its downloads as SVG and PNG for slides, named after the tour step and the chart."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from typing import Any

import streamlit as st

from core import Config

from . import charts, export
from .cache import TEMPLATES
from .text import t

FIGURES = "_figures"  # session state: how this run's charts name their files (set by name_figures)

# Every chart's title whole (limit 0: none), set on each title: the page's Vega-Lite limits a title to the plot's width
# as first laid out, measured before the page's fonts have loaded (under load the Theory tab's gradient chart was cut to
# "..."), and it does not take the limit from the config's title (step 9's presenter chart was cut at 1920 px with
# it). Titles are broken into lines by views.charts.title_lines instead.
WHOLE_TITLE = {"limit": 0}
# A chart laid out to its box's height (height="stretch"): Streamlit's autosize ("fit", the title, axes and legend
# inside the box) laid out again whenever the view changes (resize). Laid out once, a presenter-mode std chart drawn
# while its page was still growing kept the padding of its first layout after its y axis gained a top label, and
# its title was cut at the box's top (step 10 at 1024 x 768, on a server's first page).
FIT_TO_BOX = {"type": "fit", "contains": "padding", "resize": True}
VIEW_PARTS = ("layer", "hconcat", "vconcat", "concat", "spec")  # where a Vega-Lite view holds views of its own


@dataclass(frozen=True)
class Figures:
    """How a page run's charts offer their files: the names' start (export.stem) and the buttons' language."""

    stem: str
    lang: str


def name_figures(config: Config, lang: str) -> None:
    """Every chart drawn in this run is named after this network's tour step ("step-2_...", or "custom_...").

    Set once a run by the app's main(), before the tabs draw, and read by draw() and draw_chart(): the charts
    are drawn deep inside the tabs, which need not pass the page's network down to every chart.
    """
    st.session_state[FIGURES] = Figures(export.stem(config), lang)


def chart_template(kind: str, options: str, layout: tuple, frame) -> dict:
    """A chart's Vega-Lite dict for one layout (log ticks, panels, schemes) and one set of labels (not its data).

    Building an Altair chart costs tens of milliseconds; a network with the same layout reuses the template
    with its own data, and the browser then only swaps the data of an unchanged spec.
    """
    return TEMPLATES.get(("chart", kind, options, layout),
                         lambda: charts.template(charts.BUILDERS[kind](frame, **json.loads(options))))


def draw(kind: str, frame, *, name: str, width: str = "stretch", height: str = "content", files: bool = True,
         config: dict | None = None, **options: Any) -> None:
    """Draw charts.BUILDERS[kind] with `frame` as its data and `options` as the builder's keywords; name is the
    chart's code in its files' names ("activation-std"); width, height: st.vega_lite_chart's ("stretch": its
    container's); files: its SVG and PNG buttons under it (downloads); config: Vega-Lite config merged over the
    chart's, part by part (with_config). An empty frame draws nothing: every layer it would show is past a break,
    which the page's break warning names (a gain of 10⁻⁶ underflows float32 by layer 7 of 70, every histogram
    panel's layer beyond it)."""
    if getattr(frame, "empty", False):
        return
    spec = chart_template(kind, json.dumps(options, sort_keys=True), charts.layout(kind, frame, **options), frame)
    spec = charts.coloured(configured(charts.with_data(spec, frame), config), theme_type())
    if height == "stretch" and "autosize" not in spec:  # one of its own (a concat's "pad") is kept
        spec = {**spec, "autosize": FIT_TO_BOX}
    st.vega_lite_chart(spec, width=width, height=height)
    if files:
        downloads(spec, name)


def with_config(spec: dict, config: dict) -> dict:
    """spec with each part of `config` ({"axis": {...}, "legend": {...}}) merged over its own; spec is left as it is."""
    merged = dict(spec.get("config", {}))
    for part, values in config.items():
        merged[part] = {**merged.get(part, {}), **values}
    return {**spec, "config": merged}


def configured(spec: dict, config: dict | None) -> dict:
    """spec with its titles whole (whole_titles) and `config` (a chart's own, or None) merged over its config
    (with_config)."""
    return with_config(whole_titles(spec), config or {})


def whole_titles(spec: dict) -> dict:
    """A Vega-Lite spec with WHOLE_TITLE set on its title and on those of the views it holds (VIEW_PARTS), where a
    title sets no limit of its own; spec is left as it is."""
    out = dict(spec)
    title = spec.get("title")
    if title is not None:
        out["title"] = {**WHOLE_TITLE, **(title if isinstance(title, dict) else {"text": title})}
    for part in VIEW_PARTS:
        views = spec.get(part)
        if isinstance(views, list):
            out[part] = [whole_titles(view) for view in views]
        elif isinstance(views, dict):
            out[part] = whole_titles(views)
    return out


def draw_chart(chart, *, name: str, files: bool = True, config: dict | None = None, **options: Any) -> None:
    """Draw a built Altair chart (several datasets allowed); options as st.vega_lite_chart's (width); name, files and
    config as draw()'s.

    Not through st.altair_chart: that switches Altair's process-wide data transformer and theme while it
    serializes, and every session runs in a thread of this process (see views.charts.vega_lite).
    """
    spec = charts.coloured(configured(charts.vega_lite(chart), config), theme_type())
    st.vega_lite_chart(spec, **options)
    if files:
        downloads(spec, name)


def theme_type() -> str | None:
    """The viewer's theme, "light" or "dark" (Streamlit reruns the page when it changes); None until the browser
    has said, when a chart's text keeps Streamlit's own colours."""
    kind = st.context.theme.type
    return kind if kind in charts.TEXT_COLOURS else None


def downloads(spec: dict, name: str) -> None:
    """A chart's SVG and PNG buttons, side by side. Nothing is converted until one is pressed: the button holds
    a callable, which Streamlit runs on its own thread when the file is asked for, and the page does not run
    again (on_click="ignore"). Without name_figures() in this run (a tab drawn on its own), no buttons."""
    figures = st.session_state.get(FIGURES)
    if figures is None:
        return
    with st.container(horizontal=True, gap="small"):
        for fmt, mime in export.FORMATS.items():
            file_name = export.figure_name(figures.stem, name, fmt)
            st.download_button(t(figures.lang, f"figure_{fmt}"), partial(export.convert, spec, fmt),
                               file_name=file_name, mime=mime, on_click="ignore", type="tertiary",
                               icon=":material/download:", help=t(figures.lang, f"figure_{fmt}_help", name=file_name))
