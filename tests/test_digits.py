"""The handwritten digits as input: standardized per pixel, 64 wide, the theory's measured q0, and how far the
pre-activations are from Gaussian, each checked against scikit-learn's raw images and scipy.stats."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from dataclasses import replace

import numpy as np
import pytest
from scipy import stats as scipy_stats
from sklearn.datasets import load_digits

from core import digits
from core.config import Config, written
from core.initializers import layer_weights
from core.network import KURTOSIS_UNITS, excess_kurtosis, kurtosis_standard_error, kurtosis_units, simulate, \
    unit_kurtosis
from core.theory import input_second_moment
from core.train import TASK_SEED, make_digits_task, race, task_config, train
from tests.app_support import open_app
from tests.vega_specs import title_text
from views.charts import scheme_name
from views.summary import GAUSSIAN_BEYOND_3, GAUSSIAN_KURTOSIS, gaussian_limit, input_kurtosis_median, input_sentence, \
    input_shares, kurtosis_sentence
from views.number_writing import format_share, format_value
from views.text import t
from views.training import final_frame, held_out_text, setup
from views.urlstate import config_of, defaults

pytestmark = pytest.mark.shared_results  # pages read as a server's later sessions read them (conftest.py)


def raw_pixels() -> np.ndarray:
    return load_digits().data.astype(np.float64)  # (1797, 64), 0..16


def scipy_kurtosis(a: np.ndarray) -> float:
    """The independent reference: scipy's bias-corrected excess kurtosis (G2, bias=False: 0 on average for Gaussian
    values at any batch) of each column with spread, averaged (over the columns the engine reads, kurtosis_units:
    every one up to 64)."""
    a = a[:, kurtosis_units(a.shape[1])]
    a = np.asarray(a, np.float64)
    spread = np.ptp(a, axis=0) > 0  # constant columns have no kurtosis
    return float(np.mean(scipy_stats.kurtosis(a[:, spread], axis=0, bias=False)))


# --- the images -------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_every_pixel_with_spread_is_standardized_over_the_set_and_constant_ones_stay_zero():
    raw, x = raw_pixels(), digits.images()
    assert x.shape == (digits.IMAGES, digits.PIXELS) == raw.shape
    constant = raw.std(axis=0) == 0
    assert 0 < constant.sum() < 64  # the blank left edge: there are some, and they are few
    np.testing.assert_allclose(x[:, ~constant].mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(x[:, ~constant].std(axis=0), 1, rtol=1e-12)
    assert not x[:, constant].any()
    np.testing.assert_allclose(x[:, ~constant], (raw - raw.mean(0))[:, ~constant] / raw.std(0)[~constant])
    np.testing.assert_array_equal(digits.labels(), load_digits().target)


def test_the_batch_is_the_first_images_and_at_most_the_set():
    np.testing.assert_array_equal(digits.images(25), digits.images()[:25])
    with pytest.raises(ValueError, match="1,797 images"):
        digits.images(1798)


# --- the config ---------------------------------------------------------------------------------------------

def test_a_digits_input_is_64_wide_and_the_hidden_layers_keep_their_width():
    config = Config(input="digits", depth=3, width=100)
    assert config.units == (64, 100, 100, 100)
    assert config.shapes[0] == (64, 100)
    assert Config(input="digits", depth=2, widths=(64, 32, 16)).units == (64, 32, 16)


@pytest.mark.parametrize("change, message", [
    (dict(batch=1798), "the set has 1,797 images"),
    (dict(widths=(100, 50, 50)), "starts at 64"),
])
def test_a_digits_input_refuses_what_it_cannot_be(change, message):
    with pytest.raises(ValueError, match=message):
        Config(input="digits", depth=2, **change)


# --- the simulation and its theory ------------------------------------------------------------------------

def test_layer_0_is_the_first_batch_images_and_the_theory_starts_from_their_mean_square():
    config = Config(input="digits", depth=3, width=50, batch=300, activation="tanh", init="xavier_normal")
    result = simulate(config)
    x = digits.images()[:300]
    assert result.stats["act_std"][0] == pytest.approx(x.std(), rel=1e-5)
    assert input_second_moment(config) == pytest.approx(np.mean(x**2), rel=1e-12)
    assert input_second_moment(config) < 1  # the blank pixels: not the unit q0 of the random inputs
    assert result.stats["predicted_act_std"][0] == pytest.approx(np.sqrt(np.mean(x**2)), rel=1e-12)
    assert result.stats["pre_kurtosis"][0] == pytest.approx(scipy_kurtosis(x), rel=1e-5)


def test_the_first_layer_kurtosis_is_that_of_its_pre_activations():
    config = Config(input="digits", depth=1, width=40, batch=500, activation="tanh", init="he_normal",
                    dtype="float64")
    w = layer_weights(config, 0, 64, 40)  # the same draw the simulation scales: (64, 40)
    z = digits.images(500) @ w  # (500, 40), no bias
    assert simulate(config).stats["pre_kurtosis"][1] == pytest.approx(scipy_kurtosis(z), rel=1e-8)


@pytest.mark.parametrize("kind", ["normal", "uniform", "exponential", "with_constant_column"])
def test_excess_kurtosis_matches_scipy(kind):
    rng = np.random.default_rng(3)
    a = {"normal": lambda: rng.standard_normal((2000, 150)),
         "uniform": lambda: rng.uniform(-1, 1, (2000, 150)),
         "exponential": lambda: rng.exponential(size=(2000, 150)),
         "with_constant_column": lambda: np.c_[rng.standard_normal((2000, 70)), np.full((2000, 1), 3.0)]}[kind]()
    assert excess_kurtosis(a) == pytest.approx(scipy_kurtosis(a), rel=1e-10)
    assert excess_kurtosis(a.astype(np.float32)) == pytest.approx(scipy_kurtosis(a), rel=1e-4)


@pytest.mark.parametrize("scale", [1e-300, 1e-150, 1e-80, 1e-20, 1e20, 1e80, 1e150, 1e300])
@pytest.mark.parametrize("kind", ["normal", "exponential"])
def test_excess_kurtosis_does_not_depend_on_the_values_scale(kind, scale):
    """A vanishing float64 net (50 layers of 100 units, N(0, 10⁻⁸)) had kurtosis NaN from about layer 26 on, where its
    values fell below ~1e-77 and their fourth powers to 0; values above ~1e77 overflowed the same way. The ratio
    m4 / m2² is the same at any scale: scipy's of the unscaled values, at every scale float64 holds."""
    rng = np.random.default_rng(5)
    a = rng.standard_normal((1000, 70)) if kind == "normal" else rng.exponential(size=(1000, 70))
    assert excess_kurtosis(a * scale) == pytest.approx(scipy_kurtosis(a), rel=1e-9)


