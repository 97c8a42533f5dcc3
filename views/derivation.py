"""The Derivation tab's content: the variance argument step by step, with this network's numbers and measurements.

Every number a block prints is one of its named `values`, taken from the simulation (result.stats and the
headline of views.summary), from the theory (core.theory.predict and the initializer's Var(w)), or the result
of an equation of those. An equation prints its operands with as many significant digits as it takes for it
to hold at the precision printed (500 × 1 × 1.002 = 501, not 500 × 1 × 1 = 501). A comparing word (≫, ≈,
"far above") comes from relation(), whose thresholds FAR and CLOSE are the only ones.

Notation: s = h·W + b is a unit's sum and h = f(s). Under a norm (batch or layer) the sum is z = h·W + b, s = BN(z)
or LN(z) is what the nonlinearity gets (core.network's names), and the gradient the simulation records is ∂L/∂z
(summary.sum_symbol).
"""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal, localcontext

import numpy as np

from core.activations import SATURATION, get
from core import schemes
from core.config import resize
from core.initializers import bias_mean, bias_variance, gain_of, weight_mean, weight_variance
from core.network import pixel_pre_std
from core.norms import LN_EPS
from core.theory import border_variance, exp_or_inf, layer_sigma_w2, moments, normalized_factors, predict

from .summary import batch_norm_words, break_key, float_words, gradient_symbol, headline, init_words, ratio, spread, \
    sum_symbol
from .number_writing import format_latex, format_range, format_share, format_value, latex_range, subscript
from .text import join, t

# ---------- comparing two numbers: the one place for "far" and "close" ----------

FAR = 10.0  # a ratio of ten or more, either way, is far: ≫ "far above", ≪ "far below"
CLOSE = 0.1  # within 10 % is close: ≈ "close to"
RELATIONS = {"much_less": r"\ll", "less": "<", "close": r"\approx", "greater": ">", "much_greater": r"\gg"}


def relation(value: float, reference: float) -> str | None:
    """How value compares with a positive reference: a key of RELATIONS, or None where undefined.

    much_greater: value / reference >= FAR; much_less: <= 1 / FAR; close: within CLOSE of 1; else greater or less.
    """
    times = ratio(value, reference)
    if math.isnan(times) or value < 0:
        return None
    if times >= FAR:
        return "much_greater"
    if times <= 1 / FAR:
        return "much_less"
    if 1 - CLOSE <= times <= 1 + CLOSE:
        return "close"
    return "greater" if times > 1 else "less"


# ---------- printing numbers ----------
# Printed as the page writes every number (views.number_writing.format_value, in LaTeX format_latex): 0.224, 500,
# 2.94 × 10⁻⁷; here with the digits an equation needs.

DIGITS = 3  # significant digits of a printed number, unless an equation needs more
MOST_DIGITS = 12
# The values the notes print as a range, "{factor_low} to {factor_high}", by stem: each end with its significant digits
# (number_writing.format_range); the counts (distinct_, units_) are whole numbers and written as such
RANGES = ("factor", "bn", "var_b", "ln_back", "in", "out", "back")
PRECISION = 60  # decimal digits of the arithmetic that checks an equation


