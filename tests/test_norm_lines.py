"""What the Activations and Gradients tabs say sets the spread under batch or layer norm: the norm and f, not
n·Var(w) (summary.scale_line), checked against f's moments over N(0, 1) computed here by Monte Carlo."""

import functools
import math
import re
from dataclasses import replace

import numpy as np
import pytest
from scipy.special import ndtr

from core import Config, simulate, theory
from views import summary, tour
from views.number_writing import format_range, format_value
from views.text import t

LANGUAGES = ["en", "zh"]
NORMS = ["layer", "batch"]
PROFILE = (64, 48, 32, 48, 64)  # a bottleneck: fan_in·Var(w) and fan_out·Var(w) differ from layer to layer

# f and f′ from their definitions, apart from core.activations
DEFINITIONS = {
    "relu": (lambda u: np.maximum(u, 0.0), lambda u: (u > 0).astype(float)),
    "tanh": (np.tanh, lambda u: 1.0 - np.tanh(u) ** 2),
    "gelu": (lambda u: u * ndtr(u), lambda u: ndtr(u) + u * np.exp(-u * u / 2) / math.sqrt(2 * math.pi)),
    "sigmoid": (lambda u: 1 / (1 + np.exp(-u)), lambda u: np.exp(-u) / (1 + np.exp(-u)) ** 2),
}


@functools.cache
def monte_carlo(activation: str, norm: str) -> dict[str, float]:
    """std(f(u)) and sqrt(E[f′(u)²] / D), D = E[f(u)²] (layer norm) or Var(f(u)) (batch norm), over 4·10⁶ draws of
    u ~ N(0, 1): a relative standard error of about 10⁻³."""
    f, slope = DEFINITIONS[activation]
    u = np.random.default_rng(0).standard_normal(4_000_000)
    h, d = f(u), slope(u)
    divisor = h.var() if norm == "batch" else np.mean(h * h)
    return {"std": float(h.std()), "back": float(math.sqrt(np.mean(d * d) / divisor))}


@pytest.mark.slow
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("activation", sorted(DEFINITIONS))
def test_f_s_factors_are_its_moments_over_a_unit_gaussian(activation, norm):
    expected = monte_carlo(activation, norm)
    got = theory.normalized_factors(activation, norm)
    assert got["std"] == pytest.approx(expected["std"], rel=3e-3)
    assert got["back"] == pytest.approx(expected["back"], rel=3e-3)


def test_relu_s_factors_are_the_closed_forms():
    # E[ReLU(u)²] = 1/2, E[ReLU(u)] = 1/√(2π), E[ReLU′(u)²] = 1/2
    assert theory.normalized_factors("relu", "layer") == pytest.approx(
        {"std": math.sqrt(0.5 - 1 / (2 * math.pi)), "back": 1.0}, rel=1e-9)
    assert theory.normalized_factors("relu", "batch")["back"] == pytest.approx(
        math.sqrt(math.pi / (math.pi - 1)), rel=1e-9)  # 1.21: batch norm divides by the variance (Yang et al. 2019)


def network(norm: str, activation: str, shape: str, gain: float = 1.3, **more) -> Config:
    widths = {"widths": PROFILE} if shape == "profile" else {"width": 64}
    return Config(depth=4, batch=256, init="he_uniform", gain=gain, activation=activation,
                  batch_norm=norm == "batch", layer_norm=norm == "layer", **widths, **more)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("shape", ["equal", "profile"])
