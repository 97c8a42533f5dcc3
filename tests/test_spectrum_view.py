"""The Spectrum tab: its twin network, histogram, headline numbers and the sentence chosen from them, and the tab
in the app (AppTest) in both languages."""

import json
import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

from core import Config
from core import spectrum as spectra
from core.network import WORK_LIMIT
from core.spectrum import Spectrum, fuss_catalan_cdf, predicted_density, predicted_moments, spectrum
from core.initializers import weight_variance
from tests.app_support import open_app, open_tab
from views import spectrum as view
from views import charts, summary, tour
from views.text import t

pytestmark = pytest.mark.shared_results  # pages read as a server's later sessions read them (conftest.py)

SMALL = dict(depth=6, width=60, dtype="float64")


def test_the_twin_is_the_same_network_under_orthogonal_init_with_the_same_sigma_w2():
    config = Config(init="he_normal", activation="relu", **SMALL)
    twin = view.twin(config)
    assert twin.init == "orthogonal" and twin.gain**2 == pytest.approx(60 * weight_variance(config, 60, 60))
    assert view.twin(twin).init == "lecun_normal" and view.twin(twin).gain == twin.gain  # and back, Gaussian
    assert view.twin(Config(init="zeros", **SMALL)).gain == 1.0  # no variance: torch's default gain


@pytest.mark.slow
def test_histogram_shares_count_every_drawable_value_once():
    result = spectrum(Config(init="xavier_normal", **SMALL), inputs=3)
    edges = view.edges(result)
    frame = view.histogram_frame(result, edges)
    drawn, below = view.shown_values(result)
    assert frame["share"].sum() == pytest.approx(drawn.size / result.pooled.size)
    assert below == 0 and drawn.size == 180
    assert edges[0] <= drawn.min() and drawn.max() <= edges[-1]
    spec = view.histogram_chart(frame, colour="#123456", title="x", x_title="s", y_title="share").to_dict()
    assert spec["encoding"]["x"]["scale"]["type"] == "log"


@pytest.mark.parametrize("values", [[1.0, 1 + 1e-7, 1 - 1e-7], [0.5, 2.0], [1e-3, 1.0, 50.0], [3e-6, 7e4]])
def test_every_whole_decade_is_a_bin_centre_so_a_spike_there_stays_in_one_bin(values):
    """An isometric spectrum (every s = 1 up to rounding) is one bar, not two halves either side of an edge at 1."""
    result = Spectrum(config=Config(), values=np.array([values]), layers=None)
    bin_edges = view.edges(result)
    lo, hi = bin_edges[0], bin_edges[-1]
    assert math.log10(lo) == round(math.log10(lo)) and math.log10(hi) == round(math.log10(hi))
    log_edges = np.log10(bin_edges)
    widths = np.diff(log_edges)
    assert len(widths) >= view.BINS and np.all(widths > 0)
    assert widths[1:-1] == pytest.approx(np.full(len(widths) - 2, view.bin_width(bin_edges)))
    assert widths[0] == pytest.approx(view.bin_width(bin_edges) / 2) == pytest.approx(widths[-1])
    centres = (log_edges[1:] + log_edges[:-1]) / 2
    decades = np.arange(round(math.log10(lo)) + 1, round(math.log10(hi)))  # inside the domain
    assert all(np.min(np.abs(centres - d)) < 1e-9 for d in decades)
    frame = view.histogram_frame(result, bin_edges)
    spike = np.histogram([1.0, 1 + 1e-7, 1 - 1e-7], bin_edges)[0]
    assert spike.max() == 3 or not lo < 1 < hi
    assert frame["share"].sum() == pytest.approx(1.0)


