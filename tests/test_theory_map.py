"""The order-to-chaos map: fixed points, chi_1, depth scales and the large-init paradox against known values."""

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from core import Config, simulate, theory
from core.__main__ import main as cli_main
from core.activations import apply, derivative, get
from core.config import ACTIVATIONS, CONV_RANGES, INT_RANGES
from views import derivation
from views import theory as view
from views import tour
from views.text import t

from tests.app_support import open_app

SUMMARY_KEYS = {"sigma_w2", "sigma_b2", "q_star", "chi1", "chi1_backward", "depth_scale"}


def iterate_lengths(name: str, sigma_w2: float, sigma_b2: float, layers: int = 4000) -> float:
    """q* the slow way: the length map applied layer after layer from a unit-variance input, exact quadrature.

    A layer that gives back exactly the q it was given gives it at every later layer too (the map is a pure
    function of q), so the iteration stops there with what all `layers` would give."""
    q = sigma_w2 + sigma_b2
    for _ in range(layers):
        q, before = sigma_w2 * float(theory.moments(name, 0.0, q)[1]) + sigma_b2, q
        if q > 1e15:
            return math.inf
        if q == before:
            break
    return q


def correlation_slope_2d(name: str, sigma_w2: float, sigma_b2: float) -> float:
    """chi_c at the stable correlation c* of the correlation map, computed with nested 2-D quadrature.

    Independent of the Hermite series the map uses: E[f(u1) f(u2)] with u2 | u1 ~ N(c u1, q* (1 - c^2)).
    """
    q = float(theory.fixed_point(name, sigma_w2, sigma_b2))
    s1, w1 = (a.ravel() for a in theory.quadrature(0.0, q))

    def step(c):
        s2, w2 = theory.quadrature(c * s1, q * (1 - c * c))  # (outer nodes, panels, points)
        inner_f = (apply(name, s2) * w2).sum(axis=(-2, -1))
        inner_d = (derivative(name, s2) * w2).sum(axis=(-2, -1))
        return ((sigma_w2 * (w1 * apply(name, s1) * inner_f).sum() + sigma_b2) / q,
                sigma_w2 * (w1 * derivative(name, s1) * inner_d).sum())

    # the map is convex on [0, 1] and crosses the diagonal once below 1 in the chaotic phase: bisect
    lo, hi = 0.0, 1.0 - 1e-6
    assert step(hi)[0] < hi, "not chaotic"
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if step(mid)[0] > mid else (lo, mid)
    return step(0.5 * (lo + hi))[1]


# ---------- known values ----------

def test_relu_is_critical_at_he_init():
    # He et al. 2015: sigma_w^2 = 2 exactly makes up for ReLU's half, chi_1 = 2 * E[step^2] = 1
    q_star = theory.fixed_point("relu", 2.0, 0.0)
    assert q_star == 2.0  # every q is a fixed point; the network keeps the first layer's 2 * 1
    assert theory.chi1("relu", q_star, 2.0) == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(theory.critical_sigma_w2("relu", [0.0, 0.3, 1.0]), 2.0, rtol=1e-9)
    assert theory.depth_scale("relu", 2.0, 0.0) == math.inf


@pytest.mark.parametrize("sigma_w2", [0.05, 0.3, 0.8, 1.0])
def test_tanh_without_bias_collapses_to_zero_with_chi1_equal_to_sigma_w2(sigma_w2):
    # tanh(x)^2 < x^2, so without bias noise q shrinks to exactly 0 for sigma_w^2 <= 1, where tanh'(0) = 1
    q_star = theory.fixed_point("tanh", sigma_w2, 0.0)
    assert q_star == 0.0
    assert theory.chi1("tanh", q_star, sigma_w2) == pytest.approx(sigma_w2, rel=1e-12)


def test_tanh_is_critical_at_xavier_without_bias():
    assert theory.critical_sigma_w2("tanh", 0.0) == pytest.approx(1.0, abs=1e-3)
    assert theory.depth_scale("tanh", 1.0, 0.0) == math.inf
    # just past it q* leaves 0 (q* ~ (sigma_w^2 - 1) / 2 from tanh's series) and chi_1 stays just above 1
    q_star = float(theory.fixed_point("tanh", 1.02, 0.0))
    assert q_star == pytest.approx(0.02 / (2 * 1.02), rel=0.05)
    assert 1.0 < theory.chi1("tanh", q_star, 1.02) < 1.001


def test_tanh_critical_line_at_bias_variance_005():
    # Schoenholz et al. 2017: at sigma_b^2 = 0.05 tanh's edge of chaos is at sigma_w^2 ~ 1.76
    critical = float(theory.critical_sigma_w2("tanh", 0.05))
    assert critical == pytest.approx(1.76, abs=0.02)
    q_star = theory.fixed_point("tanh", critical, 0.05)
    assert theory.chi1("tanh", q_star, critical) == pytest.approx(1.0, abs=1e-6)


def test_critical_line_rises_with_bias_noise_for_tanh():
    line = theory.critical_sigma_w2("tanh", np.linspace(0, 1, 11))
    assert np.all(np.diff(line) > 0)  # more bias noise needs larger weights to reach chaos


@pytest.mark.parametrize("sigma_w2, sigma_b2", [(0.5, 0.3), (1.0, 0.1), (1.9, 1.0), (1.99, 0.05)])
def test_relu_and_linear_fixed_points_are_geometric_series(sigma_w2, sigma_b2):
    # E[relu(s)^2] = q / 2: q* = sigma_b^2 / (1 - sigma_w^2 / 2); linear: sigma_b^2 / (1 - sigma_w^2)
    assert theory.fixed_point("relu", sigma_w2, sigma_b2) == pytest.approx(sigma_b2 / (1 - sigma_w2 / 2), rel=1e-10)
    if sigma_w2 < 1:
        assert theory.fixed_point("linear", sigma_w2, sigma_b2) == pytest.approx(sigma_b2 / (1 - sigma_w2), rel=1e-10)


def test_exploding_variance_is_infinite_q_star_with_finite_chi1():
    assert theory.fixed_point("relu", 2.5, 0.2) == math.inf
    assert theory.fixed_point("linear", 1.2, 0.0) == math.inf
    assert theory.chi1("relu", math.inf, 2.5) == pytest.approx(1.25, rel=1e-12)  # sigma_w^2 / 2 at any q
    assert math.isnan(theory.depth_scale("relu", 2.5, 0.2))  # no fixed point to expand around


