"""What the page says about a simulated network: the headline numbers, the verdict, the update size, log-axis gaps.

Every sentence here is chosen from the result's own numbers, with the thresholds below; the words are in
views/text.py.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, replace

import numpy as np

from core.admission import DEFAULT_SERVER_MIB, ENV, SERVER_MIB_RANGE
from core.config import Config, mib_apart, written
from core.activations import get
from core.digits import images as digit_images
from core import activations, schemes
from core.initializers import gain_of, weight_variance
from core.batchnorm import BN_EPS
from core.norms import LN_EPS
from core.theory import layer_sigma_w2, normalized_factors, predict
from core.network import DEFAULT_MEMORY_BUDGET, WORK_LIMIT, WORK_RATE, estimate_memory, estimate_work, heavier_part, \
    kurtosis_standard_error, memory_fits, memory_terms, smallest_normal, unit_kurtosis, work_fits

from .number_writing import format_gain, format_range, format_setting, format_share, format_squared, format_value, \
    powers_apart
from .text import join, t, user_text

# The verdicts, in the order they are decided: the first that applies is the page's verdict.
VERDICTS = ("overflowed", "symmetric", "dead", "saturated", "frozen", "vanishing", "exploding", "healthy")
# A tenfold change of the signal over the network's depth is where the lecture's plots stop looking healthy:
# step 5 (Xavier + ReLU) ends at x0.03, step 4 (Xavier + tanh) at x0.23. The same tenfold spread of the update
# size across layers is where one learning rate stops suiting every layer (step 3 spans x10^5).
SHRINK, GROW = 0.1, 10.0
SATURATED_SHARE = 0.5  # more than half the values of some layer on tanh's or sigmoid's flat ends
# A quarter of the last layer stuck where the slope is 0 (the headline's share) is worth a sentence under a healthy
# verdict: the lecture's He net (step 6) has 10 % of layer 10's units dead, a 100-layer one 45 % of layer 100's. Dead
# units are no verdict short of a whole layer: a deep ReLU net's samples grow alike, so its layers tend to half their
# units dead, and a threshold of a half would flip the verdict from draw to draw.
NOTED_SHARE = 0.25
# CS231n's rule of thumb: an update of about 1e-3 of the weights, lr * std(dW) / std(W) for a real loss's dW. The
# Training tab reads its runs' updates against it; the simulation's dW comes from a made-up N(0, 1) gradient at the
# top, so the Gradients tab's ratio chart draws no such line and no learning rate is read off it.
UPDATE_GUIDE = 1e-3
# The verdict's colour in the metrics row, as a Streamlit Markdown colour (":green[...]"): green is healthy, the
# signal's fading and blowing up are blue and red, and each other failure has a colour of its own.
VERDICT_COLOURS = {"healthy": "green", "vanishing": "blue", "exploding": "red", "overflowed": "red",
                   "saturated": "orange", "symmetric": "violet", "dead": "gray", "frozen": "yellow"}


def share_metric(activation: str) -> str | None:
    """The share core.network measures for the activation's last layer: "saturated" (values on the flat ends),
    "dead" (units never on) or None, from its record's saturation and dead-unit rules."""
    record = get(activation)
    return "saturated" if record.saturation is not None else "dead" if record.dead_units else None


def saturation_rules() -> dict[str, str]:
    """Where a value counts as saturated, as the page writes it (the Data tab's caption, step 3's story):
    core.activations' rules, |f(s) - center| > half_width, for tanh (|tanh| > tanh_edge) and sigmoid (below
    sigmoid_low or above sigmoid_high)."""
    (tanh_center, tanh_half), (sigmoid_center, sigmoid_half) = get("tanh").saturation, get("sigmoid").saturation
    return {"tanh_edge": format_value(tanh_center + tanh_half),
            "sigmoid_low": format_value(sigmoid_center - sigmoid_half),
            "sigmoid_high": format_value(sigmoid_center + sigmoid_half)}


def share_label(config, lang: str) -> str:
    """The headline share's name (share_metric): saturated values, dead units (ReLU's: 0 with slope 0), or, under a
    leaky ReLU whose units below 0 still pass its slope's share of the gradient, units ≤ 0 for every sample."""
    leaky = activations.leaky_floor(config.activation, config.slope)
    return t(lang, "metric_off" if leaky else f"metric_{share_metric(config.activation)}")


def share_meaning(activation: str, lang: str) -> str:
    """What the headline's share (share_metric) counts, for its tooltip: a saturated value lies outside the rule's
    center ∓ half_width (core.activations; tanh: outside −0.97 to 0.97), a dead unit is ≤ 0 for every sample
    (core.network's dead count), which is not the histograms' share of values at 0. Raises ValueError for an
    activation with neither rule."""
    share, record = share_metric(activation), get(activation)
    if share == "saturated":
        center, half = record.saturation
        return t(lang, "metric_saturated_help", low=format_value(center - half), high=format_value(center + half),
                 activation=t(lang, f"act_{activation}"))
    if share == "dead":
        return t(lang, "metric_dead_help")
    raise ValueError(f"{activation} has no saturation or dead-unit rule")


@dataclass(frozen=True)
class Headline:
    """What the metrics row shows; NaN where a value is undefined or lies beyond a break."""

    act_input: float  # std of the input
    act_last: float  # std of the last layer's activations
    grad_first: float  # gradient std at layer 1
    grad_last: float  # gradient std at the last layer
    saturated: float  # share of saturated values in the last layer (tanh, sigmoid), else NaN
    dead: float  # share of dead units in the last layer (relu, leaky_relu), else NaN
    verdict: str

    @property
    def act_ratio(self) -> float:
        return ratio(self.act_last, self.act_input)

    @property
    def grad_ratio(self) -> float:
        return ratio(self.grad_first, self.grad_last)


@dataclass(frozen=True)
class Verdict:
    """The page's one-word verdict and where it shows.

    layer: the first layer that shows it (overflowed, symmetric, dead, saturated; a vanishing underflow);
    share: the share of that layer's values on the flat ends (saturated); stage: "forward" or "backward"
    for a break; flat: saturated with every value of the layer equal, the flat end reached exactly; weights: the
    underflow is the layer's weights rounding to 0 (core.network.Break.weights).
    """

    name: str
    layer: int | None = None
    share: float = math.nan
    stage: str | None = None
    flat: bool = False
    weights: bool = False


def ratio(a: float, b: float) -> float:
    """a / b, the page's one rule for a ratio of two statistics: NaN unless both are finite and b > 0, so a
    ratio beyond an overflow, or over a statistic that is 0, is said as missing, never as ∞ or 0/0."""
    return a / b if math.isfinite(a) and math.isfinite(b) and b > 0 else math.nan