def test_excess_kurtosis_of_values_without_spread_is_undefined():
    assert np.isnan(excess_kurtosis(np.zeros((100, 5))))


@pytest.mark.slow
def test_a_deep_tanh_net_makes_the_digits_pre_activations_gaussian():
    # The input is far from Gaussian (sparse pixels); ten tanh layers bring every unit's kurtosis near 0.
    result = simulate(Config(input="digits", activation="tanh", init="xavier_normal", depth=10, width=200))
    kurtosis = result.stats["pre_kurtosis"]
    assert kurtosis[0] > 10
    assert abs(kurtosis[-1]) < 0.5
    assert abs(kurtosis[-1]) < abs(kurtosis[1]) < kurtosis[0]


def layers_text(lang: str, kurtosis) -> str:
    """The sentence's layers, layer 1's and the last one's, as kurtosis_sentence names them."""
    return t(lang, "kurtosis_layers", first=format_value(kurtosis[1]), last=format_value(kurtosis[-1]),
             depth=len(kurtosis) - 1)


# --- the page -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kurtosis, key, layer", [
    ([100.0, 9.9, 0.46, 0.07, -0.05], "kurtosis_gaussian", 2),  # settles at layer 2
    ([1.0, 0.2, 0.9, 0.3], "kurtosis_gaussian", 3),  # close at 1, not at 2: from layer 3 on
    ([0.1, 0.2, -0.3, 0.05], "kurtosis_gaussian_kept", 1),  # Gaussian from the input on: the layers made nothing
    # a Gaussian input, one layer beyond the band: Gaussian again, not made so "from this input, not Gaussian itself"
    ([0.1, 0.9, -0.3, 0.05], "kurtosis_gaussian_again", 2),
    ([0.1, 0.2, 0.9, 0.3], "kurtosis_gaussian_again", 3),
    ([100.0, 9.9, 12.0, 25.8], "kurtosis_not_gaussian", None),
])
@pytest.mark.parametrize("arch, measure", [("dense", "kurtosis_units"), ("conv", "kurtosis_channels")])
def test_the_kurtosis_sentence_is_chosen_from_the_numbers(kurtosis, key, layer, arch, measure):
    """The sentence names what is measured: a dense net's units over the batch, a conv net's channels over the
    batch's pixels (the same digits input reads 103 as 64 pixel units, 1.52 as one channel). The lecture's batch of
    1,000 measures a Gaussian layer within 3 standard errors of 0.464, inside the band of 0.5."""
    depth = len(kurtosis) - 1
    numbers = dict(input=format_value(kurtosis[0]), first=format_value(kurtosis[1]),
                   last=format_value(kurtosis[-1]), depth=depth, limit=format_value(GAUSSIAN_KURTOSIS))
    if layer is not None:
        numbers["layer"] = layer
    noise = gaussian_limit(Config())
    assert noise == pytest.approx(3 * math.sqrt(24 * 1000 * 999**2 / (997 * 998 * 1003 * 1005)), rel=1e-12)
    for lang in ("en", "zh"):
        said = kurtosis_sentence(lang, np.array(kurtosis), arch, noise=noise, batch=1000)
        assert said == t(lang, key, measure=t(lang, measure), layers=layers_text(lang, kurtosis), **numbers)