@pytest.mark.parametrize("activation", ["relu", "tanh", "gelu"])
@pytest.mark.parametrize("norm", NORMS)
def test_the_sentences_follow_the_norm(norm, activation, shape, lang):
    """Forward: the norm's reset and f's std(f(u)), beside the measured std(s) and activations' std. Backward: the
    weights' size cancels, f's factor per step, the widths' ratio under a profile only, and the measured change next
    to the theory's. Neither names fan_in·Var(w)'s value as the cause, and the gain changes neither: ×15 in Var(w)."""
    result = simulate(network(norm, activation, shape))
    stats, depth = result.stats, 4
    f = monte_carlo(activation, norm)
    forward = summary.scale_line(result, lang, "forward")
    shown = format_value(f["std"])
    assert shown == format_value(theory.normalized_factors(activation, norm)["std"])
    assert forward == t(lang, f"norm_forward_{norm}", f_std=shown, activation=t(lang, f"act_{activation}"),
                        unit=t(lang, "norm_batch_unit"), over=t(lang, "norm_batch_over"),
                        s=summary.measured_over_layers(lang, stats["pre_std"][1:]),
                        act=summary.measured_over_layers(lang, stats["act_std"][1:]),
                        ratio=format_value(stats["act_std"][depth] / stats["act_std"][0]), depth=depth)
    assert np.all(np.abs(stats["pre_std"][1:] - 1) < 1e-3)  # what "resets to unit variance" says
    backward = summary.scale_line(result, lang, "backward")
    assert t(lang, f"norm_backward_{norm}", unit=t(lang, "norm_batch_unit")) in backward
    assert format_value(f["back"]) in backward
    units = result.config.units
    steps = [units[layer] / units[layer - 1] for layer in range(2, depth + 1)]  # He's mode fan_in: the gain cancels
    low, high = format_range(min(steps), max(steps))  # the range rule: each end's digits kept
    widths = t(lang, "norm_backward_widths", low=low, high=high)
    assert (widths in backward) == (shape == "profile")
    if shape == "profile":  # 32/48 to 48/32: "0.667 to 1.50", never "0.667 to 1.5"
        assert (low, high) == ("0.667", "1.50")
    grad, theory_grad = stats["grad_std"], stats["predicted_grad_std"]
    assert t(lang, "norm_backward_change", ratio=format_value(grad[1] / grad[depth]),
             theory=format_value(theory_grad[1] / theory_grad[depth]), depth=depth) in backward
    big = simulate(network(norm, activation, shape, gain=5.0))
    assert summary.scale_line(big, lang, "forward") == forward
    assert summary.scale_line(big, lang, "backward") == backward


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_a_conv_net_s_batch_norm_sentences_name_its_channels(activation, lang):
    """A conv net under batch norm had no sentence on what sets its spread. Its batch norm normalizes each channel
    over the batch and the pixels (torch.nn.BatchNorm2d), and the sentences say so, with f's factors; the numbers
    hold for step 11's network (64 channels, 16 x 16 images, zero padding): std(s) is reset to 1, the activations'
    std is f's std(f(u)), and each step down from layer 10 to 2 multiplies the gradient's std by f's factor (within
    6 %: sampling, and the border pixels that zero padding gives fewer taps)."""
    result = simulate(replace(tour.STEPS[tour.CONV_STEP], batch_norm=True, activation=activation))
    stats, depth = result.stats, result.config.depth
    f = monte_carlo(activation, "batch")
    assert np.all(np.abs(stats["pre_std"][1:] - 1) < 1e-3)
    assert stats["act_std"][1:] == pytest.approx(np.full(depth, f["std"]), rel=0.03)
    steps = stats["grad_std"][1:-1] / stats["grad_std"][2:]  # layer l to l − 1, l = 3..L: past layer 1's input
    assert steps[1:] == pytest.approx(np.full(depth - 2, f["back"]), rel=0.06)
    channel = dict(unit=t(lang, "norm_batch_unit_conv"), over=t(lang, "norm_batch_over_conv"))
    forward = summary.scale_line(result, lang, "forward")
    assert forward == t(
        lang, "norm_forward_batch", f_std=format_value(f["std"]), activation=t(lang, f"act_{activation}"),
        s=summary.measured_over_layers(lang, stats["pre_std"][1:]),
        act=summary.measured_over_layers(lang, stats["act_std"][1:]),
        ratio=format_value(stats["act_std"][depth] / stats["act_std"][0]), depth=depth, **channel)
    backward = summary.scale_line(result, lang, "backward")
    assert backward.startswith(t(lang, "norm_backward_batch", **channel))
    assert t(lang, "norm_backward_f_batch", f_back=format_value(f["back"]), depth=depth,
             activation=t(lang, f"act_{activation}"), **channel) in backward
    dense = t(lang, "norm_batch_unit")
    assert f"each {dense}'s" not in forward + backward if lang == "en" else dense not in forward + backward


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["equal", "profile"])
@pytest.mark.parametrize("norm", NORMS)
def test_each_step_down_is_f_s_factor_times_the_widths_ratio(norm, shape):
    """What the backward sentence says of a step from layer l to l − 1 (l ≥ 3), against core.theory.predict's
    gradient: f's factor, times √(fan_out·Var(w_l) / fan_in·Var(w_(l−1))) under a profile (1 at equal widths)."""
    config = network(norm, "gelu", shape)
    grad = theory.predict(config)["grad_std"]
    forward, backward = theory.layer_sigma_w2(config)
    back = monte_carlo("gelu", norm)["back"]
    units = config.units
    for layer in range(3, config.depth + 1):
        widths = units[layer] / units[layer - 1]  # He's mode fan_in: gain² cancels, the widths stay
        assert backward[layer] / forward[layer - 1] == pytest.approx(widths)
        assert grad[layer - 1] / grad[layer] == pytest.approx(back * math.sqrt(widths), rel=3e-3)


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("norm", NORMS)
def test_sums_as_small_as_eps_are_not_reset(norm, lang):
    """Weights of std 10⁻⁵ leave Var(z) near ε: std(s) falls far below 1, and the sentence says the weights' size
    still shows instead of claiming the reset."""
    result = simulate(Config(depth=3, width=64, batch=256, init="normal", std=1e-5, activation="tanh",
                             batch_norm=norm == "batch", layer_norm=norm == "layer"))
    assert result.stats["pre_std"][1] < 0.1
    forward = summary.scale_line(result, lang, "forward")
    unit = t(lang, "norm_batch_unit")
    assert forward.startswith(t(lang, f"norm_forward_{norm}_small", eps="", s="", act="", ratio="", depth=3, unit=unit,
                                over="")[:20])
    assert t(lang, f"norm_backward_{norm}", unit=unit) not in summary.scale_line(result, lang, "backward")