def rounded(value: float, digits: int = 3) -> float:
    """value at `digits` significant digits: the number format_value writes."""
    return float(f"{value:.{digits - 1}e}")


# The input's std as the headline writes it beside a ratio: at least 4 significant digits. The input is the same data
# at every step that draws it (seed 0's 1000 x 500 normal: 1.00085), and at the fewest digits each product needed it
# read "1" at step 2 and "1.001" at step 3; a teacher's students asked why the input had changed.
INPUT_STD_DIGITS = 4


def printed_ratio(value: float, reference: float, least: int = 3) -> tuple[str, str]:
    """value / reference and the reference as the headline writes them beside the value ("0.632 · ×0.631 of the
    input's 1.001"): the measured ratio correctly rounded, as the Derivation tab and the verdict write it, and the
    reference, with the fewest significant digits (from 3, the reference's from `least`; the fewest in all, then the
    reference's fewest) at which the two multiply to the value as printed (format_value's 3 digits). At 3 digits the
    input's std 1.00085 reads "1", and 0.631 × 1 is no 0.632; the printed numbers' own ratio, 0.632 / 1, which the
    headline gave before, is not the measured 0.6314. A ratio off the verdict's limits, SHRINK and GROW, gets the digits
    that set it apart from them. Dashes where ratio() is undefined."""
    quotient = ratio(value, reference)
    if not math.isfinite(quotient) or not math.isfinite(rounded(quotient) * rounded(reference)):
        return format_value(quotient), format_value(reference, least)  # nothing to multiply, or beyond float's range
    # nor is a ratio off the verdict's limits written as one: a 100-block pre-LN stream's ×10.03 had read "grow past
    # ×10 …: the activations ×10 from the input"; the digits that set it apart are the ratio's least
    apart = next((d for d in range(3, 18) if not any(rounded(quotient, d) == limit != quotient
                                                       for limit in (SHRINK, GROW))), 17)
    digits, places = multiplying_digits(quotient, reference, format_value(value), least=least, least_a=apart)
    return format_value(quotient, digits), format_value(reference, places)


def multiplying_digits(a: float, b: float, shown: str, factor: float = 1.0, least: int = 3,
                       least_a: int = 3) -> tuple[int, int]:
    """The significant digits to write a and b with so that, each rounded to them, a × factor × b as format_value
    writes it is `shown`: the fewest in all, from `least_a` (3) for a and `least` for b, then b's fewest; (least_a,
    least) where none up to the floats' own 17 do (printed_ratio; a spectrum's bound and its factors,
    views.spectrum.resolution_words). Where b is asked for more than 3, a keeps its least_a where any of b's digits
    will do, as the Derivation tab writes a ratio; where none will (0.292 × 1.0124 is no 0.295), a grows."""
    if least > 3:
        for places in range(least, 18):
            if format_value(rounded(a, least_a) * factor * rounded(b, places)) == shown:
                return least_a, places
    for total in range(least_a + least, 35):
        for places in range(max(least, total - 17), min(17, total - least_a) + 1):
            if format_value(rounded(a, total - places) * factor * rounded(b, places)) == shown:
                return total - places, places
    return least_a, least


def printed_ratios(result) -> tuple[tuple[str, str], tuple[str, str]]:
    """signal_ratios as the headline writes them beside their numbers, each with its reference (printed_ratio): the
    last layer's activation std over the input's (written alike at every step: INPUT_STD_DIGITS), and layer 1's
    gradient std over the last layer's."""
    stats, depth = result.stats, result.config.depth
    return (printed_ratio(float(stats["act_std"][depth]), float(stats["act_std"][0]), INPUT_STD_DIGITS),
            printed_ratio(float(stats["grad_std"][1]), float(stats["grad_std"][depth])))


def headline_deltas(result, lang: str) -> tuple[str | None, str | None]:
    """The headline's lines under its two first numbers: each number's ratio to the one it is read against (the
    input's std; the last layer's gradient std), both as printed and multiplying as written (printed_ratio); where
    the number lies beyond a break, why it is missing (missing_reason); None where there is no ratio to give (the
    gradient of one layer, or a reference of 0)."""
    h, depth = headline(result), result.config.depth
    missing = missing_reason(result, lang)
    (act, act_input), (grad, grad_last) = printed_ratios(result)
    act_delta = t(lang, "metric_act_delta", ratio=act, input=act_input) \
        if math.isfinite(h.act_ratio) else missing if not math.isfinite(h.act_last) else None
    grad_delta = t(lang, "metric_grad_delta", ratio=grad, depth=depth, last=grad_last) \
        if math.isfinite(h.grad_ratio) and depth > 1 else missing if not math.isfinite(h.grad_first) else None
    return act_delta, grad_delta


def headline(result) -> Headline:
    """The headline numbers and verdict of a simulated network."""
    depth = result.config.depth
    stats = result.stats
    return Headline(
        act_input=float(stats["act_std"][0]),
        act_last=float(stats["act_std"][depth]),
        grad_first=float(stats["grad_std"][1]),
        grad_last=float(stats["grad_std"][depth]),
        saturated=float(stats["saturated"][depth]),
        dead=float(stats["dead"][depth]),
        verdict=verdict(result),
    )


def zero_floor(config) -> bool:
    """Whether f is exactly 0 with slope 0 for every negative pre-activation (core.activations.zero_floor)."""
    return activations.zero_floor(config.activation, config.slope)


def sum_symbol(config) -> str:
    """The name of a layer's sum h·W + b (core.network's): z under batch or layer norm, where s = N(z) is what f gets,
    s without a norm."""
    return "s" if config.norm == "none" else "z"


def gradient_symbol(config) -> str:
    """What grad_std is the std of, as every title, column and caption writes it: ∂L/∂x of a residual stream x
    (core.residual), else ∂L/∂ of the sum (sum_symbol): core.network and core.train record it before a norm, not
    ∂L/∂s of the normalized s. Plain text, for a chart's title and a table's column, which have no LaTeX: the layer
    is their axis or row, and the subscript character ₗ has no glyph in the page's font (it showed as "xı")."""
    return "∂L/∂x" if config.residual else f"∂L/∂{sum_symbol(config)}"


def signal_ratios(result) -> tuple[float, float]:
    """(last-layer activation std / input std, layer-1 gradient std / last-layer gradient std); NaN if undefined."""
    stats, depth = result.stats, result.config.depth
    return (ratio(float(stats["act_std"][depth]), float(stats["act_std"][0])),
            ratio(float(stats["grad_std"][1]), float(stats["grad_std"][depth])))