@pytest.mark.slow
@pytest.mark.parametrize("name", [name for name in ACTIVATIONS if get(name).half_lines is None])  # no closed form
@pytest.mark.parametrize("sigma_w2, sigma_b2", [(0.7, 0.3), (1.5, 0.1), (4.0, 0.0), (500.0, 0.0)])
def test_fixed_point_matches_layer_by_layer_iteration(name, sigma_w2, sigma_b2):
    expected = iterate_lengths(name, sigma_w2, sigma_b2)
    got = float(theory.fixed_point(name, sigma_w2, sigma_b2))
    if expected == math.inf:  # GELU, ELU and SELU diverge at sigma_w^2 = 4 and 500
        assert got == math.inf
    else:
        assert got == pytest.approx(expected, rel=1e-6, abs=1e-12)


# ---------- the quadrature, against an independent integrator ----------

@pytest.mark.parametrize("name", ACTIVATIONS)
@pytest.mark.parametrize("q", [0.01, 1.0, 10.0, 500.0])
def test_quadrature_against_scipy_quad(name, q):
    integrate = pytest.importorskip("scipy.integrate")
    sd = math.sqrt(q)
    # f'^2 of saturated tanh is a spike of width ~1 in s: tell quad where the bends are
    points = [p for p in (-3.0, -1.0, 0.0, 1.0, 3.0) if abs(p) < 12 * sd]

    def expect(g):
        density = lambda s: math.exp(-0.5 * s * s / q) / (sd * math.sqrt(2 * math.pi))  # noqa: E731
        return integrate.quad(lambda s: g(np.array([s]))[0] * density(s), -12 * sd, 12 * sd, points=points,
                              limit=400, epsabs=1e-14, epsrel=1e-12)[0]

    _, m2, d2 = theory.moments(name, 0.0, q)
    assert m2 == pytest.approx(expect(lambda s: apply(name, s) ** 2), rel=1e-9, abs=1e-14)
    assert d2 == pytest.approx(expect(lambda s: derivative(name, s) ** 2), rel=1e-9, abs=1e-14)


def test_gelu_with_the_exact_erf():
    # the engine's GELU uses an erf good to 1.5e-7; against scipy's own erf the moments agree to ~1e-6
    special = pytest.importorskip("scipy.special")
    integrate = pytest.importorskip("scipy.integrate")
    q = 2.0
    gelu = lambda s: 0.5 * s * (1 + special.erf(s / math.sqrt(2)))  # noqa: E731
    exact = integrate.quad(lambda s: gelu(s) ** 2 * math.exp(-0.5 * s * s / q) / math.sqrt(2 * math.pi * q),
                           -40, 40, points=[0.0], epsabs=1e-14, epsrel=1e-12)[0]
    assert theory.moments("gelu", 0.0, q)[1] == pytest.approx(exact, rel=1e-6)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_tabulated_moments_match_the_composite_rule(name):
    # the map's fast path: E[f^2] and E[f'^2] interpolated from a table in ln q, against direct quadrature
    table = theory._length_table(name, 0.01, 0.0)
    q = np.exp(np.random.default_rng(0).uniform(math.log(1e-7), math.log(1e11), 300))
    _, m2, d2 = theory.moments(name, 0.0, q)
    np.testing.assert_allclose(theory._second_moment(table, q), m2, rtol=1e-6)
    np.testing.assert_allclose(theory._slope_moment(table, q), d2, rtol=1e-6)


# ---------- depth scales ----------

@pytest.mark.parametrize("name, sigma_b2", [("tanh", 0.05), ("tanh", 0.5), ("relu", 0.3), ("elu", 0.2)])
def test_depth_scale_diverges_at_the_edge_of_chaos_from_both_sides(name, sigma_b2):
    critical = float(theory.critical_sigma_w2(name, sigma_b2))
    for side in (-1, 1):
        if name == "relu" and side == 1:
            continue  # past sigma_w^2 = 2 ReLU's q* is infinite: no xi there
        xi = [float(theory.depth_scale(name, critical * (1 + side * eps), sigma_b2)) for eps in (0.1, 0.03, 0.01)]
        assert all(math.isfinite(x) for x in xi)
        assert xi[0] < xi[1] < xi[2]
        assert xi[2] > 20


@pytest.mark.parametrize("sigma_w2, sigma_b2", [(0.5, 0.1), (1.2, 0.8), (2.0, 0.4)])
def test_ordered_depth_scale_is_minus_one_over_log_chi1(sigma_w2, sigma_b2):
    q_star = theory.fixed_point("tanh", sigma_w2, sigma_b2)
    chi_1 = float(theory.chi1("tanh", q_star, sigma_w2))
    assert chi_1 < 1
    assert theory.depth_scale("tanh", sigma_w2, sigma_b2) == pytest.approx(-1 / math.log(chi_1), rel=1e-6)


@pytest.mark.slow
@pytest.mark.parametrize("name, sigma_w2, sigma_b2", [
    ("tanh", 2.0, 0.05), ("tanh", 3.0, 0.5), ("tanh", 5.0, 0.2), ("tanh", 500.0, 1.0), ("selu", 1.5, 0.3),
])
def test_chaotic_depth_scale_against_2d_quadrature(name, sigma_w2, sigma_b2):
    # in the chaotic phase c = 1 is unstable and xi_c comes from the slope at c* < 1 (Schoenholz et al. 2017)
    expected = -1 / math.log(correlation_slope_2d(name, sigma_w2, sigma_b2))
    assert theory.depth_scale(name, sigma_w2, sigma_b2) == pytest.approx(expected, rel=1e-3)


def test_chaotic_depth_scale_without_bias_has_a_closed_form():
    # odd f, sigma_b^2 = 0: c* = 0, and the slope there is sigma_w^2 E[f'(s)]^2 (Stein's lemma)
    sigma_w2 = 4.0
    q_star = float(theory.fixed_point("tanh", sigma_w2, 0.0))
    mean_slope = float(theory.gaussian_expectation(lambda s: 1 - np.tanh(s) ** 2, 0.0, q_star))
    expected = -1 / math.log(sigma_w2 * mean_slope**2)
    assert theory.depth_scale("tanh", sigma_w2, 0.0) == pytest.approx(expected, rel=1e-5)


