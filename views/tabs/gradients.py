"""The Gradients tab: the backpropagated gradient's std per layer with the theory's, and std(∂L/∂W) / std(W)."""

from __future__ import annotations

import streamlit as st

from core.initializers import weight_variance

from .. import charts, summary, tour
from ..draw import draw
from ..page import Page
from ..text import join, t


def show(page: Page) -> None:
    colour = charts.SCHEME_COLOURS[tour.scheme_of(page.config)]
    f = page.frames()
    layers, grad = f["layers"], f["grad_std"]
    # the two log axes side by side write their ticks in one style
    powers = charts.row_powers(("line", grad, {"log": True}), ("ratio", layers, {}))
    left, right = st.columns(2)
    with left:
        draw("line", grad, name="gradient-std", colour=colour, title=half_title(grad_title(page.config, page.lang)),
             y_title=page.t("std_axis"), log=True, names=page.names(), layer_title=page.t("layer"),
             series_title=page.t("series"), powers=powers,
             # over the plot: under it, the plot's bottom was 55 px above the ratio chart's beside it (110 px tall
             # beside 146); beside it, the plot was 102 px wide at 1024 px with the sidebar open, its "10" gone
             legend="top")
    with right:
        draw("ratio", layers, name="update-ratio", colour=colour, title=half_title(page.t("chart_ratio")),
             y_title=page.t("ratio_axis"), layer_title=page.t("layer"), powers=powers)
    result = page.result
    gaps = summary.log_gaps(page.lang, {page.t("measured"): result.grad_std,
                                        page.t("theory"): result.predicted_grad_std}, first_layer=1,
                            logs={page.t("theory"): summary.theory_logs(result, "grad_std")})
    gaps += summary.ratio_gaps(result, page.lang, page.t("ratio_axis"))
    for caption in gaps:
        st.caption(caption)
    st.caption(grad_caption(page.config, page.lang))  # what the ratio asks of the learning rate is under the verdict
    if page.config.batch_norm:
        st.caption(page.t("theory_bn", **summary.batch_norm_words(page.config.arch, page.lang)))
    elif weight_variance(page.config, *page.config.shapes[0]) is None:
        st.caption(page.t("no_theory_constant"))
    scale = summary.scale_line(page.result, page.lang, "backward")  # a norm and f, or unequal widths: fan_out
    if scale:
        st.caption(scale)


def grad_title(config, lang: str) -> str:
    """The gradient chart's title, its symbol summary.gradient_symbol's: a residual stream's, the sum's before a norm
    (which the second line names), or the sum's."""
    key = "chart_stream_grad_std" if config.residual else "chart_grad_std" if config.norm == "none" else \
        "chart_grad_std_norm"
    return t(lang, key, grad=summary.gradient_symbol(config), norm=t(lang, f"options.norm_{config.norm}"))


def half_title(title: str) -> list[str]:
    """A title for a chart in half the page: its own lines (a line break in the message), each in lines that fit a
    phone's column (charts.title_lines); Vega cut step 7's one line at 1280 px, "… (z = h·W + b, before batch …"."""
    return [piece for line in title.splitlines() for piece in charts.title_lines(line)]


def grad_caption(config, lang: str) -> str:
    """Where the backward pass starts and what the ratio's size means. A plain network's top value has passed back
    through f′ (He + ReLU: std 0.72 of the N(0, 1) it starts from); a residual stream's is the N(0, 1) itself, its last
    layer being its output (step 8's caption had said f′ there too)."""
    start = "grad_start_residual" if config.residual else "grad_start"
    return join(lang, [t(lang, start), t(lang, "grad_ratio_note")], "sentence")