def diagnose(result) -> Verdict:
    """The verdict: the first of VERDICTS that applies.

    overflowed: values left the float range (a Break of kind overflow). symmetric: all units of a layer
    identical because their weights are (zero or constant init). dead: all units of a layer identical because
    every one is 0 for every sample, below ReLU's kink (the dying ReLU, Lu et al. 2019, "born dead" when a
    layer is). saturated: more than SATURATED_SHARE of a layer's values on tanh's or sigmoid's flat ends, or
    every value of a layer pinned to one flat end (any other activation). frozen: every weight gradient exactly 0,
    whatever the signals do (a residual stream with every branch scaled by α = 0). vanishing / exploding: the
    activations or gradients change by more than SHRINK / GROW over the network, or underflow to 0.
    """
    config, stats, depth = result.config, result.stats, result.config.depth
    for b in result.breaks:
        if b.kind == "overflow":
            return Verdict("overflowed", layer=b.layer, stage=b.stage)
    distinct = stats["distinct_units"]
    collapsed = [layer for layer in range(1, depth + 1) if distinct[layer] == 1] if config.width > 1 else []
    if collapsed:
        layer = collapsed[0]
        pinned = stats["act_std"][layer] == 0  # every value of the layer equal, whatever the sample
        if result.weight_std[layer] == 0 or not pinned:  # identical weights make identical units
            return Verdict("symmetric", layer=layer)
        if stats["act_mean"][layer] == 0 and zero_floor(config):
            return Verdict("dead", layer=layer)
        return Verdict("saturated", layer=layer, share=1.0, flat=True)
    saturated = stats["saturated"]
    for layer in range(1, depth + 1):
        if saturated[layer] > SATURATED_SHARE:
            return Verdict("saturated", layer=layer, share=float(saturated[layer]))
    if weights_frozen(result):
        return Verdict("frozen")
    act, grad = signal_ratios(result)
    underflow = next((b for b in result.breaks if b.kind == "underflow"), None)
    if underflow is not None:
        return Verdict("vanishing", layer=underflow.layer, stage=underflow.stage, weights=underflow.weights)
    if act < SHRINK or grad < SHRINK:
        return Verdict("vanishing")
    if act > GROW or grad > GROW:
        return Verdict("exploding")
    return Verdict("healthy")


def weights_frozen(result) -> bool:
    """Whether every weight gradient is exactly 0 (each a number): no learning rate moves any weight. Read off the
    layers' std(dW) = 0, every entry of a layer's dW equal: short of identical units (the verdict "symmetric", decided
    before "frozen"), equal entries of h^T·dL/ds are 0s."""
    dw = result.stats["weight_grad_std"][1:]
    return bool(dw.size and np.isfinite(dw).all() and (dw == 0).all())


def verdict(result) -> str:
    """The verdict's name, one of VERDICTS."""
    return diagnose(result).name


SAME_PRODUCT = 1e-9  # relative: products a fan mode sets alike at every layer differ by rounding only


def spread(values) -> tuple[str, float, float]:
    """(kind, low, high) of a quantity over a network's layers (values: one per layer): kind "one" for a single
    layer, "same" where they differ by rounding only (SAME_PRODUCT), "differ" otherwise."""
    values = np.asarray(values, float)
    low, high = float(values.min()), float(values.max())
    return ("one" if values.size == 1 else "same" if high - low <= SAME_PRODUCT * high else "differ"), low, high


def fan_line(result, lang: str, direction: str) -> str | None:
    """Under a width profile, the sentence of a direction's tab ("forward": Activations, "backward": Gradients):
    the range over the layers of the product that scales that direction's variance (fan_in·Var(w) forward,
    fan_out·Var(w) backward: core.theory.layer_sigma_w2) and the measured change of the std over the depth
    (signal_ratios). Backward the products of layers 2 to L: the gradient the tab draws, from layer L down to layer 1,
    passes W_L ... W_2 (W_1's acts on ∂L/∂x alone). None for equal widths, weights of non-zero mean (no variance
    argument) and zero weights (the symmetry is the story: "fan_in·Var(w) = 0 ... scales alike" had read as a
    balanced scheme's)."""
    config = result.config
    forward, backward = layer_sigma_w2(config)
    if not config.widths or forward is None or not forward[1:].any():
        return None
    same, low, high = spread(forward[1:] if direction == "forward" else backward[2:] if config.depth > 1 else
                             backward[1:])
    if same == "one" and config.depth > 1:  # two layers: W_2's product, the one the gradient passes
        same = "same"
    change = signal_ratios(result)[0 if direction == "forward" else 1]
    # a range "from {low} to {high}" only where the products differ; else the one value
    low_text, high_text = format_range(low, high) if same == "differ" else (format_value(low), format_value(high))
    return t(lang, f"fans_{direction}_{same}", low=low_text, high=high_text, ratio=format_value(change),
             depth=config.depth, passed=layers_named(lang, range(2, config.depth + 1)))


# std(s) within 10 % of 1 at every layer (derivation.CLOSE's "close to"): the norm has reset the sums to unit variance,
# as it does unless they are as small as sqrt(eps) (tiny weights: Var(s) = q / (q + eps), core.theory.predict)
UNIT_RESET = 0.1


def scale_line(result, lang: str, direction: str) -> str | None:
    """The sentence of a direction's tab ("forward": Activations, "backward": Gradients) on what sets that direction's
    spread over the layers: under batch or layer norm the norm and f (norm_line), at any widths; else under a width
    profile the fan products (fan_line); None otherwise."""
    config = result.config
    if config.norm != "none" and not config.residual:  # a conv net's batch norm too, by channel
        return norm_line(result, lang, direction)
    return fan_line(result, lang, direction)


def measured_over_layers(lang: str, values) -> str:
    """A measured value of layers 1 to L (values: one per layer) in words: the network's one layer's, one value at
    every layer (as printed), or its range over the layers."""
    values = np.asarray(values, float)
    low, high = format_value(values.min()), format_value(values.max())
    if values.size == 1:
        return t(lang, "measured_one", value=low)
    if low == high:
        return t(lang, "measured_same", value=low)
    low, high = format_range(values.min(), values.max())  # the story's rule: 0.628 to 0.630, not 0.63
    return t(lang, "measured_range", low=low, high=high, depth=values.size)


def batch_norm_words(arch: str, lang: str) -> dict[str, str]:
    """What batch norm normalizes, for its sentences: {unit, over, values}, a dense net's each unit over the batch
    (torch.nn.BatchNorm1d), a conv net's (arch "conv") each channel over the batch and the pixels (BatchNorm2d), its
    statistics then taken over batch x pixels values."""
    conv = "_conv" if arch == "conv" else ""
    return {word: t(lang, f"norm_batch_{word}{conv}") for word in ("unit", "over", "values")}


