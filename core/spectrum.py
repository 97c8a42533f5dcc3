"""The input-output Jacobian's singular values (dynamical isometry) and the free-probability theory they follow.

Variance is the first moment of the story, the spectrum the second: a network can keep the mean of s² (the
Xavier/He condition) at 1 while most directions shrink and a few grow. Saxe, McClelland & Ganguli 2014 (exact
solutions of deep linear networks; orthogonal init), Pennington, Schoenholz & Ganguli 2017 ("Resurrecting the
sigmoid in deep learning through dynamical isometry").

For the configured network (core.network's: z_l = h_{l-1} W_l + b_l, s_l = N(z_l), h_l = f(s_l); or core.residual's
x_l = x_{l-1} + alpha (f(N(x_{l-1})) W_l + b_l)), at each of a few inputs x (rows of the simulation's own input
draw, the same weights as core.network.simulate: core.draws), J = ∂h_L/∂x, shape (units[L], units[0]), is built as
the product of the layers' Jacobians, in float64 whatever Config.dtype (the spread spans many decades):

    plain      ∂h_l/∂h_{l-1} = diag(f'(s_l)) N'_l W_lᵀ
    residual   ∂x_l/∂x_{l-1} = I + alpha W_lᵀ diag(f'(u_l)) N'_l

with N' = I without a norm; layer norm's exact per-sample r (I - 11ᵀ/n - s sᵀ/n), r = 1/sqrt(var + eps); batch
norm's diag(1/sqrt(var + eps)) at the batch's statistics held fixed (the per-sample Jacobian: how one sample's
output moves with its input when the batch's mean and variance are frozen, as at inference). The singular values
of every input's J are pooled.

A plain network's J can fall far below float64's range (64 layers at gain 10⁻⁶: about 10⁻³⁸⁰), where each product
of subnormal numbers costs the CPU a hundred times a normal one's time. So the product is carried as Ĵ 2^E, Ĵ
brought back to about 1 by a power of two (exact) whenever it leaves RANGE, and the singular values are Ĵ's
times 2^E: the same numbers where J stays in range, rounded to float64 (subnormal, or 0) only at the end.

A conv net (Config.arch "conv", core.conv) maps an image of P = image² pixels to one: J = ∂h_L/∂x is (P C_L, P C_0),
rows and columns in (pixel, channel) order, per image. Each layer's Jacobian is diag(f'(s_l)) N'_l K_l with K_l the
convolution itself, a linear map; J is built column by column, each input direction (one pixel's channel) pushed as
an image through the layers' own im2col products (core.conv.Geometry), COLUMNS directions at a time. Batch norm is
per channel over batch and pixels (BatchNorm2d), at its statistics held fixed. With delta-orthogonal weights and no
nonlinearity, K_l is the centre tap's orthogonal matrix at every pixel and J is orthogonal: every s is 1 (Xiao et
al. 2018). A conv net too large to decompose still has its mean of s² from random directions (probe_mean_squared,
Hutchinson 1989), and zero padding's borders keep border_share() of it in expectation (border_effect measures both).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np

from . import activations, conv, threads
from .products import largest, magnitude, matmul
from .config import DEFAULT_MEMORY_BUDGET, Config, mib_apart, written_apart
from .draws import draw, draws_bytes, family, stream_bytes
from .initializers import bias_mean, hidden_weights, layer_biases
from .network import conv_draws_memory, network_draws
from .network import (
    DRAW_COST, QR_COST, WORK_LIMIT, WORK_RATE, MemoryBudgetError, WorkLimitError, lower_words, size_name, work_fits,
    work_terms,
)
from .norms import normalize
from .schemes import REGISTRY as SCHEMES
from .theory import border_variance, layer_sigma_w2, power_or_inf, predict, quadrature

DEFAULT_INPUTS = 2  # inputs whose Jacobians are pooled: 2 x 500 values for the lecture's network, in ~0.25 s
INPUTS_RANGE = (1, 16)
PERCENTILES = (10, 50, 90)
# One singular value decomposition of an m x n matrix (numpy's gesdd, values only) takes about as long as this
# many float32 matmul flops per m n min(m, n) (benchmarks/bench_spectrum.py: 41 ms at 500 x 500 on one core)
SVD_COST = 19.0
FLOAT64_COST = 2.0  # dgemm runs at about half sgemm's rate (core.network.DTYPE_COST)
# A conv net's input directions pushed through the layers at once: bounds im2col's patches to COLUMNS x P x k² C
# numbers (4.7 MiB a channel at 16 x 16 pixels and k = 3)
COLUMNS = 256
# One value of a conv product's im2col patches costs about this many float32 matmul flops' time besides the product's
# own flops: its copy out of the strided view, and the thin product's memory-bound read of it (a spectrum's products
# have few output channels: at 4 channels they run at a tenth of the rated speed). benchmarks/bench_spectrum.py:
# 200 to 270 per value at 2 to 64 channels, step 11's products, idle machine.
PATCH_COST = 200.0
PROBES = 8  # random directions an input for probe_mean_squared: ~1 % standard error at step 11's 64 channels
# Ĵ is brought back to about 1 when its magnitude leaves (2^-RANGE, 2^RANGE), far inside float64's 2^±1022
RANGE = 256


def jacobian_shape(config: Config) -> tuple[int, int]:
    """J's (rows, columns) at one input: (units[L], units[0]); a conv net's every pixel's channels, (P units[L],
    P units[0]) with P = image² pixels."""
    return config.positions * config.units[-1], config.positions * config.units[0]


class JacobianRangeError(ArithmeticError):
    """The Jacobian is not a finite matrix: the network's values left float64's range on the way forward (std 100
    weights on a ReLU residual stream of depth 100: inf - inf in the stream, NaN in J; a ReLU network's NaN
    pre-activations, whose f' of 0 had made J exactly 0), or its singular values pass float64's largest number (std
    100 weights on a linear network of width 500: s near 10³³⁴), so it has no singular values float64 can hold."""

    def __init__(self):
        super().__init__("the network's values leave float64's range: its Jacobian is undefined there, or its singular "
                         "values pass float64's largest number, so it has none to give")


@dataclass(frozen=True, eq=False)
class Spectrum:
    """The Jacobian's singular values of one network at `inputs` inputs (all float64)."""

    config: Config
    values: np.ndarray  # (inputs, min(units[0], units[L])): each input's singular values, largest first
    layers: tuple[np.ndarray, ...] | None  # per layer l = 1..L, its Jacobians' singular values pooled; if asked for
    # (inputs, L): at each input, layer l's units whose f' is not 0 (a conv net's pixels times channels); an off unit
    # passes no change, so a plain network's J has rank at most the fewest on at any layer (zeros_bound)
    units_on: np.ndarray | None = None

    @property
    def pooled(self) -> np.ndarray:
        """Every input's singular values in one array, (inputs * min(units[0], units[L]),)."""
        return self.values.reshape(-1)

    @property
    def resolution_terms(self) -> tuple[float, int, float]:
        """(largest singular value, the Jacobian's larger side, float64's machine epsilon 2^-52): the factors of
        resolution, which the page writes out."""
        shape = self.values.shape[1], max(jacobian_shape(self.config))
        return float(self.values.max(initial=0.0)), max(shape), float(np.finfo(np.float64).eps)

    @property
    def resolution(self) -> float:
        """The smallest singular value float64 resolves: the largest times max(shape) times the machine epsilon (the
        tolerance of numpy.linalg.matrix_rank). Below it a value is numerically zero (a ReLU network's J has exact
        zeros: dead units)."""
        largest, side, eps = self.resolution_terms
        return largest * side * eps

    def summary(self) -> dict[str, float]:
        """summary(pooled)."""
        return summary(self.pooled)

    def square_moments(self) -> tuple[Decimal, Decimal]:
        """square_moments(pooled): the mean and variance of s² as the page writes them, past float64's range too."""
        return square_moments(self.pooled)

    def bounds(self) -> dict[str, bool]:
        """Which of summary()'s p10, median, p90 and ratio are bounds, not values: a percentile below float64's
        resolution (resolution, above 0) is rounding, not a property of the network (a ReLU network's exact zeros come
        out as 10⁻⁴⁸ or 10⁻³⁴, as the SVD's rounding falls), and the ratio is a bound once p10 is while p90 is not
        (p90 / resolution is then a true lower bound, at least 1)."""
        s, floor = self.summary(), self.resolution
        bound = {key: bool(floor > 0 and s[key] < floor) for key in ("p10", "p50", "p90")}
        return {**bound, "ratio": bound["p10"] and not bound["p90"]}

    def ranks(self) -> list[int]:
        """The most input directions each layer passes on, 0 (the input) to L, whatever the weights: its units (a
        conv net's pixels times channels), one fewer at a plain network's layer after its layer norm, whose
        centering maps a change equal at every unit to 0. (Its other lost direction, along the normalized values,
        is only shrunk, by eps / (var + eps) ~ 1e-5 at each layer norm: J's smallest non-zero value falls about so
        much a layer norm, which float64 resolves after one or two, not after three.) Batch norm at fixed statistics
        scales each unit: no direction lost. A residual stream's skip carries every direction past its branch's
        norm."""
        units = [self.config.positions * n for n in self.config.units]
        centred = self.config.norm == "layer" and not self.config.residual
        return [n - 1 if centred and layer > 0 else n for layer, n in enumerate(units)]

    def narrowest(self) -> tuple[int, int]:
        """(layer, rank) of the layer that passes the fewest directions on (ranks(); the first of equals): every
        change passes through it, so J's rank is at most that whatever the weights."""
        ranks = self.ranks()
        return int(np.argmin(ranks)), min(ranks)

    def shape_bound(self) -> int:
        """How many of the pooled values, at least, are exactly 0 whatever the weights: at each input min(m, n) minus
        the narrowest layer's units (a bottleneck such as widths 64-256-16-256 leaves 48 of J's 64); 0 where no layer
        is narrower than both ends. The shape's zeros are more where the output is narrower than the input:
        shape_directions."""
        return self._beyond_rank(np.full(self.values.shape[0], self.narrowest()[1]))

    def shape_directions(self) -> int:
        """How many input directions, pooled over the inputs, J maps to 0 whatever the weights: at each input the
        input's dimension n minus the narrowest layer's units, the input and the output included. Past shape_bound's
        values, J of m < n rows has no value at all for n - m of them (784-512-256-128: 656 of each input's 784
        directions, J being 128 x 784 with 128 values, none of them forced to 0)."""
        return self.values.shape[0] * (jacobian_shape(self.config)[1] - self.narrowest()[1])

    def zeros_bound(self) -> int:
        """How many of the pooled values, at least, the units switched off make exactly 0 in a plain network: at each
        input min(m, n) minus J's largest possible rank, the fewest directions any layer passes on: its units on, at
        most ranks() (a layer norm's centering takes a direction only from all its units on at once); 0 without
        units_on, and for a residual stream, whose skip carries every direction past the off units."""
        if self.units_on is None or self.config.residual:
            return 0
        return self._beyond_rank(np.minimum(self.units_on, self.ranks()[1:]).min(axis=1))

    def _beyond_rank(self, rank: np.ndarray) -> int:
        """The pooled values past each input's largest possible rank of J, rank (inputs,): that many are exactly 0."""
        return int(np.maximum(self.values.shape[1] - rank, 0).sum())


def summary(values: np.ndarray) -> dict[str, float]:
    """p10, p50, p90 of the singular values, "ratio" p90 / p10 (inf when p10 alone is 0, NaN when both are: 0 / 0 is
    no number, as zero weights' J gives) and "mean_squared" the mean of
    s², the Xavier/He condition's number (tr JᵀJ / count): inf past float64's range (square_moments writes it)."""
    p10, p50, p90 = (float(p) for p in np.percentile(values, PERCENTILES))
    with np.errstate(over="ignore"):  # s past 10¹⁵⁴: s² is inf, the right rounding
        mean_squared = float(np.mean(np.square(values)))
    ratio = p90 / p10 if p10 > 0 else math.inf if p90 > 0 else math.nan
    return {"p10": p10, "p50": p50, "p90": p90, "ratio": ratio,
            "mean_squared": mean_squared}


def square_moments(values: np.ndarray) -> tuple[Decimal, Decimal]:
    """The mean and the variance of s² over the values, as Decimals that reach beyond float64's range, for the page
    to write: s of 10⁻²¹⁸ (a linear network of depth 100 at std 0.001) has s² of 10⁻⁴³⁶, which float64 holds as 0.
    The values over their largest |value| m are squared and averaged in float64, then scaled by m² (m⁴) in Decimal.
    (0, 0) for no or only zero values, NaN for non-finite ones."""
    values = np.asarray(values, float)
    top = float(np.max(np.abs(values))) if values.size else 0.0
    if not math.isfinite(top):
        return Decimal("NaN"), Decimal("NaN")
    if top == 0:
        return Decimal(0), Decimal(0)
    unit, scale = np.square(values / top), Decimal(top) ** 2
    return scale * Decimal(float(unit.mean())), scale * scale * Decimal(float(unit.var()))


# --- the work and memory, refused above the limits as core.network does --------------------------------------
def estimate_work(config: Config, inputs: int = DEFAULT_INPUTS, per_layer: bool = False) -> float:
    """Float32-matmul flops spectrum() takes (core.network.WORK_RATE turns them into seconds of one core): per input
    the products sum_{l>=2} 2 n_l n_{l-1} n_0 in float64 and the SVD of J (SVD_COST m n min(m, n)); the draws and
    orthogonal QRs as core.network counts them; batch norm's forward pass over the whole batch; per_layer an SVD of
    every layer's Jacobian per input."""
    if config.arch == "conv":
        return _conv_work(config, inputs, per_layer)
    units, shapes = config.units, config.shapes
    n0, nl = units[0], units[-1]
    products = sum(2.0 * m * n * n0 for m, n in shapes[1:]) + (2.0 * n0 * n0 * n0 if config.residual else 0.0)
    svds = SVD_COST * n0 * nl * min(n0, nl)
    if per_layer:
        svds += SVD_COST * sum(m * n * min(m, n) for m, n in shapes)
    forward = 2.0 * (config.batch if config.norm == "batch" else inputs) * sum(m * n for m, n in shapes)
    terms = work_terms(config)  # the draws and QRs, at the simulation's costs
    return FLOAT64_COST * (inputs * products + forward) + inputs * svds + DRAW_COST * terms["draws"] \
        + QR_COST * terms["qrs"]


def estimate_memory(config: Config, inputs: int = DEFAULT_INPUTS) -> int:
    """Peak bytes: the draws (as the simulation keeps them), one float64 layer's W, the inputs' Jacobians (two
    per input at the widest layer) and the forward pass's activations, with the SVD's workspace."""
    if config.arch == "conv":
        return _conv_memory(config, inputs)
    units, shapes = config.units, config.shapes
    rows = config.batch if config.norm == "batch" else inputs
    shape = (config.depth, units, config.batch, family(config.init), config.dtype)
    work = max(m * n for m, n in shapes) + 2 * inputs * max(units) * units[0] + 4 * rows * max(units) \
        + 4 * units[0] * units[-1]
    return 8 * work + draws_bytes(*shape) + stream_bytes(*shape)


def _conv_work(config: Config, inputs: int, per_layer: bool, probes: int | None = None) -> float:
    """estimate_work for a conv net, as the code does it: every im2col product of `directions` images through layer
    (C_in, C_out) takes 2 P k² C_in C_out float64 flops an image and copies P k² C_in patch values (PATCH_COST each).
    The forward pass of the images the statistics need; per input, its P C_0 directions through every layer and the
    SVD of J (SVD_COST m n min(m, n)); per_layer each layer's own Jacobian (P C_{l-1} directions through it) and its
    SVD; the draws and QRs as the simulation counts them. probes (probe_mean_squared): that many random directions an
    input through every layer instead of J and its SVD."""
    pixels, units, k2 = config.image ** 2, config.units, config.receptive_field
    m, n = jacobian_shape(config)
    layers = list(zip(units[:-1], units[1:]))

    def through(directions: int, c_in: int, c_out: int) -> float:
        values = directions * pixels * k2 * c_in  # the patches of one product
        return FLOAT64_COST * 2.0 * values * c_out + PATCH_COST * values

    images = config.batch if config.norm == "batch" else inputs
    work = sum(through(images, a, b) for a, b in layers)
    if probes is not None:
        work += inputs * sum(through(probes, a, b) for a, b in layers)
    else:
        work += inputs * (sum(through(n, a, b) for a, b in layers) + SVD_COST * m * n * min(m, n))
    if per_layer and probes is None:
        work += inputs * sum(through(pixels * a, a, b) + SVD_COST * pixels**3 * a * b * min(a, b) for a, b in layers)
    terms = work_terms(config)
    return work + DRAW_COST * terms["draws"] + QR_COST * terms["qrs"]


def _conv_memory(config: Config, inputs: int, probes: int | None = None) -> int:
    """estimate_memory for a conv net, as _conv_jacobians holds it (float64 but the draws): the draws
    (core.network.conv_draws_memory), then the weights and each layer's f' N' at the inputs' pixels kept, and the
    larger of two phases: the forward pass (h, z, s and f' of the images the statistics need, their padded copy and
    one product's im2col chunks, conv.Geometry.held_patches) and the Jacobian's (the inputs' J, then either COLUMNS
    directions pushed through the layers, their basis, three images' worth a direction, the padded copy and the
    chunks, or the SVD's copy of one J). probes: that many directions an input instead of J."""
    pixels, units, k2, k = config.image ** 2, config.units, config.receptive_field, config.kernel
    widest = max(units)
    m, n = jacobian_shape(config)
    images = config.batch if config.norm == "batch" else inputs

    def through(directions: int) -> int:  # a product's own: its padded input and the chunks of its patches
        geometry = conv.Geometry(directions, config.image, k, config.padding)
        return directions * (config.image + k - 1) ** 2 * widest + geometry.held_patches(k2 * widest, 8)

    kept = sum(a * b for a, b in config.matrices) + inputs * pixels * sum(units[1:])
    forward = 4 * images * pixels * widest + through(images)
    columns = min(COLUMNS, n) if probes is None else probes
    push = columns * n + 3 * columns * pixels * widest + through(columns)
    jacobian = push if probes is not None else inputs * m * n + max(push, m * n)
    return conv_draws_memory(config, 8 * (kept + max(forward, jacobian)))


def check(config: Config, inputs: int = DEFAULT_INPUTS, per_layer: bool = False,
          memory_budget: int = DEFAULT_MEMORY_BUDGET, work_limit: float | None = WORK_LIMIT) -> None:
    """Raise ValueError for inputs out of range, MemoryBudgetError over the budget, WorkLimitError over the limit."""
    low, high = INPUTS_RANGE
    if isinstance(inputs, bool) or not isinstance(inputs, int) or not low <= inputs <= high:
        raise ValueError(f"inputs={inputs!r} is not allowed: a whole number from {low} to {high}")
    if inputs > config.batch:  # the inputs are the batch's first samples
        raise ValueError(f"inputs={inputs} is not allowed: at most the batch, {config.batch}")
    need = estimate_memory(config, inputs)
    if need > memory_budget:
        raise MemoryBudgetError(
            "the spectrum of this configuration needs about {need} MiB, over the budget of {budget} MiB: lower"
            .format(**mib_apart(need, memory_budget)) + f" {lower_words(config)} (it grows as inputs x "
            + ("(image² x channels)²)" if config.arch == "conv" else "width²)"))
    work = estimate_work(config, inputs, per_layer)
    if work_limit is not None and work > work_limit:
        fits = work_fits(config, work_limit, lambda c: estimate_work(c, inputs, per_layer))
        options = [f"a {size_name(config, name)} up to {value:,}" for name, value in fits.items() if value]
        work_text, limit_text = written_apart(work, work_limit, "e")
        raise WorkLimitError(
            f"the spectrum of this configuration needs about {work_text} flops, over the limit of {limit_text} "
            f"(about {work_limit / WORK_RATE:.0f} s of one core): "
            + (" or ".join(options) + " fits at these settings" if options else "lower the width"),
            work, work_limit, fits)


# --- the Jacobian -------------------------------------------------------------------------------------------
def spectrum(config: Config, inputs: int = DEFAULT_INPUTS, per_layer: bool = False,
             memory_budget: int = DEFAULT_MEMORY_BUDGET, work_limit: float | None = WORK_LIMIT,
             cancel: threads.Cancel = None) -> Spectrum:
    """The singular values of J = ∂h_L/∂x at the first `inputs` samples of the simulation's input (module
    docstring), and with per_layer those of each layer's own Jacobian, pooled over the inputs.

    Batch norm: the per-sample Jacobian at the whole batch's statistics held fixed (the whole batch is run forward
    for them). Raises check()'s errors, and JacobianRangeError where J is not finite; cancel is looked at before every
    layer (threads.Cancelled).
    """
    check(config, inputs, per_layer, memory_budget, work_limit)
    with np.errstate(all="ignore"):
        jac, exponent, layer_values, units_on = _jacobians(config, inputs, per_layer, cancel)
        if not np.isfinite(jac).all():  # LAPACK's SVD raises "did not converge" on inf or NaN
            raise JacobianRangeError()
        values = np.linalg.svd(jac, compute_uv=False)  # (inputs, min(units[L], units[0])), largest first
        values = np.ldexp(values, exponent)
    if not np.isfinite(values).all():  # J in range only scaled by 2^E: its singular values themselves past 10³⁰⁸
        raise JacobianRangeError()
    return Spectrum(config, values, layer_values, units_on)


def jacobians(config: Config, inputs: int = DEFAULT_INPUTS, memory_budget: int = DEFAULT_MEMORY_BUDGET,
              work_limit: float | None = WORK_LIMIT) -> np.ndarray:
    """J = ∂h_L/∂x at the first `inputs` samples, (inputs, units[L], units[0]) float64: what spectrum() decomposes."""
    check(config, inputs, False, memory_budget, work_limit)
    with np.errstate(all="ignore"):
        jac, exponent, _, _ = _jacobians(config, inputs, False, None)
        return np.ldexp(jac, exponent)


# --- a conv net too large to decompose: the mean of s² by random directions, and what zero padding's borders keep
def estimate_probe_work(config: Config, inputs: int = DEFAULT_INPUTS, probes: int = PROBES) -> float:
    """Float32-matmul flops probe_mean_squared() takes: the forward pass, probes directions an input through every
    layer, the draws (_conv_work)."""
    return _conv_work(config, inputs, False, probes)


def estimate_probe_memory(config: Config, inputs: int = DEFAULT_INPUTS, probes: int = PROBES) -> int:
    """Peak bytes of probe_mean_squared() (_conv_memory with probes directions instead of J)."""
    return _conv_memory(config, inputs, probes)


def probe_mean_squared(config: Config, inputs: int = DEFAULT_INPUTS, probes: int = PROBES, seed: int = 0,
                       memory_budget: int = DEFAULT_MEMORY_BUDGET, work_limit: float | None = WORK_LIMIT,
                       cancel: threads.Cancel = None) -> tuple[float, float]:
    """A conv net's mean of s² without forming J (Hutchinson 1989), and its standard error.

    For v of i.i.d. N(0, 1) entries E||J v||² = tr(JᵀJ), the sum of s², so ||J v||² / min(m, n) estimates the mean of
    s² (summary()'s "mean_squared"); it is averaged over `probes` directions (default_rng(seed)) at each of the
    first `inputs` images (spectrum()'s images and weights), the error the values' std / sqrt(their count). Raises
    ValueError for a dense net or counts out of range, MemoryBudgetError or WorkLimitError over the limits, and
    JacobianRangeError where a ||J v||² passes float64's range.
    """
    if config.arch != "conv":
        raise ValueError("probe_mean_squared is a conv net's (arch=conv); a dense net's J is decomposed in full")
    if isinstance(probes, bool) or not isinstance(probes, int) or not 2 <= probes <= 256:
        raise ValueError(f"probes={probes!r} is not allowed: a whole number from 2 to 256")
    low, high = INPUTS_RANGE
    if isinstance(inputs, bool) or not isinstance(inputs, int) or not low <= inputs <= min(high, config.batch):
        raise ValueError(f"inputs={inputs!r} is not allowed: a whole number from {low} to {min(high, config.batch)}")
    need, work = estimate_probe_memory(config, inputs, probes), estimate_probe_work(config, inputs, probes)
    if need > memory_budget:
        raise MemoryBudgetError("the mean of s² of this configuration needs about {need} MiB, over the budget of "
                                "{budget} MiB: ".format(**mib_apart(need, memory_budget))
                                + f"lower {lower_words(config)}")
    if work_limit is not None and work > work_limit:
        raise WorkLimitError("the mean of s² of this configuration needs about {} flops, over the limit of {}: "
                             .format(*written_apart(work, work_limit, "e")) + f"lower {lower_words(config)}", work,
                             work_limit, {})
    m, n = jacobian_shape(config)
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        layers = _conv_layers(config, inputs, cancel)
        values = []
        for i in range(inputs):
            threads.check(cancel)
            out = _push(config, rng.standard_normal((probes, n)), layers, i)  # (probes, m): J v for each v
            values.append(np.sum(out * out, axis=1) / min(m, n))
    values = np.concatenate(values)
    if not np.isfinite(values).all():  # |J v|² past float64's range: no mean of s² float64 holds
        raise JacobianRangeError()
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(values.size))


