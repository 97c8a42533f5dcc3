"""Layers of unequal width: the profile's one form, fan_in and fan_out against their closed forms, the theory's
curves and the estimates of a tapered network (Glorot & Bengio 2010, eqs. 5-6; He et al. 2015, section 2.2)."""

import json
import math
from dataclasses import replace

import numpy as np
import pytest

from core import Config, draws, products, profiles, simulate
from core.activations import apply
from core.config import resize
from core.draws import bias_noise, draw, stream_count, unit_weights
from core.initializers import scale_bias, scale_weights
from core.network import WORK_LIMIT, estimate_memory, estimate_work, work_fits, work_terms
from core.train import init_params, loss_and_gradients, train
from tests.app_support import data_tables, open_app, open_tab
from tests.gradcheck import central_differences
from tests.written_numbers import read_back
from views import derivation, summary
from views.number_writing import format_range, format_value
from views.tabs import CODES as TABS
from views.text import LANGUAGES, t

pytestmark = pytest.mark.shared_results  # pages read as a server's later sessions read them (conftest.py)

TAPER = (1000, 700, 500, 350, 250, 175, 125)  # width / 8 over six layers, geometrically


# ---------- one form ----------

def test_a_profile_of_equal_widths_is_the_shorthand():
    """Caches and links key on the Config: both spellings of one network must be one key."""
    profile = Config(depth=3, width=7, widths=(50, 50, 50, 50))
    assert profile == Config(depth=3, width=50) and hash(profile) == hash(Config(depth=3, width=50))
    assert profile.widths == () and profile.units == (50,) * 4


def test_a_profile_reads_back_from_json_and_names_its_shapes():
    config = Config(depth=3, widths=[784, 512, 256, 128])  # a JSON list
    assert config.widths == (784, 512, 256, 128) and config.width == 784  # width: the input's
    assert config.shapes == ((784, 512), (512, 256), (256, 128))
    again = Config.from_dict(json.loads(json.dumps(config.to_dict())))
    assert again == config and hash(again) == hash(config)


@pytest.mark.parametrize("kwargs, message", [
    (dict(depth=2, widths=(10, 20)), "widths has 2 entries, depth=2 needs depth + 1 = 3"),
    (dict(depth=1, widths=(10, 1)), "widths entry 1 is not allowed: a whole number from 2 to 2,048"),
    (dict(depth=1, widths=(10, 4096)), "widths entry 4096 is not allowed"),
    (dict(depth=1, widths=(10, True)), "widths entry True is not allowed"),
    (dict(depth=1, widths=(10, 2.5)), "widths entry 2.5 is not allowed"),
    (dict(depth=1, widths="10,20"), "widths='10,20' is not allowed: a list of whole numbers"),
])
def test_a_bad_profile_is_refused_with_a_clear_message(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("+", r"\+")):
        Config(**kwargs)


def test_resize_keeps_the_profile_in_shape():
    config = Config(depth=3, widths=(800, 400, 200, 100))
    assert resize(config, "depth", 1).units == (800, 400)
    assert resize(config, "width", 400).units == (400, 200, 100, 50)
    assert resize(config, "width", 2).units == (2, 2, 2, 2)  # never below the smallest width allowed
    assert resize(Config(depth=3, width=10), "width", 20) == Config(depth=3, width=20)


# ---------- the draws and the passes ----------

def test_a_narrow_layer_is_cut_from_the_square_draw():
    """Shell order: a (fan_in, fan_out) layer's numbers are the top-left block of the square one's."""
    d = draw(4, 2, (30, 20, 45), 10, "normal", "normal", "float64")
    assert [w.shape for w in d.weights] == [(30, 20), (20, 45)]
    np.testing.assert_array_equal(d.weights[0], unit_weights(4, 0, 30, 30, "normal", "float64")[:, :20])
    np.testing.assert_array_equal(d.weights[1], unit_weights(4, 1, 45, 45, "normal", "float64")[:20, :])
    assert d.x.shape == (10, 30) and d.readout.shape == (10, 45)