def norm_line(result, lang: str, direction: str) -> str | None:
    """Under batch or layer norm, what sets a direction's spread: the norm divides each sum z by its std, which
    carries the weights' scale, so fan_in·Var(w) (n·Var(w)) no longer decides it.

    Batch norm's words name what it normalizes (batch_norm_words). Forward: the norm resets every pre-activation s
    to unit variance (the measured std(s) of each layer), so f sets the activations' std, std(f(u)) for u ~ N(0, 1)
    (core.theory.normalized_factors) beside the measured ones.
    Backward: the norm divides the gradient by the same std, so the weights' scale cancels there too, and from layer L
    down to layer 2 each step multiplies the gradient's std by f's normalized_factors "back" (E[f'(u)²] over E[f(u)²]
    under layer norm, over Var(f(u)) under batch norm), and under a width profile by the square root of the layer's
    fan_out·Var(w) over the fan_in·Var(w) of the layer below; then the measured and the theory's change
    (core.theory.predict). Where some layer's std(s) is not within UNIT_RESET of 1 (sums as small as sqrt(eps)), the
    sentence says the weights' size still shows. None for zero weights (nothing to normalize: the verdict says
    why), weights of non-zero mean, and backward for one layer (no layer below)."""
    config, stats, depth, norm = result.config, result.stats, result.config.depth, result.config.norm
    forward, backward = layer_sigma_w2(config)
    if forward is None or not forward[1] > 0 or (direction == "backward" and depth == 1):
        return None
    pre, act = stats["pre_std"][1:], stats["act_std"][1:]
    if not (np.isfinite(pre).all() and np.isfinite(act).all()):  # beyond a break: the verdict says where
        return None
    reset = bool(np.all(np.abs(pre - 1) <= UNIT_RESET))
    f = normalized_factors(config.activation, norm, config.slope)
    act_ratio, grad_ratio = signal_ratios(result)
    eps = LN_EPS if norm == "layer" else BN_EPS
    words = dict(activation=t(lang, f"act_{config.activation}"), depth=depth, eps=format_value(eps),
                 s=measured_over_layers(lang, pre), **batch_norm_words(config.arch, lang))
    if direction == "forward":
        key = f"norm_forward_{norm}" if reset else f"norm_forward_{norm}_small"
        return t(lang, key, f_std=format_value(f["std"]), act=measured_over_layers(lang, act),
                 ratio=format_value(act_ratio), **words)
    theory = ratio(float(stats["predicted_grad_std"][1]), float(stats["predicted_grad_std"][depth]))
    change = t(lang, "norm_backward_change", ratio=format_value(grad_ratio), theory=format_value(theory),
               depth=depth)
    if not reset:
        return join(lang, [t(lang, f"norm_backward_{norm}_small", **words), change], "sentence")
    parts = [t(lang, f"norm_backward_{norm}", **words)]
    if depth > 2:  # steps between layers that f fed: f's own factor
        parts.append(t(lang, f"norm_backward_f_{norm}", f_back=format_value(f["back"]), **words))
    steps = backward[2:] / forward[1:-1]  # step l -> l - 1: fan_out·Var(w_l) / fan_in·Var(w_(l-1)), l = 2..L
    if spread(steps)[0] == "differ":
        low, high = format_range(steps.min(), steps.max())  # a range by the range rule: "0.667 to 1.50"
        parts.append(t(lang, "norm_backward_widths", low=low, high=high))
    return join(lang, [*parts, change], "sentence")


def stuck_note(result, lang: str) -> list[str]:
    """The sentence a healthy verdict adds when NOTED_SHARE or more of the last layer is stuck where the slope is
    0 (the headline's share, share_metric: ReLU units off for every sample, or tanh's and sigmoid's values on the
    flat ends; a leaky ReLU's units below 0 pass its slope), else none: a 100-layer He ReLU net keeps its scale with
    44.8 % of its last layer dead."""
    config, depth = result.config, result.config.depth
    name = share_metric(config.activation)
    share = float(result.stats[name][depth]) if name else math.nan
    if not share >= NOTED_SHARE:
        return []
    key = "leaky" if activations.leaky_floor(config.activation, config.slope) else name  # it passes its slope
    return [t(lang, f"healthy_but_{key}", share=format_share(share), depth=depth, slope=format_value(config.slope),
              activation=t(lang, f"act_{config.activation}"))]


def explain(result, lang: str, found: Verdict | None = None) -> str:
    """The sentence under the verdict, with the numbers that decided it."""
    v = found or diagnose(result)
    config = result.config
    depth, stats = config.depth, result.stats
    if v.name == "overflowed":
        return t(lang, "verdict_overflowed_why", stage=t(lang, f"stage_{v.stage}"), dtype=config.dtype, layer=v.layer)
    if v.name == "symmetric":
        key = "verdict_symmetric_why_conv" if config.arch == "conv" else "verdict_symmetric_why"
        return t(lang, key, width=config.units[v.layer], layer=v.layer)  # the layer's own units (channels)
    if v.name == "dead":
        return t(lang, "verdict_dead_why", layer=v.layer)
    if v.name == "frozen":  # with every branch switched off (alpha = 0, or rounding to 0 in the dtype), that is why
        off = config.residual and np.asarray(config.alpha, config.dtype) == 0
        return t(lang, "verdict_frozen_why_branches_off" if off else "verdict_frozen_why")
    if v.name == "saturated" and v.flat:
        return t(lang, "verdict_saturated_flat_why", layer=v.layer, activation=t(lang, f"act_{config.activation}"),
                 value=format_value(float(stats["act_mean"][v.layer])), dtype=config.dtype)
    if v.name == "saturated":
        return t(lang, "verdict_saturated_why", share=format_share(v.share), layer=v.layer,
                 activation=t(lang, f"act_{config.activation}"))
    act, grad = signal_ratios(result)
    (act_text, _), (grad_text, _) = printed_ratios(result)  # the headline's ratios, written as it writes them
    if v.name == "healthy" and depth == 1:  # one layer: the gradient has no layer to cross
        why = t(lang, "verdict_healthy_why_one", act=act_text, low=format_value(SHRINK), high=format_value(GROW))
        return join(lang, [why, *stuck_note(result, lang)], "sentence")
    if v.name == "healthy":
        why = t(lang, "verdict_healthy_why", act=act_text, grad=grad_text, depth=depth, low=format_value(SHRINK),
                high=format_value(GROW))
        return join(lang, [why, *stuck_note(result, lang)], "sentence")
    if v.weights:  # nothing measured to give a ratio of
        return t(lang, "verdict_vanishing_why_weights", layer=v.layer, dtype=config.dtype)
    crossed = (lambda r: r < SHRINK) if v.name == "vanishing" else (lambda r: r > GROW)
    limit = SHRINK if v.name == "vanishing" else GROW
    if v.stage is None and crossed(act) != crossed(grad):  # one of them: named, not "signals"
        which, ratio = ("act", act_text) if crossed(act) else ("grad", grad_text)
        return t(lang, f"verdict_{v.name}_why_{which}", limit=format_value(limit), ratio=ratio, depth=depth)
    parts = []
    if v.stage is not None:  # an underflow's (diagnose)
        parts.append(t(lang, "part_underflow", stage=t(lang, f"stage_{v.stage}"), layer=v.layer,
                       **float_words(config.dtype)))
    if crossed(act):
        parts.append(t(lang, "part_act", ratio=act_text, depth=depth))
    if crossed(grad):
        parts.append(t(lang, "part_grad", ratio=grad_text, depth=depth))
    return t(lang, f"verdict_{v.name}_why", limit=format_value(limit), parts=join(lang, parts, "clause"))