def border_share(config: Config) -> float:
    """The share of the mean of s² a conv net keeps under zero padding of what circular padding (no borders) keeps,
    in expectation over the weights: the mean over pixels of core.theory.border_variance(image, k, depth)[depth].

    A change pushed through layer l, v -> diag(f'(s_l)) K_l v, has at each pixel p an expected square (over W_l,
    given the layers below) of chi_l box(|v|²)(p), box the mean over p's k x k window with the pixels outside 0:
    the taps outside the image are lost. box is symmetric, so summed over every input direction, E[sum of s²] =
    chi^L sum_p box^L(1)(p), against chi^L P with circular padding. Exact for linear and ReLU layers with zero-mean
    symmetric weights and no bias (flipping a channel's weights flips its f' between 0 and 1 and keeps (K v)²); the
    mean-field picture otherwise. 1 for circular padding, for delta-orthogonal kernels (a centre tap: no window) and
    for dense nets.
    """
    if config.arch != "conv" or config.padding == "circular" or SCHEMES[config.init].centre:
        return 1.0
    return float(border_variance(config.image, config.kernel, config.depth)[config.depth].mean())


def border_effect(config: Config, inputs: int = DEFAULT_INPUTS, probes: int = PROBES,
                  memory_budget: int = DEFAULT_MEMORY_BUDGET, work_limit: float | None = WORK_LIMIT,
                  cancel: threads.Cancel = None) -> dict[str, float]:
    """A conv net's mean of s² with zero and with circular padding, the same images, weights and directions
    (probe_mean_squared): "zeros", "zeros_error", "circular", "circular_error"; "kept" zeros / circular,
    "share" what border_share() expects of it, and "count" the directions each mean averages (inputs x probes).
    Raises probe_mean_squared's errors (its limits a padding's)."""
    means = {}
    for padding in ("zeros", "circular"):
        mean, error = probe_mean_squared(replace(config, padding=padding), inputs, probes, 0, memory_budget,
                                         work_limit, cancel)
        means.update({padding: mean, f"{padding}_error": error})
    kept = means["zeros"] / means["circular"] if means["circular"] > 0 else math.nan
    return {**means, "kept": kept, "share": border_share(config), "count": float(inputs * probes)}