def test_forward_statistics_of_a_profile_match_the_plain_reference():
    config = Config(depth=3, widths=(40, 25, 60, 9), batch=50, activation="tanh", init="he_uniform", mode="fan_out",
                    bias_std=0.3, dtype="float64")
    r = simulate(config)
    d = draw(config.seed, 3, config.units, 50, "normal", "uniform", "float64")
    noise = bias_noise(config.seed, config.units[1:])
    h = d.x
    for layer, unit in enumerate(d.weights, start=1):
        fan_in, fan_out = config.units[layer - 1], config.units[layer]
        s = h @ scale_weights(config, unit, fan_in, fan_out) + scale_bias(config, noise[layer - 1], fan_out)
        h = np.tanh(s)
        assert r.pre_std[layer] == pytest.approx(s.std(), rel=1e-10)
        assert r.act_std[layer] == pytest.approx(h.std(), rel=1e-10)
    assert [row["fan_in"] for row in r.rows()] == [None, 40, 25, 60]
    assert [row["fan_out"] for row in r.rows()] == [None, 25, 60, 9]


@pytest.mark.parametrize("batch_norm", [False, True])
def test_weight_gradients_of_a_profile_match_finite_differences(batch_norm):
    config = Config(depth=3, widths=(6, 3, 5, 4), batch=12, activation="gelu", init="xavier_normal",
                    batch_norm=batch_norm, bias=0.1, bias_std=0.2, dtype="float64", seed=3)
    r = simulate(config, keep_gradients=True)
    d = draw(config.seed, 3, config.units, 12, "normal", "normal", "float64")
    weights = [scale_weights(config, unit, *shape) for unit, shape in zip(d.weights, config.shapes)]
    noise = bias_noise(config.seed, config.units[1:])

    def loss() -> float:  # the loss whose per-sample gradient is the read-out, written out plainly
        h = d.x
        for layer, w in enumerate(weights):
            z = h @ w + scale_bias(config, noise[layer], w.shape[1])
            if batch_norm:
                z = (z - z.mean(0)) / np.sqrt(z.var(0) + 1e-5)
            h = apply(config.activation, z, config.slope)
        return float((d.readout * h).sum() / config.batch)

    for layer, w in enumerate(weights):
        numeric = central_differences(loss, w, step=lambda value: 1e-6)
        np.testing.assert_allclose(r.weight_grads[layer], numeric, rtol=1e-5, atol=1e-8)


def test_training_gradients_of_a_profile_match_finite_differences():
    config = Config(depth=2, widths=(5, 7, 3), activation="tanh", init="he_normal", dtype="float64", seed=2)
    params = init_params(config, classes=3)
    assert params["W1"].shape == (5, 7) and params["W2"].shape == (7, 3) and params["head_W"].shape == (3, 3)
    rng = np.random.default_rng(0)
    x, labels = rng.standard_normal((8, 5)), rng.integers(0, 3, 8)
    _, grads = loss_and_gradients(params, x, labels, config)
    for name, p in params.items():
        numeric = central_differences(lambda: loss_and_gradients(params, x, labels, config)[0], p,
                                      step=lambda value: 1e-6)
        np.testing.assert_allclose(grads[name], numeric, rtol=1e-5, atol=1e-8, err_msg=name)


def test_a_tapered_network_trains():
    result = train(Config(depth=3, widths=(64, 48, 32, 16), activation="relu", init="he_normal", batch=128), steps=150)
    assert result.loss[-20:].mean() < 0.6 * result.loss[0]


# ---------- fan_in and fan_out against their closed forms ----------

def std_tolerance(entries: int) -> float:
    """Five standard errors of a sample std of N(0, s^2) from `entries` numbers, relative: 5 / sqrt(2 entries)."""
    return 5 / math.sqrt(2 * entries)


@pytest.mark.slow
def test_xavier_on_a_1000_to_250_layer_has_std_sqrt_2_over_1250():
    r = simulate(Config(depth=1, widths=(1000, 250), batch=10, activation="linear", init="xavier_normal"))
    assert r.weight_std[1] == pytest.approx(math.sqrt(2 / 1250), rel=std_tolerance(1000 * 250))