# ---------- the map ----------

@pytest.mark.parametrize("name", ACTIVATIONS)
def test_map_agrees_with_the_pointwise_functions(name):
    grid = theory.phase_map(name)
    nb, nw = len(grid["sigma_b2"]), len(grid["sigma_w2"])
    assert grid["q_star"].shape == grid["chi1"].shape == grid["depth_scale"].shape == (nb, nw)
    rng = np.random.default_rng(1)
    for i, j in zip(rng.integers(0, nb, 12), rng.integers(0, nw, 12)):
        sw, sb = grid["sigma_w2"][j], grid["sigma_b2"][i]
        q_star = theory.fixed_point(name, sw, sb)
        assert grid["q_star"][i, j] == pytest.approx(float(q_star), rel=1e-12)
        assert grid["chi1"][i, j] == pytest.approx(float(theory.chi1(name, q_star, sw)), rel=1e-6)
        assert grid["log_chi1"][i, j] == pytest.approx(math.log(grid["chi1"][i, j]))
        np.testing.assert_allclose(grid["depth_scale"][i, j], theory.depth_scale(name, sw, sb), rtol=1e-9)
    np.testing.assert_array_equal(grid["critical_sigma_w2"], theory.critical_sigma_w2(name, grid["sigma_b2"]))


def test_map_changes_sign_at_the_critical_line():
    grid = theory.phase_map("tanh")
    for row, critical in zip(grid["log_chi1"], grid["critical_sigma_w2"]):
        left, right = grid["sigma_w2"] < critical * 0.99, grid["sigma_w2"] > critical * 1.01
        assert np.all(row[left] < 0) and np.all(row[right] > 0)


def test_map_is_cached_and_read_only():
    first = theory.phase_map("tanh")
    assert theory.phase_map("tanh", theory.DEFAULT_SIGMA_W2, theory.DEFAULT_SIGMA_B2) is first
    with pytest.raises(ValueError):
        first["chi1"][0, 0] = 0.0
    assert len(first["sigma_w2"]) * len(first["sigma_b2"]) < 5000  # Altair's inline limit


# ---------- the summary and the command line ----------