def _jacobians(config: Config, inputs: int, per_layer: bool, cancel: threads.Cancel) \
        -> tuple[np.ndarray, int, tuple[np.ndarray, ...] | None, np.ndarray]:
    """Ĵ and E with J = Ĵ 2^E at each of the first `inputs` samples, Ĵ (inputs, units[L], units[0]) (module
    docstring; E = 0 where J stays within 2^±RANGE); with per_layer each layer's own Jacobian's singular values; and
    Spectrum.units_on, (inputs, depth)."""
    if config.arch == "conv":
        return _conv_jacobians(config, inputs, per_layer, cancel)
    draws = draw(config.seed, config.depth, config.units, config.batch, config.input, family(config.init),
                 config.dtype, cancel)
    rows = config.batch if config.norm == "batch" else inputs  # batch norm: its statistics need the whole batch
    h = draws.x[:rows].astype(np.float64) * config.input_scale  # (rows, units[0])
    n0 = config.units[0]
    jac = np.broadcast_to(np.eye(n0), (inputs, n0, n0))  # (inputs, units[l], units[0]): ∂h_l/∂x at each input
    exponent = 0  # ∂h_l/∂x = jac 2^exponent
    biases = layer_biases(config)
    layer_values = [] if per_layer else None
    units_on = []
    for layer, (fan_in, fan_out) in enumerate(config.shapes, start=1):
        threads.check(cancel)
        unit = draws.weights[layer - 1] if draws.weights else None
        w = hidden_weights(config, layer - 1, unit).astype(np.float64)  # (fan_in, fan_out), the simulation's W
        b = biases[layer - 1]
        if config.residual:
            u, inv_std = normalize(config.norm, h.copy())
            d = activations.derivative(config.activation, u, config.slope)  # (rows, width)
            r = matmul(activations.apply(config.activation, u, config.slope), w)
            if b is not None:
                r += b
            h = h + config.alpha * r
            _check_range(config, u)
            step = _norm_jacobian(config.norm, jac, u[:inputs], inv_std, inputs)  # N' ∂x_{l-1}/∂x
            jac = jac + config.alpha * np.matmul(w.T, d[:inputs, :, None] * step)
        else:
            z = matmul(h, w)  # a network at a tiny gain: h far below 1, its terms subnormal (core.products)
            if b is not None:
                z += b
            s, inv_std = normalize(config.norm, z)
            _check_range(config, s)
            d = activations.derivative(config.activation, s, config.slope)
            h = activations.apply(config.activation, s, config.slope)
            step = np.matmul(w.T, jac) if layer > 1 else np.broadcast_to(w.T, (inputs, fan_out, fan_in))
            jac = d[:inputs, :, None] * _norm_jacobian(config.norm, step, s[:inputs], inv_std, inputs)
            size = magnitude(jac)
            if 0 < size and not 2.0**-RANGE < size < 2.0**RANGE:  # the three reads screen; the shift needs the bound
                shift = math.frexp(largest(jac))[1]
                jac, exponent = np.ldexp(jac, -shift), exponent + shift
        units_on.append(np.count_nonzero(d[:inputs], axis=1))
        if per_layer:
            normalized = u if config.residual else s  # what N produced, which its derivative reads
            layer_values.append(_layer_values(config, w, d[:inputs], normalized[:inputs], inv_std, inputs))
    return np.asarray(jac), exponent, None if layer_values is None else tuple(layer_values), np.stack(units_on, axis=1)


