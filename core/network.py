"""The lecture's experiment: a deep fully connected net at initialization, forward and backward, per-layer statistics.

X (batch, units[0]) ~ N(0, 1); for l = 1..depth: z_l = h_{l-1} @ W_l + b_l, s_l = BN(z_l) or z_l, h_l = f(s_l),
W_l of shape (units[l-1], units[l]) (Config.units: every layer `width` units, or the width profile).
The backward pass starts from an i.i.d. N(0, 1) gradient dL/dh_depth per sample, a random read-out, so
what it shows is what the layers do to gradients, not what one particular loss asks of them. Weight
gradients are those of the batch-mean loss, dW_l = h_{l-1}^T dL/dz_l / batch, as frameworks report them.

A conv net (Config.arch "conv", core.conv) runs the same loop on 2-D activations (batch x image^2, channels): each
statistic is over batch and positions per channel, batch norm is per channel (torch.nn.BatchNorm2d), distinct units
are distinct channels (filters), and W_l is the (k^2 C_in, C_out) matrix of torch's (C_out, C_in, k, k) weight.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from . import activations, conv, digits, residual, theory, threads
from .activations import HISTOGRAM_BINS
from .norms import normalize, normalize_backward
from .config import DEFAULT_MEMORY_BUDGET, INT_RANGES, Config, mib_apart, resize, resized_size, written_apart
from .draws import (STREAMED, Draws, draw, draws_bytes, family, qrs_bytes, shell_orders_bytes, stream_bytes,
                    stream_count, weight_stream_bytes)
from .initializers import hidden_weights, layer_biases, layer_unit, rounded_to_zero
from .products import matmul, matmul_rows

# The work of a simulation (estimate_work), in float32 matmul flops. The rate and the costs of the other kinds of
# work are fitted to the CPU seconds of 15 networks (widths 64 to 2048, batches 10 to 4096, normal and orthogonal
# init, fresh draws) as `python benchmarks/bench_work.py --fit` measures them on the app's 2-core server: within
# 25 %, but orthogonal ones of width 500 to 1024 take up to 1.7 times the estimate (far below the limit).
WORK_RATE = 5.7e10  # float32 matmul flops a second on one core (sgemm, 98 to 4096 samples, width 500 to 2048)
# About 6 s of one core. The largest network one slider makes of the lecture's, width 2048 (10 x 2048 x 1000),
# takes 5.7 to 6.1 s of one core, and about 5 s on the idle server (its draws use both cores): it stays allowed;
# larger ones are refused with the depth or width that fits. Orthogonal init at width 2048 fits 2 layers (LAPACK's
# QR, about 1.5 to 2 s of one core a layer).
WORK_LIMIT = 3.7e11
QR_COST = 4.3  # a QR flop takes 4.3 matmul flops' time: LAPACK's QR runs in float64, its panels matrix-vector work
DRAW_COST = 2000.0  # one random number, with its stream and shell-order bookkeeping (~35 ns)
ELEMENT_COST = 1250.0  # one pre-activation entry of one layer: activation, derivative, statistics, histogram
DTYPE_COST = {"float32": 1.0, "float64": 2.0}  # float64 runs at half float32's rate (dgemm)
PATCH_COST = 50.0  # one entry im2col copies (core.conv): ~0.8 ns (benchmarks/bench_conv.py)
RESIDUAL_HISTOGRAM = (-3.0, 3.0)  # the stream's histogram range: the input's N(0, 1) within 3 std
# Layer 0's (the input's) histogram range, whatever f is: a standardized input within 3 std (a digit's pixels are
# not f's output, and most of them lie outside tanh's [-1, 1] or ReLU's [0, 3])
INPUT_HISTOGRAM = (-3.0, 3.0)

# Per-layer columns of Result, index 0 being the input; NaN where a value is missing or undefined.
COLUMNS = (
    "pre_mean", "pre_std", "act_mean", "act_std", "saturated", "dead", "distinct_units",
    "grad_std", "weight_grad_std", "grad_data_ratio",
    "predicted_act_std", "predicted_pre_std", "predicted_grad_std",
    "pre_kurtosis",  # how far from Gaussian: each unit's excess kurtosis over the batch, averaged (layer 0: the input)
    "branch_std",  # residual mode: the std of what each block adds to the stream (core.residual); NaN otherwise
    "predicted_branch_std",  # its theory (core.theory.predict_residual)
)


# Each layer's shape in Result.rows(), after "layer": its units, and its W's (fan_in, fan_out).
SHAPE_COLUMNS = ("width", "fan_in", "fan_out")


class MemoryBudgetError(ValueError):
    """The configuration needs more memory than the budget allows."""


class WorkLimitError(ValueError):
    """The configuration needs more work than the limit allows; fits says which depth or width would fit."""

    def __init__(self, message: str, work: float, limit: float, fits: dict[str, int]):
        super().__init__(message)
        self.work, self.limit, self.fits = work, limit, fits


@dataclass(frozen=True)
class Break:
    """Where the numbers left the floating-point range."""

    # "overflow" (inf or nan appeared) or "underflow" (every value of a product of non-zero factors fell below the
    # dtype's smallest normal number: smallest_normal; or, with weights, every weight of the layer rounded to 0)
    kind: str
    layer: int
    stage: str  # "forward" or "backward"
    # an underflow of the layer's weights themselves: every one rounded to 0 (initializers.rounded_to_zero)
    weights: bool = False

    def message(self, dtype: str) -> str:
        if self.weights:
            return (f"every weight of layer {self.layer} rounds to 0 in {dtype} (its smallest positive number is "
                    f"{np.finfo(dtype).smallest_subnormal:.3g}); later statistics are missing")
        went = "overflowed" if self.kind == "overflow" else \
            f"fell below the smallest normal number ({smallest_normal(dtype):.3g}) of"
        return f"{self.stage} values {went} {dtype} at layer {self.layer}; later statistics are missing"


@dataclass(frozen=True, eq=False)
class Result:
    """Per-layer statistics of one simulated network; each array has depth + 1 entries (0 is the input)."""

    config: Config
    stats: dict[str, np.ndarray]  # COLUMNS -> (depth + 1,) float
    exploded: np.ndarray  # (depth + 1,) bool: values overflowed here
    vanished: np.ndarray  # (depth + 1,) bool: values (or the weights) underflowed here (a Break of kind "underflow")
    distinct_grad_units: np.ndarray  # (depth + 1,) float: how many units' gradients differ
    weight_std: np.ndarray  # (depth + 1,) float: measured std of W_l
    hist_edges: np.ndarray  # (HISTOGRAM_BINS + 1,): layers 1..depth (layer 0's: input_edges)
    hist_counts: np.ndarray  # (depth + 1, HISTOGRAM_BINS); values outside the edges count in the end bins
    # (depth + 1,) int64: values exactly 0 (counted in their bin too): ReLU's floor, or every value of a zero init,
    # a point mass the histogram draws as its own bar
    hist_zeros: np.ndarray
    # (depth + 1, 2) int64: values below the first edge and above the last (counted in the end bins too), which the
    # histogram draws apart from its end bins, so that ReLU's tail past 3 does not look like a peak at 3
    hist_beyond: np.ndarray
    breaks: tuple[Break, ...] = field(default=())
    memory_bytes: int = 0
    weight_grads: tuple[np.ndarray, ...] | None = None  # dW_1..dW_depth, only when asked for
    # (HISTOGRAM_BINS + 1,): the edges of layer 0's histogram (hist_counts[0], hist_zeros[0], hist_beyond[0])
    input_edges: np.ndarray = field(default_factory=lambda: np.linspace(*INPUT_HISTOGRAM, HISTOGRAM_BINS + 1))

    @property
    def fan_in(self) -> np.ndarray:
        """(depth + 1,) float: each layer's fan_in, units[l - 1] (C_in k^2 for conv; NaN for the input, which has no
        W)."""
        return np.array([np.nan, *(fan_in for fan_in, _ in self.config.shapes)])

    @property
    def fan_out(self) -> np.ndarray:
        """(depth + 1,) float: each layer's fan_out, units[l], its width (C_out k^2 for conv; NaN for the input)."""
        return np.array([np.nan, *(fan_out for _, fan_out in self.config.shapes)])

    def __getattr__(self, name: str) -> np.ndarray:
        stats = self.__dict__.get("stats", {})
        if name in stats:
            return stats[name]
        raise AttributeError(name)

    def rows(self, include_input: bool = True) -> list[dict]:
        """One dict per layer with JSON-ready values (None where missing)."""
        first = 0 if include_input else 1
        out = []
        for layer in range(first, self.config.depth + 1):
            units, shapes = self.config.units, self.config.shapes
            row = {"layer": layer, **dict(zip(SHAPE_COLUMNS, (  # fan_in, fan_out: W_l's fans; None for the input
                units[layer], *(shapes[layer - 1] if layer else (None, None)))))}
            for name in COLUMNS:
                value = float(self.stats[name][layer])
                row[name] = value if math.isfinite(value) else None
            if row["distinct_units"] is not None:
                row["distinct_units"] = int(row["distinct_units"])
            row["exploded"] = bool(self.exploded[layer])
            row["vanished"] = bool(self.vanished[layer])
            out.append(row)
        return out