def _decimal(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(float(value))


def _rounded(value, digits: int) -> tuple[str, int] | None:
    """value rounded to `digits` significant digits as (mantissa, exponent); None for 0."""
    d = _decimal(value)
    if d == 0:
        return None
    mantissa, exponent = format(d, f".{digits - 1}e").split("e")
    return mantissa, int(exponent)


def printed(value, digits: int) -> Decimal:
    """The number a reader sees when value is printed with `digits` significant digits."""
    rounded = _rounded(value, digits)
    return Decimal(0) if rounded is None else Decimal(rounded[0]).scaleb(rounded[1])


# ---------- the named values ----------

@dataclass(frozen=True)
class Equation:
    """result = fn(operands), all named values; exact numbers such as n and the depth live inside fn."""

    result: str
    operands: tuple[str, ...]
    fn: Callable[..., Decimal]  # of the operands' Decimals


class Values:
    """The numbers the tab prints, by name, and the significant digits each is printed with.

    A value is a float, or a Decimal where it leaves float's range (a factor to the power of the depth).
    An undefined measurement is printed as a dash with the layer where the simulation left the float
    range; an undefined theory value (the theory's float64 overflowed or underflowed) as a dash saying so.
    """

    def __init__(self, result, lang: str):
        self.numbers: dict[str, float | Decimal] = {}
        self.digits: dict[str, int] = {}
        self.kinds: dict[str, str] = {}  # "share" for percentages; numbers otherwise
        self.measured: set[str] = set()  # names the simulation measured (the others are theory or input)
        self.lang = lang
        self.used: list[str] = []  # names printed since the last take(), in order
        # notation, not numbers: the last layer's index as a person writes it, h₁₀ (not h_10)
        self.words = {"last_sub": subscript(result.config.depth), **batch_norm_words(result.config.arch, lang)}
        self.missing = "—"
        if result.breaks:
            b = result.breaks[0]
            self.missing = t(lang, f"der_missing_{break_key(b)}", layer=b.layer, **float_words(result.config.dtype))

    def add(self, name: str, value, digits: int = DIGITS, kind: str = "number", measured: bool = False) -> None:
        self.numbers[name] = value if isinstance(value, Decimal) else float(value)
        self.digits[name] = digits
        self.kinds[name] = kind
        if measured:
            self.measured.add(name)

    def __getitem__(self, name: str):
        return self.numbers[name]

    def defined(self, name: str) -> bool:
        value = self.numbers[name]
        return isinstance(value, Decimal) or math.isfinite(value)

    def text(self, name: str) -> str:
        """The value as the notes print it (and recorded as printed, for the block's `values`)."""
        self.used.append(name)
        return self.as_printed(name)

    def as_printed(self, name: str) -> str:
        if not self.defined(name):
            if name in self.measured:
                return self.missing
            return t(self.lang, "der_beyond_float64")  # a theory value core.network stored as NaN
        if self.kinds[name] == "share":
            return format_share(self.numbers[name])
        if (ends := self.range_of(name)) is not None:
            return format_range(*(self.numbers[end] for end in ends), self.range_digits(ends))[ends.index(name)]
        return format_value(self.numbers[name], self.digits[name])

    def tex(self, name: str) -> str:
        """The value as the LaTeX prints it (and recorded as printed)."""
        self.used.append(name)
        if (ends := self.range_of(name)) is not None and self.defined(ends[0]) and self.defined(ends[1]):
            return latex_range(*(self.numbers[end] for end in ends), self.range_digits(ends))[ends.index(name)]
        return format_latex(self.numbers[name], self.digits[name])

    def range_of(self, name: str) -> tuple[str, str] | None:
        """The two names of the range (RANGES) name is an end of, where both are values that print apart; None for any
        other name, and where the two print alike, which the notes write as one value."""
        stem, _, end = name.rpartition("_")
        ends = (f"{stem}_low", f"{stem}_high")
        if stem not in RANGES or end not in ("low", "high") or not all(e in self.numbers for e in ends):
            return None
        digits = self.range_digits(ends)
        low, high = (format_value(self.numbers[e], digits) for e in ends)
        return None if low == high else ends

    def range_digits(self, ends: tuple[str, str]) -> int:
        return max(self.digits[end] for end in ends)

    def fit(self, equations: list[Equation], alike: frozenset[str] = frozenset()) -> None:
        """Raise the operands' digits until each equation holds at the digits printed, and print one number alike
        under each of its names in `alike` (the names the tab prints: this network's Var(w) and the He condition it
        meets); repeat until none changes."""
        for _ in range(MOST_DIGITS):
            changed = self._alike(alike)
            for eq in equations:
                if not all(self.defined(name) for name in (eq.result, *eq.operands)):
                    continue
                target = printed(self.numbers[eq.result], self.digits[eq.result])
                # an operand printed with more digits of its own (leaky ReLU's kept share, 0.50005) keeps them
                # without raising the others': each is printed with max(its digits, the equation's)
                for digits in range(DIGITS, MOST_DIGITS + 1):
                    with localcontext() as context:
                        context.prec = PRECISION
                        value = eq.fn(*(printed(self.numbers[name], max(self.digits[name], digits))
                                        for name in eq.operands))
                    if printed(value, self.digits[eq.result]) == target:
                        break
                for name in eq.operands:
                    if self.digits[name] < digits:
                        self.digits[name], changed = digits, True
            if not changed:
                return

    def _alike(self, names: frozenset[str]) -> bool:
        """Give those of `names` that hold one number (equal to MOST_DIGITS significant digits) the most digits any
        of them has; whether any changed."""
        names_of: dict[Decimal, list[str]] = {}
        for name, value in self.numbers.items():
            if name in names and self.kinds[name] == "number" and self.defined(name) and value != 0:
                names_of.setdefault(printed(value, MOST_DIGITS), []).append(name)
        changed = False
        for group in names_of.values():
            most = max(self.digits[name] for name in group)
            for name in group:
                if self.digits[name] < most:
                    self.digits[name], changed = most, True
        return changed

    def fill(self, key: str, **words: str) -> str:
        """The text `key` with every placeholder that names a value filled with that value as printed."""
        fields = {f for _, f, _, _ in string.Formatter().parse(t("en", key)) if f}
        words = {**{f: self.words[f] for f in fields if f in self.words}, **words}
        return t(self.lang, key, **{f: self.text(f) for f in fields if f not in words}, **words)

    def take(self) -> list[str]:
        """The names printed since the last call, each once."""
        names, self.used = list(dict.fromkeys(self.used)), []
        return names


QUAD = re.compile(r"\\quad(?![A-Za-z])")  # LaTeX's \quad
QQUAD = re.compile(r"\\qquad(?![A-Za-z])")  # LaTeX's \qquad: the space between two equations of one line


def as_markdown(latex: str) -> tuple[str, ...]:
    """A line of equations (LaTeX) as the Derivation tab writes it: one Markdown line for each equation the line holds
    side by side (apart by a \\qquad outside any braces; a \\text after one stays with its equation), each in display
    style inside a line of text, where KaTeX breaks it after a relation (=, ⇒) or an operator, and after a \\quad
    (\\allowbreak), wherever its column is narrower than it. st.latex's display box never breaks: on a phone 8 of step
    6's 11 equations ran past the screen's edge, He's half of "keep the factor at 1" out of sight, and the backward
    pass's was too wide for a laptop's column; in one line with Xavier's, a phone broke He's equation in two."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(latex):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0 and (found := QQUAD.match(latex, index)) and not latex[found.end():].lstrip().startswith(
                r"\text"):
            parts.append(latex[start:index])
            start = found.end()
    parts.append(latex[start:])
    breakable = (QUAD.sub(lambda quad: quad[0] + r"\allowbreak", part.strip()) for part in parts)
    return tuple(rf"$\displaystyle {part}$" for part in breakable if part)


@dataclass(frozen=True)
class Block:
    """One step of the argument: a title, the general formula, the same with numbers, and what to read."""

    title: str
    formula: str  # LaTeX
    numbers: str  # LaTeX with this configuration's values, or "" where there is nothing to put in
    notes: tuple[str, ...]  # markdown: assumptions, then the measurement next to the prediction
    values: dict[str, float | Decimal]  # every number the block prints, by name
    shown: dict[str, str]  # the same as printed in the notes


# ---------- which argument fits the network ----------

def case(config) -> str:
    """Which version of the argument applies: zero, constant, off_centre (random weights of non-zero mean),
    residual (a residual stream, whatever its blocks hold), batch_norm, layer_norm, bias, tanh, linear, relu or
    other."""
    if config.residual:
        return "residual"  # a stream of blocks, not a chain of one layer map: an argument of its own
    var_w = weight_variance(config, *config.shapes[0])
    if var_w is None:
        return "constant" if schemes.get(config.init).family is None else "off_centre"
    if var_w == 0:
        return "zero"
    if config.batch_norm:
        return "batch_norm"
    if config.layer_norm:
        return "layer_norm"  # each sample's sum rescaled to variance 1: the spread is f's own, not the weights'
    if bias_mean(config) != 0 or bias_variance(config, fan_in_n(config)) != 0:
        return "bias"
    activation = get(config.activation)
    if activation.dead_units:
        return "relu"  # the ReLU family: f(s) = s above 0, a·s below
    if activation.half_lines is not None and activation.half_lines(config.slope) == (1.0, 1.0):
        return "linear"
    if config.activation == "tanh":
        return "tanh"  # the lecture's own argument, in words about tanh
    return "other"


def leaky(config) -> bool:
    """Whether the network's f is of the ReLU family with a slope a ≠ 0 below 0 (leaky ReLU): it keeps ½(1 + a²) of a
    zero-mean Gaussian's variance, not ReLU's ½, and He et al. 2015's condition takes that share."""
    return case(config) == "relu" and get(config.activation).half_lines(config.slope)[0] != 0


def kept_share(config) -> float:
    """E[f(s)²] / Var(s) for zero-mean Gaussian s: ½(a² + b²) for f(s) = a·s below 0 and b·s above (ReLU ½, leaky
    ReLU ½(1 + a²), the identity 1), and 1 for every other f (tanh near 0)."""
    half_lines = get(config.activation).half_lines
    if half_lines is None:
        return 1.0
    a, b = half_lines(config.slope)
    return 0.5 * (a * a + b * b)


def fan_in_n(config) -> int:
    """The n of the argument: layer 1's fan_in, the input's width for dense layers (the width, or a profile's or the
    digits' first entry) and C_in k² for conv layers (each output pixel's unit sums its k x k window over every input
    channel)."""
    return config.shapes[0][0]


def uneven(config) -> bool:
    """Whether the layers' fans differ somewhere (a width profile, or the digits' 64 pixels into wider layers): then
    each layer has a factor of its own."""
    return len(set(config.units)) > 1


def has_interior(c) -> bool:
    """Whether a conv net's image has interior pixels, k // 2 or more from every border, where the formulas hold
    under zero padding: a 3 x 3 image under 7 x 7 kernels has none, every pixel's window reaching outside it."""
    return c.image > 2 * (c.kernel // 2)


def formula_pixels(c) -> str | None:
    """The text key naming the pixels the formulas' numbers are over, where a conv net's borders lose variance:
    its interior pixels, or where the image has none (has_interior) an image without borders; None elsewhere."""
    if not borders_lose(c):
        return None
    return "der_pixels_interior" if has_interior(c) else "der_pixels_borderless"


def interior_std(c) -> float:
    """A conv net's measured layer-1 pre-activation std at its interior pixels (k // 2 or more from the border):
    core.network.pixel_pre_std's variances there, pooled; NaN where the image has none (has_interior), which the
    tab says ("der_conv_border_none")."""
    if not has_interior(c):
        return math.nan
    p = c.kernel // 2
    pixels = pixel_pre_std(c)[p:c.image - p, p:c.image - p]
    return math.sqrt(np.mean(pixels**2))


def conv_values(v: Values, c) -> None:
    """A conv net's numbers: its channels, kernel and image, and under zero padding what the borders keep of the
    interior's variance after layer 1 (core.theory.border_variance, i.i.d. taps): a corner, and the image's mean."""
    v.add("channels", c.units[0])  # layer 1's Cᵢₙ, which n = Cᵢₙ·k² reads: a digits input's one channel
    v.add("kernel", c.kernel)
    v.add("half", c.kernel // 2)  # how far from every border a pixel's window stays inside the image
    v.add("image", c.image)
    if borders_lose(c):
        kept = border_variance(c.image, c.kernel, 1)[1]
        v.add("border_corner", kept[0, 0])
        v.add("border_mean", kept.mean())


def borders_lose(c) -> bool:
    """Whether a conv net's border pixels see fewer inputs: zero padding, and taps beyond the centre."""
    return c.arch == "conv" and c.padding == "zeros" and c.kernel > 1 and not schemes.get(c.init).centre


def pixels_differ(c) -> bool:
    """Whether the tab's numbers are over two populations of pixels: the formulas' (an interior pixel, an image
    without borders) and the whole image's, which the Data tab and the curves pool (borders_lose, no norm: under a
    norm the theory treats every pixel as an interior one)."""
    return borders_lose(c) and c.norm == "none"


def image_values(v: Values, result) -> None:
    """Where pixels_differ: the whole image's numbers beside the formulas' (an interior pixel's, an image without
    borders): layer 1's theory and measured std over the image (the Data tab's), the share of the interior's
    variance the image keeps, the theory's std(h_L)/std(x) without borders (circular padding), and the factor the
    borders multiply it by over the image."""
    c, s = result.config, result.stats
    v.add("image_var_s", s["predicted_pre_std"][1] ** 2)
    v.add("image_std_s", s["predicted_pre_std"][1])
    v.add("image_kept", v["image_var_s"] / v["var_s"])
    v.add("measured_image_std_s", s["pre_std"][1], measured=True)
    borderless = predict(replace(c, padding="circular"))["act_std"]
    v.add("interior_ratio", ratio(borderless[c.depth], borderless[0]))
    v.add("border_factor", ratio(v["theory_ratio"], v["interior_ratio"]))


def conv_notes(v: Values, c) -> list[str]:
    """For a conv net: n = C_in k², and what the borders do under zero padding."""
    if c.arch != "conv":
        return []
    border = "der_conv_border" if has_interior(c) else "der_conv_border_none"
    return [v.fill("der_conv_note"), *([v.fill(border)] if borders_lose(c) else [])]


def values_of(result, lang: str) -> Values:
    """Every number the tab can print for this network, from the simulation, the headline and the theory."""
    c, s = result.config, result.stats
    h = headline(result)
    n, depth = fan_in_n(c), c.depth
    v = Values(result, lang)
    # which pixels a number is over, where a conv net's differ (pixels_differ); a dense net's are one population
    differ = pixels_differ(c)
    pixels = formula_pixels(c)
    v.words["interior"] = t(lang, pixels) if pixels else ""
    v.words["image_wide"] = t(lang, "der_pixels_image") if differ else ""
    v.add("n", n)
    v.add("units", c.units[1])  # layer 1's units (a conv layer's channels)
    v.add("units_low", min(c.units[1:]))  # a profile's narrowest and widest hidden layers
    v.add("units_high", max(c.units[1:]))
    if c.arch == "conv":
        conv_values(v, c)
    v.add("depth", depth)
    v.add("reference", 1.0)  # what std(s₁) is compared with: where tanh stops being a straight line
    v.add("saturation_level", SATURATION)
    v.add("tanh_reference", math.tanh(v["reference"]))  # how far tanh has bent away from s there
    v.add("c", c.value)
    v.add("mean_w", weight_mean(c, *c.shapes[0]))
    hidden = s["distinct_units"][1:]
    hidden = hidden[[math.isfinite(x) for x in hidden]]
    v.add("distinct_low", min(hidden, default=math.nan), measured=True)
    v.add("distinct_high", max(hidden, default=math.nan), measured=True)
    if c.residual:
        _stream_values(v, result)
    var_w = weight_variance(c, *c.shapes[0])  # layer 1's: n = its fan_in (every layer's, at equal widths)
    if var_w is None:  # weights of non-zero mean: no variance to carry
        return v
    v.add("var_w", var_w)
    v.add("nvar", n * var_w)
    v.add("keep", kept_share(c), digits=6)  # leaky ReLU's ½(1 + 0.01²) = 0.50005 is not ReLU's 0.5
    if var_w == 0:  # zero weights: every sum is its bias; only a residual stream's closed form reads on (n·Var(w) = 0)
        return v
    # the theory of layer 1 before a norm: what the sum z₁ of a normed network has as well; a conv net's at its
    # interior pixels (circular padding has no borders), where the formulas hold
    circular = {"padding": "circular"} if c.arch == "conv" else {}
    first = predict(resize(replace(c, batch_norm=False, layer_norm=False, **circular), "depth", 1))
    v.add("ex2", first["act_std"][0] ** 2)  # the input's variance, input_scale² (mean 0)
    v.add("var_b", bias_variance(c, n))
    v.add("bias", bias_mean(c))
    v.add("var_s", first["pre_std"][1] ** 2)
    v.add("std_s", first["pre_std"][1])
    v.add("measured_ex2", s["act_std"][0] ** 2 + s["act_mean"][0] ** 2, digits=4, measured=True)
    v.add("measured_std_s", interior_std(c) if borders_lose(c) else s["pre_std"][1], measured=True)
    v.add("slope", c.slope)
    factor = math.sqrt(kept_share(c) * n * var_w)
    v.add("factor", factor)
    with localcontext() as context:
        context.prec = PRECISION
        if uneven(c):  # each layer its own factor sqrt(keep fan_in Var(w)): their product
            total = math.prod((Decimal(kept_share(c)) * Decimal(f)).sqrt() for f in layer_sigma_w2(c)[0][1:])
        else:
            total = Decimal(factor) ** depth
    v.add("total", float(total) if 1e-300 < total < 1e300 or total == 0 else total)
    factors = layer_factors(c)
    if factors is not None:
        v.add("factor_low", min(factors))
        v.add("factor_high", max(factors))
        for layer, value in enumerate(factors, start=1):
            v.add(f"factor_{layer}", value)
    _condition_values(v, c)
    predicted = s["predicted_act_std"]
    v.add("theory_ratio", ratio(predicted[depth], predicted[0]))
    v.add("theory_act", predicted[depth])
    v.add("act_ratio", h.act_ratio, measured=True)
    v.add("act_last", h.act_last, measured=True)
    v.add("saturated", h.saturated, kind="share", measured=True)
    v.add("grad_ratio", h.grad_ratio, measured=True)
    grad = s["predicted_grad_std"]
    v.add("theory_grad_ratio", ratio(grad[1], grad[depth]))
    if differ:
        image_values(v, result)
    pre = s["pre_std"][1:]
    pre = pre[[math.isfinite(x) for x in pre]]
    v.add("bn_low", min(pre, default=math.nan), digits=5, measured=True)  # close to 1: five digits show how close
    v.add("bn_high", max(pre, default=math.nan), digits=5, measured=True)
    if c.widths:
        _profile_values(v, c)
    _bias_values(v, c)
    if c.layer_norm and not c.residual:
        _layer_norm_values(v, result)
    if c.batch_norm and not c.residual:  # each step down at equal widths: f's factor (core.theory.normalized_factors)
        v.add("bn_back", normalized_factors(c.activation, "batch", c.slope)["back"])
    return v


def _bias_values(v: Values, c) -> None:
    """Where the biases' variance differs from layer to layer (torch's nn.Linear: 1/(3 fan_in)), each layer's and
    their range."""
    biases = [bias_variance(c, fan_in) for fan_in, _ in c.shapes]
    if spread(biases)[0] != "differ":
        return
    v.add("var_b_low", min(biases))
    v.add("var_b_high", max(biases))
    for layer, value in enumerate(biases, start=1):
        v.add(f"var_b_{layer}", value)


def _layer_norm_values(v: Values, result) -> None:
    """Layer norm's numbers from core.theory's prediction: Var(s₁) = q₁/(q₁ + ε) (q₁ = Var(z₁), step 2's var_s),
    E[f′(s₁)²], layer 2's fan_out·Var(w), and what each layer multiplies the gradient's std by on its way down:
    from layer 2 to layer 1 (where q₁ comes from the input), and the range over the layers above."""
    c, s = result.config, result.stats
    grad = s["predicted_grad_std"]
    v.add("eps", LN_EPS)
    v.add("ln_var_s", s["predicted_pre_std"][1] ** 2, digits=5)  # close to 1: five digits show how close
    v.add("ln_slope2", moments(c.activation, 0.0, v["ln_var_s"], c.slope)[2])
    if c.depth > 1:
        v.add("ln_out", layer_sigma_w2(c)[1][2])
        v.add("ln_back_first", ratio(grad[1], grad[2]))
    if c.depth > 2:
        steps = [ratio(grad[layer - 1], grad[layer]) for layer in range(3, c.depth + 1)]
        v.add("ln_back_low", min(steps))
        v.add("ln_back_high", max(steps))


LISTED_FACTORS = 6  # up to this depth the notes list each layer's factor; deeper, their range


def layer_factors(config) -> list[float] | None:
    """Where the layers multiply by different factors (uneven fans): each layer's sqrt(keep fan_in Var(w_l)), layer 1
    first; None where one factor holds for every layer (equal widths, or a mode that keeps fan_in Var(w))."""
    if not uneven(config):
        return None
    factors = [math.sqrt(kept_share(config) * f) for f in layer_sigma_w2(config)[0][1:]]
    return None if max(factors) - min(factors) <= SAME * max(factors) else factors


def reads_mode(config) -> bool:
    """Whether the network's scheme reads a fan mode (He, Keras's VarianceScaling)."""
    return "mode" in schemes.get(config.init).fields


def he_mode(config) -> str:
    """The fan mode of the He init the tab compares with: the network's own where its scheme reads one (reads_mode),
    else torch's default fan_in."""
    return config.mode if reads_mode(config) else "fan_in"


def fans_differ(config) -> bool:
    """Whether layer 1's fan_in and fan_out differ: then Glorot's 2/(fan_in + fan_out) is not 1/n, and the mode
    decides He's Var(w)."""
    fan_in, fan_out = config.shapes[0]
    return fan_in != fan_out


def _condition_values(v: Values, c) -> None:
    """Step 4's numbers, for layer 1: Xavier's Var(w) = 2/(fan_in + fan_out) (Glorot & Bengio 2010), He's 2/fan by
    the mode (He et al. 2015), the lecture's 1/n; and for a scheme that reads a mode, its own gain²/fan (torch's
    kaiming_*) or scale/fan (Keras's VarianceScaling, each of its laws scaled to that variance)."""
    fan_in, fan_out = c.shapes[0]
    v.add("fan_in_1", fan_in)
    v.add("fan_out_1", fan_out)
    v.add("xavier", weight_variance(replace(c, init="xavier_normal", gain=None), fan_in, fan_out))
    v.add("he", weight_variance(replace(c, init="he_normal", gain=None, mode=he_mode(c)), fan_in, fan_out))
    v.add("lecture_xavier", 1 / fan_in)  # the lecture's 1/n, n = fan_in
    # He et al. 2015's condition for a slope a below 0 (PReLU): ½(1 + a²)·fan·Var(w) = 1, their ReLU value / (1 + a²)
    # printed with the digits it takes to read apart from ReLU's 2/fan beside it (0.0039996, not 0.004)
    leaky = v["he"] / (2 * kept_share(c))
    v.add("he_leaky", leaky, digits=next((d for d in range(DIGITS, MOST_DIGITS + 1)
                                          if printed(leaky, d) != printed(v["he"], d)), DIGITS))
    if reads_mode(c):
        v.add("mode_fan", schemes.fan(c, fan_in, fan_out))
        v.add("mode_top", c.scale if c.init == "variance_scaling" else gain_of(c) ** 2)


def closed_stream(config) -> str | None:
    """Which closed form the stream's variance has: "multiplying" (no norm: each block multiplies Var(x) by
    1 + α²·keep·n·Var(w)), "adding" (pre-LayerNorm: each block adds α²·keep·n·Var(w) to a unit input's Var(x)), or
    None (tanh and other curved f, biases, batch norm, an input of variance other than 1: the theory integrates)."""
    var_w = weight_variance(config, *config.shapes[0])
    curved = get(config.activation).half_lines is None
    if var_w is None or curved or bias_mean(config) != 0 or bias_variance(config, fan_in_n(config)) != 0:
        return None
    if config.norm == "none":
        return "multiplying"
    return "adding" if config.norm == "layer" and config.input_scale == 1.0 and config.input != "digits" else None


def _stream_values(v: Values, result) -> None:
    """A residual stream's numbers: the branch scale α, what a block adds relative to what it reads, the closed
    form of the growth over the depth, and the gradient's growth from x_L to x_0, measured and predicted."""
    c, s, depth = result.config, result.stats, result.config.depth
    v.add("alpha", c.alpha)
    closed = closed_stream(c)
    if closed:
        v.add("res_add", c.alpha**2 * kept_share(c) * c.width * weight_variance(c, *c.shapes[0]))
        add = v["res_add"]
        # (1 + add)^(depth/2) by its logarithm: past float64's range it is inf, which the tab writes as such (α = 100
        # and a linear depth-100 stream: 10^(4 x 50) had raised OverflowError)
        exponent = depth / 2 * math.log1p(add)  # ln of the multiplying growth
        v.add("res_growth", exp_or_inf(exponent) if closed == "multiplying"
              else math.sqrt(1 + depth * add))
    v.add("res_grad_ratio", ratio(s["grad_std"][0], s["grad_std"][depth]), measured=True)
    v.add("res_theory_grad_ratio", ratio(s["predicted_grad_std"][0], s["predicted_grad_std"][depth]))


def _profile_values(v: Values, c) -> None:
    """The fan products of a width profile: at the first layer whose fan_in and fan_out differ, and their range."""
    forward, backward = layer_sigma_w2(c)
    layer = next(layer for layer, (m, n) in enumerate(c.shapes, start=1) if m != n)
    fan_in, fan_out = c.shapes[layer - 1]
    v.add("fan_layer", layer)
    v.add("fan_in", fan_in)
    v.add("fan_out", fan_out)
    v.add("fan_var_w", weight_variance(c, fan_in, fan_out))
    v.add("in_var", forward[layer])
    v.add("out_var", backward[layer])
    v.add("in_low", min(forward[1:]))
    v.add("in_high", max(forward[1:]))
    v.add("out_low", min(backward[1:]))
    v.add("out_high", max(backward[1:]))
    if c.depth > 1:  # the gradient from the last layer down to layer 1 passes W_L ... W_2: their fan_out products
        v.add("back_low", min(backward[2:]))
        v.add("back_high", max(backward[2:]))
    if c.depth > 1 and c.norm != "none":  # a norm divides the layer below's fan_in product out: step l -> l - 1
        steps = backward[2:] / forward[1:-1]
        v.add("step_low", min(steps))
        v.add("step_high", max(steps))


SAME = 1e-9  # relative: products the mode sets alike at every layer differ by rounding only


def equations(config) -> list[Equation]:
    """The equations the tab prints for this network, each result = fn(operands) of named values."""
    kind = case(config)
    if kind in ("zero", "constant", "off_centre") or (kind == "residual" and not closed_stream(config)):
        return []
    n, depth = Decimal(fan_in_n(config)), config.depth
    if kind == "residual":
        keep = Decimal(kept_share(config))
        growth = {"multiplying": lambda add: (1 + add) ** (Decimal(depth) / 2),
                  "adding": lambda add: (1 + depth * add).sqrt()}[closed_stream(config)]
        return [Equation("nvar", ("var_w",), lambda var_w: n * var_w),
                Equation("res_add", ("alpha", "nvar"), lambda alpha, nvar: alpha**2 * keep * nvar),
                Equation("res_growth", ("res_add",), growth)]
    out = [
        Equation("var_s", ("var_w", "ex2", "var_b"), lambda var_w, ex2, var_b: n * var_w * ex2 + var_b),
        Equation("std_s", ("var_s",), lambda var_s: var_s.sqrt()),
        Equation("nvar", ("var_w",), lambda var_w: n * var_w),
    ]
    in_1, out_1 = (Decimal(fan) for fan in config.shapes[0])  # layer 1's fans
    he_fan = {"fan_in": in_1, "fan_out": out_1, "fan_avg": (in_1 + out_1) / 2}[he_mode(config)]
    out += [Equation("xavier", (), lambda: 2 / (in_1 + out_1)), Equation("he", (), lambda: 2 / he_fan),
            Equation("lecture_xavier", (), lambda: 1 / in_1)]
    if fans_differ(config) and reads_mode(config):
        out.append(Equation("var_w", ("mode_top", "mode_fan"), lambda top, fan: top / fan))
    if kind in ("tanh", "linear"):
        out.append(Equation("factor", ("nvar",), lambda nvar: nvar.sqrt()))
    if kind == "relu":
        out.append(Equation("factor", ("keep", "nvar"), lambda keep, nvar: (keep * nvar).sqrt()))
    factors = layer_factors(config)
    if kind in ("tanh", "linear", "relu") and factors is None:  # one factor for every layer: its power
        out.append(Equation("total", ("factor",), lambda factor: factor**depth))
    elif kind in ("tanh", "linear", "relu") and len(factors) <= LISTED_FACTORS:  # each layer's own: their product
        names = tuple(f"factor_{layer}" for layer in range(1, len(factors) + 1))
        out.append(Equation("total", names, lambda *each: math.prod(each)))
    if kind == "layer_norm":
        out.append(Equation("ln_var_s", ("var_s", "eps"), lambda q, eps: q / (q + eps)))
        if config.depth > 1:
            out.append(Equation("ln_back_first", ("ln_out", "ln_slope2", "var_s", "eps"),
                                lambda out_var, slope2, q, eps: (out_var * slope2 / (q + eps)).sqrt()))
    if pixels_differ(config):  # the whole image's numbers from the formulas' and the borders' share
        out += [Equation("image_var_s", ("var_s", "image_kept"), lambda var_s, kept: var_s * kept),
                Equation("image_std_s", ("image_var_s",), lambda var_s: var_s.sqrt())]
        if kind in ("tanh", "linear", "relu"):
            out.append(Equation("theory_ratio", ("interior_ratio", "border_factor"), lambda r, factor: r * factor))
    if config.widths:
        fan_in, fan_out = (Decimal(n) for n in next((m, n) for m, n in config.shapes if m != n))
        out += [Equation("in_var", ("fan_var_w",), lambda var_w: fan_in * var_w),
                Equation("out_var", ("fan_var_w",), lambda var_w: fan_out * var_w)]
    return out


# ---------- the blocks ----------

def blocks(result, lang: str) -> list[Block]:
    """The argument for this network, in `lang`: written once to learn which values it prints, and again if
    printing each number alike under those names (Values.fit) changed their digits."""
    c, v = result.config, values_of(result, lang)
    v.fit(equations(c))
    written = _blocks(v, c)
    digits = dict(v.digits)
    v.fit(equations(c), alike=frozenset(name for block in written for name in block.values))
    return written if v.digits == digits else _blocks(v, c)


def _blocks(v: Values, c) -> list[Block]:
    lang = v.lang
    kind = case(c)
    if kind == "residual":
        return _stream(v, c)
    sym = sum_symbol(c)  # under a norm s is the normalized z
    out = [_block(v, t(lang, "der_sum_title"), rf"{sym}_j = \sum_{{i=1}}^{{n}} w_{{ij}}\,x_i + b_j",
                  rf"n = {v.tex('n')}", [v.fill("der_sum_note"), *conv_notes(v, c)])]
    if kind == "zero":
        # equal biases leave one distinct unit a layer; biases that differ between units make them differ
        notes = [v.fill("der_zero_bias_note" if v["distinct_high"] > 1 else "der_zero_note", sym=sym)]
        same = v["distinct_low"] == v["distinct_high"]
        profile = v["units_low"] != v["units_high"]  # the layers' own counts differ: their range
        notes.append(v.fill("der_zero_numbers_one" if c.depth == 1 else {
            (False, True): "der_zero_numbers_same", (False, False): "der_zero_numbers",
            (True, True): "der_zero_numbers_widths_same", (True, False): "der_zero_numbers_widths"}[profile, same]))
        every_input = rf"\quad \text{{{t(lang, 'der_every_input')}}}\ x"
        formula = rf"w_{{ij}} = 0 \;\Rightarrow\; {sym}_j = b_j {every_input}"
        out.append(_block(v, t(lang, "der_zero_title"), formula, "", notes))
        return out
    if kind in ("constant", "off_centre"):  # weights of non-zero mean: every unit shares c·Σx, and no theory
        total = r"\sum_{i=1}^{n} x_i + b_j"  # what every unit's sum shares
        formula, numbers = {
            "constant": (rf"w_{{ij}} = c \;\Rightarrow\; {sym}_j = c{total}", rf"c = {v.tex('c')}"),
            "off_centre": (rf"\mathbb E[w] \neq 0 \;\Rightarrow\; \mathbb E[{sym}_j] = \mathbb E[w]{total}",
                           rf"\mathbb E[w] = {v.tex('mean_w')}"),
        }[kind]
        every_unit = rf" \quad \text{{{t(lang, 'der_every_unit')}}}\ j"
        out.append(_block(v, t(lang, f"der_{kind}_title"), formula + every_unit, numbers, [v.fill(f"der_{kind}_note")]))
        return out
    out.append(_variance(v, c, sym))
    out.append(_through_activation(v, c, kind))
    out.append(_condition(v, c))
    out.append(_backward(v, c, sym))
    if c.batch_norm:
        out.append(_block(
            v, t(lang, "der_bn_title"),
            r"s = \frac{z - \mu_B}{\sqrt{\sigma_B^2 + \varepsilon}} \;\Rightarrow\; "
            r"\mathrm{Var}(s) = \frac{\sigma_B^2}{\sigma_B^2 + \varepsilon}",
            "", [v.fill("der_bn_note"), v.fill("der_bn_numbers_one" if c.depth == 1 else "der_bn_numbers")],
        ))
    if c.layer_norm:
        out.append(_block(
            v, t(lang, "der_ln_title"),
            r"s = \frac{z - \mu}{\sqrt{\sigma^2 + \varepsilon}} \;\Rightarrow\; "
            r"\mathrm{Var}(s) = \frac{\sigma^2}{\sigma^2 + \varepsilon} = \frac{q}{q + \varepsilon}",
            rf"\frac{{{v.tex('var_s')}}}{{{v.tex('var_s')} + {v.tex('eps')}}} = {v.tex('ln_var_s')}",
            [v.fill("der_ln_note"), v.fill("der_bn_numbers_one" if c.depth == 1 else "der_bn_numbers")],
        ))
    if c.widths:
        out.append(_fans(v, sym, number=len(out) + 1, norm=c.norm))
    return out


def _stream(v: Values, c) -> list[Block]:
    """The argument for a residual stream (core.residual): the block, the variances that add, the gradient's skip."""
    lang = v.lang
    u = r"u_l = \mathrm{LN}(x_{l-1})" if c.norm == "layer" else r"u_l = \mathrm{BN}(x_{l-1})" \
        if c.norm == "batch" else r"u_l = x_{l-1}"
    out = [_block(v, t(lang, "der_res_title"), rf"x_l = x_{{l-1}} + \alpha\,(f(u_l)\,W_l + b_l),\quad {u}",
                  rf"\alpha = {v.tex('alpha')},\quad n = {v.tex('n')}",
                  [v.fill(f"der_res_note_{c.norm}"), v.fill("der_res_tabs")])]
    closed = closed_stream(c)
    numbers = ""
    if closed:  # what a block adds, then the growth over the depth: multiplied, or added up under pre-LN
        add, L = v.tex("res_add"), v.tex("depth")
        numbers = (rf"{_base(v.tex('alpha'))}^{{2}} \times {v.tex('keep')} \times {v.tex('nvar')} = {add} "
                   r"\;\Rightarrow\; " + (rf"(1 + {add})^{{{L}/2}}" if closed == "multiplying" else
                                           rf"\sqrt{{1 + {L} \times {add}}}") + f" = {v.tex('res_growth')}")
    random = weight_variance(c, *c.shapes[0]) is not None  # zero-mean weights: the theory's premise
    notes = [v.fill("der_res_var_note" if random else "der_res_constant")]
    if closed:
        notes.append(v.fill(f"der_res_{closed}", activation=t(lang, f"act_{c.activation}")))
    if "theory_ratio" in v.numbers:  # zero-mean random weights: the theory predicts the stream
        rel = relation(v["act_ratio"], v["theory_ratio"])
        notes.append(v.fill("der_res_numbers", relation=t(lang, f"cmp_{rel}") if rel else "—"))
    out.append(_block(
        v, t(lang, "der_res_var_title"),
        r"\mathrm{Var}(x_l) = \mathrm{Var}(x_{l-1}) + \alpha^2\left(n\,\mathrm{Var}(w)\,\mathrm{E}[f(u_l)^2]"
        r" + \sigma_b^2\right)", numbers, notes))
    out.append(_block(
        v, t(lang, "der_res_back_title"),
        r"\frac{\partial L}{\partial x_{l-1}} = \frac{\partial L}{\partial x_l} + "
        + (r"N'^{\top}\!" if c.norm != "none" else "")  # the norm's backward map, where there is one
        + r"\left(f'(u_l) \odot \alpha\,\frac{\partial L}{\partial x_l}\,W_l^{\top}\right)"
        r"\;\Rightarrow\; \mathrm{Var}\!\left(\frac{\partial L}{\partial x_{l-1}}\right) \geq "
        r"\mathrm{Var}\!\left(\frac{\partial L}{\partial x_l}\right)",
        "", [v.fill("der_res_back_note"), v.fill("der_res_back_numbers" if random else "der_res_back_measured")]))
    return out


def _block(v: Values, title: str, formula: str, numbers: str, notes: list[str]) -> Block:
    """A block holding the values its numbers and notes printed (Values records each one printed)."""
    names = v.take()
    return Block(title, formula, numbers, tuple(notes), {name: v[name] for name in names},
                 {name: v.as_printed(name) for name in names})


def _variance(v: Values, c, sym: str) -> Block:
    """Step 2: the variance of one sum, from the theory, next to the measured input and first layer."""
    lang = v.lang
    bias_tex = r" + \sigma_b^2" if v["var_b"] > 0 else ""
    bias_num = rf" + {v.tex('var_b')}" if v["var_b"] > 0 else ""
    conv = "der_measured_input_conv" if has_interior(c) else "der_measured_input_conv_none"
    measured = {"batch": "der_measured_input_bn", "layer": "der_measured_input_ln"}.get(
        c.norm, conv if pixels_differ(c) else "der_measured_input")
    notes = [v.fill("der_var_note"), v.fill("der_var_numbers_bias" if v["var_b"] > 0 else "der_var_numbers", sym=sym),
             *([v.fill("der_conv_image_var")] if pixels_differ(c) else []), v.fill(measured)]
    if "var_b_low" in v.numbers:  # each layer's own σ_b²
        notes.append(v.fill("der_bias_note_layers", sym=sym, variances=_each_layer(v, "var_b")))
    elif v["var_b"] > 0:
        notes.append(v.fill("der_bias_note", sym=sym))
    if c.batch_norm and (v["var_b"] > 0 or v["bias"] != 0):
        notes.append(v.fill("der_bias_bn_note"))
    elif c.layer_norm and (v["var_b"] > 0 or v["bias"] != 0):
        notes.append(v.fill("der_bias_ln_note"))
    elif v["bias"] != 0:
        notes.append(v.fill("der_bias_mean_note"))
    return _block(
        v, t(lang, "der_var_title"),
        # the bias in every member of the chain: a sum of the n terms' variances alone is not Var(s)
        rf"\mathrm{{Var}}({sym}) = \sum_{{i=1}}^{{n}}\mathrm{{Var}}(w_i x_i){bias_tex} = "
        rf"\sum_{{i=1}}^{{n}}\mathrm{{E}}[w_i^2]\,\mathrm{{E}}[x_i^2]{bias_tex}"
        rf" = n\,\mathrm{{Var}}(w)\,\mathrm{{E}}[x^2]{bias_tex}",
        rf"\mathrm{{Var}}({sym}_1) = {v.tex('n')} \times {v.tex('var_w')} \times {v.tex('ex2')}{bias_num}"
        rf" = {v.tex('var_s')} \;\Rightarrow\; \mathrm{{std}}({sym}_1) = \sqrt{{{v.tex('var_s')}}} = {v.tex('std_s')}"
        + _pixels_tex(v, formula_pixels(c)),
        notes,
    )


def _pixels_tex(v: Values, key: str | None) -> str:
    """The pixels a LaTeX line of a conv net's numbers is over, as text after it; "" for None (one population)."""
    return rf"\qquad\text{{{t(v.lang, key).strip()}}}" if key else ""


def _chain_numbers(v: Values, c, key: str, **words: str) -> str:
    """The note after the chain of factors: `key`'s, or where pixels_differ its conv form, the chain on an image
    without borders, then what the borders make of the theory over the whole image, and the measured ratio."""
    if not pixels_differ(c):
        return v.fill(key, **words)
    return v.fill(f"{key}_conv", border=v.fill("der_conv_ratio"), **words)


def _through_activation(v: Values, c, kind: str) -> Block:
    """Step 3: what the nonlinearity does to the spread, per layer and over the whole depth."""
    lang, name = v.lang, t(v.lang, f"act_{c.activation}")  # its name, not its code
    if kind == "layer_norm":
        return _block(
            v, t(lang, "der_ln_act_title", activation=name),
            r"\mathrm{Var}(s_l) = \frac{q_l}{q_l + \varepsilon},\quad "
            r"q_l = n\,\mathrm{Var}(w)\,\mathrm{E}[h_{l-1}^2] + \sigma_b^2 \;\Rightarrow\; "
            r"\mathrm{E}[h_l^2] = \mathrm{E}_{u\sim\mathcal N(0,1)}"
            r"\!\left[f\!\left(\sqrt{\mathrm{Var}(s_l)}\,u\right)^2\right]",
            rf"\mathrm{{Var}}(s_1) = {v.tex('ln_var_s')}",
            [v.fill("der_ln_act_note"), v.fill("der_ln_numbers")],
        )
    if kind == "batch_norm":
        return _block(
            v, t(lang, "der_bn_act_title", activation=name),
            r"\mathrm{Var}(s_l) = \frac{\sigma_B^2}{\sigma_B^2 + \varepsilon} \;\Rightarrow\; "
            r"\mathrm{E}[h_l^2] = \mathrm{E}_{u\sim\mathcal N(0,1)}"
            r"\!\left[f\!\left(\sqrt{\mathrm{Var}(s_l)}\,u\right)^2\right]",
            "", [v.fill("der_bn_act_note"), v.fill("der_theory_numbers")],
        )
    if kind in ("bias", "other"):
        title = t(lang, "der_bias_act_title" if kind == "bias" else "der_other_title", activation=name)
        note = v.fill("der_bias_act_note") if kind == "bias" else v.fill("der_other_note", activation=name)
        numbers = v.fill("der_theory_numbers") if kind == "other" else v.fill(
            "der_bias_numbers_layers" if "var_b_low" in v.numbers else "der_bias_numbers")
        return _block(
            v, title,
            r"\mathrm{E}[h_l^2] = \mathrm{E}_{u\sim\mathcal N(0,1)}\!\left[f\!\left(b + \sqrt{q_l}\,u\right)^2\right],"
            r"\quad q_l = n\,\mathrm{Var}(w)\,\mathrm{E}[h_{l-1}^2] + \sigma_b^2",
            "", [note, numbers],
        )
    if kind == "relu":
        slope_below = leaky(c)
        half = r"\tfrac12(1+a^2)" if slope_below else r"\tfrac12"
        notes = [v.fill("der_leaky_note", activation=name) if slope_below else v.fill("der_relu_note"),
                 _chain_numbers(v, c, "der_relu_numbers", per_layer=_per_layer(v, c))]
        return _block(
            v, t(lang, "der_leaky_title" if slope_below else "der_relu_title", activation=name),
            rf"\mathrm{{E}}[h^2] = {half}\,\mathrm{{Var}}(s) \;\Rightarrow\; "
            rf"\mathrm{{E}}[h_l^2] = {half}\,n\,\mathrm{{Var}}(w)\,\mathrm{{E}}[h_{{l-1}}^2]",
            rf"\sqrt{{{v.tex('keep')} \times {v.tex('nvar')}}} = {v.tex('factor')}"
            + _total_tex(v, c, rf"{v.tex('keep')}\,") + _chain_tex(v, c),
            notes,
        )
    factor = r"\sqrt{n\,\mathrm{Var}(w)}\;\mathrm{std}(h_{l-1})"
    if kind == "linear":
        formula = rf"h = s \;\Rightarrow\; \mathrm{{std}}(h_l) = {factor}"
        return _block(v, t(lang, "der_linear_title"), formula, _factor_tex(v, c) + _chain_tex(v, c),
                      [v.fill("der_linear_note"),
                       _chain_numbers(v, c, "der_factor_numbers", per_layer=_per_layer(v, c))])
    formula = rf"\tanh(s) \approx s \;\Rightarrow\; \mathrm{{std}}(h_l) \approx {factor}"
    rel = relation(v["std_s"], v["reference"])
    words = {"relation": t(lang, f"cmp_{rel}")}
    if rel == "much_greater":  # saturated: the straight-line factor no longer applies
        return _block(
            v, t(lang, "der_tanh_title"), formula,
            rf"\mathrm{{std}}(s_1) = {v.tex('std_s')} {RELATIONS[rel]} {v.tex('reference')} \;\Rightarrow\; "
            r"|h| \to 1,\ \tanh'(s) \to 0",
            [v.fill("der_tanh_note"), v.fill("der_saturation_numbers", **words)],
        )
    notes = [v.fill("der_tanh_note"), v.fill(f"der_tanh_regime_{rel}", **words),
             _chain_numbers(v, c, "der_factor_numbers", per_layer=_per_layer(v, c))]
    bend = _bend(v, c)
    if bend:
        notes.append(bend)
    return _block(v, t(lang, "der_tanh_title"), formula, _factor_tex(v, c) + _chain_tex(v, c), notes)


def _bend(v: Values, c) -> str | None:
    """What tanh's bend takes off the straight-line product over the network, where the theory's ratio is not close
    to it (derivation.CLOSE): "a little smaller" a layer had stood beside a product of 0.476 and a theory of 0.213
    (the digits under Xavier), ×0.447 over ten layers. None where they are close, or a number is missing, and for a
    conv net whose borders lose spread (pixels_differ): its theory's ratio is the whole image's, the chain an
    interior's."""
    theory, total, depth = v["theory_ratio"], float(v["total"]), int(v["depth"])
    defined = math.isfinite(theory) and math.isfinite(total) and theory > 0 and total > 0
    if depth < 2 or pixels_differ(c) or not defined or relation(theory, total) == "close":
        return None
    v.add("bend", theory / total)
    v.add("bend_layer", (theory / total) ** (1 / depth))
    return v.fill("der_tanh_bend")


def _chain_tex(v: Values, c) -> str:
    """Where pixels_differ, what the chain of factors' LaTeX is over: an image without borders."""
    return _pixels_tex(v, "der_no_borders" if pixels_differ(c) else None)


def _factor_tex(v: Values, c) -> str:
    return rf"\sqrt{{{v.tex('nvar')}}} = {v.tex('factor')}" + _total_tex(v, c, "")


def _total_tex(v: Values, c, keep: str) -> str:
    """The factor over the whole depth, after layer 1's: its power of the depth where every layer has it, or under a
    width profile the product of each layer's own, written out up to LISTED_FACTORS layers; "" for one layer."""
    factors = layer_factors(c)
    if c.depth == 1:
        return ""
    if factors is None:
        return rf" \;\Rightarrow\; {_base(v.tex('factor'))}^{{{v.tex('depth')}}} = {v.tex('total')}"
    product = rf"\prod_{{l=1}}^{{{v.tex('depth')}}} \sqrt{{{keep}n^{{\mathrm{{in}}}}_l\,\mathrm{{Var}}(w_l)}}"
    if len(factors) <= LISTED_FACTORS:
        product += " = " + r" \times ".join(v.tex(f"factor_{layer}") for layer in range(1, len(factors) + 1))
    return rf" \;\Rightarrow\; {product} = {v.tex('total')}"


def _per_layer(v: Values, c) -> str:
    """What the layers multiply the spread by, in words: one factor a layer and its power, the one layer's, or under
    a width profile each layer's own (or their range) and their product."""
    factors = layer_factors(c)
    if c.depth == 1:
        return v.fill("der_per_layer_one")
    if factors is None:
        return v.fill("der_per_layer_same")
    if len(factors) > LISTED_FACTORS:
        return v.fill("der_per_layer_range")
    each = join(v.lang, [v.text(f"factor_{layer}") for layer in range(1, len(factors) + 1)])
    return v.fill("der_per_layer_listed", factors=each)


def _each_layer(v: Values, name: str) -> str:
    """A value that differs from layer to layer, in words: each layer's, name_1 to name_L, up to LISTED_FACTORS
    layers; deeper, their range name_low to name_high."""
    if f"{name}_{LISTED_FACTORS + 1}" in v.numbers:
        return v.fill("der_each_range", low=v.text(f"{name}_low"), high=v.text(f"{name}_high"))
    depth = int(v["depth"])
    return v.fill("der_each_listed", each=join(v.lang, [v.text(f"{name}_{layer}") for layer in range(1, depth + 1)]))


def _above(v: Values) -> str:
    """Under layer norm, what each layer above layer 2 multiplies the gradient's std by: one value, or its range."""
    if "ln_back_low" not in v.numbers:
        return ""
    alike = v.as_printed("ln_back_low") == v.as_printed("ln_back_high")
    return v.fill("der_ln_above_same" if alike else "der_ln_above_range")


def _base(tex: str) -> str:
    """A number raised to a power: 2.24 \\times\\nobreak 10^{-4} in parentheses, or its two superscripts would clash."""
    return f"({tex})" if "^" in tex else tex


def _fans(v: Values, sym: str, number: int, norm: str = "none") -> Block:
    """Under a width profile: fan_in sets the forward variance, fan_out the backward one, with this network's layer
    whose two fans first differ, and which of the two products the scheme keeps the same at every layer; under a norm
    (norm "batch" or "layer"), that the norm divides both products out again, and neither decides the spread."""
    def same(low: str, high: str) -> bool:
        return v[high] - v[low] <= SAME * v[high]

    forward, backward = same("in_low", "in_high"), same("out_low", "out_high")
    kept = "forward" if forward and not backward else "backward" if backward and not forward else \
        "both" if forward else "neither"
    layer = v.tex("fan_layer")
    return _block(
        v, t(v.lang, "der_fans_title", number=number),
        rf"\mathrm{{Var}}({sym}_l) = n^{{\mathrm{{in}}}}_l\,\mathrm{{Var}}(w_l)\,\mathrm{{E}}[h_{{l-1}}^2],\qquad "
        rf"\mathrm{{Var}}\!\left(\frac{{\partial L}}{{\partial h_{{l-1}}}}\right) = n^{{\mathrm{{out}}}}_l\,"
        rf"\mathrm{{Var}}(w_l)\,\mathrm{{Var}}\!\left(\frac{{\partial L}}{{\partial {sym}_l}}\right)",
        rf"n^{{\mathrm{{in}}}}_{{{layer}}}\,\mathrm{{Var}}(w_{{{layer}}}) = "
        rf"{v.tex('fan_in')} \times {v.tex('fan_var_w')} = {v.tex('in_var')},\quad "
        rf"n^{{\mathrm{{out}}}}_{{{layer}}}\,\mathrm{{Var}}(w_{{{layer}}}) = "
        rf"{v.tex('fan_out')} \times {v.tex('fan_var_w')} = {v.tex('out_var')}",
        [v.fill("der_fans_note"), v.fill("der_fans_layer"),
         v.fill(f"der_fans_{kept}" if norm == "none" else f"der_fans_norm_{norm}")],
    )


def _norm_steps(v: Values) -> list[str]:
    """Under a norm and unequal widths, what each step down keeps of the fan products besides f: the layer's
    fan_out·Var(w) over the layer below's fan_in·Var(w), where it differs from step to step; else nothing."""
    if "step_low" not in v.numbers or v["step_high"] - v["step_low"] <= SAME * v["step_high"]:
        return []
    return [v.fill("der_back_norm_widths")]


def _condition(v: Values, c) -> Block:
    """Step 4: the factor at 1, Xavier's and He's Var(w) for layer 1 next to this network's. Where layer 1's fans
    differ, Xavier's is Glorot's 2/(fan_in + fan_out), not 1/n, and He's 2/fan by the mode the network names."""
    lang, title = v.lang, t(v.lang, "der_condition_title")
    formula = (r"n\,\mathrm{Var}(w) = 1 \;\Rightarrow\; \mathrm{Var}(w) = \frac{1}{n}\ \text{(Xavier)} \qquad "
               r"\tfrac12\,n\,\mathrm{Var}(w) = 1 \;\Rightarrow\; \mathrm{Var}(w) = \frac{2}{n}\ \text{(He)}")
    nvar = rf"n\,\mathrm{{Var}}(w) = {v.tex('n')} \times {v.tex('var_w')} = {v.tex('nvar')}"
    own = [v.fill("der_condition_torch")] if c.init == "torch_default" else []  # neither Xavier's nor He's
    if leaky(c):  # He's condition keeps ½(1 + a²)
        own.insert(0, v.fill("der_condition_leaky", activation=t(lang, f"act_{c.activation}")))
    init = init_words(c, lang)  # this network's init beside Xavier's and He's Var(w): its gain, where it has one
    if c.layer_norm:  # the norm divides the weights' scale out again
        own.append(v.fill("der_condition_ln"))
    if not fans_differ(c):
        return _block(v, title, formula,
                      rf"\frac{{1}}{{{v.tex('n')}}} = {v.tex('xavier')} \qquad \frac{{2}}{{{v.tex('n')}}} = "
                      rf"{v.tex('he')} \qquad {nvar}",
                      [v.fill("der_condition_note"), v.fill("der_condition_numbers", init=init), *own])
    for name in ("xavier", "he"):  # the scheme the network uses: its Var(w) printed alike both times
        if abs(v[name] - v["var_w"]) <= SAME * v["var_w"]:
            v.digits[name] = max(v.digits[name], v.digits["var_w"])
    fan_in, fan_out, mode = v.tex("fan_in_1"), v.tex("fan_out_1"), he_mode(c)
    mode_tex = mode.replace("_", r"\_")  # LaTeX's text mode takes no bare underscore
    he_fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": f"({fan_in} + {fan_out})/2"}[mode]
    fan_tex = {"fan_in": r"n^{\mathrm{in}}", "fan_out": r"n^{\mathrm{out}}",
               "fan_avg": r"\tfrac12(n^{\mathrm{in}} + n^{\mathrm{out}})"}[mode]
    formula = (r"\mathrm{Var}(w) = \frac{2}{n^{\mathrm{in}} + n^{\mathrm{out}}}\ \text{(Xavier)} \qquad "
               rf"\mathrm{{Var}}(w) = \frac{{2}}{{{fan_tex}}}\ \text{{(He, {mode_tex})}}")
    numbers = (rf"\frac{{2}}{{{fan_in} + {fan_out}}} = {v.tex('xavier')} \qquad \frac{{2}}{{{he_fan}}} = "
               rf"{v.tex('he')} \qquad {nvar}")
    notes = [v.fill("der_condition_note"),
             v.fill("der_condition_fans", he_rule=t(lang, f"der_he_{mode}"), init=init)]
    if reads_mode(c):  # the network's own scheme reads the mode: its formula with it
        key = "der_condition_keras" if c.init == "variance_scaling" else "der_condition_he"
        outside = schemes.mode_outside_torch(c.init, mode)  # not torch's kaiming_*: no torch function named
        notes.append(v.fill(f"{key}_avg" if outside else key, mode=mode,
                            distribution=t(lang, f"options.distribution_{c.distribution}")))
        if outside:
            notes.append(t(lang, "mode_not_torch", source=schemes.get(c.init).source))
    return _block(v, title, formula, numbers, notes + own)


def _backward(v: Values, c, sym: str) -> Block:
    """Step 5: the gradient's factor per layer on its way down, and the measured ratio over the depth."""
    if c.depth == 1:  # one layer: no layer below it for the gradient to reach
        note, numbers = v.fill("der_back_one"), rf"n\,\mathrm{{Var}}(w) = {v.tex('nvar')}"
    elif c.layer_norm:
        note = v.fill("der_back_ln_two" if c.depth == 2 else "der_back_ln", above=_above(v))
        numbers = (rf"\sqrt{{\frac{{{v.tex('ln_out')} \times {v.tex('ln_slope2')}}}{{{v.tex('var_s')} + "
                   rf"{v.tex('eps')}}}}} = {v.tex('ln_back_first')}")
    else:
        note = v.fill("der_back_bn") if c.batch_norm else v.fill("der_back_numbers", grad=gradient_symbol(c))
        ratio = (rf"\frac{{\mathrm{{std}}(\partial L/\partial {sym}_1)}}"
                 rf"{{\mathrm{{std}}(\partial L/\partial {sym}_{{{v.tex('depth')}}})}}")
        if c.batch_norm:  # the norm divides fan_out·Var(w) out again: f's factor is what is left
            product = r"\sqrt{\mathrm{E}[f'(u)^2]/\mathrm{Var}(f(u))} = " + v.tex("bn_back")
        elif "back_low" in v.numbers:  # unequal widths: the way back sums over fan_out, layer by layer (W_L ... W_2)
            alike = v["back_high"] - v["back_low"] <= SAME * v["back_high"]
            product = rf"\mathrm{{fan\_out}}\,\mathrm{{Var}}(w) = {v.tex('back_low')}" + (
                "" if alike else rf"\text{{ to }}{v.tex('back_high')}")
            note = join(v.lang, [v.fill("der_back_fans_same" if alike else "der_back_fans"), note], "sentence")
        else:
            product = rf"n\,\mathrm{{Var}}(w) = {v.tex('nvar')}"
        numbers = rf"{product},\quad {ratio} = {v.tex('grad_ratio')}"
    if c.layer_norm or (c.batch_norm and c.depth > 1):  # the norm's std, in the denominator: q (layer), v (batch)
        norm, divisor, moment = ("ln", "q", r"\mathrm{E}[h_{l-2}^2] + \sigma_b^2") if c.layer_norm else \
            ("bn", "v", r"\mathrm{Var}(h_{l-2})")
        return _block(
            v, t(v.lang, f"der_back_{norm}_title"),
            rf"\mathrm{{Var}}\!\left(\frac{{\partial L}}{{\partial {sym}_{{l-1}}}}\right) = "
            rf"\frac{{n\,\mathrm{{Var}}(w)\,\mathrm{{E}}[f'(s_{{l-1}})^2]}}{{{divisor}_{{l-1}} + \varepsilon}}\;"
            rf"\mathrm{{Var}}\!\left(\frac{{\partial L}}{{\partial {sym}_l}}\right),\quad "
            rf"{divisor}_{{l-1}} = n\,\mathrm{{Var}}(w)\,{moment}",
            numbers, [v.fill(f"der_back_{norm}_note"), *_norm_steps(v), note])
    return _block(
        v, t(v.lang, "der_back_title"),
        rf"\frac{{\partial L}}{{\partial x_i}} = \sum_{{j=1}}^{{n}} w_{{ij}}\,"
        rf"\frac{{\partial L}}{{\partial {sym}_j}},\quad"
        r"\frac{\partial L}{\partial s_j} = f'(s_j)\,\frac{\partial L}{\partial h_j}"
        r"\;\Rightarrow\; \mathrm{Var}\!\left(\frac{\partial L}{\partial s_{l-1}}\right) = "
        r"n\,\mathrm{Var}(w)\,\mathrm{E}[f'(s)^2]\;\mathrm{Var}\!\left(\frac{\partial L}{\partial s_l}\right)",
        numbers, [v.fill("der_back_note"), note],
    )
