"""What the page shows for a residual stream: the branch's std beside the stream's in the Activations chart, and
words that name the stream x_l and its gradient dL/dx_l wherever a tab speaks of a residual network's layers."""

from __future__ import annotations

import json

import numpy as np
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from core import Config, simulate
from tests.app_support import open_app, open_tab
from tests.vega_specs import title_text
from views import summary, tour
from views.charts import SCHEME_COLOURS, branch_colour
from views.text import t

pytestmark = pytest.mark.shared_results  # pages read as a server's later sessions read them (conftest.py)


def charts(at) -> dict[str, tuple[dict, object]]:
    """{title: (spec, data)} of the page's single-dataset charts."""
    found = {}
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        title = title_text(spec)
        title = " ".join(title) if isinstance(title, list) else title  # a title drawn in lines, read as one
        if len(chart.proto.datasets) == 1:
            found[title] = (spec, convert_arrow_bytes_to_pandas_df(chart.proto.datasets[0].data.data))
    return found


def walk(value):
    """Every dict and list inside a Vega-Lite spec, depth first."""
    yield value
    children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for child in children:
        yield from walk(child)


def texts(at) -> str:
    """Every title, caption, markdown and metric label the page shows, as one text."""
    parts = [m.value for m in (*at.markdown, *at.caption, *at.title)] + [m.label for m in at.metric]
    return "\n".join(parts)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_activations_chart_draws_the_branch_beside_the_stream(lang):
    at = open_app(step="8", lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    drawn = charts(at)
    assert t(lang, "chart_act_std") not in drawn  # a residual network's layers are its stream
    spec, data = drawn[t(lang, "chart_stream_std")]
    branch, measured = t(lang, "branch_series"), t(lang, "measured")
    result = simulate(tour.STEPS["8"])
    stream = data[data["series"] == measured].sort_values("layer")
    drawn_branch = data[data["series"] == branch].sort_values("layer")
    np.testing.assert_array_equal(stream["value"], result.stats["act_std"])  # the stream: layers 0..10
    np.testing.assert_array_equal(drawn_branch["layer"], np.arange(1, 11))  # a branch in every block
    np.testing.assert_array_equal(drawn_branch["value"], result.stats["branch_std"][1:])
    branch_theory = data[data["series"] == t(lang, "branch_theory_series")].sort_values("layer")
    np.testing.assert_array_equal(branch_theory["value"], result.stats["predicted_branch_std"][1:])  # dashed
    scales = [value for value in walk(spec) if isinstance(value, dict) and branch in value.get("domain", ())]
    he = branch_colour(SCHEME_COLOURS["he_normal"])
    assert any(s["range"][s["domain"].index(branch)] == he for s in scales)  # its own legend entry
    assert t(lang, "chart_stream_hist") in drawn and t(lang, "stream_caption") in texts(at)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_headline_and_tabs_name_the_stream(lang):
    at = open_app(step="9", lang=lang)
    labels = [m.label for m in at.metric]
    assert labels[:2] == [t(lang, "metric_stream"), t(lang, "metric_stream_grad")]
    assert t(lang, "metric_share_stream") in [m.proto.delta for m in at.metric]  # dead units: not defined, and why
    open_tab(at, "gradients", lang)
    assert t(lang, "chart_stream_grad_std", grad=summary.gradient_symbol(tour.step_config("9"))) in charts(at)
    open_tab(at, "derivation", lang)
    shown = texts(at)
    assert t(lang, "der_res_title") in shown and t(lang, "der_sum_title") not in shown  # no plain recursion
    open_tab(at, "theory", lang)
    assert not at.exception and t(lang, "theory_tab.map_residual") in texts(at)


@pytest.mark.slow
def test_a_plain_network_keeps_the_activation_words_and_layer_norm_its_own_theory_sentence():
    at = open_app(step="custom", init="he_normal", activation="relu", norm="layer")
    assert not at.exception, [e.value for e in at.exception]
    assert Config(init="he_normal", activation="relu", layer_norm=True).norm == "layer"
    drawn = charts(at)
    spec, data = drawn[t("en", "chart_act_std")]
    assert set(data["series"]) == {t("en", "measured"), t("en", "theory")}  # no branch without a stream
    assert [m.label for m in at.metric][:2] == [t("en", "metric_act"), t("en", "metric_grad")]
    open_tab(at, "theory")
    assert not at.exception and "Layer norm divides each sample's sum" in texts(at)