@pytest.mark.parametrize("batch", [10, 100, 500, 859])
def test_a_batch_too_small_to_tell_says_so_whatever_the_numbers(batch):
    """Below 860 rows three standard errors of a Gaussian layer's kurtosis pass the band of ±0.5: a batch of 10 strays
    by ±4. The page had read a linear network fed Gaussian data at a batch of 10 as breaking the Gaussian premise
    (−0.70 at its last layer); it says the numbers cannot tell, for any numbers."""
    config = Config(batch=batch, depth=3, width=50)
    noise = gaussian_limit(config)
    n = batch
    assert noise == pytest.approx(3 * math.sqrt(24 * n * (n - 1) ** 2 / ((n - 3) * (n - 2) * (n + 3) * (n + 5))))
    assert noise > GAUSSIAN_KURTOSIS >= gaussian_limit(replace(config, batch=860))
    for kurtosis in ([0.0, 0.1, -0.2, 0.05], [100.0, 9.9, 12.0, 25.8], [-0.58, -0.6, -0.7, -0.7]):
        for lang in ("en", "zh"):
            said = kurtosis_sentence(lang, np.array(kurtosis), "dense", noise=noise, batch=batch)
            assert said == t(lang, "kurtosis_noisy", measure=t(lang, "kurtosis_units"),
                             input=format_value(kurtosis[0]), layers=layers_text(lang, kurtosis),
                             depth=3, limit=format_value(GAUSSIAN_KURTOSIS),
                             batch=f"{batch:,}", noise=format_value(noise), enough="860")