# ---------- the spread over the layers against the theory ----------

# A draw keeps a spread while std(h_L) / std(h_1) is within this factor of what it is compared with: 1 in step 11's
# story ("keep their spread"), the theory's line at Custom (theory_spread_note). Wide nets stay well within it
# (He + ReLU, 10 layers of 500 units: 0.89 to 1.20 of the theory over seeds 0-9); narrow ones stray from draw to draw
# (step 11's 64 channels: 0.44 to 1.34 over seeds 0-5, the theory 0.84).
SPREAD_KEPT = 2.0
# How narrow a net is for its depth: the sum of 1/n over the layers whose draws move std(h_L) / std(h_1) (layers 2
# to L; a conv layer's n its channels), the beta that the draw-to-draw scatter of the variance grows with (Hanin &
# Rolnick 2018). He + ReLU over seeds 0-9 stayed within SPREAD_KEPT of the theory up to 0.09 (10 layers of 100
# units; 128 channels, 0.07, over seeds 0-3) and strayed beyond it at 0.14 (64 channels of 5 x 5, seed 1: x0.47)
# and above (30 units, 0.3: x0.32; 50 units, 0.18, came to x0.55).
NARROW = 0.1


def times_apart(times: float) -> float:
    """How many times apart two positive values are whose ratio is `times`: max(times, 1 / times), 1 or more (NaN for
    NaN). What a sentence saying that one is below or above the other "by a factor of" writes, rather than the
    threshold that chose the sentence."""
    return max(times, 1 / times) if times > 0 else math.nan


def spread_word(times: float) -> str:
    """What a draw's spread did against what it is compared with, from their ratio: "kept" (within SPREAD_KEPT of
    1), "lost" (below 1 / SPREAD_KEPT, or undefined: NaN) or "gained" (above SPREAD_KEPT)."""
    if times > SPREAD_KEPT:
        return "gained"
    return "kept" if times >= 1 / SPREAD_KEPT else "lost"


def narrowness(config) -> float:
    """The sum of 1/n over layers 2 to L (NARROW): how far a draw's std(h_L) / std(h_1) scatters around the theory,
    which follows infinitely wide layers."""
    return sum(1 / n for n in config.units[2:])


def theory_spread_note(result, lang: str) -> str | None:
    """Where this draw's std(h_L) / std(h_1) departs from the theory's by more than SPREAD_KEPT, a sentence with the
    two, each with its std at layers 1 and L (the std chart's points), and why where the net is narrow for its depth
    (narrowness at least NARROW): its variance scatters from draw to draw, and a new seed draws again. None where they
    agree, for one layer, or where either is undefined."""
    config, depth = result.config, result.config.depth
    act, line = result.stats["act_std"], result.stats["predicted_act_std"]  # measured, theory: (depth + 1,)
    measured, theory = ratio(float(act[depth]), float(act[1])), ratio(float(line[depth]), float(line[1]))
    times = ratio(measured, theory)
    if depth < 2 or not math.isfinite(times) or spread_word(times) == "kept":
        return None
    parts = [t(lang, f"spread_theory_{spread_word(times)}", depth=depth, first=format_value(act[1]),
               last=format_value(act[depth]), measured=format_value(measured), theory_first=format_value(line[1]),
               theory_last=format_value(line[depth]), theory=format_value(theory),
               factor=format_value(times_apart(times)))]
    beta = narrowness(config)
    if beta >= NARROW:
        parts.append(t(lang, f"spread_narrow_{config.arch}", narrowest=min(config.units[2:]), depth=depth,
                       beta=format_value(beta, 2), button=t(lang, "new_seed")))
    return join(lang, parts, "sentence")


# ---------- the size of an update ----------

@dataclass(frozen=True)
class Updates:
    """std(dW)/std(W) over the layers that have one: its extremes and their layers."""

    zero: bool  # every weight gradient is exactly 0
    low: float = math.nan
    low_layer: int = 0
    high: float = math.nan
    high_layer: int = 0

    @property
    def spread(self) -> float:
        return self.high / self.low

    @property
    def even(self) -> bool:
        return self.spread <= GROW


def updates(result) -> Updates | None:
    """The update-size numbers, or None when no layer has a finite positive ratio and not every dW is 0."""
    stats, depth = result.stats, result.config.depth
    if weights_frozen(result):
        return Updates(zero=True)
    ratio = stats["grad_data_ratio"]
    layers = [layer for layer in range(1, depth + 1) if np.isfinite(ratio[layer]) and ratio[layer] > 0]
    if not layers:
        return None
    values = np.array([ratio[layer] for layer in layers])
    low, high = int(np.argmin(values)), int(np.argmax(values))
    return Updates(zero=False, low=float(values[low]),
                   low_layer=layers[low], high=float(values[high]), high_layer=layers[high])


def batch_norm_step_factor(config) -> float | None:
    """Xavier's Var(w) (1/n between layers of n units) over the network's Var(w), in the layers after the first: under
    batch norm, how many times larger a step of the same learning rate is, for the weights' size, than on Xavier's
    weights. Batch norm undoes W's scale, so dL/dW grows as 1/|W| and a step lr·dW moves W by lr / |W|² of its size
    (van Laarhoven 2017; Arora et al. 2019, "auto rate-tuning by batch normalization"). None where Var(w) is 0 or
    undefined, or differs from layer to layer against Xavier's (a width profile)."""
    xavier = replace(config, init="xavier_normal", gain=None)
    factors = set()
    for fan_in, fan_out in config.shapes[1:] or config.shapes:  # the first layer's fan_in is the input's
        var_w = weight_variance(config, fan_in, fan_out)
        if not var_w:
            return None
        factors.add(weight_variance(xavier, fan_in, fan_out) / var_w)
    return factors.pop() if len(factors) == 1 else None