def _conv_jacobians(config: Config, inputs: int, per_layer: bool, cancel: threads.Cancel) \
        -> tuple[np.ndarray, tuple[np.ndarray, ...] | None, np.ndarray]:
    """A conv net's J at each of the first `inputs` images, (inputs, P C_L, P C_0) (module docstring), with
    per_layer each layer's own Jacobian's singular values pooled over the inputs, and Spectrum.units_on."""
    pixels = config.image ** 2
    layers = _conv_layers(config, inputs, cancel)
    m, n = jacobian_shape(config)
    jac = np.empty((inputs, m, n))
    for i in range(inputs):
        for start in range(0, n, COLUMNS):
            threads.check(cancel)
            jac[i, :, start:start + COLUMNS] = _push(config, _basis(start, min(start + COLUMNS, n), n),
                                                     layers, i).T
    units_on = np.stack([np.count_nonzero(factor, axis=(1, 2)) for _, factor in layers], axis=1)
    if not per_layer:
        return jac, 0, None, units_on
    layer_values = []
    for w, factor in layers:
        c_in = w.shape[0] // config.receptive_field
        values = [np.linalg.svd(_push(config, _basis(0, pixels * c_in, pixels * c_in), [(w, factor)], i),
                                compute_uv=False) for i in range(inputs)]
        layer_values.append(np.sort(np.concatenate(values))[::-1])
    return jac, 0, tuple(layer_values), units_on