@pytest.mark.slow
def test_the_sentence_is_chosen_from_the_numbers():
    # orthogonal linear: every s = 1, isometry
    iso = spectrum(Config(activation="linear", init="orthogonal", **SMALL))
    shown = view.headline(iso, "en")
    assert view.verdict(iso, "en") == t("en", "spectrum_tab.isometric", p10="= " + shown["p10"],
                                        p90="= " + shown["p90"], ratio="= " + shown["ratio"],
                                        mean_squared=shown["mean_squared"])
    assert f"p10 = {summary.format_value(iso.summary()['p10'])} and p90 = " in view.verdict(iso, "en")
    # Gaussian linear at depth 30, sigma_w² = 1: the mean near 1, the spread wide
    wide = spectrum(Config(activation="linear", init="lecun_normal", depth=30, width=60, dtype="float64"))
    s = wide.summary()
    assert 0.5 <= s["mean_squared"] <= 2 and s["ratio"] > 2
    assert view.verdict(wide, "en").startswith("Here the mean of s² is")
    # the lecture's 0.01 init: the mean far below 1
    small = spectrum(Config(init="normal", std=0.01, **SMALL))
    assert small.summary()["mean_squared"] < 0.5 and "far below 1" in view.verdict(small, "en")
    large = spectrum(Config(activation="linear", init="normal", std=1.0, **SMALL))
    assert large.summary()["mean_squared"] > 2 and "far above 1" in view.verdict(large, "en")
    zero = spectrum(Config(init="zeros", **SMALL))
    assert view.verdict(zero, "zh") == t("zh", "spectrum_tab.all_zero")


def test_percentiles_below_float64s_resolution_are_written_as_bounds():
    relu = spectrum(Config(activation="relu", init="he_normal", depth=40, width=60, dtype="float64"))
    floor = relu.resolution
    assert relu.summary()["p10"] < floor  # dead units leave exact zeros, rounded to ~1e-16 of the largest
    shown = view.headline(relu, "en")
    assert shown["p10"] == "<\u00a0" + summary.format_value(floor)
    assert shown["ratio"] == ">\u00a0" + summary.format_value(relu.summary()["p90"] / floor)
    # a sentence states a bound with its own relation: "p10 < 1e-13", never "p10 = < 1e-13"
    for lang in ("en", "zh"):
        sentence = view.verdict(relu, lang)
        assert f"p10 {view.headline(relu, lang)['p10']}" in sentence
        assert "= <" not in sentence and "= >" not in sentence
    p90 = summary.format_value(relu.summary()["p90"])
    assert f"p90 = {p90}" in view.verdict(relu, "en") and "p90 / p10 >\u00a0" in view.verdict(relu, "en")


def test_the_refusal_names_what_fits():
    message = view.refusal(Config(depth=10, width=2048), "en", 1 << 30)
    assert message.startswith("The spectrum of this network needs about") and "a width up to" in message
    assert view.refusal(Config(), "en", 1 << 30) is None
    assert "MiB" in view.refusal(Config(), "zh", 1 << 20)


def test_the_nearest_network_that_fits_is_the_largest_within_both_limits_for_it_and_its_twin():
    budget = 1 << 30
    conv = tour.STEPS[tour.CONV_STEP]  # 10 x 64 channels of 16 x 16 pixels: 6.0 GiB and 1.9e14 flops
    assert view.fitting(Config(), budget) is None  # the lecture's network is computed as it is
    found, fitted = view.fits(conv, budget), view.fitting(conv, budget)
    assert found["depth"] == 0 and fitted == replace(conv, width=found["width"])  # no depth fits: fewer channels
    for network in (fitted, view.twin(fitted)):  # within both limits, and one channel more is not
        assert spectra.estimate_work(network) <= WORK_LIMIT and spectra.estimate_memory(network) <= budget
    wider = replace(conv, width=fitted.width + 1)
    assert max(spectra.estimate_work(network) for network in (wider, view.twin(wider))) > WORK_LIMIT
    # a Custom network's refusal names the same width (memory aside, which the work refusal follows)
    assert f"a width up to {view.fits(conv, 1 << 40)['width']:,} fits" in view.refusal(conv, "en", 1 << 40)


