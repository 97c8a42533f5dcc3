"""The Theory tab: the order-to-chaos map with this network on it, its gradient std against the prediction, the
phases in words and the large-init paradox with its numbers."""

from __future__ import annotations

import streamlit as st

from core import cache, theory
from core.initializers import bias_mean

from .. import link, summary
from .. import theory as theory_view
from ..cache import FRAMES
from ..draw import draw_chart
from ..page import Page


def theory_map(activation: str, slope: float, bias: float) -> tuple:
    """The order-to-chaos map's cells and its edge of chaos, per activation (and leaky slope, mean bias)."""
    def make() -> tuple:
        grid = theory.phase_map(activation, slope=slope, bias_mean=bias)
        return theory_view.map_frame(grid), theory_view.critical_frame(grid)
    return FRAMES.get(("theory_map", activation, slope, bias), make)


def paradox_numbers() -> dict:
    """core.theory.large_init_paradox of the Theory tab's network (a few numbers), computed once per server."""
    return cache.RESULTS.get(("paradox", theory_view.PARADOX_CONFIG),
                             lambda: theory.large_init_paradox(theory_view.PARADOX_CONFIG))


def show(page: Page) -> None:
    config, result = page.config, page.result
    numbers = theory.theory_summary(config)
    xi = st.toggle(page.t("theory_tab.colour_xi"), False, key="xi", persist_state="session",
                   help=page.t("theory_tab.colour_xi_help"))
    link.write_setting("xi", xi)  # kept in the address while another tab is open
    colour_by = "depth_scale" if xi else "log_chi1"
    cells, critical = theory_map(config.activation, config.slope, bias_mean(config))  # torch_default's: 0
    # the schemes at a hidden layer's fan_in (C_in k^2 for a conv net), the last layer's: a digits input's 64 pixels
    # or one channel are layer 1's alone
    marks = theory_view.marks_frame(config.shapes[-1][0], numbers["sigma_w2"], numbers["sigma_b2"],
                                    page.lang, config.activation, config.slope)
    activation = page.t(f"act_{config.activation}")  # its name in the page's language, not its code
    left, right = st.columns([3, 2])
    with left:  # several datasets: drawn as built, not through the single-frame template of draw()
        draw_chart(theory_view.map_chart(cells, critical, marks, colour_by=colour_by, lang=page.lang,
                                         title=page.t("theory_tab.map_title", activation=activation),
                                         activation=config.activation),
                   name="phase-map", width="stretch")
        if critical.empty:
            st.caption(page.t("theory_tab.no_critical", activation=activation))
        if colour_by == "depth_scale" and cells["diverges"].any():
            st.caption(page.t("theory_tab.diverging"))
    with right:
        profile = theory_view.profile_text(config, numbers, result.predicted_grad_std, page.lang)
        rate = None if theory_view.unequal_fans(config) else numbers["chi1"]  # χ₁ is no layer's factor there
        grad = theory_view.gradient_frame(result.grad_std, result.predicted_grad_std, rate, page.lang)
        draw_chart(theory_view.gradient_chart(grad, lang=page.lang, batch_norm=config.batch_norm),
                   name="gradient-theory", width="stretch")
        gaps = {page.t("measured"): result.grad_std, page.t("theory_tab.theory"): result.predicted_grad_std}
        logs = {page.t("theory_tab.theory"): summary.theory_logs(result, "grad_std")}
        for caption in summary.log_gaps(page.lang, gaps, first_layer=1, logs=logs):
            st.caption(caption)
    st.markdown(profile or theory_view.here_text(numbers, page.lang, config.batch_norm, config.depth,
                                                 residual=config.residual, layer_norm=config.layer_norm,
                                                 grad_std=result.grad_std, arch=config.arch,
                                                 any_q=theory_view.keeps_any_q(config, numbers),
                                                 activation=config.activation,
                                                 predicted_grad_std=result.predicted_grad_std))
    st.markdown(page.t("theory_tab.phases"))
    if theory_view.tells_paradox(config):
        measured = theory_view.measured_growth(result.grad_std) if theory_view.is_paradox_network(config) else None
        st.markdown(theory_view.paradox_text(paradox_numbers(), page.lang, measured=measured))