def _check_range(config: Config, s: np.ndarray) -> None:
    """Raise JacobianRangeError where what f' and the norm's Jacobian read, a layer's (normalized) pre-activations s,
    holds NaN: values past float64's range met as inf − inf on the way forward, and f'(NaN) is no number of the
    network's (ReLU's is 0: J had come out exactly 0, "no change of the input reaches the output", for std 100 weights
    on a ReLU network of depth 100). An inf is f''s limit there, and a linear layer without a norm reads no s."""
    if (config.activation != "linear" or config.norm != "none") and np.isnan(s).any():
        raise JacobianRangeError()


def _conv_layers(config: Config, inputs: int, cancel: threads.Cancel) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each layer's W matrix (k² C_{l-1}, C_l) and diag(f'(s_l)) N'_l at the first `inputs` images' pixels
    (inputs, P, C_l), from the simulation's images and weights (float64)."""
    draws = network_draws(config, cancel)
    pixels = config.image ** 2
    images = config.batch if config.norm == "batch" else inputs  # batch norm: its statistics need the whole batch
    h = draws.x[:images * pixels].astype(np.float64) * config.input_scale  # (images P, C_0)
    geometry = conv.Geometry(images, config.image, config.kernel, config.padding)
    biases = layer_biases(config)
    layers = []
    for layer in range(1, config.depth + 1):
        threads.check(cancel)
        unit = draws.weights[layer - 1] if draws.weights else None
        w = hidden_weights(config, layer - 1, unit).astype(np.float64)
        z = geometry.forward(h, w)
        if biases[layer - 1] is not None:
            z += biases[layer - 1]
        s, inv_std = normalize(config.norm, z)  # batch norm: per channel over batch and pixels
        _check_range(config, s)
        factor = activations.derivative(config.activation, s[:inputs * pixels], config.slope)
        if inv_std is not None:
            factor = factor * inv_std
        layers.append((w, factor.reshape(inputs, pixels, -1)))
        h = activations.apply(config.activation, s, config.slope)
    return layers


