"""The Spectrum tab: the input-output Jacobian's singular values of this network beside its orthogonal twin (or
Gaussian twin, for an orthogonal network), with p10, median, p90, their ratio, and what they say of isometry."""

from __future__ import annotations

import streamlit as st

from core import Config, cache, spectrum as spectra
from core.network import MemoryBudgetError, WorkLimitError
from core.threads import Cancelled, parallel_map

from .. import charts, tour
from .. import spectrum as view
from ..computing import fitted_chosen, offer_fitted, session_gone
from ..draw import draw_chart
from ..page import Page, memory_budget
from ..text import join

FITTED = "use_fitted_spectrum"  # the refusal's button, which computes a Custom network's spectrum at the size that fits


def show(page: Page) -> None:
    found = measured(page)
    if found is None:
        return
    config, results = found
    own, budget = page.config, memory_budget()
    cancel = session_gone()
    st.markdown(page.t("spectrum_tab.intro"))
    st.markdown(view.verdict(results[0], page.lang, own))
    borders = view.border_line(border_effect(own, budget, cancel), own, results[0], page.lang)
    if borders:
        st.markdown(borders)
    note = view.twin_note(config, results, page.lang)
    if note:
        st.markdown(note)
    bin_edges = view.edges(*results)
    for column, result, title in zip(st.columns(2), results, charts.even_titles(titles(page, config))):
        with column:
            show_one(page, result, bin_edges, title)


def titles(page: Page, config: Config) -> tuple[str, str]:
    """The two charts' titles: the network computed (config: the page's, or fitting()'s) and its twin."""
    return view.this_title(config, page.config, page.lang), view.twin_title(config, page.lang, page.config)


def measured(page: Page) -> tuple[Config, list[spectra.Spectrum]] | None:
    """The network whose spectrum is drawn (the page's, or at a tour step over the limits the nearest that fits, said
    so) and the spectra of it and its twin; None, with the reason on the page, where they are not computed."""
    config, budget = page.config, memory_budget()
    own = config  # the page's network, whose borders border_line measures whatever size the spectrum is drawn at
    # a tour step's network over the limits is computed at the nearest size that fits, said so; a Custom one is
    # refused, with that size one click away, which computes it so too: the page's network stays what it is
    at_step = tour.step_of(config) != tour.CUSTOM
    fitted = view.fitting(config, budget, view.STEP_WORK if at_step else None)
    if fitted is not None and (at_step or fitted_chosen(FITTED, own)):
        st.info(view.fitted_note(config, fitted, page.lang, budget))
        config = fitted
    other = view.twin(config)
    for network in (config, other):
        refused = view.refusal(network, page.lang, budget)
        if refused:
            st.warning(refused)
            if fitted is not None:
                offer_fitted(view.fitted_label(config, fitted, page.lang), FITTED, own)
            return None
    cancel = session_gone()
    try:
        with st.spinner(page.t("spectrum_tab.computing")):  # kept per server: a rerun finds both at once
            results = parallel_map(lambda c: cache.spectrum_cached(c, memory_budget=budget, cancel=cancel),
                                   (config, other), slots=False)
    except Cancelled:
        return None
    except (MemoryBudgetError, WorkLimitError) as error:  # the estimates above should have said so first
        st.warning(str(error))
        return None
    except spectra.JacobianRangeError:
        st.warning(page.t("spectrum_tab.out_of_range"))
        return None
    return config, results


def histogram(page: Page, result: spectra.Spectrum, bin_edges, title: list[str], predicted=None,
              size: float = charts.LABEL_SIZE):
    """One network's histogram of singular values (views.spectrum.histogram_chart) with its theory, and the chart's
    code in its files' names; title: its lines (charts.even_titles); predicted: core.spectrum.predicted_density's, if
    computed already; size: histogram_chart's."""
    colour = charts.SCHEME_COLOURS[tour.scheme_of(result.config)]
    if predicted is None:
        predicted = spectra.predicted_density(result.config)
    chart = view.histogram_chart(view.histogram_frame(result, bin_edges), colour=colour, title=title,
                                 x_title=page.t("spectrum_tab.x_axis"), y_title=page.t("spectrum_tab.y_axis"),
                                 theory=view.overlay_frame(predicted, bin_edges),
                                 theory_name=page.t("spectrum_tab.theory_name"), size=size)
    return chart, "spectrum-orthogonal" if view.is_orthogonal(result.config) else "spectrum"


def show_one(page: Page, result: spectra.Spectrum, bin_edges, title: list[str]) -> None:
    """One network's histogram, its headline numbers and what lies below the axis; title: its lines
    (charts.even_titles)."""
    predicted = spectra.predicted_density(result.config)  # the moments too: computed once (~0.1 s at depth 64)
    theory = view.overlay_frame(predicted, bin_edges)
    chart, name = histogram(page, result, bin_edges, title, predicted)
    draw_chart(chart, name=name, width="stretch")
    numbers = view.headline(result, page.lang)
    labels = {"p10": "spectrum_tab.p10", "p50": "spectrum_tab.p50", "p90": "spectrum_tab.p90",
              "ratio": "spectrum_tab.ratio"}
    # two a row: a bound such as "< 7.61 × 10⁻²¹" is one unbreakable word, wider than a quarter of a half-page
    # column at 1024 or 1280 px (tests/test_browser_screens.py)
    boxes = [box for _ in range(2) for box in st.columns(2)]
    for box, (key, label) in zip(boxes, labels.items()):
        box.metric(page.t(label), numbers[key])
    st.caption(page.t("spectrum_tab.mean", mean=numbers["mean_squared"], inputs=len(result.values),
                      count=result.pooled.size))
    _, zeros = view.shown_values(result)
    if zeros and result.pooled.any():  # all exactly 0 (zero weights): the verdict says so
        said = view.zeros_said(result, page.lang)
        st.caption(join(page.lang, [said, *filter(None, [view.zeros_note(result, page.lang)])], "sentence"))
    line = view.theory_line(result, predicted, page.lang)
    if line:
        st.caption(line)
    st.caption(view.overlay_caption(predicted, result.config, len(theory) > 0, page.lang))


def border_effect(config, budget: int, cancel) -> dict[str, float] | None:
    """core.spectrum.border_effect of a conv net with borders to lose, or None: a dense net, nothing lost, or its
    random directions over the memory budget or the work limit (STEP_WORK's, the lecture network's)."""
    if spectra.border_share(config) >= 1.0 or spectra.estimate_probe_memory(config) > budget \
            or 2 * spectra.estimate_probe_work(config) > view.STEP_WORK:  # both paddings
        return None
    try:
        return cache.border_cached(config, memory_budget=budget, cancel=cancel)
    except (MemoryBudgetError, WorkLimitError, spectra.JacobianRangeError):  # circular padding keeps more signal: its
        return None  # copy of the network may leave float64's range where the network itself does not