def test_a_tour_step_over_the_limits_is_computed_at_the_lecture_networks_work():
    budget = 1 << 30
    lecture = max(spectra.estimate_work(network) for code, config in tour.STEPS.items() if code != tour.CONV_STEP
                  for network in (config, view.twin(config)))
    assert lecture <= view.STEP_WORK  # every other step is computed as it is, within STEP_WORK
    conv = tour.STEPS[tour.CONV_STEP]
    fitted = view.fitting(conv, budget, view.STEP_WORK)
    assert fitted == replace(conv, width=view.fits(conv, budget, view.STEP_WORK)["width"]) and fitted.width >= 2
    assert max(spectra.estimate_work(network) for network in (fitted, view.twin(fitted))) <= view.STEP_WORK
    wider = replace(conv, width=fitted.width + 1)
    assert max(spectra.estimate_work(network) for network in (wider, view.twin(wider))) > view.STEP_WORK
    assert view.fitting(Config(), budget, view.STEP_WORK) is None  # within the limits: as it is


def test_the_nearest_network_keeps_the_larger_share_of_its_size(monkeypatch):
    config = Config(depth=100, width=700)
    assert view.fitting(config, 1 << 30) == replace(config, width=view.fits(config, 1 << 30)["width"])
    monkeypatch.setattr(view, "fits", lambda config, budget, limit: {"depth": 90, "width": 10})  # 90 % of the depth
    assert view.fitting(config, 1 << 30) == replace(config, depth=90)
    monkeypatch.setattr(view, "fits", lambda config, budget, limit: {"depth": 0, "width": 0})  # nothing fits
    assert view.fitting(config, 1 << 30) is None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_fitted_note_says_what_changed_and_the_limit_its_own_size_passes(lang):
    conv = tour.STEPS[tour.CONV_STEP]
    fitted = view.fitting(conv, 1 << 30)
    need = spectra.estimate_memory(conv) / 2**20
    why = t(lang, "spectrum_tab.over_memory", need=need, budget=1024)
    assert view.fitted_note(conv, fitted, lang, 1 << 30) == t(
        lang, "spectrum_tab.fitted_width_conv", value=fitted.width, was=64, why=why)
    work = summary.powers_apart(spectra.estimate_work(conv), WORK_LIMIT)  # with room for the memory: the work
    assert view.fitted_note(conv, fitted, lang, 1 << 40).endswith(t(lang, "spectrum_tab.over_work", **work))
    assert view.fitted_label(conv, fitted, lang) == t(lang, "spectrum_tab.use_width_conv", value=fitted.width)
    deep = Config(depth=64, width=1024)
    assert view.fitted_label(deep, replace(deep, depth=14), lang) == t(lang, "spectrum_tab.use_depth", value=14)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_tab_shows_both_networks_numbers_and_the_sentence(lang):
    at = open_app(step="10", tab="spectrum", lang=lang)  # one run: AppTest cannot rerun a typed gain's selectbox
    assert not at.exception
    config = tour.STEPS[tour.ISOMETRY_STEP]
    results = [spectrum(c) for c in (config, view.twin(config))]
    shown = [view.headline(r, lang) for r in results]
    metrics = [m.value for m in at.metric if m.label in (t(lang, "spectrum_tab.p10"), t(lang, "spectrum_tab.p90"))]
    assert metrics[-4:] == [shown[0]["p10"], shown[0]["p90"], shown[1]["p10"], shown[1]["p90"]]
    markdown = [m.value for m in at.markdown]
    assert view.verdict(results[0], lang) in markdown
    assert results[0].summary()["p10"] > 0.5  # the tour's claim: isometry at the edge of chaos
    story = tour.story(tour.ISOMETRY_STEP, _simulated(config), lang)
    assert summary.format_value(results[0].summary()["p90"]) in story
    # tanh: no closed-form density, so the overlay is a rule at sqrt(predicted mean of s²), said to be approximate
    predicted = [predicted_density(r.config) for r in results]
    assert [p.kind for p in predicted] == ["mean", "mean"]
    rules = theory_frames(at)
    assert [frame["s"].tolist() for frame in rules] == [[pytest.approx(p.s)] for p in predicted]
    captions = [c.value for c in at.caption]
    assert all(view.overlay_caption(p, r.config, True, lang) in captions for p, r in zip(predicted, results))
    line = view.theory_line(results[0], predicted[0], lang)  # the moments, predicted_moments' own
    assert line in captions and summary.format_value(predicted_moments(config)["variance_squared"]) in line