def test_zero_weights_and_no_norm_at_equal_widths_have_no_sentence():
    zero = simulate(Config(depth=3, width=32, batch=64, init="zeros", batch_norm=True))
    plain = simulate(Config(depth=3, width=32, batch=64, init="he_normal", activation="relu"))
    for result in (zero, plain):
        assert summary.scale_line(result, "en", "forward") is None
        assert summary.scale_line(result, "en", "backward") is None


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_reviewer_s_profile_under_layer_norm(lang):
    """The link that read "fan_in·Var(w) = 1.69 at every layer, so each layer scales the forward variance alike" and
    "fan_out·Var(w) runs from 1.1 to 2.59 ... by its own factor": the tabs now show the norm's sentences, whose f
    value is GELU's std(f(u)) = 0.588 for a unit Gaussian u, and no fan product as the cause."""
    from tests.app_support import open_app, open_tab
    at = open_app(step="custom", init="he_uniform", activation="gelu", norm="layer", gain="1.3", lang=lang,
                  widths="500-330-218-144-95-62-95-144-218-330-500")
    config = Config(depth=10, init="he_uniform", activation="gelu", layer_norm=True, gain=1.3,
                    widths=(500, 330, 218, 144, 95, 62, 95, 144, 218, 330, 500))
    result = simulate(config)
    for code, direction in (("activations", "forward"), ("gradients", "backward")):
        captions = [c.value for c in open_tab(at, code, lang).caption]
        assert summary.fan_line(result, lang, direction) not in captions
        assert summary.scale_line(result, lang, direction) in captions
    assert "0.588" in summary.scale_line(result, lang, "forward")


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("norm", NORMS)
def test_the_derivation_s_fan_block_says_the_norm_divides_the_products_out(norm, lang):
    """Under a profile the Derivation's last block had said "each layer treats the forward variance alike, while
    fan_out·Var(w) runs from … : on its way back the gradient's variance is multiplied by these different factors"
    under a norm too; now its last note is the norm's, step 5 names the widths' ratio each step down keeps, and batch
    norm's step 5 quotes f's factor, not fan_out·Var(w)."""
    from views import derivation
    result = simulate(network(norm, "relu", "profile"))
    blocks = derivation.blocks(result, lang)
    assert blocks[-1].notes[-1] == t(lang, f"der_fans_norm_{norm}")
    (back,) = [b for b in blocks if b.title == t(lang, f"der_back_{norm[0]}n_title")]
    units = result.config.units
    steps = [units[layer] / units[layer - 1] for layer in range(2, 5)]  # He's mode fan_in: the widths' ratio
    assert t(lang, "der_back_norm_widths", step_low=format_value(min(steps)),
             step_high=format_value(max(steps))) in back.notes
    if norm == "batch":
        (back,) = [b for b in blocks if b.title == t(lang, "der_back_bn_title")]
        assert back.values["bn_back"] == pytest.approx(monte_carlo("relu", "batch")["back"], rel=3e-3)
        assert "back_low" not in back.values  # fan_out·Var(w)'s range is not the factor under batch norm
        assert back.notes[0] == t(lang, "der_back_bn_note", bn_back=format_value(back.values["bn_back"]),
                                  unit=t(lang, "norm_batch_unit"), over=t(lang, "norm_batch_over"))


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("norm", ["none", *NORMS])
def test_the_theory_tab_names_the_products_as_the_norm_s_to_divide_out(norm, lang):
    """The Theory tab's paragraph for a profile had said the widths "split" the scaling into fan_in·Var(w) forward and
    fan_out·Var(w) backward under a norm as well; under one it now says the norm divides both out again."""
    from views import theory as theory_view
    config = network(norm, "relu", "profile")
    forward, backward = theory.layer_sigma_w2(config)
    words = dict(widths="64-48-32-48-64", forward=theory_view.over_layers(forward[1:], lang),
                 backward=theory_view.over_layers(backward[1:], lang))
    text = theory_view.profile_text(config, theory.theory_summary(config), theory.predict(config)["grad_std"], lang)
    kept = t(lang, "theory_tab.profile", **words)
    divided = t(lang, "theory_tab.profile_norm", **words)
    assert (kept in text, divided in text) == ((True, False) if norm == "none" else (False, True))