@pytest.mark.slow
def test_a_gaussian_layer_reads_0_at_any_batch_and_strays_by_its_standard_error():
    """Gaussian values over a batch of 10: the biased m4 / m2² - 3 averages -6/11 = -0.545 (the page had called a linear
    network fed Gaussian data "still beyond ±0.5 ... the theory's Gaussian premise does not hold"); the engine's G2
    averages 0, and one unit's spread over draws is kurtosis_standard_error's. The mean over 50 units strays by less,
    but by more than 50 independent units would: they share the batch's 10 samples (a linear layer's units)."""
    draws = [np.random.default_rng(seed).standard_normal((10, 50)) for seed in range(400)]
    error = kurtosis_standard_error(10)
    one = np.array([unit_kurtosis(a[:, :1])[0] for a in draws])
    assert abs(one.mean()) < 3 * error / math.sqrt(len(draws)) and one.std() == pytest.approx(error, rel=0.1)
    biased = np.array([np.mean(scipy_stats.kurtosis(a, axis=0)) for a in draws])
    assert biased.mean() == pytest.approx(-6 / 11, abs=3 * error / math.sqrt(50 * len(draws)))
    shared = [simulate(Config(activation="linear", init="normal", std=0.001, depth=20, width=50, batch=10,
                              dtype="float64", seed=seed)).stats["pre_kurtosis"][1:] for seed in range(10)]
    assert error / math.sqrt(50) < np.std(shared) < error


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_linear_network_fed_gaussian_data_at_a_batch_of_10_is_too_few_to_tell(lang):
    query = dict(step="custom", init="normal", std="0.001", depth="100", activation="linear", width="50", batch="10",
                 dtype="float64")
    at = open_app(lang=lang, **query)
    config = Config(init="normal", std=0.001, depth=100, activation="linear", width=50, batch=10, dtype="float64")
    kurtosis = simulate(config).stats["pre_kurtosis"]
    sentence = kurtosis_sentence(lang, kurtosis, "dense", noise=gaussian_limit(config), batch=10)
    assert sentence in [c.value for c in at.caption]
    assert sentence.endswith(t(lang, "kurtosis_noisy").rsplit("}", 2)[-1])


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_step_2s_gaussian_input_is_said_to_stay_gaussian(lang, steps):
    """Step 2 feeds the lecture's standard-normal data: the layers keep it Gaussian, they do not make it so."""
    kurtosis = steps["2"].stats["pre_kurtosis"]
    said = kurtosis_sentence(lang, kurtosis, "dense", noise=gaussian_limit(steps["2"].config), batch=1000)
    assert np.all(np.abs(kurtosis) <= GAUSSIAN_KURTOSIS) and said.startswith(
        t(lang, "kurtosis_gaussian_kept", measure=t(lang, "kurtosis_units"), input=format_value(kurtosis[0]),
          layers=layers_text(lang, kurtosis), depth=10, limit="0.5"))


def test_no_kurtosis_sentence_without_spread_at_the_last_layer():
    assert kurtosis_sentence("en", np.array([0.0, np.nan, np.nan])) is None


def test_the_sidebar_fits_a_digits_input_instead_of_refusing_it():
    state = {**defaults(), "input": "digits", "batch": 4096, "widths": "784-512-256-128"}
    config, _ = config_of(state)
    assert config.batch == digits.IMAGES and config.units == (64, 512, 256, 128)


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_link_with_digits_opens_a_page_that_says_what_it_shows(lang):
    at = open_app(step="custom", input="digits", batch="4000", depth="6", width="100", activation="tanh",
                  init="xavier_normal", lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="input").value == "digits"
    captions = [c.value for c in at.caption]
    assert t(lang, "digits_line", batch="1,797", images="1,797", pixels=64) in captions
    # the link's batch fitted to the 1,797 images on the page (urlstate's "fitted"), the slider at it
    assert [w.value for w in at.main.warning] == [t(lang, "url_fitted", name="batch", raw="`4000`", used="1,797",
                                                    why=t(lang, "url_fitted_digits_images", images=1797))]
    assert at.slider(key="batch").value == 1797 and not at.sidebar.warning
    config = Config(input="digits", batch=1797, depth=6, width=100, activation="tanh", init="xavier_normal")
    median = input_kurtosis_median(config)
    assert kurtosis_sentence(lang, simulate(config).stats["pre_kurtosis"], "dense", median) in captions
    at.slider(key="batch").set_value(4000).run()  # moved past the images: the sidebar says so beside the slider
    assert t(lang, "digits_batch_capped", asked="4,000", images="1,797") in [w.value for w in at.sidebar.warning]