@pytest.mark.parametrize("config, expected", [
    (Config(), {"sigma_w2": 0.05, "sigma_b2": 0.0, "q_star": 0.0, "chi1": 0.05, "depth_scale": -1 / math.log(0.05)}),
    (Config(init="xavier_normal"), {"sigma_w2": 1.0, "sigma_b2": 0.0, "q_star": 0.0, "chi1": 1.0, "depth_scale": None}),
    (Config(activation="relu", init="he_normal", bias_std=0.3),
     {"sigma_w2": 2.0, "sigma_b2": 0.09, "q_star": None, "chi1": 1.0, "depth_scale": None}),
    (Config(activation="relu", init="normal", std=1.0),
     {"sigma_w2": 500.0, "sigma_b2": 0.0, "q_star": None, "chi1": 250.0, "depth_scale": None}),
    (Config(init="constant", value=0.1), {"sigma_w2": None, "sigma_b2": 0.0, "q_star": None, "chi1": None,
                                          "depth_scale": None}),
    (Config(batch_norm=True), {"sigma_w2": 0.05, "sigma_b2": 0.0, "q_star": None, "chi1": None,
                               "depth_scale": None}),
    (Config(init="zeros", bias_std=0.5), {"sigma_w2": 0.0, "sigma_b2": 0.25, "q_star": 0.25, "chi1": 0.0,
                                          "depth_scale": 0.0}),
])
def test_theory_summary(config, expected):
    summary = theory.theory_summary(config)
    assert set(summary) == SUMMARY_KEYS
    for key, value in expected.items():
        if value is None:
            assert summary[key] is None, key
        else:
            assert summary[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key


def test_summary_of_the_large_init():
    summary = theory.theory_summary(Config(init="normal", std=1.0))
    assert summary["sigma_w2"] == pytest.approx(500.0)
    assert summary["q_star"] == pytest.approx(iterate_lengths("tanh", 500.0, 0.0, layers=50), rel=1e-6)
    assert summary["chi1"] > 4 and 0 < summary["depth_scale"] < 10


def _strict(text: str) -> dict:
    def refuse(token):
        raise ValueError(f"{token} is not JSON")
    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("args", [
    ["--std", "1.0"],
    ["--activation", "relu", "--init", "he_normal"],  # xi = inf: null
    ["--activation", "relu", "--std", "1.0"],  # q* = inf: null
    ["--init", "constant", "--value", "0.1"],
])
def test_cli_json_has_the_theory_object(args, capsys):
    assert cli_main(["--depth", "3", "--batch", "20", "--json", *args]) == 0  # python -m core, in this process
    data = _strict(capsys.readouterr().out)
    assert set(data["theory"]) == SUMMARY_KEYS
    config = Config.from_dict(data["config"])
    assert data["theory"] == pytest.approx(theory.theory_summary(config))


# ---------- the large-init paradox ----------

@pytest.fixture(scope="module")
def large_init():
    config = Config(activation="tanh", init="normal", std=1.0)
    return config, theory.large_init_paradox(config), simulate(config)


@pytest.mark.slow
def test_paradox_most_units_saturate_yet_gradients_grow(large_init):
    _, numbers, _ = large_init
    assert numbers["sigma_w2"] == pytest.approx(500.0)
    assert numbers["saturated"] > 0.9  # f' ~ 0 for more than 9 units in 10
    assert numbers["unsaturated_share"] > 0.99  # the rest carry nearly all of E[f'^2]
    assert numbers["mean_slope2"] < 0.05
    assert numbers["chi1"] == pytest.approx(500 * numbers["mean_slope2"])
    assert numbers["growth"] > 3  # several-fold a layer, in std


@pytest.mark.slow
def test_paradox_numbers_agree_with_the_simulation(large_init):
    _, numbers, result = large_init
    grads = result.grad_std[1:]  # layers 1..10
    per_layer = grads[:-1] / grads[1:]  # how much the gradient grows stepping one layer toward the input
    np.testing.assert_allclose(per_layer, numbers["growth"], rtol=0.1)
    assert view.measured_growth(result.grad_std) == pytest.approx(numbers["growth"], rel=0.03)
    np.testing.assert_allclose(result.saturated[1:], numbers["saturated"], atol=0.02)


def test_paradox_needs_a_saturating_activation():
    with pytest.raises(ValueError):
        theory.large_init_paradox(Config(activation="relu", std=1.0))


# ---------- the view ----------

def _marks(config: Config, lang: str = "en"):
    summary = theory.theory_summary(config)
    return view.marks_frame(config.width, summary["sigma_w2"], summary["sigma_b2"], lang)


def _dataset_with(spec: dict, column: str) -> list[dict]:
    return next(rows for rows in spec["datasets"].values() if rows and column in rows[0])


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("colour_by", ["log_chi1", "depth_scale"])
@pytest.mark.parametrize("name", ["tanh", "relu"])
def test_map_chart_builds(lang, colour_by, name):
    grid = theory.phase_map(name)
    chart = view.map_chart(view.map_frame(grid), view.critical_frame(grid), _marks(Config(activation=name), lang),
                           colour_by=colour_by, title=name, lang=lang, activation=name)
    spec = chart.to_dict()
    text = json.dumps(spec, allow_nan=False, ensure_ascii=False)
    assert t(lang, "theory_tab.here") in text
    # a cell's trainable depth 6ξ only where Schoenholz et al. measured the rule: tanh
    assert (t(lang, "theory_tab.trainable") in text) == (name == "tanh")


@pytest.mark.slow
def test_marker_moves_with_the_configuration():
    def here(config):
        grid = theory.phase_map(config.activation)
        spec = view.map_chart(view.map_frame(grid), view.critical_frame(grid), _marks(config)).to_dict()
        row = next(r for r in _dataset_with(spec, "here") if r["here"])
        return row["x"], row["y"]

    assert here(Config(init="xavier_normal")) == pytest.approx((1.0, 0.0))
    assert here(Config(init="he_normal")) == pytest.approx((2.0, 0.0))
    assert here(Config(init="xavier_normal", bias_std=0.5)) == pytest.approx((1.0, 0.25))
    assert here(Config(init="normal", std=0.06)) == pytest.approx((500 * 0.06**2, 0.0))


def test_off_map_points_are_clamped_with_a_label():
    marks = _marks(Config(init="normal", std=0.06)).set_index("key")  # the marker on no scheme's point
    small, large = marks.loc["normal_0.01"], marks.loc["normal_1"]
    assert small["sigma_w2"] == pytest.approx(0.05) and small["x"] == view.X_DOMAIN[0]
    assert small["shape"] == "triangle-left" and small["text"].startswith("←") and "0.05" in small["text"]
    assert large["sigma_w2"] == pytest.approx(500) and large["x"] == view.X_DOMAIN[1]
    assert large["shape"] == "triangle-right" and large["text"].endswith("→") and "500" in large["text"]
    here = _marks(Config(init="normal", std=0.7)).set_index("key").loc["here"]  # n Var(w) = 245, no scheme's
    assert here["x"] == view.X_DOMAIN[1] and here["text"] == "you are here (n·Var(w) = 245) →"
    assert here["align"] == "right"  # ending at the plot's edge, where its triangle points
    inside = marks.loc["xavier_normal"]
    assert inside["shape"] == "circle" and inside["text"] == "Xavier"
    high = _marks(Config(init="xavier_normal", bias_std=2.0)).set_index("key").loc["here"]
    assert high["y"] == view.Y_DOMAIN[1] and high["shape"] == "triangle-up" and "↑" in high["text"]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_marker_on_a_scheme_s_point_names_it_and_stands_over_its_own_dot(lang):
    """Step 6's He + ReLU put the marker on He's point, which it covers, with "you are here" reaching left toward
    Xavier's: the marker on a scheme's point inside the map is labelled with both ("you are here, at He") and that
    scheme's own label left out; centred over its own dot, without a leader. Off a scheme's point, above the axis (a
    bias), or off the map's edge with a scheme (step 2's 0.01·randn, whose merged label was cut on a phone), each
    keeps its own label."""
    def marks(config):
        return _marks(config, lang).set_index("key")
    for config, scheme in ((Config(init="he_normal", activation="relu"), "he_normal"),
                           (Config(init="xavier_normal"), "xavier_normal"),
                           (Config(init="xavier_normal", gain=5 / 3), "gain"),
                           # LeCun's point is Xavier's
                           (Config(init="lecun_normal", activation="selu"), "xavier_normal")):
        drawn = marks(config)
        label = view.scheme_label(scheme, config.activation, config.slope, lang)
        assert scheme not in drawn.index and label not in drawn["label"].tolist(), config
        assert drawn.loc["here", "label"] == t(lang, "theory_tab.here_at", scheme=label), config
    assert marks(Config(init="he_normal", activation="relu")).loc["here", "align"] == "center"
    apart = [(Config(init="normal", std=0.06), "xavier_normal"),
             (Config(init="xavier_normal", bias_std=0.5), "xavier_normal"),
             (Config(init="normal", std=0.01), "normal_0.01"), (Config(init="normal", std=1.0), "normal_1")]
    for config, scheme in apart:
        drawn = marks(config)
        assert drawn.loc["here", "label"] == t(lang, "theory_tab.here") and scheme in drawn.index, config
    grid = theory.phase_map("relu")
    spec = view.map_chart(view.map_frame(grid), view.critical_frame(grid),
                          _marks(Config(init="he_normal", activation="relu"), lang), lang=lang).to_dict()
    rules = [layer for layer in spec["layer"]
             if layer.get("mark", {}).get("type") == "rule" and "y2" in layer["encoding"]]
    assert rules and all({"filter": "(datum.align !== 'center')"} in layer.get("transform", []) for layer in rules)


def test_scheme_points_are_the_lectures():
    sigma_w2 = view.scheme_sigma_w2(500)
    assert sigma_w2 == pytest.approx({"normal_0.01": 0.05, "xavier_normal": 1.0, "he_normal": 2.0, "gain": 25 / 9,
                                      "normal_1": 500.0})


# torch.nn.init.calculate_gain's values (torch/nn/init.py), squared: sigma_w^2 of Xavier with the activation's gain.
# ReLU's 2 is He's point, sigmoid's and the linear map's 1 Xavier's, leaky ReLU's 2 / (1 + 0.01^2) He's within 0.01 %;
# GELU, ELU and SiLU have none.
TORCH_GAIN_SQUARED = {("tanh", 0.01): 25 / 9, ("selu", 0.01): 9 / 16, ("leaky_relu", 0.3): 2 / 1.09,
                      ("relu", 0.01): None, ("sigmoid", 0.01): None, ("linear", 0.01): None,
                      ("leaky_relu", 0.01): None, ("gelu", 0.01): None, ("elu", 0.01): None, ("silu", 0.01): None}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("activation, slope", list(TORCH_GAIN_SQUARED))
def test_a_map_marks_its_own_activation_s_gain_and_no_other(activation, slope, lang):
    """A ReLU map had marked "tanh's gain 5/3": each map marks the gain torch recommends for its own activation,
    where that is a point of its own, and names no other activation."""
    expected = TORCH_GAIN_SQUARED[activation, slope]
    sigma_w2 = view.scheme_sigma_w2(500, activation, slope)
    assert sigma_w2.get("gain") == (pytest.approx(expected) if expected else None)
    marks = view.marks_frame(500, 2.0, 0.0, lang, activation, slope).set_index("key")
    others = [t(lang, "theory_tab.scheme_gain", activation=t(lang, f"act_{name}"), gain="")
              for name in ("tanh", "selu", "sigmoid", "relu", "leaky_relu") if name != activation]  # "tanh's gain "
    assert not [label for label in marks["label"] if label.startswith(tuple(others))]
    if expected:
        assert marks.loc["gain", "label"] == t(lang, "theory_tab.scheme_gain", activation=t(lang, f"act_{activation}"),
                                               gain={"tanh": "5/3", "selu": "0.75"}.get(activation, "1.35"))
        assert marks.loc["gain", "sigma_w2"] == pytest.approx(expected)


@pytest.mark.slow
def test_a_conv_nets_scheme_points_count_its_kernel_in_fan_in():
    # step 11: 64 channels of 3 x 3 kernels, fan_in = C_in k^2 = 576, so 0.01 randn has n Var(w) = 0.0576, not 0.0064
    config = tour.STEPS[tour.CONV_STEP]
    fan_in = config.shapes[-1][0]
    assert fan_in == config.width * config.receptive_field == 576
    assert view.scheme_sigma_w2(fan_in, config.activation) == pytest.approx(  # ReLU: its gain's point is He's
        {"normal_0.01": 576e-4, "xavier_normal": 1.0, "he_normal": 2.0, "normal_1": 576.0})
    at = open_app(step=tour.CONV_STEP, tab="theory")
    texts = [str(value) for chart in at.get("vega_lite_chart") for data in chart.proto.datasets
             for value in convert_arrow_bytes_to_pandas_df(data.data.data).to_numpy().ravel()]
    assert "← 0.01·randn (n·Var(w) = 0.0576)" in texts and "1.0·randn (n·Var(w) = 576) →" in texts


# 2048 channels of 7 x 7 kernels: a conv layer's fan_in C_in k^2 goes far past the widest dense layer
WIDEST_FAN_IN = INT_RANGES["width"][1] * CONV_RANGES["kernel"][1] ** 2


@pytest.mark.slow
@given(st.integers(1, WIDEST_FAN_IN))
def test_the_schemes_points_hold_at_any_fan_in_a_layer_can_have(fan_in):
    # the points once came from Configs as wide as fan_in, which raised past 2048 (64 channels of 7 x 7: 3,136)
    assert view.scheme_sigma_w2(fan_in, "relu") == pytest.approx(  # ReLU's gain sqrt(2) is He's point
        {"normal_0.01": 1e-4 * fan_in, "xavier_normal": 1.0, "he_normal": 2.0, "normal_1": float(fan_in)})


@pytest.mark.slow
@pytest.mark.parametrize(("query", "fan_in"), [
    ({"arch": "conv", "width": "64", "kernel": "7"}, 3136),  # C_in k^2 past the widest layer
    ({"arch": "conv", "input": "digits", "width": "64", "kernel": "7"}, 3136),  # layer 1 reads one channel: 1 k^2
    ({"input": "digits", "width": "300", "depth": "3"}, 300),  # layer 1 reads the 64 pixels
])
def test_the_theory_tab_marks_the_schemes_at_a_hidden_layers_fan_in(query, fan_in):
    at = open_app(step="custom", tab="theory", **query)
    assert not at.exception
    marks = next(frame for chart in at.get("vega_lite_chart") for data in chart.proto.datasets
                 if "key" in (frame := convert_arrow_bytes_to_pandas_df(data.data.data)).columns)
    points = dict(zip(marks["key"], marks["sigma_w2"]))
    assert points["normal_0.01"] == pytest.approx(1e-4 * fan_in) and points["normal_1"] == pytest.approx(fan_in)


@pytest.mark.parametrize("channels", [2, 3, 7, 64, 100, 257])
@pytest.mark.parametrize("width", [2, 3, 7, 49, 500, 576, 1000, 2047])
def test_he_relu_sits_on_the_edge_of_chaos_at_every_fan_in(width, channels):
    """He's Var(w) = 2 / fan_in gives sigma_w^2 = 2 exactly on the map, whatever fan_in's rounding: chi_1 = 1 and
    xi = inf (the step 6 and step 11 stories), not a finite depth scale of 10^8 layers."""
    for config in (Config(width=width, init="he_normal", activation="relu"),
                   Config(arch="conv", width=channels, depth=3, batch=10, image=4, init="he_normal",
                          activation="relu")):
        summary = theory.theory_summary(config)
        assert summary["sigma_w2"] == 2.0 and summary["depth_scale"] is None
        assert summary["chi1"] == pytest.approx(1.0, abs=1e-12)


@pytest.mark.slow
def test_gradient_chart_measured_against_predicted():
    config = Config(depth=6, width=100, batch=200, init="xavier_normal", activation="relu")
    result = simulate(config)
    summary = theory.theory_summary(config)
    frame = view.gradient_frame(result.grad_std, result.predicted_grad_std, summary["chi1"], "en")
    assert set(frame["series"]) == {"measured", "theory, layer by layer", "χ₁ at q*"}
    assert (frame["value"] > 0).all() and frame["layer"].min() >= 1  # the input has no gradient
    rate = frame[frame["series"] == "χ₁ at q*"].set_index("layer")["value"]
    assert rate[5] / rate[6] == pytest.approx(math.sqrt(summary["chi1"]))  # sqrt(1/2) a layer for ReLU + Xavier
    spec = view.gradient_chart(frame, lang="en").to_dict()
    legend = next(layer["encoding"]["color"]["legend"] for layer in spec["layer"] if "color" in layer["encoding"])
    assert legend["symbolType"] == "stroke"  # the legend shows solid, dashed and dotted lines, not dots


def test_the_texts_fill_in_every_number():
    numbers = theory.large_init_paradox(view.PARADOX_CONFIG)
    for lang in ("en", "zh"):
        assert "500" in view.paradox_text(numbers, lang, measured=3.47)
        assert "∞" in view.here_text(theory.theory_summary(Config(init="he_normal", activation="relu")), lang)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_q_star_is_said_as_the_first_layer_s_where_every_q_is_a_fixed_point(lang):
    """He + ReLU's "q* = 2" read as the map's one fixed point; at σ_w² = 2 without biases ReLU's map
    q -> σ_w²·q/2 keeps every q (E[ReLU(√q z)²] = q/2), and 2 is where this input starts (q₁ = σ_w²·E[x²]). The same
    for a linear net at σ_w² = 1; not for tanh, nor for ReLU with biases or off the edge, whose q* is the map's own."""
    for config, any_q in ((tour.STEPS["6"], True), (Config(activation="linear", init="xavier_normal"), True),
                          (tour.STEPS["4"], False), (tour.STEPS["5"], False), (tour.STEPS["10"], False),
                          (Config(activation="relu", init="he_normal", bias_std=0.1), False)):
        summary = theory.theory_summary(config)
        q = summary["q_star"]
        assert view.keeps_any_q(config, summary) == any_q, config
        if any_q:  # the closed form: the map is the identity at q*/3 and 5q*, and q* is q₁
            second = {"relu": lambda v: v / 2, "linear": lambda v: v}[config.activation]
            assert all(summary["sigma_w2"] * second(v) == pytest.approx(v, rel=1e-12) for v in (q / 3, 5 * q))
            assert q == pytest.approx(summary["sigma_w2"] * theory.input_second_moment(config))
        text = view.here_text(summary, lang, depth=config.depth, any_q=view.keeps_any_q(config, summary))
        number = view._number(math.inf if q is None else q)  # as the paragraph writes it: ∞ where q* diverges
        written = t(lang, "theory_tab.q_star_any", q_star=number) if any_q else number
        assert f"q* = {written}" in text and (t(lang, "theory_tab.q_star_any", q_star="")[3:] in text) == any_q


@pytest.mark.parametrize("slope", [0.0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.37, 0.5, 0.7, 0.9, 0.99])
@pytest.mark.parametrize("init", ["he_normal", "he_uniform", "xavier_normal"])
def test_a_homogeneous_net_at_its_recommended_gain_is_on_the_edge_whatever_the_rounding(slope, init):
    """Leaky ReLU of slope a at torch's gain √(2/(1 + a²)) without biases: E[f(√q z)²] = ½(1 + a²)·q, so σ_w²·½(1 + a²)
    = 1 exactly (for Xavier at equal fans, n·Var(w) = gain² too) and every q is a fixed point, χ₁ = 1, ξ = ∞. σ_w²'s
    12 digits had put a = 0.2 at q* = ∞ ("the variance grows without bound"), a = 0.37 at q* = 0 with ξ = 3.6 × 10¹¹
    and a = 0.01 at ξ = 5.2 × 10⁷ layers, on either side of an edge they sit on."""
    gain = math.sqrt(2 / (1 + slope**2))
    config = Config(activation="leaky_relu", slope=slope, init=init, gain=gain, depth=4, width=64)
    summary = theory.theory_summary(config)
    assert summary["sigma_w2"] * 0.5 * (1 + slope**2) == pytest.approx(1.0, rel=1e-11)  # the closed form
    assert summary["chi1"] == 1.0 and summary["depth_scale"] is None
    assert summary["q_star"] == pytest.approx(summary["sigma_w2"] * theory.input_second_moment(config), rel=1e-9)
    assert view.keeps_any_q(config, summary)
    for lang in ("en", "zh"):
        text = view.here_text(summary, lang, depth=config.depth, any_q=True, activation=config.activation)
        assert t(lang, "theory_tab.edge") in text and t(lang, "theory_tab.depth_infinite") in text, text


@pytest.mark.parametrize("config", [Config(activation="relu", init="he_normal", bias_std=0.5),
                                    Config(activation="linear", init="xavier_normal", bias_std=0.1),
                                    Config(activation="tanh", init="xavier_normal")], ids=["relu", "linear", "tanh"])
def test_on_the_edge_the_signal_fades_only_where_q_star_is_0(config):
    """χ₁ = 1 at every q for ReLU at σ_w² = 2 and the identity at 1: with biases q grows by σ_b² a layer (q* = ∞) and
    the gradient keeps its size; the page had said the signal fades toward q* = 0, as at tanh's Xavier, where it
    does. The measured gradient says which: ×0.97 over ReLU's 10 layers, ×0.99 over the identity's, ×0.28 over
    tanh's."""
    summary = theory.theory_summary(config)
    assert summary["chi1"] == 1.0
    fading = summary["q_star"] == 0
    assert fading == (config.activation == "tanh")
    grad = simulate(config).grad_std
    assert (grad[1] / grad[config.depth] < 0.5) == fading
    for lang in ("en", "zh"):
        text = view.here_text(summary, lang, depth=config.depth, activation=config.activation)
        assert (t(lang, "theory_tab.edge_fading") in text) == fading
        assert (t(lang, "theory_tab.edge") in text.replace(t(lang, "theory_tab.edge_fading"), "")) == (not fading)


def test_view_module_does_not_import_streamlit():
    source = Path(view.__file__).read_text(encoding="utf-8")
    assert "import streamlit" not in source and "from streamlit" not in source


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_markers_label_keeps_clear_of_the_scheme_labels_near_it(lang):
    # He + ReLU with bias std 0.5: the marker sits above He's point, where He's label would be
    marks = _marks(Config(activation="relu", init="he_normal", bias_std=0.5), lang).set_index("key")
    here = marks.loc["here"]
    near = marks[(marks.index != "here") & (np.abs(np.log(marks["x"] / here["x"])) < 0.6)]
    assert len(near) >= 1 and (np.abs(near["label_y"] - here["label_y"]) >= 0.06).all()
    assert abs(here["label_y"] - here["y"]) <= 0.21


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("step", ["4", "6"])
def test_at_chi1_one_the_words_say_what_the_gradient_does(step, lang):
    """χ₁ = 1 at both steps, but step 4's tanh reaches it only at q* = 0, where its signal fades: its gradient fell
    from 0.95 to 0.27 beside "gradients keep their size". The words follow the measured gradients: they shrink toward
    the input at step 4 and keep their size at step 6 (He + ReLU, every q a fixed point)."""
    config = tour.step_config(step)
    summary = theory.theory_summary(config)
    grad = simulate(config).stats["grad_std"]
    words = view.here_text(summary, lang, depth=config.depth)
    kept = 0.5 < grad[1] / grad[config.depth] < 2
    assert abs(summary["chi1"] - 1) < 1e-9 and kept == (step == "6"), (step, grad[1], grad[config.depth])
    assert (t(lang, "theory_tab.edge") in words) == kept and (t(lang, "theory_tab.edge_fading") in words) != kept


def test_step_10_s_story_states_its_network_s_own_theory():
    """Step 10's story writes σ_w² ≈ 1.03, σ_b² ≈ 4.6 × 10⁻⁶, q* ≈ 1/64, χ₁ ≈ 1 and χ₁⁶⁴ ≈ 1 in words: each is the mean
    field theory of the step's own network (core.theory.theory_summary), to the digits written."""
    from views.number_writing import format_value

    config = tour.STEPS["10"]
    numbers = theory.theory_summary(config)
    assert format_value(numbers["sigma_w2"]) == "1.03"
    assert format_value(numbers["sigma_b2"], 2) == "4.6\u00a0×\u00a010⁻⁶"
    assert numbers["q_star"] == pytest.approx(1 / 64, rel=0.02) and config.depth == 64
    assert numbers["chi1"] != 1 and numbers["chi1"] == pytest.approx(1, abs=1e-4)  # so "≈", not "="
    assert numbers["chi1"] ** config.depth == pytest.approx(1, abs=1e-3)
    for lang in ("en", "zh"):
        assert "χ₁ ≈ 1" in t(lang, "story_10") and "1/64" in t(lang, "story_10")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("code", [code for code, config in tour.STEPS.items()  # the steps with a phase paragraph
                                  if not config.residual and config.norm == "none" and not view.unequal_fans(config)])
def test_near_the_edge_the_theory_tab_gives_the_theory_from_the_input_beside_q_star_s(steps, code, lang):
    """Step 10's Theory tab gave ×0.9998 from layer 64 to layer 1 at q*, the Derivation tab "theory 0.983" and the
    headline ×0.985: three numbers for one gradient. Near the edge (q*'s factor over the depth said) the layers
    reach q* only slowly, and where the theory that follows q from the input prints otherwise than q*'s factor, the
    paragraph gives it and the measured factor, each as the Derivation tab prints it; nowhere else."""
    result = steps[code]
    config = result.config
    numbers = theory.theory_summary(config)
    text = view.here_text(numbers, lang, depth=config.depth, grad_std=result.grad_std, activation=config.activation,
                          predicted_grad_std=result.predicted_grad_std, any_q=view.keeps_any_q(config, numbers))
    near = (bool(numbers["sigma_w2"]) and numbers["q_star"] is not None and not view.at_edge(numbers["chi1"])
            and config.depth > 1 and abs(view.at_q_star(numbers["chi1"], config.depth - 1) - 1) <= derivation.CLOSE)
    total = re.search(r"×([0-9][0-9.,]*) from layer \d+ to layer 1: so near|共 ×([0-9][0-9.,]*)：离", text)
    assert (total is not None) == near, text
    opening = t(lang, "theory_tab.path_to_q_star", path="", measured="", depth=config.depth).split("×")[0]
    if not near:
        assert opening not in text
        return
    values = derivation.values_of(result, lang)
    path, measured = values.as_printed("theory_grad_ratio"), values.as_printed("grad_ratio")
    said = t(lang, "theory_tab.path_to_q_star", path=path, measured=measured, depth=config.depth)
    assert (said in text) == (path != (total.group(1) or total.group(2))) == (opening in text), text
    assert (code == "10") == (said in text)  # the one tour step so near the edge


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("config", [
    # q* = ∞ and χ the same at every q: no q* to be on the way to, and ×0.972 against ×1.001 is a draw's spread
    Config(activation="relu", init="normal", std=math.sqrt(2.001 / 500), depth=5, width=500, batch=500),
    # a linear network's χ is σ_w² at every q: the theory from the input and q*'s agree
    Config(activation="linear", init="normal", std=math.sqrt(0.9999 / 500), bias_std=0.1, depth=10, width=500,
           batch=500)], ids=["relu-2.001", "linear-0.9999"])
def test_near_the_edge_where_chi_does_not_depend_on_q_no_path_to_q_star_is_told(config, lang):
    """Beside "so near the edge ... keeps its size", a network whose χ does not change with q gets no sentence on
    the layers' way to q* (it had read "the signal nears q* only slowly ... the theory gives ×1" beside ×1.001, for
    ReLU at q* = ∞), and a measured factor within 10 % of 1 is not said to go "the other way" from q*'s."""
    result = simulate(config)
    numbers = theory.theory_summary(config)
    text = view.here_text(numbers, lang, depth=config.depth, grad_std=result.grad_std, activation=config.activation,
                          predicted_grad_std=result.predicted_grad_std)
    assert t(lang, "theory_tab.near_edge", depth=config.depth, total="").split("×")[0] in text  # near the edge
    for key in ("path_to_q_star", "not_at_q_star", "far_from_q_star"):
        opening = t(lang, f"theory_tab.{key}", path="", measured="", at_q_star="", depth=config.depth)
        assert opening.split("×")[0] not in text, key


def relu_correlation_after(c0: float, sigma_w2: float, depth: int, width: int = 1000, seed: int = 0) -> float:
    """Two inputs of correlation c0 through `depth` ReLU layers of Var(w) = sigma_w2 / width, no biases: the
    correlation of their last pre-activations, measured (one draw of the weights)."""
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((2, width))
    x = np.stack([z[0], c0 * z[0] + math.sqrt(1 - c0**2) * z[1]])
    s = x @ rng.standard_normal((width, width)) * math.sqrt(sigma_w2 / width)
    for _ in range(depth - 1):
        s = np.maximum(s, 0) @ rng.standard_normal((width, width)) * math.sqrt(sigma_w2 / width)
    return float(np.corrcoef(s)[0, 1])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_past_q_star_infinite_no_phase_is_called_chaotic_and_the_correlations_draw_together(lang):
    """ReLU past He's σ_w² = 2 has q* = ∞ and χ₁ = σ_w²/2 > 1, and the page had called it the chaotic phase, "nearby
    inputs driven apart". ReLU's correlation map does not depend on σ_w² and draws correlations towards 1 (measured
    here: 0.5 -> 0.89 in 10 layers at σ_w² = 2, 3.2 and 4.5 alike); the gradient still grows ×√χ₁ a layer. A
    bounded f at a finite q* (tanh under 1.0·randn, q* = 482) stays chaotic; Xavier's tanh at q* = 0, χ₁ = 1 has no
    depth scale of its correlations (the tab's own rule), where it had read "ξ = ∞: no limit on the trainable depth"."""
    c = 0.5  # the arc-cosine map of Cho & Saul (2009), whatever σ_w²: c -> (√(1 - c²) + (π - arccos c)·c) / π
    for _ in range(10):
        c = (math.sqrt(1 - c**2) + (math.pi - math.acos(c)) * c) / math.pi
    for sigma_w2 in (2.0, 3.2, 4.5):
        assert relu_correlation_after(0.5, sigma_w2, 10) == pytest.approx(c, abs=0.03) and c > 0.85, sigma_w2
    for config in (Config(activation="relu", init="normal", std=0.08), Config(activation="leaky_relu", init="normal",
                   std=0.1), Config(activation="linear", init="normal", std=0.05), Config(activation="gelu",
                   init="normal", std=0.1)):
        summary = theory.theory_summary(config)
        assert summary["q_star"] is None and summary["chi1"] > 1, config  # q* = ∞
        factor = view._beside_one(math.sqrt(summary["chi1"]), apart=(summary["chi1"],))
        text = view.here_text(summary, lang, depth=config.depth, activation=config.activation)
        assert t(lang, "theory_tab.unbounded", factor=factor) in text
        assert t(lang, "theory_tab.chaotic", factor=factor) not in text
    paradox = theory.theory_summary(tour.step_config("3"))
    assert paradox["q_star"] > 400 and t(lang, "theory_tab.chaotic", factor=view._beside_one(
        math.sqrt(paradox["chi1"]), apart=(paradox["chi1"],))) in view.here_text(paradox, lang, depth=10)
    xavier = theory.theory_summary(tour.step_config("4"))
    assert xavier["q_star"] == 0 and xavier["depth_scale"] is None
    text = view.here_text(xavier, lang, depth=10, activation="tanh")
    assert t(lang, "theory_tab.depth_infinite_fading") in text and t(lang, "theory_tab.depth_infinite") not in text
    he = tour.step_config("6")
    assert t(lang, "theory_tab.depth_infinite") in view.here_text(theory.theory_summary(he), lang, depth=10,
                                                                   activation="relu")


def test_the_edge_of_chaos_shows_through_the_labels_halos_under_their_letters():
    """Opaque white halos over the edge of chaos hid it where it passes a label (step 4's "tanh's gain 5/3", "you are
    here, at Xavier"); the curve over the halos crossed a label's letters black on black (step 3's "1.0·randn
    (n·Var(w) = 5|0)"). The curve is drawn under halos that let it show through (HALO_OPACITY), and every label's
    letters, the points and the leader rules over both."""
    grid = theory.phase_map("tanh")
    spec = view.map_chart(view.map_frame(grid), view.critical_frame(grid), _marks(Config(), "en"), lang="en").to_dict()
    kinds, halos = [], []
    for layer in spec["layer"]:
        mark = layer["mark"] if isinstance(layer["mark"], dict) else {"type": layer["mark"]}
        kind = {"rect": "heat", "line": "edge", "rule": "leader", "point": "point"}.get(mark["type"])
        if mark["type"] == "text":
            kind = "halo" if mark.get("stroke") == "white" else "letters"
            if kind == "halo":
                halos.append(mark)
        kinds.append(kind)
    edge = kinds.index("edge")
    assert kinds.count("edge") == 1 and kinds.count("halo") == kinds.count("letters") == 3, kinds
    assert all(i < edge for i, kind in enumerate(kinds) if kind == "heat"), kinds
    assert all(i > edge for i, kind in enumerate(kinds) if kind in ("halo", "leader", "point", "letters")), kinds
    assert max(i for i, k in enumerate(kinds) if k == "halo") < min(i for i, k in enumerate(kinds) if k == "letters")
    assert all(0.5 <= halo["strokeOpacity"] < 1 for halo in halos), halos  # the curve shows, the letters read


def test_the_gradient_s_factor_at_q_star_is_inf_past_float64_s_range():
    """√χ₁ a layer (Poole et al. 2016): std 100 weights on a linear network of width 500 have χ₁ = 5 × 10⁶, whose root
    over 100 layers is 10³³⁴, past float64's range, where a float's power raises OverflowError."""
    assert view.at_q_star(4.0, 3) == 8.0 and view.at_q_star(0.25, 2) == 0.25
    assert view.at_q_star(500 * 100.0**2, 100) == math.inf
    assert view.at_q_star(0.0, 5) == 0.0