@pytest.mark.parametrize("mode, fan", [("fan_out", 250), ("fan_in", 1000)])
def test_he_on_a_1000_to_250_layer_reads_the_fan_of_its_mode(mode, fan):
    r = simulate(Config(depth=1, widths=(1000, 250), batch=10, activation="linear", init="he_normal", mode=mode))
    assert r.weight_std[1] == pytest.approx(math.sqrt(2 / fan), rel=std_tolerance(1000 * 250))


ALTERNATING = (1000, 250, 1000, 250)


def alternating(mode: str):
    """A linear network 1000-250-1000-250 with Var(w) = 1 / fan (kaiming_normal_'s linear gain, 1)."""
    return simulate(Config(depth=3, widths=ALTERNATING, batch=1000, activation="linear", init="he_normal", gain=1.0,
                           mode=mode, dtype="float64"))


@pytest.mark.slow
def test_fan_in_keeps_the_forward_std_and_fan_out_does_not():
    """Var(z_l) = fan_in Var(w_l) Var(h_{l-1}): 1 a layer under fan_in, fan_in / fan_out under fan_out."""
    kept, changed = alternating("fan_in"), alternating("fan_out")
    np.testing.assert_allclose(kept.act_std, 1.0, rtol=0.03)
    ratio = np.sqrt(np.cumprod([1.0, *(a / b for a, b in zip(ALTERNATING[:-1], ALTERNATING[1:]))]))  # 1, 2, 1, 2
    np.testing.assert_allclose(changed.act_std, ratio, rtol=0.03)
    assert changed.act_std[3] > 1.9  # twice the input's: far outside the 3 % kept above


@pytest.mark.slow
def test_fan_out_keeps_the_backward_std_and_fan_in_does_not():
    """Var(dL/dh_{l-1}) = fan_out Var(w_l) Var(dL/dz_l): 1 a layer under fan_out, fan_out / fan_in under fan_in."""
    kept, changed = alternating("fan_out"), alternating("fan_in")
    np.testing.assert_allclose(kept.grad_std[1:], 1.0, rtol=0.03)
    # from the read-out down: layer 3 has the read-out's 1, layer 2 gets 250 / 1000 of it, layer 1 1000 / 250 of that
    np.testing.assert_allclose(changed.grad_std[1:], [1.0, 0.5, 1.0], rtol=0.03)


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["fan_in", "fan_out"])
def test_theory_follows_a_tapered_relu_network_under_either_mode(mode):
    """He et al. 2015 for ReLU: fan_in keeps the forward std and lets the gradient's shrink toward the input by
    sqrt(fan_out / fan_in) a layer; fan_out the other way round. The average of six networks follows the theory's
    curves within 6 % (one network of width 125 strays up to 9 %; its average 4 % at most)."""
    configs = [Config(depth=6, widths=TAPER, batch=1000, activation="relu", init="he_normal", mode=mode,
                      dtype="float64", seed=seed) for seed in range(6)]
    runs = [simulate(c) for c in configs]
    for name in ("act_std", "grad_std"):
        measured = np.mean([getattr(r, name) for r in runs], axis=0)
        predicted = getattr(runs[0], f"predicted_{name}")
        np.testing.assert_allclose(measured[1:], predicted[1:], rtol=0.06, err_msg=name)
    # The std the mode does not keep changes by sqrt(units[l-1] / units[l]) from layer l - 1 to l: forward under
    # fan_out (fan_in Var(w) = 2 fan_in / fan_out), backward under fan_in (fan_out Var(w) = 2 fan_out / fan_in);
    # the one it keeps stays (past layer 1, whose input is not a ReLU's).
    changed, kept = ("act_std", "grad_std") if mode == "fan_out" else ("grad_std", "act_std")
    changed, kept = getattr(runs[0], f"predicted_{changed}"), getattr(runs[0], f"predicted_{kept}")
    np.testing.assert_allclose(changed[2:] / changed[1:-1], np.sqrt(np.array(TAPER[1:-1]) / TAPER[2:]), rtol=1e-12)
    np.testing.assert_allclose(kept[2:], kept[2], rtol=1e-12)


# ---------- the estimates ----------