# --- the training task ----------------------------------------------------------------------------------

def test_the_split_is_disjoint_deterministic_and_covers_the_set():
    train_index, test_index = digits.split(TASK_SEED)
    assert len(train_index) == 1500 and len(test_index) == 297
    assert not set(train_index) & set(test_index)
    assert sorted([*train_index, *test_index]) == list(range(digits.IMAGES))
    again = digits.split(TASK_SEED)
    np.testing.assert_array_equal(again[0], train_index)
    np.testing.assert_array_equal(again[1], test_index)


@pytest.mark.slow
def test_the_task_standardizes_by_the_training_images_alone():
    raw, target = raw_pixels(), load_digits().target
    train_index, test_index = digits.split(TASK_SEED)
    task = make_digits_task("float64")
    mean, std = raw[train_index].mean(0), raw[train_index].std(0)
    spread = std > 0
    np.testing.assert_allclose(task.x[:, spread], ((raw[train_index] - mean) / np.where(spread, std, 1))[:, spread])
    np.testing.assert_allclose(task.test_x[:, spread], ((raw[test_index] - mean) / np.where(spread, std, 1))[:, spread])
    assert not task.x[:, ~spread].any() and not task.test_x[:, ~spread].any()
    np.testing.assert_array_equal(task.labels, target[train_index])
    np.testing.assert_array_equal(task.test_labels, target[test_index])


@pytest.mark.slow
def test_a_he_relu_net_learns_the_digits_far_above_chance():
    chance = 1 / digits.CLASSES  # ten digits in nearly equal numbers
    result = train(Config(depth=3, width=64, activation="relu", init="he_normal", seed=0), task="digits")
    assert result.config.units == (64, 64, 64, 64) and result.config.input == "digits"
    # measured 0.970 held-out accuracy at depth 3 (0.960 to 0.973 at depth 4, seeds 0 to 2), 300 steps
    assert result.test_accuracy > 0.9 and result.test_accuracy / chance > 9  # more than nine times chance
    assert result.to_json()["test_accuracy"] == result.test_accuracy
    assert result.to_json()["task"] == "digits"


@pytest.mark.slow
def test_zero_init_stays_at_the_symmetric_floor_on_the_digits():
    # Zero weights: every hidden value is 0, so only the read-out bias learns, and the net answers the digit most
    # frequent among the training images for every image.
    result = train(Config(depth=3, width=32, activation="relu", init="zeros"), task="digits")
    task = make_digits_task()
    most = np.argmax(np.bincount(task.labels, minlength=10))
    assert result.test_accuracy == pytest.approx(np.mean(task.test_labels == most))
    assert result.final_accuracy == pytest.approx(np.mean(task.labels == most))
    assert list(result.distinct_units) == [1, 1, 1]


def test_the_spiral_has_no_held_out_accuracy():
    result = train(Config(depth=2, width=16), steps=5)
    assert result.test_accuracy is None and result.to_json()["test_accuracy"] is None
    assert result.to_json()["task"] == "spiral"


def test_an_unknown_task_is_refused():
    with pytest.raises(ValueError, match="task='mnist' is not allowed: one of spiral, digits"):
        train(Config(depth=2, width=16), steps=5, task="mnist")


# --- the command line -----------------------------------------------------------------------------------

def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "core", *args], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})