def _basis(start: int, stop: int, size: int) -> np.ndarray:
    """Input directions start..stop - 1 of the size = P C inputs of one image, (stop - start, size): direction j is
    1 at input j (pixel j // C, channel j % C: J's column order), 0 elsewhere."""
    a = np.zeros((stop - start, size))
    a[np.arange(stop - start), np.arange(start, stop)] = 1.0
    return a


def _push(config: Config, a: np.ndarray, layers, i: int) -> np.ndarray:
    """Input directions a (directions, P C_0), each an image, through the layers' Jacobians at input i:
    diag(f') N' K_l, K_l the layer's convolution. (directions, P C_L), rows in J's column order."""
    pixels, directions = config.image ** 2, a.shape[0]
    geometry = conv.Geometry(directions, config.image, config.kernel, config.padding)
    for w, factor in layers:
        a = geometry.forward(a.reshape(directions * pixels, -1), w).reshape(directions, pixels, -1) * factor[i]
    return a.reshape(directions, -1)


def _norm_jacobian(norm: str, a: np.ndarray, s: np.ndarray, inv_std: np.ndarray | None, inputs: int) -> np.ndarray:
    """N' a for each input: a (inputs, n, k) is ∂z/∂x, s (inputs, n) the normalized values, inv_std the norm's
    1/sqrt(var + eps) ((n,) per unit for batch norm, (rows,) per sample for layer norm). Batch norm at fixed
    statistics: diag(inv_std); layer norm: r (a - mean over units - s (sᵀ a) / n) (its exact derivative)."""
    if norm == "batch":
        return a * inv_std[None, :, None]
    if norm == "layer":
        n = a.shape[1]
        centred = a - a.mean(axis=1, keepdims=True)
        centred -= s[:, :, None] * (np.einsum("in,ink->ik", s, a) / n)[:, None, :]
        return centred * inv_std[:inputs, None, None]
    return a


def _layer_values(config: Config, w: np.ndarray, d: np.ndarray, s: np.ndarray, inv_std, inputs: int) -> np.ndarray:
    """The singular values of layer l's own Jacobian at each input, pooled, largest first."""
    fan_in, fan_out = w.shape
    if config.residual:
        eye = np.broadcast_to(np.eye(fan_in), (inputs, fan_in, fan_in))
        jac = np.eye(fan_in) + config.alpha * np.matmul(w.T, d[:, :, None] * _norm_jacobian(
            config.norm, eye, s, inv_std, inputs))
    else:
        jac = d[:, :, None] * _norm_jacobian(config.norm, np.broadcast_to(w.T, (inputs, fan_out, fan_in)), s,
                                             inv_std, inputs)
    return np.sort(np.linalg.svd(jac, compute_uv=False).reshape(-1))[::-1]


# --- theory ---------------------------------------------------------------------------------------------------
def unpredicted(config: Config) -> str | None:
    """Why predicted_moments says nothing about this network, or None where it predicts: "constant" (zero or
    constant weights: no random matrix), "stream" (a residual stream, batch or layer norm, unequal widths: no chain
    of one free factor a layer), "conv" (a conv kernel other than delta-orthogonal's centre tap: block Toeplitz,
    neither Ginibre nor Haar)."""
    if family(config.init) is None or layer_sigma_w2(config)[0] is None:
        return "constant"
    if config.residual or config.norm != "none" or config.widths:
        return "stream"
    if config.arch == "conv" and not SCHEMES[config.init].centre:
        return "conv"
    return None