def update_note(result, lang: str, found: Verdict | None = None) -> str | None:
    """One sentence on how the weight-gradient:weight ratio compares across the layers, and what its size cannot
    say (update_scale: the backward pass starts from a made-up N(0, 1) gradient, so it names no learning rate);
    None if undefined, and under the verdict "frozen" (found: the verdict, where it is known), whose sentence says
    it."""
    u = updates(result)
    if u is None or u.zero and (found or diagnose(result)).name == "frozen":  # the verdict's own sentence says it
        return None
    if u.zero:  # a verdict decided before "frozen" (symmetric, dead, saturated) says why the gradients are 0
        return t(lang, "update_zero")
    if u.even and (result.config.depth == 1 or format_value(u.low, 2) == format_value(u.high, 2)):
        note = t(lang, "update_one" if result.config.depth == 1 else "update_same", ratio=format_value(u.low, 2))
    else:
        low, high = format_range(u.low, u.high, 2)
        note = t(lang, "update_even" if u.even else "update_uneven", low=low, low_layer=u.low_layer, high=high,
                 high_layer=u.high_layer, spread=format_value(u.spread))
    return join(lang, [note, t(lang, "update_scale")], "sentence")


# ---------- why a number is missing, what a log axis leaves out ----------

def float_words(dtype: str) -> dict[str, str]:
    """What a break's message says of its float type: its name, its smallest normal number (tiny), below which
    an underflow's values lost precision on their way to 0 (core.network.smallest_normal), and its smallest number
    (subnormal), below which a weight is 0."""
    return {"dtype": dtype, "tiny": format_value(smallest_normal(dtype)),
            "subnormal": format_value(float(np.finfo(dtype).smallest_subnormal))}


def break_key(b) -> str:
    """The catalogue's name for a core.network.Break, after "break_", "missing_" and "der_missing_": its kind, or
    "weights_zero" where the layer's weights themselves rounded to 0 (std=1e-46 in float32)."""
    return "weights_zero" if b.weights else b.kind


def break_message(b, lang: str, dtype: str) -> str:
    """Where a pass left the float range (a core.network.Break) and that the layers after it are not drawn; where
    the weights rounded to 0 in float32, that float64 holds numbers down to its own smallest."""
    said = t(lang, f"break_{break_key(b)}", layer=b.layer, stage=t(lang, f"stage_{b.stage}"), **float_words(dtype))
    if b.weights and dtype != "float64":
        said = join(lang, [said, t(lang, "weights_zero_wider", **float_words("float64"))], "sentence")
    return said


def missing_reason(result, lang: str) -> str | None:
    """Why the numbers past a break are missing ("the forward pass overflowed at layer 32"); None without a break."""
    if not result.breaks:
        return None
    b = result.breaks[0]
    return t(lang, f"missing_{break_key(b)}", stage=t(lang, f"stage_{b.stage}"), layer=b.layer,
             **float_words(result.config.dtype))


def layers_named(lang: str, layers) -> str:
    """Layer numbers after their noun, singular for one layer: "layer 6", "layers 1–3, 5" (format_layers)."""
    return t(lang, "layers_one" if len(layers) == 1 else "layers_many", layers=format_layers(layers, lang))


def format_layers(layers, lang: str) -> str:
    """Layer numbers as runs, apart as the language writes a list's items (join_list): [1, 2, 3, 5] -> "1–3, 5",
    in Chinese "1–3、5"."""
    layers = sorted(int(x) for x in layers)
    runs: list[list[int]] = []
    for layer in layers:
        if runs and layer == runs[-1][1] + 1:
            runs[-1][1] = layer
        else:
            runs.append([layer, layer])
    return t(lang, "join_list").join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs)


GAUSSIAN_KURTOSIS = 0.5  # |excess kurtosis| within this: as close to Gaussian as a batch of 1,000 tells apart


def gaussian_limit(config) -> float:
    """How far a Gaussian layer's measured excess kurtosis may stray by chance: three of its standard errors
    (core.network.kurtosis_standard_error) over the rows it is measured on, the batch, or a conv net's batch times
    its pixels: 0.47 at the lecture's batch of 1,000, 4.0 at a batch of 10. kurtosis_sentence's band is
    GAUSSIAN_KURTOSIS where that is wider, and says the numbers cannot tell where it is not."""
    return 3 * kurtosis_standard_error(config.batch * (config.image**2 if config.arch == "conv" else 1))


@functools.cache
def kurtosis_enough() -> int:
    """The fewest rows over which three standard errors of a Gaussian layer's kurtosis fit GAUSSIAN_KURTOSIS (860)."""
    return next(n for n in range(4, 100_000) if 3 * kurtosis_standard_error(n) <= GAUSSIAN_KURTOSIS)


def input_kurtosis_median(config) -> float | None:
    """The median over a real-image input's pixels of each pixel's excess kurtosis over the batch
    (core.network.unit_kurtosis of core.digits.images, the network's own input), beside the mean the page quotes
    (Result's pre_kurtosis[0]), which a few almost blank pixels make: over the first 1,000 images 103, while the
    median pixel's is 0.21. None for a conv net, whose input is one channel with one kurtosis (its pixels pooled)."""
    return None if config.arch == "conv" else float(np.median(unit_kurtosis(digit_images(config.batch))))