def estimate_memory(config: Config) -> int:
    """Peak bytes simulate() adds to the process's resident memory: kept activations and weights, a few working
    arrays, the draws and their streams, and the QRs of orthogonal draws (above a tiny run's, which loads the same
    libraries: docs/performance.md)."""
    if config.arch == "conv":
        return _conv_memory(config)
    return sum(memory_terms(config).values())


def memory_terms(config: Config) -> dict[str, int]:
    """estimate_memory of a dense network in the two parts it adds up: "batch", the bytes that grow with the batch
    (the kept activations and pre-activations, the working arrays, the input's and read-out's draws: about
    depth x batch x width), and "weights", the rest, which do not (W, dW, their draws and streams, the shell
    orders and the orthogonal layers' QRs: about depth x width^2)."""
    item = np.dtype(config.dtype).itemsize
    units, shapes, batch = config.units, config.shapes, config.batch
    keeps_s = config.norm != "none" or activations.needs_pre_activation(config.activation)
    kept = batch * sum(units) + (batch * sum(units[1:]) if keeps_s else 0)
    if config.residual:  # core.residual keeps the stream x_l, f's input u_l and f(u_l) of every block
        kept = 3 * batch * sum(units)
    weights = sum(a * b for a, b in shapes)
    # z, its derivative, gradients, histogram indices at the widest layer; dW of the largest W
    working, working_weights = 6 * batch * max(units), 2 * max(a * b for a, b in shapes)
    if family(config.init) in STREAMED:  # the shell-order indices the draws keep (draws.shell_orders_bytes)
        weights += -(-shell_orders_bytes(shapes) // item)
    shape = (config.depth, units, config.batch, family(config.init), config.dtype)
    unit_draws = draws_bytes(*shape) + stream_bytes(*shape)  # the network's draws, and its streams' numbers
    no_batch = (config.depth, units, 0, family(config.init), config.dtype)
    weight_draws = draws_bytes(*no_batch) + stream_bytes(*no_batch)
    # the QRs draws.draw runs at once, one on each of its threads, before the simulation's arrays exist
    held, kept_by_qrs = qrs_bytes(list(shapes), family(config.init), config.dtype, threads.usable_cores())
    simulation = {"batch": item * (kept + working), "weights": item * (weights + working_weights)}
    if held > kept_by_qrs + sum(simulation.values()):  # _larger_phase: the QRs' phase is the peak
        return {"batch": unit_draws - weight_draws, "weights": weight_draws + held}
    return {"batch": unit_draws - weight_draws + simulation["batch"],
            "weights": weight_draws + kept_by_qrs + simulation["weights"]}


def conv_products_memory(config: Config, images: int | None = None) -> int:
    """Values a conv net's products hold besides their inputs and outputs, on `images` images (config.batch unless
    given): the padded images twice (a product's input and a gradient's), the im2col patches of one product at once
    (conv.Geometry.held_patches: a chunk of CHUNK_BYTES a part, never a whole layer's) and the weight gradient's
    partial sums (one (C_out, k^2 C_in) a part, and its product)."""
    item, matrices, units = np.dtype(config.dtype).itemsize, config.matrices, config.units
    geometry, k2 = layer_products(config, images), config.receptive_field
    padded = geometry.batch * (config.image + config.kernel) ** 2 * max(units)
    # a row of a forward product's and a weight gradient's patches is k^2 C_in values, of an input gradient's k^2 C_out
    patches = max(geometry.held_patches(width, item) for a, b in matrices for width in (a, k2 * b))
    return 2 * padded + patches + 2 * conv.PARTS * max(a * b for a, b in matrices)


def _conv_memory(config: Config) -> int:
    """estimate_memory for a conv net: as for dense layers with rows = batch x image^2 samples and W_l's matrices
    (k^2 C_in, C_out), plus what the products hold (conv_products_memory)."""
    item = np.dtype(config.dtype).itemsize
    units, matrices, rows = config.units, config.matrices, config.rows
    keeps_s = config.norm != "none" or activations.needs_pre_activation(config.activation)
    kept = rows * sum(units) + (rows * sum(units[1:]) if keeps_s else 0) + sum(a * b for a, b in matrices)
    working = 6 * rows * max(units) + 2 * max(a * b for a, b in matrices) + conv_products_memory(config)
    return conv_draws_memory(config, item * (kept + working))


def conv_draws_memory(config: Config, after: int) -> int:
    """Peak bytes of a conv net's draws (network_draws: the input's and read-out's, then the weights' unit draws and
    streams, the QRs one at a time) with `after` more bytes of work done once they are made."""
    units, matrices, rows, item = config.units, config.matrices, config.rows, np.dtype(config.dtype).itemsize
    weights = family(config.init)
    streams = weight_stream_bytes(list(config.draw_shapes), weights, config.dtype, config.draw_taps)
    unit_draws = draws_bytes(config.depth, units, rows, None, config.dtype) \
        + stream_bytes(config.depth, units, rows, None, config.dtype) \
        + item * (sum(a * b for a, b in matrices) if weights else 0) + streams
    qrs = qrs_bytes(list(matrices), weights, config.dtype, 1)  # the QRs one at a time (network_draws)
    return unit_draws + _larger_phase(qrs, after)


def _larger_phase(qrs: tuple[int, int], simulation: int) -> int:
    """The larger of the memory the orthogonal layers' QRs hold while the draws are made and the memory of the
    simulation after them, on top of what the QRs leave resident (draws.qrs_bytes: held, kept)."""
    held, kept = qrs
    return max(held, kept + simulation)


def work_terms(config: Config) -> dict[str, float]:
    """What simulate() does for a network whose draws are not kept yet, counted by kind. With d = depth,
    n = width, b = batch, and layer l's W of shape (m_l, n_l) = (units[l-1], units[l]) (for equal widths
    m_l = n_l = n):
        "matmuls"   2 b (3 sum m_l n_l - m_1 n_1) flops, 2 b n^2 (3 d - 1) for equal widths: forward h W,
                    backward h^T dL/dz and, below layer 1, dL/dz W^T
        "qrs"       sum 4 M N^2 - 4/3 N^3 flops (M, N the larger and smaller of m_l, n_l), 8/3 n^3 d for equal
                    widths, orthogonal init only: LAPACK's Householder QR, 2 M N^2 - 2/3 N^3 to factor and as
                    much to form the thin Q (Golub & Van Loan, Matrix Computations, 4th ed., 5.2)
        "draws"     sum stream_count(m_l, n_l) + b (units[0] + units[d]) random numbers (d n^2 + 2 b n): the
                    weights' (if random), the input's and the read-out's
        "elements"  b sum n_l (b n d) pre-activation entries, each with its element-wise work
    A residual stream (core.residual) also multiplies dL/dr_1 W_1^T, for the input's gradient: 2 b n^2 more.
    A conv net's products are those of its matrices (k^2 C_in, C_out) over b = batch x image^2 rows, and each
    product's im2col copies its patches first ("patches": entries copied, three products a layer but layer 1's
    input gradient).
    """
    if config.arch == "conv":
        return _conv_work_terms(config)
    units, shapes, b = config.units, config.shapes, config.batch
    weights = family(config.init)
    if not config.widths:  # the lecture's equal widths: the closed forms, as before profiles existed
        d, n = config.depth, config.width
        return {"matmuls": 2.0 * b * n * n * (3 * d - (0 if config.residual else 1)),
                "qrs": 8 / 3 * n**3 * d if weights == "orthogonal" else 0.0,
                "draws": float((d * n * n if weights else 0) + 2 * b * n), "elements": float(b * n * d)}
    products = sum(m * n for m, n in shapes)
    qrs = sum(4.0 * max(m, n) * min(m, n) ** 2 - 4 / 3 * min(m, n) ** 3 for m, n in shapes)
    return {"matmuls": 2.0 * b * (3 * products - shapes[0][0] * shapes[0][1]),
            "qrs": qrs if weights == "orthogonal" else 0.0,
            "draws": float((sum(stream_count(m, n) for m, n in shapes) if weights else 0) + b * (units[0] + units[-1])),
            "elements": float(b * sum(units[1:]))}


def _conv_work_terms(config: Config) -> dict[str, float]:
    units, matrices, b, taps = config.units, config.matrices, config.rows, config.draw_taps
    weights = family(config.init)
    products = sum(m * n for m, n in matrices)
    # the input gradient's patches are of dL/dz: k^2 C_out a row
    patches = b * (2 * sum(m for m, _ in matrices) + config.receptive_field * sum(units[2:]))
    return {"matmuls": 2.0 * b * (3 * products - matrices[0][0] * matrices[0][1]),
            "qrs": sum(4.0 * max(m, n) * min(m, n) ** 2 - 4 / 3 * min(m, n) ** 3 for m, n in matrices)
            if weights == "orthogonal" else 0.0,
            "draws": float((sum(taps * stream_count(m // taps, n) for m, n in config.draw_shapes) if weights else 0)
                           + b * (units[0] + units[-1])),
            "elements": float(b * sum(units[1:])), "patches": float(patches)}


def estimate_work(config: Config) -> float:
    """The work simulate() does for a network whose draws are not kept yet, in float32 matmul flops:
    DTYPE_COST[dtype] x (matmuls + DRAW_COST x draws + ELEMENT_COST x elements) + QR_COST x qrs (the QR is
    float64 whatever the dtype), from work_terms. Divided by WORK_RATE it is about the seconds of one core it takes."""
    terms = work_terms(config)
    flops = terms["matmuls"] + DRAW_COST * terms["draws"] + ELEMENT_COST * terms["elements"] \
        + PATCH_COST * terms.get("patches", 0.0)
    return DTYPE_COST[config.dtype] * flops + QR_COST * terms["qrs"]


def work_fits(config: Config, limit: float = WORK_LIMIT, estimate=None,
              sizes: tuple[str, ...] = ("depth", "width")) -> dict[str, int]:
    """{"depth": the largest depth, "width": the largest width} within the limit, the other settings kept;
    0 where none does. The work grows with each, so each is found by bisection over its allowed range. For a
    width profile, "depth" keeps the profile's first layers and "width" is its widest layer's, every width
    scaled in proportion (core.config.resize). estimate(config) is the work counted (default estimate_work;
    core.spectrum passes its own, the memory refusal estimate_memory); sizes: the settings searched ("batch" too)."""
    measure = estimate or estimate_work
    fits = {}
    for name in sizes:
        low, high = INT_RANGES[name][0], resized_size(config, name)
        if measure(resize(config, name, low)) > limit:
            fits[name] = 0
            continue
        while low < high:  # the largest value within the limit lies in [low, high]
            middle = (low + high + 1) // 2
            low, high = (middle, high) if measure(resize(config, name, middle)) <= limit \
                else (low, middle - 1)
        fits[name] = low
    return fits


def size_name(config: Config, name: str) -> str:
    """How a message names a size resize() sets: "width" is the widest layer's under a width profile."""
    return "widest layer" if name == "width" and config.widths else name


def lower_words(config: Config) -> str:
    """The sizes a refusal asks to lower, as the network names them: a dense net's depth or width, a conv net's
    depth, channels or image (the digits' 8 x 8 image is fixed)."""
    if config.arch != "conv":
        return "depth or width"
    return "depth or channels" if config.input == "digits" else "depth, channels or image"


def check_work(config: Config, limit: float = WORK_LIMIT) -> None:
    """Raise WorkLimitError if estimate_work(config) is over the limit, naming the depth or width that fits."""
    work = estimate_work(config)
    if work <= limit:
        return
    fits = work_fits(config, limit)
    options = [f"a {size_name(config, name)} up to {value:,}" for name, value in fits.items() if value]
    work_text, limit_text = written_apart(work, limit, "e")
    raise WorkLimitError(
        f"this configuration needs about {work_text} flops, over the limit of {limit_text} (about "
        f"{limit / WORK_RATE:.0f} s of one core): " + (" or ".join(options) + " fits at these settings"
                                                       if options else "lower the width"),
        work, limit, fits)


def budget_share(config: Config, memory_budget: int, work_limit: float | None) -> float:
    """The larger of the network's memory over the budget and its work over the limit (None: no limit): it is
    computed where this is at most 1. It grows with the depth, the width and the batch, as both do (work_fits
    bisects it)."""
    work = 0.0 if work_limit is None else estimate_work(config) / work_limit
    return max(estimate_memory(config) / memory_budget, work)


def heavier_part(config: Config) -> str:
    """Which of memory_terms is most of a network's memory: "weights" or "batch" (a conv net's is its values over the
    batch)."""
    if config.arch == "conv":
        return "batch"
    terms = memory_terms(config)
    return "weights" if terms["weights"] > terms["batch"] else "batch"


def memory_fits(config: Config, memory_budget: int, work_limit: float | None) -> dict[str, int]:
    """The largest depth, width and batch that fit the memory budget (bytes) and the work limit, each alone (work_fits
    over budget_share), the heavier part's sizes first: the weights' depth and width, or the batch."""
    order = ("depth", "width", "batch") if heavier_part(config) == "weights" else ("batch", "depth", "width")
    return work_fits(config, 1.0, partial(budget_share, memory_budget=memory_budget, work_limit=work_limit), order)


def memory_message(config: Config, need: int, memory_budget: int, work_limit: float | None = WORK_LIMIT) -> str:
    """Why simulate refuses a network over the memory budget (bytes), and what to lower: a conv net's values are
    batch x image^2 x channels a layer (the digits' image fixed at 8 x 8); a dense net's memory is mostly its weights
    (depth x width^2, which no batch lowers: --depth 100 --width 2048 --batch 10) or its values (depth x batch x
    width), memory_terms, and the largest sizes that fit each alone, within the work limit too (budget_share), are
    named, the larger part's first: the page's memory refusal (views.summary.memory_refusal) in the command line's
    words."""
    fits = ""
    if config.arch == "conv":
        grows = ("depth, channels or batch (memory grows as depth x batch x channels)" if config.input == "digits"
                 else "depth, channels, image or batch (memory grows as depth x batch x image^2 x channels)")
    else:
        if heavier_part(config) == "weights":
            grows = (f"depth or width (most of it, {memory_terms(config)['weights'] / 2**20:,.0f} MiB, is the weights, "
                     "which grow as depth x width^2, not with the batch)")
        else:
            grows = "depth, width or batch (memory grows as depth x batch x width)"
        options = [f"a {size_name(config, name)} up to {value:,}" for name, value in
                   memory_fits(config, memory_budget, work_limit).items() if value]
        if options:  # "a, b or c"
            fits = f"; {' or '.join(filter(None, [', '.join(options[:-1]), options[-1]]))} fits alone"
    written = mib_apart(need, memory_budget)
    return (f"this configuration needs about {written['need']} MiB, over the budget of {written['budget']} "
            f"MiB: lower {grows}{fits}")


def simulate(config: Config, memory_budget: int = DEFAULT_MEMORY_BUDGET, keep_gradients: bool = False,
             work_limit: float | None = WORK_LIMIT, cancel: threads.Cancel = None) -> Result:
    """Forward and backward pass of the configured network with all statistics and the theory.

    keep_gradients also returns every dW_l (for checking the backward pass; it costs memory). Raises
    MemoryBudgetError over the memory budget and WorkLimitError over work_limit (None: no limit).
    cancel (a threading.Event, or a callable returning True) is looked at before every layer's draw and
    between layers forward and backward: once set, threads.Cancelled is raised within a layer.
    """
    need = estimate_memory(config)
    if need > memory_budget:
        raise MemoryBudgetError(memory_message(config, need, memory_budget, work_limit))
    if work_limit is not None:
        check_work(config, work_limit)
    with np.errstate(all="ignore"):
        return _simulate(config, need, keep_gradients, cancel)


@dataclass(frozen=True)
class Dense:
    """A fully connected layer's three products, z = h W, dL/dh = dL/dz W^T, dL/dW = h^T dL/dz (summed over the
    batch), with h (batch, fan_in) and W (fan_in, fan_out); core.conv.Geometry has the same three for conv layers.
    split: each large product in row blocks, side by side where a core is free (core.products.matmul_rows), for a
    single computation of a page; a training race's runs already fill the cores."""

    split: bool = False

    def _product(self, a: np.ndarray, b: np.ndarray, out: np.ndarray | None) -> np.ndarray:
        return (matmul_rows if self.split else matmul)(a, b, out=out)

    def forward(self, h: np.ndarray, w: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return self._product(h, w, out)

    def input_grad(self, dz: np.ndarray, w: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return self._product(dz, w.T, out)

    def weight_grad(self, h: np.ndarray, dz: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        return self._product(h.T, dz, out)  # h^T's row blocks are fan_in blocks: each sums over the whole batch


DENSE = Dense()


def layer_products(config: Config, images: int | None = None, split: bool = False) -> Dense | conv.Geometry:
    """The three products of a layer (forward, input gradient, weight gradient): dense, or conv on the images, a
    batch of `images` (config.batch unless given: a training minibatch) of image x image pixels. split: a dense
    layer's large products in row blocks on a free core too (Dense.split; a conv layer's chunks always are)."""
    if config.arch == "conv":
        return conv.Geometry(config.batch if images is None else images, config.image, config.kernel, config.padding)
    return Dense(split) if split else DENSE


def network_draws(config: Config, cancel: threads.Cancel = None) -> Draws:
    """The unit draws of the configured network (core.draws). A conv net's input and read-out are (rows, channels),
    a pixel of an image a row (digits: the images' 64 pixels, 1 channel); its weights the unit draws of its
    matrices (k^2 C_in, C_out), torch's orthogonal_ of a conv weight alike (the flattened weight's QR)."""
    depth, units = config.depth, config.units
    if config.arch == "dense":
        return draw(config.seed, depth, units, config.batch, config.input, family(config.init), config.dtype, cancel)
    made = draw(config.seed, depth, units, config.rows, "normal" if config.input == "digits" else config.input,
                None, config.dtype, cancel)
    x = digits.images(config.batch, config.dtype).reshape(config.rows, 1) if config.input == "digits" else made.x
    weights = tuple(layer_unit(config, layer) for layer in range(depth)) if family(config.init) else ()
    return Draws(x, weights, made.readout)


def pixel_pre_std(config: Config) -> np.ndarray:
    """(image, image): the std of a conv net's layer-1 pre-activation z_1 = conv(x, W_1) + b_1 at each pixel, over the
    batch and the channels (float64), from the simulation's own input and weights: how much of the interior's
    spread a border pixel keeps under zero padding (core.theory.border_variance predicts it)."""
    if config.arch != "conv":
        raise ValueError("pixel_pre_std is a conv net's (arch=conv)")
    draws = network_draws(config)
    w = hidden_weights(config, 0, draws.weights[0] if draws.weights else None).astype(np.float64)
    z = layer_products(config).forward(draws.x.astype(np.float64) * config.input_scale, w)  # (rows, C_1)
    bias = layer_biases(config)[0]
    if bias is not None:
        z += bias
    images = z.reshape(config.batch, config.image, config.image, -1)
    return images.std(axis=(0, 3))


def _simulate(config: Config, need: int, keep_gradients: bool, cancel: threads.Cancel = None) -> Result:
    depth, units, batch = config.depth, config.units, config.rows  # rows: a conv net's pixels are its samples
    dtype = np.dtype(config.dtype)
    draws = network_draws(config, cancel)
    products = layer_products(config, split=True)  # one computation of a page: a free core may help
    biases = layer_biases(config)  # layer l's (units[l],) or None
    nan = np.full(depth + 1, np.nan)
    stats = {name: nan.copy() for name in (*COLUMNS, "distinct_grad_units", "weight_std")}
    flags = {"exploded": np.zeros(depth + 1, bool), "vanished": np.zeros(depth + 1, bool)}
    breaks: list[Break] = []
    # a residual stream is no activation's output: it spreads both ways whatever f is
    lo, hi = RESIDUAL_HISTOGRAM if config.residual else activations.get(config.activation).histogram
    hist_edges = np.linspace(lo, hi, HISTOGRAM_BINS + 1)
    hist_counts = np.zeros((depth + 1, HISTOGRAM_BINS), np.int64)
    hist_zeros = np.zeros(depth + 1, np.int64)
    hist_beyond = np.zeros((depth + 1, 2), np.int64)
    # Working arrays reused from layer to layer: fresh large arrays cost page faults, not just arithmetic.
    # Sized for the widest layer; each layer uses the first batch x units[l] of them (working()).
    work = {name: np.empty(batch * max(units), dtype) for name in ("z", "index")}
    work["bins"] = np.empty(batch * max(units), np.uint8)

    def stop(kind: str, layer: int, stage: str, weights: bool = False) -> None:
        flags["exploded" if kind == "overflow" else "vanished"][layer] = True
        breaks.append(Break(kind, layer, stage, weights))

    x = draws.x  # (batch, units[0]), unit variance
    if config.input_scale != 1.0:  # a new array: the draws are shared
        x = x * np.asarray(config.input_scale, dtype)
    input_edges = np.linspace(*INPUT_HISTOGRAM, HISTOGRAM_BINS + 1)  # the input is no activation's output
    _record_activations(stats, (hist_counts, hist_zeros, hist_beyond), 0, x, config, input_edges, work)
    stats["pre_kurtosis"][0] = excess_kurtosis(x)
    weight_grads = [] if keep_gradients else None
    if config.residual:  # the residual stream's own forward and backward pass
        residual.run(config, draws, x, stats, lambda layer, values: _record_activations(
            stats, (hist_counts, hist_zeros, hist_beyond), layer, values, config, hist_edges, work),
            stop, weight_grads, cancel, mean_std=mean_std, distinct=distinct_columns)
    keeps_s = config.norm != "none" or activations.needs_pre_activation(config.activation)
    hs, ss, inv_stds, weights = [x], [None], [None], [None]
    for layer in range(1, 1 if config.residual else depth + 1):  # the plain layers
        threads.check(cancel)
        w = hidden_weights(config, layer - 1, draws.weights[layer - 1] if draws.weights else None)
        b = biases[layer - 1]
        weights.append(w)
        stats["weight_std"][layer] = mean_std(w)[1]
        if rounded_to_zero(config, layer - 1, w):  # the weights themselves fell below the dtype's range
            stop("underflow", layer, "forward", weights=True)
            break
        # (batch, units[l]); a conv net's batch counts every pixel
        z = products.forward(hs[-1], w, out=None if keeps_s else working(work, "z", batch, units[layer]))
        if _underflowed(z, hs[-1], w):
            stop("underflow", layer, "forward")
            break
        if b is not None:
            z += b
        z, inv_std = normalize(config.norm, z)
        if not _record_pre(stats, layer, z):
            stop("overflow", layer, "forward")
            break
        stats["pre_kurtosis"][layer] = excess_kurtosis(z)
        h = activations.apply(config.activation, z, config.slope)
        if not _record_activations(stats, (hist_counts, hist_zeros, hist_beyond), layer, h, config, hist_edges, work):
            stop("overflow", layer, "forward")
            break
        hs.append(h)
        ss.append(z if keeps_s else None)
        inv_stds.append(inv_std)

    if not breaks and not config.residual:
        _backward(config, draws.readout, hs, ss, inv_stds, weights, stats, stop, work, weight_grads, cancel, products)

    with np.errstate(all="ignore"):
        predicted = theory.predict(config)
    for key in ("act_std", "pre_std", "grad_std", "branch_std"):
        stats[f"predicted_{key}"] = np.where(np.isfinite(predicted[key]), predicted[key], np.nan)
    return Result(config, {name: stats[name] for name in COLUMNS}, flags["exploded"], flags["vanished"],
                  stats["distinct_grad_units"], stats["weight_std"], hist_edges, hist_counts, hist_zeros, hist_beyond,
                  tuple(breaks), need, None if weight_grads is None else tuple(reversed(weight_grads)), input_edges)


def _backward(config: Config, readout: np.ndarray, hs: list, ss: list, inv_stds: list, weights: list,
              stats: dict, stop, work: dict, weight_grads: list | None, cancel: threads.Cancel = None,
              products: Dense | conv.Geometry = DENSE) -> None:
    """From dL/dh_depth = readout down to layer 1: gradient statistics per layer."""
    dh = readout  # dL/dh_depth (read-only; later dh live in work["z"])
    dw_space = np.empty(max(w.size for w in weights[1:]), weights[1].dtype)  # each layer's dW in turn
    for layer in range(config.depth, 0, -1):
        threads.check(cancel)
        d = activations.derivative_from_output(config.activation, hs[layer], config.slope, ss[layer])
        ds = np.multiply(dh, d, out=d)  # dL/ds_l
        ds = normalize_backward(config.norm, ds, ss[layer], inv_stds[layer])  # dL/dz_l
        std = mean_std(ds)[1]
        if not math.isfinite(std):
            stop("overflow", layer, "backward")
            return
        stats["grad_std"][layer] = std
        stats["distinct_grad_units"][layer] = distinct_columns(ds)
        dw = dw_space[:weights[layer].size].reshape(weights[layer].shape)  # (units[l-1], units[l])
        products.weight_grad(hs[layer - 1], ds, out=dw)  # summed over the batch (and a conv net's positions)
        dw *= 1.0 / config.batch  # the gradient of the batch-mean loss, as frameworks report it
        if weight_grads is not None:
            weight_grads.append(dw.copy())
        weight_grad_std = mean_std(dw)[1]
        stats["weight_grad_std"][layer] = weight_grad_std
        if stats["weight_std"][layer] > 0:
            stats["grad_data_ratio"][layer] = weight_grad_std / stats["weight_std"][layer]
        if layer > 1:
            dh = products.input_grad(ds, weights[layer], out=working(work, "z", len(ds), config.units[layer - 1]))
            if _underflowed(dh, ds, weights[layer]):
                stop("underflow", layer - 1, "backward")
                return


def working(work: dict, name: str, batch: int, units: int) -> np.ndarray:
    """The first batch x units entries of a working array, as a (batch, units) array."""
    return work[name][:batch * units].reshape(batch, units)


def smallest_normal(dtype) -> float:
    """dtype's smallest positive normal number (numpy's finfo.tiny): a float below it is subnormal, with fewer
    significant bits the smaller it is, until it rounds to 0 (float32: 1.18e-38, its smallest subnormal 1.4e-45)."""
    return float(np.finfo(dtype).tiny)


def _underflowed(product: np.ndarray, a: np.ndarray, b: np.ndarray) -> bool:
    """A matrix product of non-zero factors whose every value fell below the smallest normal number: subnormal or 0,
    its statistics no longer trustworthy, on the way to all zeros a few layers on."""
    tiny = smallest_normal(product.dtype)
    flat = product.reshape(-1)
    if np.abs(flat[::max(1, flat.size // 64)]).max(initial=0.0) >= tiny:  # 64 entries settle most products
        return False
    return bool(-tiny < product.min() and product.max() < tiny and np.any(a) and np.any(b))


def mean_std(a: np.ndarray) -> tuple[float, float]:
    """Mean and std over all entries; fast BLAS sums with an exact fallback where they would mislead."""
    flat = a.reshape(-1)
    n = flat.size
    # a sum or squares past the largest float are inf (inf - inf in a sum of both signs NaN): recomputed below
    with np.errstate(over="ignore", invalid="ignore"):
        total = float(flat.sum())
        square = float(np.dot(flat, flat))
    mean = total / n
    var = square / n - mean * mean
    info = np.finfo(flat.dtype)
    if not (math.isfinite(var) and var > 1e-3 * mean * mean and square >= n * info.tiny / info.eps):
        low, high = flat.min(), flat.max()
        if low == high and math.isfinite(low):  # every entry equal (a zeros-init layer): exactly that and 0,
            return float(low), 0.0  # as the float64 passes below give, at a tenth of their time
        # cancellation (std << |mean|), overflow of the squares, or squares below the smallest normal number, whose
        # lost digits would show (a float32 layer of values ~1e-23 had its std halved): recompute in float64, two
        # passes, on the values over their largest |x|, whose squares neither overflow nor round to 0 (float64's
        # values below ~1e-154 have squares below its smallest subnormal: their std came out 0)
        x = flat.astype(np.float64)
        scale = float(np.abs(x).max(initial=0.0))
        if not 0.0 < scale < math.inf:
            scale = 1.0
        x /= scale
        return float(x.mean()) * scale, float(x.std()) * scale
    return mean, math.sqrt(max(var, 0.0))


# Units whose kurtosis is averaged: at most this many, evenly spaced. A unit's excess kurtosis over a batch of b has
# a standard error of about sqrt(24 / b) (0.15 at b = 1000) for Gaussian values, so the mean of 64 is within ~0.02,
# far finer than the page's "near 0" (0.5); every unit of a 500-wide layer would cost ~10 % of a simulation.
KURTOSIS_UNITS = 64
# Rows read, at most: a dense batch is never larger (INT_RANGES), and a conv net's first 4,096 rows (64 8 x 8 images,
# 16 16 x 16 ones, all their pixels) put a Gaussian channel's kurtosis within ~0.04
KURTOSIS_ROWS = 4096


def kurtosis_units(units: int) -> np.ndarray:
    """The columns excess_kurtosis reads: all of them up to KURTOSIS_UNITS, else KURTOSIS_UNITS evenly spaced."""
    return np.linspace(0, units - 1, min(units, KURTOSIS_UNITS)).round().astype(np.intp)


def excess_kurtosis(a: np.ndarray) -> float:
    """How far a layer's pre-activations are from Gaussian: unit_kurtosis averaged over the units; NaN when no unit
    has spread. A mean: over the first 1,000 digits 4 almost blank pixels (1,000 each) make the input's 103, while the
    median pixel's is 0.21."""
    kurtosis = unit_kurtosis(a)
    return float(np.mean(kurtosis)) if kurtosis.size else math.nan


def unit_kurtosis(a: np.ndarray) -> np.ndarray:
    """Each unit's excess kurtosis over the batch, Fisher's bias-corrected G2 = ((n + 1) g2 + 6) (n - 1) / ((n - 2)
    (n - 3)) of g2 = m4 / m2^2 - 3 over n rows (scipy.stats.kurtosis(bias=False)), for the units kurtosis_units picks
    (every unit up to 64: all 64 pixels of the digits), (<= KURTOSIS_UNITS,). G2's mean over Gaussian samples is 0 at
    any n; g2's is -6 / (n + 1), -0.55 at a batch of 10, which the page had read as values far from Gaussian.

    a: (batch, units). 0 for Gaussian values, 1.2 for uniform ones (-6/5), large for sparse ones such as the
    blank-edged pixels of the digits. Units with no spread (a constant pixel, a zeros-init layer) have no
    kurtosis and are left out. Per unit, not over all entries pooled: units of
    unequal spread pooled together look heavy-tailed even when each is Gaussian (a conv net's channel pools its
    pixels, and zero padding gives the border pixels less spread). Over the first KURTOSIS_ROWS rows.
    """
    block = a[:KURTOSIS_ROWS, kurtosis_units(a.shape[1])].astype(np.float64)  # (batch, <= KURTOSIS_UNITS)
    spread = block.max(axis=0) > block.min(axis=0)  # exactly: a constant's rounding leaves m2 tiny, not 0
    block -= block.mean(axis=0)
    # each unit over its largest |x| (the ratio does not change): a fourth power of values below ~1e-77 rounds to 0
    # and of values above ~1e77 overflows, which made a vanishing float64 net's kurtosis NaN from about layer 26 on
    block /= np.where(spread, np.abs(block).max(axis=0, initial=0.0), 1.0)
    square = np.square(block, out=block)
    m2 = square.mean(axis=0)
    m4 = np.square(square).mean(axis=0)
    n = block.shape[0]
    g2 = m4[spread] / m2[spread] ** 2 - 3.0
    return ((n + 1) * g2 + 6.0) * (n - 1) / ((n - 2) * (n - 3))


def kurtosis_standard_error(rows: int) -> float:
    """The standard error of one unit's excess kurtosis (unit_kurtosis) for Gaussian values over `rows` samples, G2's
    sqrt(24 n (n - 1)² / ((n - 3) (n - 2) (n + 3) (n + 5))) at n = min(rows, KURTOSIS_ROWS): 1.33 at n = 10, 0.155 at
    1,000. A bound for excess_kurtosis's mean over the units too, which can be no noisier than one of them: the
    units share the batch's samples, so their errors are not independent (a linear layer of 50 units over a batch of
    10 spans 10 directions; its mean strays by 0.57, not 1.33 / sqrt(50) = 0.19). rows >= 4 (a batch is >= 10)."""
    n = min(rows, KURTOSIS_ROWS)
    return math.sqrt(24.0 * n * (n - 1) ** 2 / ((n - 3) * (n - 2) * (n + 3) * (n + 5)))


def _record_pre(stats: dict, layer: int, s: np.ndarray) -> bool:
    mean, std = mean_std(s)
    if not (math.isfinite(mean) and math.isfinite(std)):
        return False
    stats["pre_mean"][layer], stats["pre_std"][layer] = mean, std
    return True


def _record_activations(stats: dict, hist: tuple[np.ndarray, np.ndarray, np.ndarray], layer: int, h: np.ndarray,
                        config: Config, edges: np.ndarray, work: dict) -> bool:
    mean, std = mean_std(h)
    if not (math.isfinite(mean) and math.isfinite(std)):
        return False
    stats["act_mean"][layer], stats["act_std"][layer] = mean, std
    hist_counts, hist_zeros, hist_beyond = hist
    hist_counts[layer] = _histogram(h, edges, working(work, "index", *h.shape), working(work, "bins", *h.shape))
    hist_zeros[layer] = np.count_nonzero(h == 0)
    hist_beyond[layer] = np.count_nonzero(h < edges[0]), np.count_nonzero(h > edges[-1])
    stats["distinct_units"][layer] = distinct_columns(h)
    activation = activations.get(config.activation)
    if layer > 0:
        if activation.saturation is not None:  # values on f's flat ends
            center, half_width = activation.saturation
            off_center = h - center if center else h
            flat = np.count_nonzero(off_center < -half_width), np.count_nonzero(off_center > half_width)
            stats["saturated"][layer] = sum(flat) / h.size
            # the end bins start at the rule's edges (activations.saturation_histogram) and hold exactly its values:
            # a value within a rounding of an edge moves between an end bin and its neighbour (a residual stream's
            # histogram is over a range of its own)
            if not config.residual:
                counts = hist_counts[layer]
                for end, inner, held in ((0, 1, flat[0]), (-1, -2, flat[1])):
                    counts[inner] -= held - counts[end]
                    counts[end] = held
        if activation.dead_units:  # units off for every sample
            stats["dead"][layer] = np.count_nonzero(h.max(axis=0) <= 0) / h.shape[1]
    return True


# Values from which pairs of bin numbers are counted at once (_histogram): counting 65,536 pairs' bins costs about
# 60 us whatever the values, so below about 100,000 values one bin at a time is faster (8 us for 4,096 values
# against 80 us; 125 against 156 us for 65,536; 515 against 395 us for 262,144).
PAIRED_FROM = 1 << 17


def _histogram(h: np.ndarray, edges: np.ndarray, index: np.ndarray, bins: np.ndarray) -> np.ndarray:
    """Counts over fixed, equal-width edges (at most 256 bins); values beyond them fall in the end bins.

    index (float) and bins (uint8) are working arrays of h's shape. From PAIRED_FROM values on, pairs of bin
    numbers are counted as one 16-bit number, which halves the work of np.bincount, the slow step.
    """
    n_bins = len(edges) - 1
    scale = n_bins / float(edges[-1] - edges[0])  # Python floats keep the arithmetic in h's dtype
    np.multiply(h, scale, out=index)
    index -= float(edges[0]) * scale
    np.clip(index, 0, n_bins - 1, out=index)
    bins[...] = index  # truncates toward zero: the bin number
    flat = bins.reshape(-1)
    if flat.size < PAIRED_FROM:
        return np.bincount(flat, minlength=n_bins)
    even = flat.size - flat.size % 2
    pairs = np.bincount(flat[:even].view(np.uint16), minlength=1 << 16).reshape(256, 256)
    counts = pairs.sum(axis=0)[:n_bins] + pairs.sum(axis=1)[:n_bins]  # first and second of each pair
    if even < flat.size:
        counts[flat[-1]] += 1
    return counts


_FINGERPRINT = np.random.default_rng(0).uniform(0.5, 1.5, 16)  # fixed weights: a fingerprint, not a sample


def distinct_columns(a: np.ndarray) -> int:
    """How many columns (units) differ, exactly.

    A fingerprint of a few rows sorts the columns into groups; each column is then compared with its
    group's first member over all rows, and only columns that tie on the fingerprint but differ later
    are sorted in full. The fingerprint is built with elementwise ufuncs, not BLAS, so equal columns
    always get equal fingerprints (a BLAS kernel may round edge columns differently).
    """
    rows = min(len(_FINGERPRINT), a.shape[0])
    weights = _FINGERPRINT[:rows]
    # rows spread over the whole array: a conv net's first rows are one image's top edge, where ReLU channels are
    # often all 0 and would tie
    picks = a[np.linspace(0, a.shape[0] - 1, rows).round().astype(np.intp)]
    fingerprint = picks[0] * weights[0]
    for row, weight in zip(picks[1:], weights[1:]):
        fingerprint += row * weight
    fingerprint += 0.0  # folds -0.0 into 0.0
    _, first, group = np.unique(fingerprint, return_index=True, return_inverse=True)
    if len(first) == a.shape[1]:
        return len(first)
    # only the columns that tie with an earlier one are compared: a deep ReLU net's sparse channels tie on the
    # fingerprint's rows (all 0) far more often than they are equal
    tied = np.flatnonzero(first[group] != np.arange(a.shape[1]))
    if len(first) == 1:  # one group (a constant init's layer): every column against the first, without copies
        differ = tied[~(a == a[:, :1]).all(axis=0)[tied]]
    else:
        differ = tied[~(a[:, tied] == a[:, first[group[tied]]]).all(axis=0)]
    if not differ.size:
        return len(first)
    return len(first) + len({column.tobytes() for column in a[:, differ].T + 0.0})  # exact: bit for bit