PROFILES = [Config(depth=3, widths=(24, 40, 8, 30), batch=16, activation="gelu", init="he_normal"),
            Config(depth=4, widths=(30, 12, 12, 50, 7), batch=20, init="orthogonal", batch_norm=True),
            Config(depth=2, widths=(9, 33, 16), batch=12, init="xavier_uniform", dtype="float64")]


@pytest.mark.parametrize("config", PROFILES, ids=lambda c: f"{c.init}-{'-'.join(map(str, c.units))}")
def test_the_work_estimate_counts_what_a_profile_does(monkeypatch, config):
    draws.forget()
    flops, qrs = [0.0], []
    real_matmul, real_orthogonal = products.matmul, draws.orthogonal

    def matmul(a, b, out=None):
        flops[0] += 2.0 * a.shape[0] * a.shape[1] * b.shape[1]
        return real_matmul(a, b, out=out)

    def orthogonal(rng, rows, cols, dtype="float64"):
        qrs.append((max(rows, cols), min(rows, cols)))
        return real_orthogonal(rng, rows, cols, dtype)

    monkeypatch.setattr(products, "matmul", matmul)
    monkeypatch.setattr(draws, "orthogonal", orthogonal)
    result = simulate(config)
    assert not result.breaks
    terms = work_terms(config)
    assert flops[0] == terms["matmuls"]
    # Householder QR of an M x N matrix and its thin Q: 2 M N^2 - 2/3 N^3 flops each (Golub & Van Loan 5.2)
    assert sum(4 * m * n * n - 4 / 3 * n**3 for m, n in qrs) == pytest.approx(terms["qrs"])
    assert terms["elements"] == config.batch * sum(config.units[1:])
    draws.forget()


@pytest.mark.parametrize("widths", [(2048, 1024, 512, 256), (16, 2048, 2048, 2048, 16), (500,) * 11])
@pytest.mark.parametrize("init", ["he_normal", "orthogonal"])
def test_the_depth_and_width_named_for_a_profile_are_the_largest_that_fit(widths, init):
    config = Config(depth=len(widths) - 1, widths=widths, batch=4096, init=init)
    fits = work_fits(config)
    top = {"depth": config.depth, "width": max(config.units)}
    for name, value in fits.items():
        if value:
            assert estimate_work(resize(config, name, value)) <= WORK_LIMIT
        if value < top[name]:  # the next one up is over the limit
            assert estimate_work(resize(config, name, value + 1)) > WORK_LIMIT
    assert (estimate_work(config) <= WORK_LIMIT) == (fits == top)


def test_the_memory_estimate_covers_a_profiles_kept_arrays():
    config = Config(depth=4, widths=(300, 600, 150, 400, 50), batch=400)
    kept = 4 * (400 * sum(config.units) + sum(a * b for a, b in config.shapes))  # activations and weights, float32
    # and the weight streams' numbers kept for the next draw: about max(fan_in, fan_out)^2 for a thin layer
    kept += 4 * sum(stream_count(*shape) for shape in config.shapes)
    assert kept < estimate_memory(config) < 3 * kept
    wider = replace(config, widths=(300, 600, 600, 400, 50))
    assert estimate_memory(wider) - estimate_memory(config) >= 4 * (400 * 450 + 600 * 450 + 450 * 400)


def test_the_estimates_of_equal_widths_are_unchanged_by_the_profile_code():
    """The closed forms of the lecture's network: 2 b n^2 (3 d - 1) matmul flops, d n^2 + 2 b n draws."""
    config = Config(depth=5, width=64, batch=32, init="orthogonal")
    d, n, b = 5, 64, 32
    assert work_terms(config) == {"matmuls": 2.0 * b * n * n * (3 * d - 1), "qrs": 8 / 3 * n**3 * d,
                                  "draws": float(d * n * n + 2 * b * n), "elements": float(b * n * d)}


# ---------- the sidebar's presets (core.profiles) ----------

def test_the_presets_narrow_as_their_names_say():
    assert profiles.preset("constant", 4, 300) == (300,) * 5
    taper = profiles.preset("taper", 6, 800)
    assert taper[0] == 800 and taper[-1] == 100 and all(a > b for a, b in zip(taper, taper[1:]))  # to 1/8
    ratios = np.array(taper[1:]) / taper[:-1]
    np.testing.assert_allclose(ratios, 8 ** (-1 / 6), atol=0.01)  # geometrically, each width rounded
    neck = profiles.preset("bottleneck", 6, 800)
    assert neck[0] == neck[-1] == 800 and min(neck) == neck[3] == 100 and neck == neck[::-1]
    assert profiles.preset("mnist", 10, 500) == (784, 512, 256, 128)