@pytest.mark.slow
def test_the_command_line_trains_on_the_digits_and_reports_held_out_accuracy():
    done = run_cli("--depth", "2", "--width", "32", "--activation", "relu", "--init", "he_normal",
                   "--train", "20", "--task", "digits", "--json")
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["config"]["input"] == "digits" and data["widths"] == [64, 32, 32]
    assert data["training"]["task"] == "digits" and data["training"]["classes"] == 10
    same = train(Config(depth=2, width=32, activation="relu", init="he_normal", input="digits"), steps=20,
                 task="digits")
    assert data["training"]["test_accuracy"] == pytest.approx(same.test_accuracy)


@pytest.mark.slow
@pytest.mark.parametrize("args, message", [
    (("--task", "digits"), "give --train STEPS too"),
    (("--task", "digits", "--train", "5", "--input", "uniform"), "--input uniform cannot be used with it"),
    (("--input", "digits", "--batch", "1800"), "the set has 1,797 images"),
    (("--input", "digits", "--widths", "100,50"), "the profile starts at 64"),
])
def test_bad_digit_combinations_exit_2_with_one_line(args, message):
    done = run_cli(*args)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and message in done.stderr


# --- the Training tab -------------------------------------------------------------------------------------

DIGITS_RACE = dict(step="custom", depth="2", width="32", activation="relu", init="he_normal", tab="training",
                   steps="100", task="digits", train=["zeros", "he_normal"])