def kurtosis_sentence(lang: str, kurtosis: np.ndarray, arch: str = "dense", input_median: float | None = None,
                      noise: float = 0.0, batch: int | None = None) -> str | None:
    """How Gaussian the pre-activations are, layer by layer (Result's pre_kurtosis, (depth + 1,), 0 the input):
    the input's, layer 1's and the last layer's excess kurtosis, and the layer from which every deeper one is within
    ±GAUSSIAN_KURTOSIS of a Gaussian's 0 (that the layers made it so from an input that is not Gaussian, kept it so,
    or made it so again after layers that were not, where the input was already), or that the last
    one is not; or, where a Gaussian layer's measurement strays further by chance (noise: gaussian_limit, over a
    batch of `batch`), that the numbers cannot tell. None when the last layer has none (no spread).
    arch: the network's (Config.arch): a dense net's kurtosis is each unit's over the batch, a conv net's each
    channel's over the batch's pixels (core.network.excess_kurtosis), each averaged, which the sentence says: the same
    digits read 103 as 64 pixel units and 1.52 as one channel. input_median: the input's median unit's
    (input_kurtosis_median), said beside the input's mean."""
    depth = len(kurtosis) - 1
    if depth < 1 or not math.isfinite(kurtosis[depth]):
        return None
    given = format_value(kurtosis[0])
    if input_median is not None:
        given = t(lang, "kurtosis_input_median", mean=given, median=format_value(input_median))
    first, last = format_value(kurtosis[1]), format_value(kurtosis[depth])
    # one layer is named once: "0.931 at layer 1, 0.931 at layer 1" had said it twice
    layers = t(lang, "kurtosis_layer_one", first=first) if depth == 1 else \
        t(lang, "kurtosis_layers", first=first, last=last, depth=depth)
    numbers = dict(input=given, layers=layers, depth=depth, limit=format_value(GAUSSIAN_KURTOSIS),
                   measure=t(lang, "kurtosis_channels" if arch == "conv" else "kurtosis_units"))
    if noise > GAUSSIAN_KURTOSIS:  # chance alone strays past the band: neither verdict can be read from these
        return t(lang, "kurtosis_noisy", batch=f"{batch:,}", noise=format_value(noise), enough=f"{kurtosis_enough():,}",
                 **numbers)
    close = [abs(k) <= GAUSSIAN_KURTOSIS for k in kurtosis[1:]]  # NaN compares False: not close
    if not close[-1]:
        return t(lang, "kurtosis_not_gaussian", **numbers)
    settled = depth - next(i for i, c in enumerate(reversed(close)) if not c) + 1 if not all(close) else 1
    if abs(kurtosis[0]) > GAUSSIAN_KURTOSIS:  # the layers made it Gaussian from an input that is not
        return t(lang, "kurtosis_gaussian", layer=settled, **numbers)
    # a Gaussian input: kept so at every layer, or lost by some layers and Gaussian again from `settled` on
    return t(lang, "kurtosis_gaussian_kept" if settled == 1 else "kurtosis_gaussian_again", layer=settled, **numbers)


def input_shares(result) -> dict[str, float]:
    """Layer 0's histogram in three shares of all its values: "zero" exactly 0 (a digit pixel blank in every image
    stays 0 when standardized), "below" below 0, "beyond" beyond ±3 (Result.input_edges' range)."""
    counts, total = result.hist_counts[0], result.hist_counts[0].sum()
    edges = result.input_edges
    below = counts[edges[1:] <= 0].sum()  # whole bins below 0 (0 is an edge of the input's bins)
    return {"zero": result.hist_zeros[0] / total, "below": below / total,
            "beyond": result.hist_beyond[0].sum() / total}


GAUSSIAN_BEYOND_3 = 0.0027  # P(|z| > 3) for a standard Gaussian: 2·(1 − Φ(3)) = 0.27 %


def input_sentence(result, lang: str) -> str:
    """What layer 0's histogram shows of a digits input: its exact zeros, its share below 0 (the blank background of
    each pixel), and its share beyond 3 std next to a Gaussian's."""
    s = input_shares(result)
    return t(lang, "input_hist_caption", batch=result.config.batch, zeros=format_share(s["zero"]),
             below=format_share(s["below"]), beyond=format_share(s["beyond"]),
             gaussian=format_share(GAUSSIAN_BEYOND_3))


def log_gaps(lang: str, series: dict[str, np.ndarray], first_layer: int = 0,
             logs: dict[str, np.ndarray] | None = None) -> list[str]:
    """Captions for values a log axis cannot draw: exactly 0, or 0 in float64 only, one caption per set of layers.

    series: name -> values per layer (index = layer); layers below first_layer are not drawn. Series that are 0
    at the same layers share one caption ("measured, theory"). logs: name -> the values' log10 where known
    (core.theory.predict's "log10_grad_std" ...): a 0 whose log10 is a number is below float64's smallest number,
    not 0, and is said so (the theory of a gradient at 10⁻⁴⁰⁰ had been called "exactly 0").
    """
    by_layers: dict[tuple[str, tuple[int, ...]], list[str]] = {}
    for name, values in series.items():
        values = np.asarray(values, float)
        given = (logs or {}).get(name)  # None: every 0 is exactly 0
        log10 = np.full(values.shape, -np.inf) if given is None else np.asarray(given, float)
        zero = [int(i) for i in np.flatnonzero(values == 0) if i >= first_layer]
        for key, layers in (("log_zero", [i for i in zero if log10[i] == -np.inf]),
                            ("log_below", [i for i in zero if np.isfinite(log10[i])])):
            if layers:
                by_layers.setdefault((key, tuple(layers)), []).append(name)
    return [t(lang, key, series=join(lang, names), layers=layers_named(lang, layers))
            for (key, layers), names in by_layers.items()]


LOOKS_ZERO = 0.01  # a std below this share of the chart's largest is within a line's width of its 0 on a linear axis


def looks_zero_from(stds, largest: float = 0.0) -> int | None:
    """The first layer from which every drawn std (finite, of layers 1 on; past a break none is drawn) is below
    LOOKS_ZERO of the largest value the axis draws, layer 0 included: on a linear axis they lie on its 0 (step 2 from
    layer 4, a network of std 0.001 from layer 1), though none is 0. largest: the axis's other lines' largest value
    (the theory's: std 100 ReLU weights, 100 layers deep, measured until they overflow at layer 14, drawn on 0 beside
    a theory of 8 × 10²⁸⁴ at layer 100). None where the last drawn layer is not so small, or is 0."""
    stds = np.asarray(stds, float)
    drawn = np.flatnonzero(np.isfinite(stds))
    if drawn.size < 2:
        return None
    top = max(float(stds[drawn].max()), largest if math.isfinite(largest) else 0.0)
    if not 0 < stds[drawn[-1]] < LOOKS_ZERO * top:
        return None
    small = stds < LOOKS_ZERO * top
    layer = int(drawn[-1])
    while layer - 1 >= 1 and layer - 1 in drawn and small[layer - 1]:
        layer -= 1
    return layer


def theory_logs(result, key: str) -> np.ndarray | None:
    """The log10 of the theory's std `key` ("act_std", "grad_std") for log_gaps, where the theory's std is 0 at some
    layer (core.theory.predict carries it in logarithms there); None where it never is, without computing it."""
    if not (np.asarray(result.stats[f"predicted_{key}"]) == 0).any():
        return None
    return predict(result.config)[f"log10_{key}"]