def test_a_profile_follows_the_sliders_in_its_shape():
    taper = profiles.preset("taper", 6, 800)
    assert profiles.preset_of(taper) == "taper"
    assert profiles.follow(taper, 3, 400) == profiles.preset("taper", 3, 400)
    own = (100, 300, 50)
    assert profiles.preset_of(own) is None
    assert profiles.follow(own, 2, 200) == (200, 600, 100)  # scaled to the new input width
    assert profiles.follow(own, 4, 100) == (100, 300, 50, 50, 50)  # deeper: its last width repeated
    assert profiles.follow(own, 1, 100) == (100, 300)


def test_a_link_writes_a_profile_once():
    assert profiles.write((784, 512, 256, 128)) == "784-512-256-128" and profiles.write((8, 8, 8)) == ""
    assert profiles.read("784-512-256-128") == (784, 512, 256, 128) and profiles.read("") == ()
    for bad in ("10--3", "1e9", "10", "10-4096", "+10-20", " 10-20"):
        with pytest.raises(ValueError):
            profiles.read(bad)


# ---------- the page ----------

@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_opens_a_profile_and_names_its_preset(lang):
    at = open_app(widths="784-512-256-128", lang=lang)
    assert not at.exception and not at.error
    box = at.selectbox(key="widths")
    assert box.value == "784-512-256-128" and box.format_func(box.value) == t(lang, "options.widths_mnist")
    assert at.slider(key="depth").value == 3 and at.slider(key="width").value == 784
    at = open_tab(at, "data", lang)
    shown = data_tables(at)
    assert list(shown[t(lang, "column_width")]) == [784, 512, 256, 128]
    assert list(shown[t(lang, "column_fan_in")].iloc[1:]) == [784, 512, 256]


@pytest.mark.slow
def test_picking_a_preset_sets_the_sliders_and_the_sliders_reshape_it():
    at = open_app(depth="6", width="800")
    taper = profiles.write(profiles.preset("taper", 6, 800))
    at.selectbox(key="widths").select(taper).run()
    assert not at.exception
    assert at.slider(key="depth").value == 6 and at.query_params["widths"] == taper
    at.slider(key="depth").set_value(3).run()  # the taper follows the slider
    assert at.selectbox(key="widths").value == profiles.write(profiles.preset("taper", 3, 800))
    at.selectbox(key="widths").select("784-512-256-128").run()
    assert at.slider(key="depth").value == 3 and at.slider(key="width").value == 784
    at.selectbox(key="widths").select("").run()  # constant: the lecture's equal widths at the sliders' values
    assert "widths" not in at.query_params and at.slider(key="width").value == 784


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("widths", [(784, 512, 256, 128), (784, 300, 150, 75), (784, 512, 256), (100, 400, 50, 200)])
def test_the_gradients_sentence_names_the_fan_products_the_drawn_gradient_passes(widths, lang):
    """From layer L down to layer 1 the gradient ∂L/∂s passes W_L ... W_2, each multiplying its variance by
    fan_out·Var(w) = 2·fan_out/fan_in under He's fan_in (and E[f′²] = ½ for ReLU); W_1's product acts on ∂L/∂x alone,
    which the tab does not draw. 784-512-256-128 had said "runs from 1 to 1.31 over the layers" where the gradient
    drawn meets 1 and 1."""
    config = Config(widths=widths, depth=len(widths) - 1, init="he_normal", activation="relu", batch=200)
    result = simulate(config)
    passed = [2 * fan_out / fan_in for fan_in, fan_out in zip(widths[1:-1], widths[2:])]  # layers 2 to L
    line = summary.scale_line(result, lang, "backward")
    low, high = format_range(min(passed), max(passed))
    if max(passed) - min(passed) <= 1e-9 * max(passed):
        said = {"en": "fan_out·Var(w) = {}", "zh": "fan_out·Var(w) 都是 {}"}[lang]
        assert said.format(format_value(passed[0])) in line
    else:
        assert f"{low}" in line and f"{high}" in line
    first = 2 * widths[1] / widths[0]  # W_1's, the one the drawn gradient never meets
    if all(abs(first - p) > 0.01 * p for p in passed):
        assert format_value(first) not in line, line
    assert summary.layers_named(lang, range(2, config.depth + 1)) in line
    ratio = result.grad_std[1] / result.grad_std[config.depth]
    assert format_value(ratio) in line


