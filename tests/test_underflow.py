"""What the page says of an underflow is what numpy's own float arithmetic does at that layer.

The engine stops a forward pass where every value of a layer's product h W fell below the float type's smallest
normal number (numpy's finfo.tiny): subnormal, losing precision, but not yet 0. A float32 tanh network at
0.01·randn, width 100, falls below 1.18e-38 at layer 39 with no value 0; the first zeros come at layer 40, and 99 %
at layer 45. The page had said the values "underflowed to 0" at layer 39."""

from __future__ import annotations

import re

import numpy as np
import pytest

from core import Config, network, simulate
from views import charts, derivation, export, summary
from views.number_writing import format_value
from views.tabs import data
from views.text import LANGUAGES, t

# (config, its break layer as this module's own loop finds it), each a network whose forward pass underflows
UNDERFLOWS = [
    Config(depth=50, width=100, init="normal", std=0.01),  # the page's ?depth=50&width=100&init=normal&std=0.01
    Config(depth=50, width=100, activation="relu", init="normal", std=0.01, batch=200),
    Config(depth=40, width=50, activation="linear", init="normal", std=1e-12, batch=50, dtype="float64"),
]


def numpy_products(config: Config) -> list[np.ndarray]:
    """Each layer's product z_l = h_{l-1} W_l (no bias: these networks have none) in numpy's own arithmetic of
    config's dtype, from the network's draws: an independent loop over the layers, index 0 the input."""
    dtype = np.dtype(config.dtype)
    draws = network.network_draws(config)
    h, products = draws.x.astype(dtype), [draws.x.astype(dtype)]
    f = {"tanh": np.tanh, "relu": lambda z: np.maximum(z, dtype.type(0)), "linear": lambda z: z}[config.activation]
    for weights in draws.weights:
        z = h @ (weights.astype(dtype) * dtype.type(config.std))
        products.append(z)
        h = f(z)
    return products


@pytest.mark.slow
@pytest.mark.parametrize("config", UNDERFLOWS, ids=lambda c: f"{c.activation}-{c.dtype}")
def test_the_break_is_where_every_value_falls_below_the_smallest_normal_number(config):
    """At the engine's break layer every value of the product is below finfo.tiny and the one before has some above
    it; the values there are not all 0 (the brief's network: none is), so "below the smallest normal number" is
    what happened, "to 0" is not."""
    (b,) = simulate(config).breaks
    assert (b.kind, b.stage) == ("underflow", "forward")
    tiny = np.finfo(config.dtype).tiny
    z = numpy_products(config)
    assert network.smallest_normal(config.dtype) == tiny
    assert (np.abs(z[b.layer]) < tiny).all() and (np.abs(z[b.layer - 1]) >= tiny).any()
    assert np.count_nonzero(z[b.layer]) > z[b.layer].size / 2
    if config == UNDERFLOWS[0]:  # the zeros come after the break, a few at first; just where moves with the BLAS
        # kernel's rounding of subnormal values (OpenBLAS's Haswell kernels: the first at layer 40; Sandybridge's: 41)
        assert b.layer == 39 and np.count_nonzero(z[39]) == z[39].size
        assert 0 < np.count_nonzero(z[42] == 0) < z[42].size / 100 and np.mean(z[45] == 0) > 0.9


@pytest.mark.slow
@pytest.mark.parametrize("config", UNDERFLOWS, ids=lambda c: f"{c.activation}-{c.dtype}")
def test_every_sentence_on_an_underflow_names_the_smallest_normal_number(config):
    """The warning, the headline's missing value, the verdict's reason, the Derivation's dash and the core's own
    line each say that layer's values fell below the dtype's smallest normal number, written as the page writes
    numbers; the Data tab and its CSV name the column so; the Compare chart marks that layer as an underflow, not
    as the "0" of an exact zero, where its line comes to it on the axis, and where the line has left under the axis's
    floor before (these networks' hundreds of decades), marks where it leaves instead (charts.compare_frame)."""
    result = simulate(config)
    (b,) = result.breaks
    tiny = np.finfo(config.dtype).tiny
    for lang in LANGUAGES:
        said = [summary.break_message(b, lang, config.dtype), summary.missing_reason(result, lang),
                summary.explain(result, lang), derivation.Values(result, lang).missing]
        for sentence in said:
            assert format_value(tiny) in sentence and config.dtype in sentence, sentence
            assert re.search(rf"(?<![\d.]){b.layer}(?!\d|\.\d)", sentence), sentence
        table = export.data_table(charts.layer_frame(result), lang, config)
        header = t(lang, "column_vanished")
        assert header in data.caption(lang, config.dtype) and format_value(tiny) in data.caption(
            lang, config.dtype)
        assert table[header].tolist() == [layer == b.layer for layer in range(config.depth + 1)]
        frame = charts.compare_frame({"normal_0.01": result}, lang)
        off = bool(frame["below"][b.layer - 1] or frame["above"][b.layer - 1])
        assert frame.loc[frame["underflowed"], "layer"].tolist() == ([] if off else [b.layer])
        assert not off or frame.loc[frame["leaves"], "layer"].item() < b.layer
        assert not (frame["act_std"] == 0).any() and np.isnan(frame["act_std"][b.layer])
    assert f"{tiny:.3g}" in b.message(config.dtype)


