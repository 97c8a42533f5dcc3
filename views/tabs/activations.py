"""The Activations tab: mean and std of each layer's activations, with the theory's std, and one histogram per layer."""

from __future__ import annotations

import numpy as np
import streamlit as st

from core.initializers import weight_variance

from .. import charts, link, present, summary, tour
from ..number_writing import format_share, format_value
from ..draw import draw
from ..page import Page

LOG = "log"  # the Log scale switch's key and URL parameter: the steps side by side read it too (views/beside.py)

INPUT_PANEL = (260, 120)  # px: the input's one histogram panel, a third of a laptop's page


STREAM_TITLE_WIDTH = 20  # Latin letters in a line of a residual stream's mean and std chart titles
# px: a residual stream's mean and std plots, each with its title, axes and legend around it (charts.plot_height), so
# that the std chart's four legend entries go under its plot: beside it they left the plot about 100 px wide at 1024 px
STREAM_PLOT = 150


def show(page: Page) -> None:
    colour = charts.SCHEME_COLOURS[tour.scheme_of(page.config)]
    f = page.frames()
    layers = f["layers"]
    # linear by default, like the lecture's plots (and all-zero activations draw); log shows the factor a layer
    log = st.toggle(page.t("log_y"), False, key=LOG, persist_state="session", help=page.t("log_y_help"))
    link.write_setting(LOG, log)  # kept in the address while another tab is open
    # a residual stream's titles in lines, both, so that the plots keep one height: beside its legend an 800 px
    # window had cut the std chart's ("Residual stream x: st…")
    titles = page.titles()
    titles = {name: titles[name] for name in ("mean", "std")}
    if page.config.residual:  # in lines, as many in each
        lines = {name: charts.title_lines(title, STREAM_TITLE_WIDTH) for name, title in titles.items()}
        most = max(map(len, lines.values()))
        titles = {name: [*found, *[""] * (most - len(found))] for name, found in lines.items()}
    left, right = st.columns(2)
    with left:
        # its one entry over the plot where the std chart's are (not a residual stream's), so the plots are one height
        draw("mean", layers, name="activation-mean", colour=colour,
             title=titles["mean"], y_title=page.t("mean_axis"),
             layer_title=page.t("layer"), measured=None if page.config.residual else page.names()["measured"],
             plot=STREAM_PLOT if page.config.residual else None)
    with right:
        draw("line", f["stream_std"], name="activation-std", colour=colour, title=titles["std"],
             y_title=page.t("std_axis"), log=log,
             names=page.stream_names(), layer_title=page.t("layer"), series_title=page.t("series"),
             # over the plot: beside it, the plot was 115 px wide beside the mean's 240 at 1024 px with the sidebar
             # open; under it, its rows had left the plot 85 px tall beside the mean's 150. A residual stream's four
             # entries go under a plot of STREAM_PLOT px, as tall as the mean's: over it at 1024 px they took four rows
             legend="bottom" if page.config.residual else "top", plot=STREAM_PLOT if page.config.residual else None)
    drawn = f["stream_std"]["value"].to_numpy(float)  # every line on the std chart's axis, the theory's too
    axis_top = float(drawn[np.isfinite(drawn)].max(initial=0.0))
    if not log and (layer := summary.looks_zero_from(page.result.act_std, axis_top)) is not None:
        measured = page.result.act_std[np.isfinite(page.result.act_std)]
        theory_top = axis_top > measured.max(initial=0.0)  # the theory's line sets the axis's top: say whose largest
        st.caption(page.t("looks_zero_theory" if theory_top else "looks_zero", layer=layer, top=format_value(axis_top),
                          share=format_share(summary.LOOKS_ZERO), switch=page.t("log_y")))
    if log:
        for caption in summary.log_gaps(page.lang, {page.t("measured"): page.result.act_std,
                                                    page.t("theory"): page.result.predicted_act_std},
                                        logs={page.t("theory"): summary.theory_logs(page.result, "act_std")}):
            st.caption(caption)
    if weight_variance(page.config, *page.config.shapes[0]) is None:  # not zero-mean: no theory
        st.caption(page.t("no_theory_constant"))
    scale = summary.scale_line(page.result, page.lang, "forward")  # a norm and f, or unequal widths: fan_in
    if scale:
        st.caption(scale)
    if f["input_histogram"] is not None:  # a real input: its own histogram, before the layers make it Gaussian
        input_histogram(page, f["input_histogram"], colour)
    hist = f["histogram"]
    panels, k = charts.panel_layers(page.config.depth)
    if page.config.residual:  # what the charts above call a layer, and the branch line beside it
        st.caption(page.t("stream_caption"))
    draw("histogram", hist, name="histograms", width="content", colour=colour,
         title=page.titles()["hist"],
         share_title=page.t("share"), **present.screen_columns(len(panels)), layer_title=page.t("layer"),
         bin_titles=[page.t("bin_start"), page.t("bin_end")])
    if not hist.empty:  # else every panel's layer is past a break (draw draws nothing)
        st.caption(charts.histogram_caption(hist, page.config.activation, k, page.lang))
    kurtosis = summary.kurtosis_sentence(page.lang, page.result.stats["pre_kurtosis"], page.config.arch,
                                         noise=summary.gaussian_limit(page.config), batch=page.config.batch)
    if kurtosis and page.config.input != "digits":  # a digits input's is beside its histogram
        st.caption(kurtosis)


def input_histogram(page: Page, frame, colour: str) -> None:
    """Layer 0, the standardized pixels, in one panel of its own range, with what makes it non-Gaussian and how
    Gaussian each layer's pre-activations are (summary.kurtosis_sentence); on a phone the two stack."""
    left, right = st.columns([1, 2], vertical_alignment="center")
    with left:
        draw("histogram", frame, name="input-histogram", width="content", colour=colour,
             title=page.t("chart_input_hist"), share_title=page.t("share"), columns=1,
             panel_width=INPUT_PANEL[0], panel_height=INPUT_PANEL[1], layer_title=page.t("layer"),
             bin_titles=[page.t("bin_start"), page.t("bin_end")])
    with right:
        st.caption(summary.input_sentence(page.result, page.lang))
        kurtosis = summary.kurtosis_sentence(page.lang, page.result.stats["pre_kurtosis"], page.config.arch,
                                             summary.input_kurtosis_median(page.config),
                                             summary.gaussian_limit(page.config), page.config.batch)
        if kurtosis:
            st.caption(kurtosis)