@pytest.mark.slow
def test_the_held_out_sentence_names_the_best_scheme_and_is_chosen_from_the_numbers():
    config = Config(depth=2, width=32, activation="relu", init="he_normal")
    results = race(config, ("zeros", "he_normal"), steps=100, task="digits")
    best = results["he_normal"]
    assert best.test_accuracy > results["zeros"].test_accuracy
    chance = 1 / 10
    for lang in ("en", "zh"):
        assert held_out_text(results, lang) == t(
            lang, "training_tab.held_out_learned", scheme=scheme_name("he_normal", lang),
            test=format_share(best.test_accuracy), train=format_share(best.final_accuracy), tests=297,
            chance=format_share(chance), times=format_value(best.test_accuracy / chance, 2))
        only_zeros = {"zeros": results["zeros"]}  # the symmetric floor: the most frequent digit, below twice chance
        assert held_out_text(only_zeros, lang) == t(
            lang, "training_tab.held_out_chance", scheme=scheme_name("zeros", lang),
            test=format_share(results["zeros"].test_accuracy), train=format_share(results["zeros"].final_accuracy),
            tests=297, chance=format_share(chance))
    spiral = race(config, ("he_normal",), steps=5)
    assert held_out_text(spiral, "en") is None
    assert t("en", "training_tab.col_test_accuracy") not in final_frame(spiral, "en").columns
    column = final_frame(results, "en")[t("en", "training_tab.col_test_accuracy")]
    assert list(column) == [format_share(r.test_accuracy) for r in results.values()]  # as every share on the page


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_link_with_task_digits_opens_the_digits_in_the_training_tab(lang):
    at = open_app(**DIGITS_RACE, lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    assert at.radio(key="task").value == "digits"
    trained = task_config(Config(depth=2, width=32, activation="relu", init="he_normal"), "digits")
    intro = t(lang, "training_tab.intro_digits", runs=t(lang, "training_tab.runs_alike"),
              **setup(trained, 100, task="digits"))
    assert intro in [m.value for m in at.markdown]
    assert "1,500" in intro or "1500" in intro


@pytest.mark.slow
def test_run_on_the_digits_shows_the_held_out_accuracy():
    at = open_app(**DIGITS_RACE)
    at.button(key="run_race").click().run()
    assert at.session_state["_race"].wait(300), "the training did not end"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    results = at.session_state["_training"][1]
    assert [r.task for r in results.values()] == ["digits", "digits"]
    assert held_out_text(results, "en") in [m.value for m in at.markdown]
    assert t("en", "training_tab.symmetry_caption_digits") in [c.value for c in at.caption]


def test_the_kurtosis_reads_every_unit_up_to_64_and_64_evenly_spaced_beyond():
    assert list(kurtosis_units(64)) == list(range(64)) and list(kurtosis_units(5)) == list(range(5))
    wide = kurtosis_units(500)
    assert len(set(wide)) == KURTOSIS_UNITS and wide[0] == 0 and wide[-1] == 499
    assert np.ptp(np.diff(wide)) <= 1  # evenly spaced
    # a wide layer of Gaussian units: the 64 read give the mean of all within the standard error of 64
    z = np.random.default_rng(5).standard_normal((1000, 500))
    everyone = float(np.mean(scipy_stats.kurtosis(z, axis=0)))
    assert excess_kurtosis(z) == pytest.approx(everyone, abs=4 * np.sqrt(24 / 1000 / 64))


# ---------- layer 0's histogram: the pixels themselves ----------

@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_layer_zeros_histogram_counts_the_pixels_over_their_own_range(activation):
    """core's layer-0 histogram is the standardized pixels' own, over ±3 whatever f's range: counted again here
    from scikit-learn's images with numpy, and its exact zeros, its share below 0 and beyond ±3 as the page says."""
    config = Config(input="digits", activation=activation, init="xavier_normal", depth=3, width=64, batch=500,
                    dtype="float64")
    r = simulate(config)
    pixels = load_digits().data[:500]
    std = load_digits().data.std(axis=0)
    x = np.where(std > 0, (pixels - load_digits().data.mean(axis=0)) / np.where(std > 0, std, 1), 0.0)
    assert (r.input_edges[0], r.input_edges[-1]) == (-3.0, 3.0)
    counts, _ = np.histogram(np.clip(x, -3, 3), bins=r.input_edges)
    np.testing.assert_array_equal(r.hist_counts[0], counts)
    assert r.hist_zeros[0] == np.count_nonzero(x == 0) and list(r.hist_beyond[0]) == [np.sum(x < -3), np.sum(x > 3)]
    shares = input_shares(r)
    assert shares == pytest.approx({"zero": np.mean(x == 0), "below": np.mean(x < 0), "beyond": np.mean(abs(x) > 3)})
    assert shares["zero"] == 3 / 64  # the three pixels blank in every image
    assert shares["beyond"] > GAUSSIAN_BEYOND_3 == pytest.approx(2 * scipy_stats.norm.sf(3), abs=5e-5)
    for lang in ("en", "zh"):
        sentence = input_sentence(r, lang)
        assert all(format_share(shares[k]) in sentence for k in shares) and format_share(GAUSSIAN_BEYOND_3) in sentence


@pytest.mark.slow
def test_the_activations_tab_draws_the_input_beside_the_layers():
    at = open_app(step="custom", input="digits", activation="tanh", init="xavier_normal")
    assert not at.exception, [e.value for e in at.exception]
    titles = [title_text(json.loads(c.proto.spec)) for c in at.get("vega_lite_chart")]
    assert t("en", "chart_input_hist") in titles and t("en", "chart_hist") in titles
    r = simulate(Config(input="digits", activation="tanh", init="xavier_normal"))
    captions = [c.value for c in at.caption]
    assert input_sentence(r, "en") in captions
    # the input's kurtosis (its mean over the pixels, and the median pixel's) against each layer's
    assert kurtosis_sentence("en", r.stats["pre_kurtosis"], "dense", input_kurtosis_median(r.config)) in captions
    plain = open_app(step="4")
    assert t("en", "chart_input_hist") not in json.dumps([c.proto.spec for c in plain.get("vega_lite_chart")])


@pytest.mark.slow
def test_a_conv_net_s_kurtosis_sentence_says_it_is_each_channel_s():
    at = open_app(step="custom", arch="conv", input="digits", depth="3", width="8", activation="relu",
                  init="he_normal", batch="64")
    assert not at.exception, [e.value for e in at.exception]
    config = Config(arch="conv", input="digits", depth=3, width=8, activation="relu", init="he_normal", batch=64)
    captions = [c.value for c in at.caption]
    said = [c for c in captions if t("en", "kurtosis_channels") in c]
    assert said and not [c for c in captions if t("en", "kurtosis_units") in c], captions
    assert said == [kurtosis_sentence("en", simulate(config).stats["pre_kurtosis"], "conv")]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_digits_kurtosis_is_said_as_the_mean_over_pixels_with_the_median_beside_it(lang):
    """Step 6 on digits said "excess kurtosis 103 for the input": the mean over the pixels of each pixel's, made by 4
    almost blank pixels (1,000 each: inked in one image of the 1,000), while the median pixel's is 0.21. The sentence
    names the mean over the units and gives the median pixel's beside it, both as scipy computes them."""
    from dataclasses import replace as replaced

    from core.network import unit_kurtosis
    from views import tour
    config = replaced(tour.step_config("6"), input="digits")
    x = digits.images(config.batch)
    spread = np.ptp(x, axis=0) > 0
    each = scipy_stats.kurtosis(x[:, spread], axis=0, bias=False)
    np.testing.assert_allclose(unit_kurtosis(x), each, rtol=1e-9)
    median = input_kurtosis_median(config)
    assert median == pytest.approx(float(np.median(each)), rel=1e-9) and format_value(median) == "0.209"
    result = simulate(config)
    assert result.stats["pre_kurtosis"][0] == pytest.approx(float(np.mean(each)), rel=1e-5)
    blank = raw_pixels()[:config.batch]
    heavy = each > 900  # the pixels inked in one image of the batch: G2 of one value apart from n - 1 equal ones is n
    assert heavy.sum() == 4 and np.allclose(each[heavy], 1000.0, atol=1e-3)
    assert all(np.count_nonzero(column > column.min()) == 1 for column in blank[:, spread][:, heavy].T)
    sentence = kurtosis_sentence(lang, result.stats["pre_kurtosis"], "dense", median)
    given = t(lang, "kurtosis_input_median", mean=format_value(result.stats["pre_kurtosis"][0]), median="0.209")
    assert given in sentence and t(lang, "kurtosis_units") in sentence
    at = open_app(step="6", input="digits", lang=lang)
    assert not at.exception and sentence in [c.value for c in at.caption]


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_conv_net_on_the_digits_says_its_first_layer_reads_one_channel(lang):
    # the dense net's line ("fan_in is 64 whatever the width") had stood under a conv net, whose fan_in is 1·k²
    at = open_app(step="custom", arch="conv", input="digits", kernel="5", widths="64-16-16", activation="relu",
                  init="he_normal", lang=lang)
    assert not at.exception, [e.value for e in at.exception]
    config = Config(arch="conv", input="digits", kernel=5, depth=2, widths=(64, 16, 16), activation="relu",
                    init="he_normal", batch=at.slider(key="batch").value, image=8)
    captions = [c.value for c in at.caption]
    assert t(lang, "digits_line_conv", batch=written(config.batch), images="1,797", side=8,
             fan_in=config.shapes[0][0]) in captions and config.shapes[0][0] == 25


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("kurtosis", [[1.52, 0.931], [1.52, 0.1], [0.01, 0.02], [1.52, 3.0]])
def test_a_one_layer_network_s_kurtosis_sentence_names_its_layer_once(kurtosis, lang):
    """"0.931 at layer 1, 0.931 at layer 1": a one-layer net's first layer is its last, named once."""
    from views.summary import kurtosis_sentence

    text = kurtosis_sentence(lang, np.array(kurtosis))
    layer = format_value(kurtosis[1])
    assert text.count(layer) == 1 and t(lang, "kurtosis_layer_one", first=layer) in text
    deeper = kurtosis_sentence(lang, np.array([*kurtosis, 0.0]))
    assert t(lang, "kurtosis_layers", first=layer, last="0", depth=2) in deeper