def _simulated(config):
    from core import simulate
    return simulate(config)


@pytest.mark.slow
def test_isometry_numbers_are_the_tabs():
    config = tour.STEPS[tour.ISOMETRY_STEP]
    numbers = tour.isometry_numbers(config)
    gaussian = spectrum(view.twin(config))
    assert numbers["gaussian_p90"] == gaussian.summary()["p90"]
    assert numbers["gaussian_p10"] == max(gaussian.summary()["p10"], gaussian.resolution)
    assert math.isfinite(numbers["orthogonal_p10"]) and np.isclose(numbers["orthogonal_p10"],
                                                                   spectrum(config).summary()["p10"])


LINEAR = dict(step="custom", activation="linear", init="normal", std="0.1", depth="4", width="100", tab="spectrum")


def theory_frames(at) -> list[pd.DataFrame]:
    """The data each Spectrum chart's theory was drawn with (its dataset with an "s" column), chart by chart."""
    frames = []
    for chart in at.get("vega_lite_chart"):
        for dataset in chart.proto.datasets:
            frame = convert_arrow_bytes_to_pandas_df(dataset.data.data)
            if "s" in frame.columns:
                frames.append(frame)
    return frames


@pytest.mark.slow
def test_the_drawn_overlay_is_the_predicted_density_on_the_bars_scale():
    at = open_app(**LINEAR)
    assert not at.exception
    # sigma_w² = 100 x 0.1² = 1 in every layer; the twin is orthogonal with gain 1
    config = Config(activation="linear", init="normal", std=0.1, depth=4, width=100)
    results = [spectrum(c) for c in (config, view.twin(config))]
    bin_edges = view.edges(*results)
    predicted = [predicted_density(r.config) for r in results]
    curve, rule = theory_frames(at)
    assert predicted[0].kind == "density" and predicted[1].kind == "point"
    expected = view.overlay_frame(predicted[0], bin_edges)
    np.testing.assert_allclose(curve["s"], expected["s"])
    np.testing.assert_allclose(curve["share"], expected["share"])
    inside = (10 ** predicted[0].log10_s >= bin_edges[0]) & (10 ** predicted[0].log10_s <= bin_edges[-1])
    width = np.log10(bin_edges[2] / bin_edges[1])  # a full bin (the two end bins are half as wide)
    np.testing.assert_allclose(curve["share"], predicted[0].density[inside] * width)
    # on the bars' scale: at each bin's centre the curve is the share the law puts in that bin (its CDF's step),
    # up to the density's curvature over one bin; bins wholly inside the support (s² < 5^5/4^4), whose edge the
    # density meets as a square root
    cdf = fuss_catalan_cdf(4)
    centres = np.sqrt(bin_edges[:-1] * bin_edges[1:])
    law = cdf(bin_edges[1:] ** 2) - cdf(bin_edges[:-1] ** 2)
    drawn = np.interp(np.log10(centres), np.log10(curve["s"]), curve["share"], left=0.0, right=0.0)
    # full bins (edges() halves the two end ones) that end a bin or more inside the support: next to its edge the
    # density's square root bends too much over one bin for the midpoint to stand for the bin
    inner = (bin_edges[1:] * 10**width) ** 2 < 5**5 / 4**4
    inner[[0, -1]] = False
    assert np.max(np.abs(drawn - law)[inner]) < 0.02 * law.max()
    assert rule["s"].tolist() == [pytest.approx(1.0)] and rule["share"].isna().all()  # the orthogonal point


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_caption_says_where_the_overlay_is_exact(lang):
    at = open_app(lang=lang, **LINEAR)
    captions = [c.value for c in at.caption]
    config = Config(activation="linear", init="normal", std=0.1, depth=4, width=100)
    assert t(lang, "spectrum_tab.overlay_density", depth=4, width=100, scale="1") in captions
    assert t(lang, "spectrum_tab.overlay_point", s="1") in captions
    assert view.overlay_caption(predicted_density(view.twin(config)), config, True, lang) in captions