def slope_moments(config: Config, q: float) -> tuple[float, float]:
    """mu_1 = E[f'(u)²] and the normalized variance mu_2 / mu_1² - 1 of f'(u)², u ~ N(bias mean, q), by Gauss-Legendre
    quadrature (core.theory.quadrature). The variance is taken in two passes, as the mean of (f'²/mu_1 - 1)² over
    weights divided by their sum: a linear network's f'² = 1 then gives exactly 0, where mu_2 / mu_1² - 1 had left the
    quadrature's rounding, 2.2 × 10⁻¹⁶, which the Spectrum tab printed as the variance of s²; and a saturated unit's
    mu_1 (tanh at a mean bias of 96: 1.6 × 10⁻¹⁶⁵) is never squared, which would underflow to 0. inf where mu_1 = 0.

    q past float64's range (inf; NaN in the layers after it, from inf's arithmetic in core.theory.predict) gives the
    limit as q grows: u = ±inf with probability 1/2 each, whatever the bias, so the moments are the means of f'(±inf)²
    and f'(±inf)⁴. Only an activation that grows without bound can take q there, and its f'² is then within
    O(1/sqrt(q)) < 10⁻¹⁵⁴ of that limit (ELU under std 100 at width 50: q passes 10³⁰⁸ near layer 57)."""
    if math.isfinite(q):
        s, weights = quadrature(bias_mean(config), q)
    else:
        s, weights = np.array([-math.inf, math.inf]), np.array([0.5, 0.5])
    slope2 = activations.derivative(config.activation, s, config.slope) ** 2
    total = weights.sum()
    mu1 = float((slope2 * weights).sum() / total)
    if mu1 <= 0:
        return mu1, math.inf
    return mu1, float(((slope2 / mu1 - 1.0) ** 2 * weights).sum() / total)


def predicted_moments(config: Config) -> dict[str, float] | None:
    """The mean of s² over J's singular values and the variance of s², from free probability (Pennington,
    Schoenholz & Ganguli 2017, sections 2-3); None where the overlay has nothing to say (residual streams, either
    norm, constant weights, unequal widths). Keys: "mean_squared" and "variance_squared" (floats: inf or 0 past
    float64's range), "log10_mean_squared" (the sum of log10 chi_l, which holds the mean there too; -inf for a mean
    of 0) and "spread", variance over mean² (PredictedDensity.exact writes both from these).

    With chi_l = sigma_w² mu_1,l and mu_k,l = E[f'(b + sqrt(q_l) z)^{2k}] (q_l the mean-field pre-activation
    variance of layer l, core.theory.predict), J Jᵀ is a free product of the layers' D_l² and W_l W_lᵀ, whose
    S-transforms multiply. Each factor's S(z) = (1 - v z + ...) / m1 with v = m2 / m1² - 1 its normalized variance,
    so the product has
        mean of s²      = prod_l chi_l                              (linear: sigma_w^{2L}; exact at any width)
        variance of s²  = (prod_l chi_l)² sum_l (mu_2,l / mu_1,l² - 1 + v_W)
    with v_W = 1 for i.i.d. weights (Marchenko–Pastur at ratio 1: the Ginibre product's Fuss–Catalan moments,
    variance L sigma_w^{4L} for a linear network) and 0 for orthogonal ones (linear: every s = gain^L, exact).
    The mean is exact in expectation for linear networks at any width; the variance is the infinite-width limit
    (a real Gaussian layer adds about 1/width more), and for nonlinear ones both rest on the mean-field q_l and
    on treating D_l as free of W_l (Pennington et al.'s assumptions), an approximation near criticality that
    improves with width. A conv net only under delta-orthogonal weights, whose K_l is the centre tap's orthogonal
    matrix at every pixel (the orthogonal case, q_l pooled over pixels); other kernels' K_l are structured (block
    Toeplitz or circulant), neither Ginibre nor Haar, so nothing is claimed for them.
    """
    if unpredicted(config):
        return None
    forward, _ = layer_sigma_w2(config)
    with np.errstate(over="ignore"):  # a std past 10¹⁵⁴ has a variance past float64's range: inf, its slopes' limit
        q = predict(config)["pre_std"] ** 2  # (depth + 1,), index 0 unused
    chis, spread = [], 0.0
    v_w = 0.0 if family(config.init) == "orthogonal" else 1.0
    for layer in range(1, config.depth + 1):
        mu1, excess = slope_moments(config, float(q[layer]))
        chis.append(float(forward[layer]) * mu1)
        spread += excess + v_w
    mean = math.prod(chis)  # Python floats: past float64's range, inf or 0 without a warning
    log10_mean = math.fsum(math.log10(chi) if chi > 0 else -math.inf for chi in chis)  # where mean is not held
    if math.isnan(mean):  # a chi not a number: none of the three may stand for it (-inf would say "a mean of 0")
        return {"mean_squared": math.nan, "variance_squared": math.nan, "log10_mean_squared": math.nan,
                "spread": math.nan}
    # a mean of 0 (every unit's slope 0: ReLU under a mean bias of -96) has no spread, where 0 inf would be NaN
    return {"mean_squared": mean, "variance_squared": mean * mean * spread if mean > 0 else 0.0,
            "log10_mean_squared": log10_mean, "spread": spread if log10_mean > -math.inf else 0.0}


# --- the theory's density of s (the Spectrum tab's overlay) ----------------------------------------------------
FUSS_CATALAN_POINTS = 801  # points of the drawn curve: log10 s steps of ~0.01 decade at depth 1, finer deeper
CDF_POINTS = 20001  # points of the CDF's integral: its moments within 1e-6 of the Fuss–Catalan numbers


def fuss_catalan_angles(order: int, points: int) -> np.ndarray:
    """(points,) values of phi in (0, pi/(L+1)), descending, spaced geometrically towards pi/(L+1) (where x -> 0 as
    (pi/(L+1) - phi)^{L+1}) so that log x is sampled evenly down to ~10^{-9 (L+1)}: x ascending."""
    top = math.pi / (order + 1)
    return top * (1.0 - np.geomspace(1e-9, 1.0 - 1e-6, points))