@pytest.mark.parametrize("residual", [False, True], ids=["plain", "residual"])
def test_every_sentence_on_weights_that_round_to_zero_says_so_and_names_the_float_s_smallest_number(residual):
    """std=1e-46 in float32 rounds every weight of layer 1 to 0 (initializers.rounded_to_zero): the warning, the
    headline's missing value, the verdict's reason, the Derivation's dash and the core's own line each say that the
    weights of that layer round to 0 in float32, not that values fell below its smallest normal number, and the
    verdict's reason gives no ratio of signals (none was measured); the warning names float32's smallest positive
    number and float64's, which holds such weights. A values' underflow says nothing of weights."""
    config = Config(init="normal", std=1e-46, depth=3, width=8, batch=10, residual=residual)
    result = simulate(config)
    (b,) = result.breaks
    assert (b.kind, b.layer, b.weights) == ("underflow", 1, True)
    smallest = {dtype: format_value(float(np.finfo(dtype).smallest_subnormal))
                for dtype in ("float32", "float64")}
    assert smallest == {"float32": "1.4\u00a0×\u00a010⁻⁴⁵", "float64": "4.94\u00a0×\u00a010⁻³²⁴"}
    for lang in LANGUAGES:
        warning = summary.break_message(b, lang, config.dtype)
        assert t(lang, "break_weights_zero", layer=1, dtype="float32", subnormal=smallest["float32"]) in warning
        assert smallest["float64"] in warning and "float64" in warning
        said = {"missing_weights_zero": summary.missing_reason(result, lang),
                "verdict_vanishing_why_weights": summary.explain(result, lang),  # no ratio: nothing was measured
                "der_missing_weights_zero": derivation.Values(result, lang).missing}
        assert summary.verdict(result) == "vanishing"
        for key, sentence in said.items():
            assert sentence == t(lang, key, layer=1, dtype="float32"), sentence
            assert format_value(np.finfo("float32").tiny) not in sentence, sentence
    assert "every weight of layer 1 rounds to 0 in float32" in b.message("float32")
    assert f"{np.finfo('float32').smallest_subnormal:.3g}" in b.message("float32")
    values = simulate(UNDERFLOWS[0]).breaks[0]  # the values' own underflow
    assert not values.weights and "weight" not in summary.break_message(values, "en", UNDERFLOWS[0].dtype)


@pytest.mark.slow
@pytest.mark.parametrize("config", UNDERFLOWS, ids=lambda c: f"{c.activation}-{c.dtype}")
def test_the_std_up_to_the_break_is_the_std_of_numpy_s_values(config):
    """Each layer's activation std before the break is the std of numpy's own values (in float64, over their largest
    |x|, so that no square is lost): a float32 layer of values ~1e-23, whose squares lie below the smallest
    normal number, had its std halved (4.25e-24 for 9.5e-24), and float64 layers of values below ~1e-154, whose
    squares round to 0, had a std of exactly 0, which the page wrote as "exactly 0 at layers 15–27"."""
    result = simulate(config)
    (b,) = result.breaks
    z = numpy_products(config)
    f = {"tanh": np.tanh, "relu": lambda v: np.maximum(v, 0), "linear": lambda v: v}[config.activation]
    for layer in range(1, b.layer):
        h = f(z[layer]).astype(np.float64)
        scale = np.abs(h).max()
        assert result.stats["act_std"][layer] == pytest.approx((h / scale).std() * scale, rel=1e-5, abs=0), layer


# Networks that underflow before the layers a chart would show: every histogram panel's layer (one in seven of 70, the
# first at layer 7) past the break at layer 7; the Spectrum tab's predicted mean of s² itself below float's range
BEFORE_THE_CHARTS = [
    {"init": "he_normal", "gain": "0.000001", "depth": "70"},
    {"init": "he_normal", "gain": "0.000001", "depth": "100", "tab": "spectrum"},
    {"init": "xavier_normal", "gain": "0.01", "depth": "90", "tab": "spectrum"},
    {"init": "variance_scaling", "scale": "0.000001", "activation": "silu", "depth": "100", "width": "64",
     "batch": "10", "tab": "spectrum"},
]


@pytest.mark.slow
@pytest.mark.parametrize("query", BEFORE_THE_CHARTS, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()))
def test_a_network_that_underflows_before_its_charts_gets_its_page_and_its_warning(query):
    """These links showed a traceback in place of the page (an empty histogram's range, a relative gap to a predicted
    0): the page is drawn, with the break warning that says from which layer nothing is drawn, and a histogram caption
    only where a panel is drawn."""
    from tests.app_support import open_app

    at = open_app(**query)
    assert not at.exception, [e.value for e in at.exception]
    assert any("smallest normal number" in w.value for w in at.warning), [w.value for w in at.warning]
    if query.get("tab") is None:  # the Activations tab: no panel, so no caption about panels
        panels = t("en", "hist_caption", every="").split(",")[0]  # "Share of the batch's activations in each bin ..."
        assert not [c.value for c in at.caption if c.value.startswith(panels)]