def ratio_gaps(result, lang: str, name: str) -> list[str]:
    """What the std(dW)/std(W) chart leaves out: layers where it is 0, and where std(W) = 0 leaves it undefined."""
    ratio = result.stats["grad_data_ratio"]
    out = log_gaps(lang, {name: ratio}, first_layer=1)
    equal = [layer for layer in range(1, result.config.depth + 1)
             if result.weight_std[layer] == 0 and not np.isfinite(ratio[layer])]
    if equal:
        out.append(t(lang, "ratio_undefined", layers=layers_named(lang, equal)))
    return out


def init_words(config: Config, lang: str) -> str:
    """The page's init scheme with the numbers that set its weights, as every place naming the page's init writes it
    (the line under the title, the Compare legend, the Derivation): "normal N(0, 0.05²)", "uniform U(−0.3, 0.3)",
    "Xavier normal, gain 5/3", "He normal, mode fan_out"; the gain, the mode and Keras's law where they are not the
    scheme's default, and the dtype where it is not float32. A scale read off a slide or a screenshot with the sidebar
    closed: N(0, 0.05²) is not N(0, 0.01²)."""
    scheme = schemes.get(config.init)
    numbers = {field: format_setting(getattr(config, field)) for field in scheme.parameters}
    if scheme.parameters:  # N(0, 0.05²), U(−0.3, 0.3), N(0, 0.01²) cut to [−2, 2]: low and squared for the two laws
        words = t(lang, f"init_words.law_{config.init}", **numbers, low=format_setting(-config.bound),
                  squared=format_squared(config.std))
    else:
        words = t(lang, f"options.init_{config.init}")
    more = []
    gain = gain_of(config)
    if gain is not None and gain != scheme.default_gain:
        more.append(t(lang, "init_words.gain", gain=format_gain(gain)))
    if "mode" in scheme.fields and config.mode != Config.mode:
        more.append(t(lang, "init_words.mode", mode=config.mode))
    if "distribution" in scheme.fields and config.distribution != Config.distribution:
        more.append(t(lang, f"options.distribution_{config.distribution}"))
    if config.dtype != "float32":
        more.append(config.dtype)
    for words_more in more:
        words = t(lang, "init_words.more", init=words, more=words_more)
    return words


NOTE_SECONDS = 5.0  # a computation of at least this many seconds of one core's work: the note says how many


def computing_note(lang: str, ahead: int, previous: bool = True, seconds: float = 0.0) -> str:
    """The note above a page being computed: computing, or waiting for `ahead` other computations on the server
    (core.admission: they run or asked first); where the session has a page drawn before (`previous`), that the
    page below still shows it. A session's first page has none: its note had said so over an empty page. seconds:
    the computation's work in seconds of one core (core.network.estimate_work / WORK_RATE), said from NOTE_SECONDS
    on: a Compare tab of 2,048-wide networks had shown the note alone for 47 s, with no word of how long."""
    if ahead <= 0:
        note = t(lang, "computing_note" if previous else "computing_note_first")
        if seconds >= NOTE_SECONDS:
            note = t(lang, "computing_work", note=note, seconds=written(round(seconds)))
    else:
        note = t(lang, "waiting_note_one") if ahead == 1 else t(lang, "waiting_note", n=ahead)
    return t(lang, "note_previous", note=note) if previous else note


def budget_setting(lang: str, value: str) -> str:
    """Why the server computes nothing: INIT_EXPLORER_MEMORY_MIB holds `value`, which core.admission refused."""
    low, high = SERVER_MIB_RANGE
    return t(lang, "budget_setting", name=f"`{ENV}`", value=user_text(lang, value), low=written(low),
             high=written(high), default=written(DEFAULT_SERVER_MIB))


def refusal(config, lang: str, memory_budget: int = DEFAULT_MEMORY_BUDGET,
            work_limit: float = WORK_LIMIT) -> str | None:
    """Why the page does not compute this network, or None: over the memory budget, or more work than the
    limit (core.network.estimate_work; then the largest depth and width that fit at the other settings are named)."""
    if estimate_memory(config) > memory_budget:
        return memory_refusal(config, lang, memory_budget)
    work = estimate_work(config)
    if work <= work_limit:
        return None
    fits = work_fits(config, work_limit)
    # a conv net's sizes are its channels and image: the message names what its work grows with
    if config.arch == "conv":
        key = "work_conv" if fits["depth"] else "work_width_conv"
    else:
        key = "work" if fits["depth"] else "work_width"
    return t(lang, key, **powers_apart(work, work_limit), seconds=f"{work_limit / WORK_RATE:.0f}", **fits)


def fit_words(fits: dict[str, int], arch: str, lang: str) -> list[str]:
    """The sizes of work_fits' answer that fit (those above 0), in its order, as the refusals write them: "a depth up
    to 19", "a width up to 902", a conv net's width as "a channel count up to 27" (its sidebar's channels)."""
    return [t(lang, "memory_fit_channels" if name == "width" and arch == "conv" else f"memory_fit_{name}", value=value)
            for name, value in fits.items() if value]


def memory_refusal(config, lang: str, memory_budget: int, work_limit: float = WORK_LIMIT) -> str:
    """The memory refusal: what the network needs against the budget; for a conv net, what its memory grows with
    (its activations: depth × batch × image² × channels) and the largest batch, depth and channel count that fit one
    at a time (work_fits; "/?arch=conv" had said only "Lower the depth, the channels, ..."); for a dense one, which
    of core.network.memory_terms is most of it, the weights (depth × width²) or the values over the batch (depth ×
    batch × width), and the largest depth, width and batch that fit one at a time, the larger term's size first.
    Each is within the work limit too (refusal's second test): a depth that fitted the memory alone had been refused
    for its work."""
    need = estimate_memory(config)
    conv = config.arch == "conv"
    fits = memory_fits(config, memory_budget, work_limit)
    sizes = fit_words(fits, config.arch, lang)
    said = [t(lang, "memory_fits", sizes=join(lang, sizes, "or"))] if sizes else []  # each alone: alternatives
    if conv:  # the digits' image is their own 8 x 8: no image to lower
        return t(lang, "memory_conv_digits" if config.input == "digits" else "memory_conv",
                 **mib_apart(need, memory_budget), fits=join(lang, said, "sentence")).rstrip()
    if not fits["batch"]:
        said.append(t(lang, "memory_no_batch"))
    most = heavier_part(config)
    return t(lang, "memory", **mib_apart(need, memory_budget),
             most=t(lang, f"memory_{most}", part=memory_terms(config)[most] / 2**20),
             fits=join(lang, said, "sentence"))