def test_the_caption_is_chosen_by_the_network():
    tanh = Config(activation="tanh", init="xavier_normal", **SMALL)
    mean = predicted_density(tanh)
    text = view.overlay_caption(mean, tanh, True, "en")
    assert text == t("en", "spectrum_tab.overlay_mean", s=summary.format_value(mean.s),
                     variance=summary.format_value(mean.variance_squared))
    assert "approximation" in text
    assert view.overlay_caption(mean, tanh, False, "zh").endswith(t("zh", "spectrum_tab.overlay_off_axis"))
    residual = Config(residual=True, **SMALL)
    assert view.overlay_caption(predicted_density(residual), residual, True, "en") == \
        t("en", "spectrum_tab.no_theory_stream")
    # a rule off the axis is not drawn: the frame is empty
    assert view.overlay_frame(mean, np.geomspace(10 * mean.s, 100 * mean.s, 5)).empty


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_twins_title_gives_its_gain_even_at_the_schemes_default(lang):
    # an orthogonal network at torch's default gain (none set): its Gaussian twin is LeCun normal with gain 1
    at = open_app(step="custom", init="orthogonal", activation="linear", depth="3", width="50", tab="spectrum",
                  lang=lang)
    assert not at.exception
    title = t(lang, "spectrum_tab.twin_gaussian", gain=summary.format_value(1.0, 4))
    titles = [json.loads(chart.proto.spec).get("title") for chart in at.get("vega_lite_chart")]
    assert titles[1] == charts.title_lines(title)  # the twin, right of this network


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_theory_line_says_whether_sampling_explains_the_measured_mean(lang):
    """The mean of N values of variance V strays by sqrt(V / N) (one standard error): the sentence says whether the
    measured mean is within twice that of the prediction, computed here from the two spectra's own numbers."""
    orthogonal = tour.STEPS[tour.ISOMETRY_STEP]
    gaussian = view.twin(orthogonal)
    seen = set()
    for config in (orthogonal, gaussian):
        result, predicted = spectrum(config), predicted_density(config)
        squares = result.pooled.astype(float) ** 2
        error = math.sqrt(predicted.variance_squared / squares.size)
        within = abs(squares.mean() - predicted.mean_squared) <= 2 * error
        key = "spectrum_tab.spread_within" if within else "spectrum_tab.spread_beyond"
        line = view.theory_line(result, predicted, lang)
        assert line.endswith(t(lang, key, count=f"{squares.size:,}", error=summary.format_value(error),
                               mean=summary.format_value(predicted.mean_squared),
                               measured_mean=summary.format_value(squares.mean())))
        seen.add(within)
    # at the edge of chaos the orthogonal net's mean is off by a finite width's correction, far more than its tiny
    # spread allows; the Gaussian twin's heavy tail (Var(s²) ~ 60) lets its mean of 256 values stray far by chance
    assert seen == {True, False}