DENSE_WORDS = {"en": re.compile(r"\b(each|a|the) unit's|unit by unit|each unit\b"), "zh": re.compile("神经元")}


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_conv_page_s_batch_norm_is_by_channel_on_every_tab(lang):
    """A conv net's page said "Batch norm divides each unit's sum z by √(σ_B² + ε), σ_B being its std over the batch"
    (Derivation, Theory): its batch norm divides each channel's by its std over the batch and the pixels. Every
    sentence on batch norm, on every tab, names the channel and the pixels, none a unit; the Activations, Gradients,
    Derivation and Theory tabs each say it."""
    from app_support import open_app, open_tab

    from views.tabs import TABS

    at = open_app(step="custom", arch="conv", norm="batch", activation="relu", init="he_normal", width="16", depth="4",
                  image="8", batch="16", lang=lang)
    channel = f"{t(lang, 'norm_batch_over_conv')}" if lang == "en" else f"在{t(lang, 'norm_batch_over_conv')}上"
    said = {}
    for tab in TABS:
        open_tab(at, tab.code, lang)
        texts = [str(e.value) for kind in ("markdown", "caption", "info", "warning") for e in getattr(at, kind)]
        sentences = [s for text in texts for s in re.split(r"(?<=[.。；;])\s*", text)]
        on_norm = [s for s in sentences if re.search("batch norm|批归一化", s, re.I)]
        assert not [s for s in on_norm if DENSE_WORDS[lang].search(s)], (tab.code, on_norm)
        said[tab.code] = any(channel in s for s in on_norm)
    assert {code for code, named in said.items() if named} >= {"activations", "gradients", "derivation", "theory"}, said