def fuss_catalan(order: int, points: int = FUSS_CATALAN_POINTS) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Fuss–Catalan law of this order L >= 1 (the squared singular values of a product of L square Ginibre
    matrices of entry variance 1/n as n -> inf; L = 1 is Marchenko–Pastur at ratio 1), in the parametric form of
    Haagerup & Möller 2012 and Neuschel 2014: for phi in (0, pi/(L+1)),

        x(phi)       = sin((L+1) phi)^{L+1} / (sin phi sin(L phi)^L)
        rho(x(phi))  = sin(phi)² sin(L phi)^{L-1} / (pi sin((L+1) phi)^L)

    x runs from 0 (phi -> pi/(L+1)) up to (L+1)^{L+1}/L^L (phi -> 0); its moments are the Fuss–Catalan numbers
    C(k(L+1), k)/(kL + 1): 1, 1, L + 1, ... Returns (ln x, ln rho, dF/dphi), each (points,), x ascending; dF/dphi =
    rho |dx/dphi| = rho x |(L+1)² cot((L+1) phi) - cot phi - L² cot(L phi)| is bounded, so the CDF is its
    integral over phi (fuss_catalan_cdf).

    In logarithms: the grid reaches x ~ 10^{-9(L+1)}, past float64's range from L = 34 on, where sin((L+1) phi)^{L+1}
    had underflowed to 0 and rho to inf (a depth-100 linear network's overlay held NaN)."""
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"order={order!r} is not allowed: a whole number from 1")
    phi = fuss_catalan_angles(order, points)
    big, low, one = np.log(np.sin((order + 1) * phi)), np.log(np.sin(order * phi)), np.log(np.sin(phi))
    log_x = (order + 1) * big - one - order * low
    log_rho = 2.0 * one + (order - 1) * low - math.log(math.pi) - order * big
    slope = (order + 1) ** 2 / np.tan((order + 1) * phi) - 1.0 / np.tan(phi) - order**2 / np.tan(order * phi)
    return log_x, log_rho, np.exp(log_x + log_rho) * np.abs(slope)


def fuss_catalan_cdf(order: int, points: int = CDF_POINTS):
    """P(X <= x) under the Fuss–Catalan law of this order, a callable of x (array): dF/dphi integrated over phi by
    the trapezoidal rule on `points` points, interpolated in ln x; 0 below the support, 1 above it."""
    log_x, _, rate = fuss_catalan(order, points)
    steps = -np.diff(fuss_catalan_angles(order, points))  # phi descends as x ascends
    cumulative = np.concatenate([[0.0], np.cumsum(0.5 * (rate[1:] + rate[:-1]) * steps)])
    cumulative /= cumulative[-1]  # the pieces cut off at both ends hold ~1e-7 of the mass

    def cdf(values):
        with np.errstate(divide="ignore"):  # ln 0 = -inf: below the support
            return np.interp(np.log(np.maximum(values, 0.0)), log_x, cumulative, left=0.0, right=1.0)
    return cdf


@dataclass(frozen=True, eq=False)
class PredictedDensity:
    """What the theory says of J's singular values s, as the Spectrum tab draws it on its log axis.

    kind "density" (linear, i.i.d. weights, equal widths: the Fuss–Catalan law of order L scaled by
    prod_l sigma_w,l², exact as the width grows): log10_s and density, each (FUSS_CATALAN_POINTS,), the density
    per unit of log10 s, 2 ln(10) x rho(x) at s² = prod sigma_w,l² x. kind "point" (linear, orthogonal: every
    s = prod gain_l, exact at any width): s. kind "mean" (nonlinear: free probability's moments only, an
    approximation, predicted_moments): s = sqrt(mean of s²), and variance_squared its spread."""

    kind: str
    s: float  # the point, or sqrt(predicted mean of s²)
    mean_squared: float
    variance_squared: float
    log10_s: np.ndarray | None = None
    density: np.ndarray | None = None
    log10_mean_squared: float = math.nan  # predicted_moments': the mean where float64 does not hold it
    spread: float = math.nan  # variance_squared / mean_squared²

    def exact(self) -> tuple[Decimal, Decimal]:
        """(mean of s², variance of s²) as Decimals beyond float64's range (square_moments' counterpart): the mean
        10^log10_mean_squared, the variance the mean squared times spread; the floats where those are not known."""
        if not math.isfinite(self.log10_mean_squared) or math.isnan(self.spread):
            return Decimal(self.mean_squared), Decimal(self.variance_squared)
        mean = Decimal(10) ** Decimal(repr(self.log10_mean_squared))
        return mean, mean * mean * Decimal(self.spread)


def predicted_density(config: Config) -> PredictedDensity | None:
    """The theory's density of s for this network (PredictedDensity), or None where predicted_moments has none
    (residual streams, norms, constant weights, unequal widths). The Fuss–Catalan law needs square layers: a
    network whose input differs from its hidden width (the digits), or a convolution, gets the moments only."""
    moments = predicted_moments(config)
    if moments is None:
        return None
    mean, variance, log10_mean = moments["mean_squared"], moments["variance_squared"], moments["log10_mean_squared"]
    known = {"log10_mean_squared": log10_mean, "spread": moments["spread"]}
    # sqrt(mean) from its logarithm: a mean of 10⁻⁴³⁰ is 0 in float64, its root of 10⁻²¹⁵ is not (the rule's place)
    root = power_or_inf(10.0, 0.5 * log10_mean) if math.isfinite(log10_mean) else math.sqrt(mean)
    square = config.arch == "dense" and len(set(config.units)) == 1
    # the mean's logarithm, not the mean, decides: a linear network's 10⁻⁴³⁰ is a mean, though float64 holds 0
    if config.activation != "linear" or not square or not math.isfinite(log10_mean):
        return PredictedDensity("mean", root, mean, variance, **known)
    if family(config.init) == "orthogonal":
        return PredictedDensity("point", root, mean, variance, **known)
    # i.i.d. zero-mean weights of any law: the same limit (the Fuss–Catalan law is universal, Alexeev, Götze &
    # Tikhomirov 2010); s² = mean x, so log10 s = (log10 mean + log10 x) / 2 and d log10 s = dx / (2 ln 10 x)
    log_x, log_rho, _ = fuss_catalan(config.depth)
    return PredictedDensity("density", root, mean, variance,
                            log10_s=0.5 * (log10_mean + log_x / math.log(10.0)),
                            density=2.0 * math.log(10.0) * np.exp(log_x + log_rho), **known)