@pytest.mark.slow
def test_a_flat_activations_exact_zeros_are_said_to_be_the_activations():
    """ReLU (and a leaky ReLU of slope 0) switch units off for an input: exact zeros in J whatever the init, and the
    page says so; tanh's and a sloped leaky ReLU's spectra get no such note."""
    relu = spectrum(Config(activation="relu", init="he_normal", depth=12, width=60, dtype="float64"))
    assert view.shown_values(relu)[1] > 0
    for lang in ("en", "zh"):
        assert view.zeros_note(relu, lang) == t(lang, "spectrum_tab.zeros_flat", activation=t(lang, "act_relu"))
    flat = spectrum(Config(activation="leaky_relu", slope=0.0, init="he_normal", depth=12, width=60, dtype="float64"))
    assert view.shown_values(flat)[1] > 0 and view.zeros_note(flat, "en") is not None
    sloped = spectrum(Config(activation="leaky_relu", slope=0.2, init="he_normal", depth=12, width=60,
                             dtype="float64"))
    assert view.zeros_note(sloped, "en") is None
    assert view.zeros_note(spectrum(Config(init="xavier_normal", **SMALL)), "en") is None
    assert view.zeros_note(spectrum(Config(activation="relu", init="zeros", **SMALL)), "en") is None  # J = 0: verdict's
    at = open_tab(open_app(step="6"), "spectrum")
    assert not at.exception
    assert any(t("en", "spectrum_tab.zeros_flat", activation=t("en", "act_relu")) in c.value for c in at.caption)


@pytest.mark.parametrize("config, reason", [
    (Config(depth=3, width=32, batch=10, init="zeros"), "constant"),
    (Config(depth=3, width=32, batch=10, init="constant", value=0.1), "constant"),
    (Config(depth=3, width=32, batch=10, batch_norm=True), "stream"),
    (Config(depth=3, widths=(32, 16, 32, 8), batch=10), "stream"),
    (Config(arch="conv", width=4, depth=3, batch=10, image=4, init="he_normal", activation="relu"), "conv"),
], ids=lambda x: x if isinstance(x, str) else "")
def test_the_missing_overlay_names_its_own_reason(config, reason):
    """A network without a free-probability prediction is told why: its own reason, not another network's."""
    assert predicted_density(config) is None and spectra.unpredicted(config) == reason
    for lang in ("en", "zh"):
        assert view.overlay_caption(None, config, True, lang) == t(lang, f"spectrum_tab.no_theory_{reason}")
    assert spectra.unpredicted(Config(depth=3, width=32, batch=10)) is None  # the lecture's kind: predicted


# --- zero padding's borders: the sentence chosen from the numbers ----------------------------------------------
def _effect(own: Config, kept_over_share: float) -> dict[str, float]:
    """A border_effect-shaped result whose zeros / circular is kept_over_share times border_share(own)."""
    share = spectra.border_share(own)
    return {"zeros": 0.7, "zeros_error": 0.006, "circular": 0.7 / (share * kept_over_share), "circular_error": 0.01,
            "kept": share * kept_over_share, "share": share, "count": 16.0}