@pytest.mark.slow
@pytest.mark.parametrize("tab", TABS)
def test_every_tab_opens_on_a_profile(tab):
    at = open_tab(open_app(widths="600-300-150-75", activation="relu", init="he_normal", mode="fan_out"), tab)
    assert not at.exception and not at.error, tab


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("mode, kept", [("fan_in", "forward"), ("fan_out", "backward")])
def test_the_derivation_shows_this_profiles_fan_products(mode, kept, lang):
    """The page's fan block reads back as the products computed here: n_in Var(w) and n_out Var(w) of layer 1
    (784 -> 512), Var(w) = 2 / fan; and the sentence says which of the two the mode holds at every layer."""
    at = open_tab(open_app(widths="784-512-256-128", activation="relu", init="he_normal", mode=mode, lang=lang),
                  "derivation", lang)
    assert not at.exception
    notes = " ".join(m.value for m in at.markdown)
    latex = [m.value for m in at.markdown]  # the equations among them (derivation.as_markdown)
    fan = 784 if mode == "fan_in" else 512
    var_w = 2 / fan
    (numbers,) = [block.numbers for block in derivation.blocks(simulate(Config(
        depth=3, widths=(784, 512, 256, 128), activation="relu", init="he_normal", mode=mode)), lang)
        if r"n^{\mathrm{in}}_{1}" in block.numbers and set(derivation.as_markdown(block.numbers)) <= set(latex)]
    products = [read_back(part.rsplit("=", 1)[1].strip()) for part in numbers.split(r",\quad")]
    assert products == [pytest.approx(784 * var_w, rel=5e-3), pytest.approx(512 * var_w, rel=5e-3)]
    config = Config(depth=3, widths=(784, 512, 256, 128), activation="relu", init="he_normal", mode=mode)
    block = derivation.blocks(simulate(config), lang)[-1]
    assert block.title == t(lang, "der_fans_title", number=len(derivation.blocks(simulate(config), lang)))
    assert block.shown[f"{'in' if kept == 'forward' else 'out'}_low"] == "2"  # He's gain², held at every layer
    assert block.notes[-1] == t(lang, f"der_fans_{kept}", **block.shown) and block.notes[-1] in notes


def test_the_derivation_of_equal_widths_has_no_fan_block():
    titles = [b.title for b in derivation.blocks(simulate(Config(depth=3, width=50, batch=20)), "en")]
    assert not any(title.endswith(t("en", "der_fans_title", number=0)[4:]) for title in titles)


# ---------- the trade-off on the Activations and Gradients tabs ----------

@pytest.mark.slow
@pytest.mark.parametrize("mode, kept", [("fan_in", "forward"), ("fan_out", "backward")])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_direction_s_tab_names_the_product_that_scales_it(mode, kept, lang):
    """Under a profile the Activations tab says the range of fan_in·Var(w) over the layers and the measured change of
    the std, the Gradients tab the same of fan_out·Var(w) over layers 2 to L, the ones the drawn gradient passes: the
    mode's product is 2 (He's gain²) at every layer and its sentence says so; the other's range is given where it
    differs. The expected sentence is built from He's formula written out here and the measured stds."""
    config = Config(init="he_normal", activation="relu", mode=mode, depth=3, widths=(784, 512, 256, 128), batch=200)
    result = simulate(config)
    units = config.units
    for direction, fans, change in (
            ("forward", units[:-1], result.act_std[3] / result.act_std[0]),
            ("backward", units[1:], result.grad_std[1] / result.grad_std[3])):
        var_w = [2.0 / (units[layer] if mode == "fan_in" else units[layer + 1]) for layer in range(3)]  # He: 2/fan
        products = [fan * v for fan, v in zip(fans, var_w)]
        if direction == "backward":  # W_1's acts on ∂L/∂x alone, which the tab does not draw
            products = products[1:]
        same = max(products) - min(products) < 1e-12
        assert same or direction != kept
        low, high = (format_value(min(products)),) * 2 if same else \
            format_range(min(products), max(products))  # a range's ends, each with its digits
        expected = t(lang, f"fans_{direction}_{'same' if same else 'differ'}", low=low, high=high,
                     ratio=format_value(change), depth=3, passed=summary.layers_named(lang, [2, 3]))
        assert summary.fan_line(result, lang, direction) == expected
    at = open_app(step="custom", init="he_normal", activation="relu", mode=mode, widths="784-512-256-128",
                  batch="200", lang=lang)
    shown = {code: [c.value for c in open_tab(at, code, lang).caption] for code in ("activations", "gradients")}
    assert summary.fan_line(result, lang, "forward") in shown["activations"]
    assert summary.fan_line(result, lang, "backward") in shown["gradients"]


def test_equal_widths_have_no_fan_sentence():
    result = simulate(Config(depth=2, width=50, batch=20))
    assert summary.fan_line(result, "en", "forward") is None and summary.fan_line(result, "en", "backward") is None


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_training_tab_says_a_profile_s_hidden_widths_and_its_input_s(lang):
    """The digits' intro says the hidden layers' widths ("700-500-...-125"), not the profile's first (its input's
    1,000, which the digits' 64 pixels replace); the spiral's says the input's width the points are lifted to."""
    from core.train import task_config
    from views.training import runs_text, setup

    config = Config(depth=6, widths=TAPER)
    digits = t(lang, "training_tab.intro_digits", runs=runs_text(config, ["he_normal"], lang),
               **setup(task_config(config, "digits"), 100, task="digits"))
    assert profiles.write(TAPER[1:]) in digits and "1,000" not in digits and "1000" not in digits
    spiral = t(lang, "training_tab.intro_spiral", runs=runs_text(config, ["he_normal"], lang), **setup(config, 100))
    assert "1,000" in spiral and profiles.write(TAPER[1:]) not in spiral


@pytest.mark.parametrize("init", ["zeros", "constant"])
def test_zero_or_constant_weights_under_a_profile_have_no_fan_sentence(init):
    """Var(w) = 0 at every layer: "fan_in·Var(w) = 0 at every layer, so each layer scales the forward variance alike"
    had stood under step 1's symmetry as if the scheme were balanced; constant weights have no zero-mean variance
    argument at all."""
    result = simulate(Config(init=init, depth=3, widths=(784, 512, 256, 128), batch=20))
    for lang in LANGUAGES:
        assert summary.fan_line(result, lang, "forward") is None and summary.fan_line(result, lang, "backward") is None


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_sidebar_gives_layer_1_s_two_products_wherever_its_fans_differ(lang):
    """Xavier on the digits: layer 1 takes 64 pixels into 500 units, so Var(w) = 2 / 564 and fan_in·Var(w) = 0.227,
    fan_out·Var(w) = 1.77; the sidebar had written "n·Var(w) = 0.227" alone, against Xavier's 1 the Derivation tab
    teaches. Wherever layer 1's fans differ it names the layer and both products, computed here from Glorot's
    formula; at equal fans, the one n·Var(w) = 1."""
    at = open_app(step="custom", init="xavier_normal", input="digits", lang=lang)
    var_w = 2 / (64 + 500)
    expected = t(lang, "weight_std_first", fan_in=64, fan_out=500, std=format_value(math.sqrt(var_w)),
                 in_var=format_value(64 * var_w), out_var=format_value(500 * var_w))
    captions = [c.value for c in at.sidebar.caption]
    assert not at.exception and expected in captions and format_value(64 * var_w) == "0.227"
    at = open_app(step="custom", init="xavier_normal", lang=lang)
    assert t(lang, "weight_std_line", std=format_value(math.sqrt(1 / 500)), nvar="1") in [
        c.value for c in at.sidebar.caption]