def _drawn(config: Config, mean_squared: float) -> Spectrum:
    """A spectrum of `config` whose every value is sqrt(mean_squared)."""
    return Spectrum(config, np.full((2, 4), math.sqrt(mean_squared)), None)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_border_line_is_chosen_from_the_numbers(lang):
    """The borders are named a loss below BORDER_LOSS of the mean of s² kept, the measured share agrees within
    BORDER_AGREE, and a narrower drawn net's mean is compared with the page's own within a factor MEAN."""
    own = Config(arch="conv", depth=10, width=64, image=16, init="he_normal", activation="relu")
    narrow = replace(own, width=3)
    share = spectra.border_share(own)
    number = summary.format_value
    line = view.border_line(_effect(own, 1.0), own, _drawn(own, 0.7), lang)
    assert line.startswith(t(lang, "spectrum_tab.borders_lose", share=number(share), depth=10, image=16))
    assert t(lang, "spectrum_tab.borders_agree", share=number(share)) in line
    assert "narrow" not in line and t(lang, "spectrum_tab.narrow_near", channels=3, own=64, mean="0.7", wide="0.7",
                                      factor="2") not in line  # the drawn net is the page's own: nothing to compare
    for kept_over_share, key in ((1 + 0.9 * view.BORDER_AGREE, "agree"), (1 + 1.1 * view.BORDER_AGREE, "differ"),
                                 (1 - 1.1 * view.BORDER_AGREE, "differ")):
        line = view.border_line(_effect(own, kept_over_share), own, _drawn(own, 0.7), lang)
        assert t(lang, f"spectrum_tab.borders_{key}", share=number(share)) in line
    for mean, key in ((0.7 * view.MEAN * 0.99, "near"), (0.7 / view.MEAN * 1.01, "near"),
                      (0.7 / view.MEAN * 0.9, "below"), (0.7 * view.MEAN * 1.1, "above")):
        drawn = _drawn(narrow, mean)
        line = view.border_line(_effect(own, 1.0), own, drawn, lang)
        assert line.endswith(t(lang, f"spectrum_tab.narrow_{key}", channels=3, own=64,
                               mean=number(drawn.summary()["mean_squared"]),
                               wide=number(0.7), factor=number(view.MEAN))), (mean, key)
    # a shallow net on large images loses little: said so; without the measurement, only the expectation
    shallow = replace(own, depth=1, image=64)
    assert spectra.border_share(shallow) >= view.BORDER_LOSS > share
    assert view.border_line(None, shallow, _drawn(shallow, 1.0), lang) == t(
        lang, "spectrum_tab.borders_keep", share=number(spectra.border_share(shallow)), depth=1, image=64)
    for nothing_lost in (Config(), replace(own, padding="circular"), replace(own, init="delta_orthogonal")):
        assert view.border_line(None, nothing_lost, _drawn(nothing_lost, 1.0), lang) is None


@pytest.mark.slow
def test_the_conv_steps_border_line_is_its_own_measurement():
    """Step 11 (64 channels, zero padding) drawn at fitting()'s narrower width: the line quotes border_effect of the
    step's own network, whose zero-padding share agrees with border_share (the story's claim), and compares the
    drawn net's mean with it as the numbers fall."""
    own = tour.STEPS[tour.CONV_STEP]
    fitted = view.fitting(own, 1 << 30, view.STEP_WORK)
    drawn = spectrum(fitted)
    effect = spectra.border_effect(own)
    assert abs(effect["kept"] / effect["share"] - 1) <= view.BORDER_AGREE
    assert 1 / view.MEAN <= effect["circular"] <= view.MEAN  # He keeps the mean of s² near 1 without borders
    for lang in ("en", "zh"):
        line = view.border_line(effect, own, drawn, lang)
        for key in ("zeros", "circular", "kept", "share"):
            assert summary.format_value(effect[key]) in line
        mean, wide = drawn.summary()["mean_squared"], effect["zeros"]
        key = "near" if wide / view.MEAN <= mean <= wide * view.MEAN else "below" if mean < wide else "above"
        assert line.endswith(t(lang, f"spectrum_tab.narrow_{key}", channels=fitted.width, own=64,
                               mean=summary.format_value(mean), wide=summary.format_value(wide),
                               factor=summary.format_value(view.MEAN)))


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_conv_steps_tab_says_what_its_borders_keep(lang):
    at = open_app(step=tour.CONV_STEP, tab="spectrum", lang=lang)
    assert not at.exception
    own = tour.STEPS[tour.CONV_STEP]
    drawn = spectrum(view.fitting(own, 1 << 30, view.STEP_WORK))
    line = view.border_line(spectra.border_effect(own), own, drawn, lang)
    markdown = [m.value for m in at.markdown]
    assert view.verdict(drawn, lang) in markdown and line in markdown
