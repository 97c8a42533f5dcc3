"""Training the configured net on a small spiral task: loss curves per initialization, the symmetry trap after training.

Task: K interleaved arms of a 2-D spiral, lifted to the input width by a fixed random projection and
standardised per feature (mean 0, variance 1, like the simulation's input). The points, the projection
and the minibatch order come from the task's seed, TASK_SEED, so every scheme of a race sees the same data in the same
order and the runs differ only in their initial weights, which come from config.seed.

Network: the simulation's MLP (network.py: z = h @ W + b, batch norm, f), every parameter trainable,
plus a softmax read-out width -> K. Manual backprop; minibatch SGD with momentum in torch's convention,
v <- momentum * v + g, p <- p - lr * v. Batch norm (Ioffe & Szegedy 2015) runs in training mode with a
learnable gamma (from 1) and beta (from 0); the final evaluation uses the whole task set's statistics.

The read-out is drawn with the hidden layers' own scheme, scaled by HEAD_SCALE, with a zero bias:
- the same scheme keeps the symmetry story whole. Under zero or constant init every row of the read-out
  is the same, so every unit of the last hidden layer receives the same gradient, and every layer below
  too: the units of a layer start equal and stay equal, through any number of steps. A random read-out
  would make the last layer's units differ at the first step (the layers below would still stay
  symmetric, since their constant weights hand every unit the same gradient).
- the small scale puts the logits near 0, so for a sane init the first loss is ln K, the loss of
  guessing uniformly (Karpathy 2019, "A Recipe for Training Neural Networks": verify loss @ init).

A conv net (Config.arch "conv", core.conv) trains the same way: its hidden layers are the simulation's k x k
convolutions (torch.nn.functional.conv2d's cross-correlation, "same" padding) on 2-D activations (batch x image^2,
channels), batch norm per channel over batch and positions (torch.nn.BatchNorm2d in training mode), and its
read-out averages each channel over the positions (torch.nn.AdaptiveAvgPool2d(1)) before the softmax head
(channels, K), drawn as above: under zero or constant init every filter of a layer starts equal and stays equal.
The digits are their own 8 x 8 pixels, 1 channel; the spiral's points are lifted by the fixed random projection
to images of image x image pixels with units[0] channels (the simulation's input width), so layer 1 is the
simulation's layer 1.

The He et al. 2015 race (he_2015) replays Figures 2 and 3 of "Delving Deep into Rectifiers" in miniature:
ReLU nets 22 and 30 layers deep, Xavier (gain 1) against He.
"""

from __future__ import annotations

import functools
import math
import threading
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import permutations

import numpy as np

from . import activations, conv, digits, draws, schemes, threads, workers
from .config import Config, mib_apart, written_range
from .products import matmul
from .draws import family, qrs_bytes, weight_stream_bytes
from .initializers import hidden_weights, layer_biases, layer_unit, layer_weights
from .batchnorm import batch_norm, batch_norm_backward
from .network import (DEFAULT_MEMORY_BUDGET, DENSE, WORK_RATE, Dense, MemoryBudgetError, conv_products_memory,
                      distinct_columns, estimate_memory, layer_products, lower_words, mean_std)

TASK_SEED = 2015  # the task's own seed: every scheme and every config.seed races on the same data
POINTS_PER_CLASS = 400  # 1,200 points for 3 classes: 300 steps of 128 are 32 passes over them
SPIRAL_TURNS = 0.75  # how far each arm winds; more makes the task harder for every scheme alike
SPIRAL_NOISE = 0.25  # radians of angular jitter, so that neighbouring arms touch a little
HEAD_SCALE = 0.1  # the read-out's weights are the scheme's draw times this: logits near 0, first loss ~ ln K
MAX_BATCH = 128  # minibatch cap: SGD wants small batches, and config.batch (1,000) is sized for statistics
RECORDS = 60  # at most this many snapshots of the per-layer statistics per run
TASKS = ("spiral", "digits")  # digits: scikit-learn's handwritten 8x8 images, 1,500 to train on, 297 held out

# A minibatch loss above twice the run's first one (the untrained network's) is a spike: training has made the
# network much worse than its initialization, a learning rate or initial scale too large. The lecture's races at
# the defaults stay under 1.6 times (Xavier's bump on the tanh spiral); N(0, 1) with ReLU reaches 6.8 times.
SPIKE = 2.0

DEFAULT_STEPS = 300
DEFAULT_LR = 0.02  # SGD with momentum 0.9; docs/training.md, "Learning rate", says how it was chosen
LR_CHOSEN_DEPTH = 10  # the depth DEFAULT_LR was chosen at (the default race's 10 x 100 net, docs/training.md)
LR_RANGE = (1e-4, 1.0)  # the learning rates the app offers (train allows any positive number): from step 7's batch-norm
# run's 0.001 and step 10's 64 layers' 0.01 (docs/training.md) to where every run of the spiral diverges
DEFAULT_MOMENTUM = 0.9
DEFAULT_CLASSES = 3
CLASSES_RANGE = (2, 5)  # one_unit_ceiling tries every order of the classes: 5! = 120 takes a second
STEPS_RANGE = (1, 10_000)

Progress = Callable[[int, int], None]  # progress(done, total), e.g. for a progress bar


@dataclass(frozen=True)
class Task:
    """The classification task: points of a K-arm spiral, lifted to the input width; or the digits."""

    points: np.ndarray | None  # (samples, 2), the spiral in the plane; None for the digits
    # (samples, features), the network's input: points @ projection, standardised per feature (the spiral); a conv
    # net's sample is an image, its features (image, image, channels) in NHWC order (core.conv)
    x: np.ndarray
    labels: np.ndarray  # (samples,) int, the arm each point lies on (the digit shown)
    classes: int
    # The held-out images and their digits, (tests, 64) and (tests,), for the digits; None for the spiral, whose
    # points are all trained on (its lesson is the loss curve, not generalization)
    test_x: np.ndarray | None = None
    test_labels: np.ndarray | None = None
    seed: int = TASK_SEED  # the seed its points (or split) and its minibatch order are drawn from


def make_task(classes: int, width: int, dtype: str = "float32", seed: int = TASK_SEED) -> Task:
    """The K-arm spiral drawn from `seed`: the same for every scheme and every Config.seed of a race (TASK_SEED)."""
    rng = np.random.default_rng(seed)
    radius = np.tile(np.linspace(0.1, 1.0, POINTS_PER_CLASS), classes)  # (samples,)
    labels = np.repeat(np.arange(classes), POINTS_PER_CLASS)
    angle = 2 * math.pi * (labels / classes + SPIRAL_TURNS * radius)
    angle += SPIRAL_NOISE * rng.standard_normal(angle.shape)
    points = radius[:, None] * np.stack([np.cos(angle), np.sin(angle)], axis=1)  # (samples, 2)
    projection = rng.standard_normal((2, width))  # fixed random lift: every input unit sees a mix of (x, y)
    x = points @ projection  # (samples, width), rank 2
    x -= x.mean(axis=0)
    x /= x.std(axis=0)
    return Task(points, x.astype(dtype), labels, classes, seed=seed)


def make_digits_task(dtype: str = "float32") -> Task:
    """The digits: 1,500 images to train on and 297 held out, one split from TASK_SEED (core.digits.task_arrays),
    each pixel standardized by the training images. The network's input is the 64 pixels (task_config)."""
    x, labels, test_x, test_labels = digits.task_arrays(TASK_SEED)
    return Task(None, x.astype(dtype), labels, digits.CLASSES, test_x.astype(dtype), test_labels)


def task_config(config: Config, task: str) -> Config:
    """The network that trains on task: config itself for the spiral; for the digits config with a digits input
    (64 wide, core.config.Config.units), its batch at most the set's images (training takes MAX_BATCH anyway)."""
    if task not in TASKS:
        raise ValueError(f"task={task!r} is not allowed: one of {', '.join(TASKS)}")
    if task == "spiral":
        return config
    widths = (digits.PIXELS, *config.widths[1:]) if config.widths else ()
    return replace(config, input="digits", batch=min(config.batch, digits.IMAGES), widths=widths)


def task_classes(task: str, classes: int) -> int:
    """The task's classes: the chosen K for the spiral, the ten digits for the digits."""
    return digits.CLASSES if task == "digits" else classes


# The schemes a race can run, and the app's Compare tab too, by name: the init part
# of a Config. Bias and batch norm are reset with the scheme, so the runs differ only in how W is drawn.
SCHEMES: dict[str, dict] = {
    "zeros": dict(init="zeros"),
    "normal_0.01": dict(init="normal", std=0.01),
    "normal_1": dict(init="normal", std=1.0),
    "xavier_normal": dict(init="xavier_normal"),
    "he_normal": dict(init="he_normal"),
    "orthogonal": dict(init="orthogonal"),
    "normal_0.01+bn": dict(init="normal", std=0.01, batch_norm=True),
}
_INIT_FIELDS = dict(init="normal", std=0.01, bound=0.05, value=0.01, gain=None, mode="fan_in", bias=0.0,
                    bias_std=0.0, batch_norm=False)

# The lecture's sequence, the same five for every activation: zero init (symmetry), 0.01 * randn (vanishing),
# randn (saturation for tanh, explosion for ReLU), then the two variance-preserving schemes.
LECTURE_RACE = ("zeros", "normal_0.01", "normal_1", "xavier_normal", "he_normal")
# The lecture's last step: 0.01 * randn rescued by batch norm. Every scheme above runs without batch norm
# (scheme_config), so a network with batch norm races this one too, beside the same init without it.
BN_RESCUE = "normal_0.01+bn"


def scheme_config(config: Config, scheme: str) -> Config:
    """The configured network (depth, width, activation, seed, dtype, ...) under one scheme. A scheme with batch norm
    (BN_RESCUE) takes the place of the network's layer norm: one norm at a time (Config)."""
    fields = {**_INIT_FIELDS, **SCHEMES[scheme]}
    if fields["batch_norm"]:
        fields["layer_norm"] = False
    return replace(config, **fields)


def lecture_schemes(batch_norm: bool = False) -> tuple[str, ...]:
    """The default race: the lecture's five schemes, the same for every activation (each fails differently), and for
    a network with batch norm (tour step 7) BN_RESCUE after them, the only run of the race with batch norm."""
    return (*LECTURE_RACE, BN_RESCUE) if batch_norm else LECTURE_RACE


def scheme_name(config: Config) -> str:
    """A short legend name for a config's own initialization: the scheme, its settings (schemes.Scheme.settings:
    "normal_0.01", "constant_0.3", "variance_scaling_1_uniform", "he_normal_gain_1.5"), "+bn" under batch norm."""
    name = config.init
    for field, value in schemes.get(config.init).settings(config):
        name += f"_gain_{value:g}" if field == "gain" else f"_{value:g}" if isinstance(value, float) else f"_{value}"
    return name + ("+bn" if config.batch_norm else "")


@dataclass(frozen=True, eq=False)
class TrainingResult:
    """Curves of one training run; NaN where a diverged run has no value."""

    config: Config
    name: str  # the scheme's legend name
    classes: int
    batch: int
    lr: float
    momentum: float
    loss: np.ndarray  # (steps,) cross-entropy on each step's minibatch, before that step's update
    accuracy: np.ndarray  # (steps,) fraction of that minibatch classified right
    record_steps: np.ndarray  # (records,) int, steps at which the per-layer statistics were taken
    act_std: np.ndarray  # (records, depth) std of each hidden layer's activations h over the minibatch
    grad_std: np.ndarray  # (records, depth) std of dL/dz per sample (the simulation's grad_std)
    update_ratio: np.ndarray  # (records, depth) std(lr * v) / std(W): how far one step moves the weights
    distinct_units: np.ndarray  # (depth,) float: distinct units per hidden layer after training, on the task set
    final_loss: float  # on the whole task set after the last step (the digits: the training images)
    final_accuracy: float
    diverged_at: int | None  # the step whose loss was first nan or inf
    message: str  # "" unless something went wrong
    task: str = "spiral"
    test_accuracy: float | None = None  # the digits: the share of the 297 held-out images classified right

    @property
    def steps(self) -> int:
        return len(self.loss)

    def to_json(self) -> dict:
        """The command line's "training" object; null where a diverged run has no value."""
        def clean(values, kind=float):
            return [kind(v) if math.isfinite(v) else None for v in values.tolist()]
        return {
            "task": self.task,
            "classes": self.classes,
            "test_accuracy": self.test_accuracy if self.test_accuracy is None or math.isfinite(self.test_accuracy)
            else None,
            "loss": clean(self.loss),
            "accuracy": clean(self.accuracy),
            "distinct_units": clean(self.distinct_units, int),
        }


def estimate_training_memory(config: Config, batch: int | None = None, classes: int = DEFAULT_CLASSES) -> int:
    """Peak bytes train() allocates: parameters with their gradients and momenta, the kept minibatch
    activations, the layer-by-layer evaluation on the whole task set, the task's data, and what the draws hold
    (_draws_memory): an orthogonal init's QRs while it draws, and what the draws keep for the next run (the unit
    orthogonal matrices, or the weight streams' numbers and shell orders). Measured against a worker's resident
    memory in tests/test_train.py."""
    batch = training_batch(config, batch)
    if config.arch == "conv":
        return _conv_training_memory(config, batch, classes)
    item = np.dtype(config.dtype).itemsize
    units, widest = config.units, max(config.units)
    params = _parameter_count(config, classes)
    per_layer = 2 + config.batch_norm + activations.needs_pre_activation(config.activation)  # h, z or s_hat, s
    kept = batch * sum(units) * per_layer
    evaluation = 3 * _task_samples(config, classes) * widest  # the layer-by-layer pass over the whole task set
    task = _task_values(config, classes)
    drawing, draws_kept = _draws_memory(config, [*config.shapes, (units[-1], classes)], 1)
    return draws_kept + max(drawing, item * (3 * params + kept + evaluation + 4 * batch * widest + task))


def estimate_training_work(config: Config, steps: int, batch: int | None = None) -> float:
    """Seconds of one core a run of `steps` steps takes, roughly, for ranking it among the server's computations
    (core.admission): its forward and backward matrix products, 6 flops a multiply-add of a sample through a
    layer (2 forward, 4 backward), at core.network.WORK_RATE. The element-wise work and the read-out are left out:
    a run is ranked by its size, not timed."""
    units = config.units
    multiply_adds = config.positions * config.receptive_field * sum(a * b for a, b in zip(units[:-1], units[1:]))
    return 6.0 * steps * training_batch(config, batch) * multiply_adds / WORK_RATE


def _parameter_count(config: Config, classes: int) -> int:
    """Trainable numbers, counted from above: parameter_shapes' arrays, with batch norm's gamma and beta whether
    used or not."""
    unused = 0 if config.batch_norm else 2 * sum(config.units[1:])
    return sum(math.prod(shape) for shape in parameter_shapes(config, classes).values()) + unused


def _conv_training_memory(config: Config, batch: int, classes: int) -> int:
    """estimate_training_memory for a conv net: as for dense layers with rows = batch x image^2 samples and the
    weights' matrices (k^2 C_in, C_out), plus what the products hold (network.conv_products_memory: a chunk of
    im2col's patches a part, the padded images); the task's images (the spiral's lift is made in float64 first); and the
    evaluation, one layer at a time over the whole task set (six arrays of its widest layer)."""
    item = np.dtype(config.dtype).itemsize
    units, rows = config.units, batch * config.positions
    params = _parameter_count(config, classes)
    per_layer = 2 + config.batch_norm + activations.needs_pre_activation(config.activation)  # h, z or s_hat, s
    kept = rows * sum(units) * per_layer
    patches = conv_products_memory(config, batch)
    samples = _task_samples(config, classes)
    task = _task_values(config, classes)
    # the layer's input, z (s_hat in place), s, h, f's temporaries and distinct_columns' comparison: 4.3 arrays
    # measured at 6 channels (tracemalloc, tests/test_train_conv.py)
    evaluation = 6 * samples * config.positions * max(units)
    drawing, draws_kept = _draws_memory(config, [*config.draw_shapes, (units[-1], classes)], config.draw_taps)
    return draws_kept + max(drawing, item * (3 * params + kept + patches + task + evaluation + 4 * rows * max(units)))


def _task_samples(config: Config, classes: int) -> int:
    """The task's samples: the digits' images, or the spiral's K x POINTS_PER_CLASS points."""
    return digits.IMAGES if config.input == "digits" else classes * POINTS_PER_CLASS


def _task_values(config: Config, classes: int) -> int:
    """Values of dtype the task's data holds (make_task, make_digits_task): its samples x positions x units[0]
    inputs; the spiral's lift is made in float64 first."""
    item = np.dtype(config.dtype).itemsize
    lift = 1 if config.input == "digits" else 1 + 8 // item
    return _task_samples(config, classes) * config.positions * config.units[0] * lift


def _draws_memory(config: Config, shapes: list[tuple[int, int]], taps: int) -> tuple[int, int]:
    """(drawing, kept): what init_params holds while it draws the weights of these (fan_in, fan_out) unit draws (the
    read-out's last; taps as in draws.unit_weights for all but it), and what the draws keep for the next run, both
    beside training's arrays.

    drawing: an orthogonal init's QRs (draws.qrs_bytes, one at a time: init_params draws layer after layer, the
    largest counted) on top of the weights of dtype drawn before it, and what the QRs leave resident; 0 otherwise.
    kept: the unit orthogonal matrices (draws.ORTHOGONAL_BYTES at most), or the weight streams' numbers and their
    shell-order indices."""
    weights, dtype = family(config.init), config.dtype
    item = np.dtype(dtype).itemsize
    held, left = qrs_bytes(shapes, weights, dtype, 1)
    if weights == "orthogonal":
        return held + item * sum(m * n for m, n in config.matrices), \
            left + min(draws.ORTHOGONAL_BYTES, item * sum(m * n for m, n in shapes))
    streams = weight_stream_bytes(shapes[:-1], weights, dtype, taps) + weight_stream_bytes(shapes[-1:], weights, dtype)
    if weights not in draws.STREAMED:
        return 0, streams
    blocks = [(m // taps, n) for m, n in shapes[:-1]] + list(shapes[-1:])  # unit_weights' shapes in shell order
    return 0, streams + draws.shell_orders_bytes(blocks)


def estimate_simulate_and_train_memory(config: Config, batch: int | None = None,
                                      classes: int = DEFAULT_CLASSES) -> int:
    """Peak bytes of simulate(config) and then train(config) in one process (the command line's --train): the sum.

    The simulation's freed arrays stay with the process for reuse (core.allocator.keep_freed_memory), and
    training asks for arrays of other sizes, so its peak comes on top: depth 18 x width 2,048 x batch 128
    measured 1.25 GiB of resident memory against estimates of 0.99 and 0.93 GiB.
    """
    return estimate_memory(config) + estimate_training_memory(config, batch, classes)


def training_batch(config: Config, batch: int | None = None) -> int:
    """The minibatch size: config.batch capped at MAX_BATCH, unless given."""
    return min(config.batch, MAX_BATCH) if batch is None else batch


def train(config: Config, steps: int = DEFAULT_STEPS, lr: float = DEFAULT_LR, momentum: float = DEFAULT_MOMENTUM,
          classes: int = DEFAULT_CLASSES, batch: int | None = None, progress: Progress | None = None,
          memory_budget: int = DEFAULT_MEMORY_BUDGET, name: str | None = None, task: str = "spiral") -> TrainingResult:
    """Train the configured network on the K-class spiral or on the digits (task; classes is the spiral's
    only, and the digits' network has a digits input: task_config); deterministic for a given config."""
    config = task_config(config, task)
    batch = training_batch(config, batch)
    _check(config, steps, lr, momentum, classes, batch, memory_budget, task)
    data = _make(task, classes, config)
    (result,) = _train_all([(config, data, name or scheme_name(config))], steps, lr, momentum, batch, progress)
    return result


def _make(task: str, classes: int, config: Config) -> Task:
    """The task's data for config's input: the spiral lifted to units[0] features, or to a conv net's images of
    image x image pixels with units[0] channels; the digits (64 pixels: a conv net's 8 x 8 images of 1 channel)."""
    if task == "digits":
        return make_digits_task(config.dtype)
    return make_task(classes, config.positions * config.units[0], config.dtype)


def race(config: Config, schemes: Sequence[str] | None = None, steps: int = DEFAULT_STEPS,
         lr: float = DEFAULT_LR, momentum: float = DEFAULT_MOMENTUM, classes: int = DEFAULT_CLASSES,
         batch: int | None = None, progress: Progress | None = None,
         memory_budget: int = DEFAULT_MEMORY_BUDGET, live: dict | None = None,
         task: str = "spiral", order: Sequence[str] | None = None,
         training: list | None = None) -> dict[str, TrainingResult]:
    """Train the same network once per scheme on the same data; {scheme name: result}, in order. Each
    scheme is one task for the server's worker processes (core.workers; this process's threads where
    none can start), with the same results either way.

    A run that diverges stops its own curve; the others go on. progress(done, total) counts steps
    over all runs; an exception it raises ends the race. live, if given, receives each run's loss and
    accuracy arrays as the run starts, {scheme: (loss, accuracy)}, (steps,) each: they fill in place as
    it trains (NaN for steps not taken yet), for drawing the curves while the race runs. training, if
    given, is the list of the runs training: a scheme is appended as its run starts and removed as it ends.

    order: the same schemes in the order their runs start where the race trains whole runs, more than there
    are cores (_train_all): a tour step's own scheme first (views.tour.race_order). Only when each run trains
    changes: each run draws from its own stream, so the results are the same bits, in the order of `schemes`.
    A race that trains in legs or all at once starts its runs in the order of `schemes`, whatever order says.
    """
    chosen = tuple(schemes or lecture_schemes(config.batch_norm))
    unknown = [s for s in chosen if s not in SCHEMES]
    if unknown:
        raise ValueError(f"unknown scheme {unknown[0]!r}: one of {', '.join(SCHEMES)}")
    if order is not None and sorted(order) != sorted(chosen):
        raise ValueError(f"order={tuple(order)!r} is not allowed: the race's schemes {chosen!r} in any order")
    config = task_config(config, task)
    configs = [scheme_config(config, s) for s in chosen]
    batch = training_batch(config, batch)
    for c in configs:
        _check(c, steps, lr, momentum, classes, batch, memory_budget, task)
    data = _make(task, classes, config)
    runs = [(c, data, scheme) for scheme, c in zip(chosen, configs)]
    starts = None if order is None else sorted(range(len(chosen)), key=lambda i: list(order).index(chosen[i]))
    return dict(zip(chosen, _train_all(runs, steps, lr, momentum, batch, progress, live, starts, training)))


def _train_all(runs: Sequence[tuple[Config, Task, str]], steps: int, lr: float, momentum: float, batch: int,
               progress: Progress | None, live: dict | None = None, order: Sequence[int] | None = None,
               training: list | None = None) -> list[TrainingResult]:
    """Train each (config, task, name) run, side by side: each a task for the server's worker processes
    (core.workers), where they compute without taking turns on this process's lock; where workers cannot
    start, in threads of this process (threads.parallel_map). Either way at most usable_cores() runs
    compute at once across the process (core.threads' compute slots), and the results are bitwise those
    of one run after the other in this thread.

    With more runs than cores, each run is trained in legs (_legs), taken by usable_cores() lanes: a free lane takes the
    next leg of the run furthest behind (_next_leg). The five runs of a race on two cores then end together after 2.5
    runs' time, where whole runs took three rounds, and all five curves grow at once; a run that a slow lane held is the
    next taken when it comes back, so it catches up. A leg carries the run's weights and momenta to the next
    (_Unfinished). A race whose held weights exceed LEGGED_BYTES (the lecture's 10 x 500) trains whole runs instead, one
    after another in each lane: a run starts only when a lane is free, and a stop can come before the last have started.
    Those whole runs start in `order` (indices into runs; runs' own order if None); runs trained in legs, or no more
    than the lanes and so all at once, start in runs' own order.

    progress(done, total) counts steps over all runs and is called in this caller's thread only (a UI
    such as Streamlit can only be driven from there); if it raises, every run stops within a step.
    live: as in race; a worker's run sends its curves at each of its record steps (RECORDS a run) and at the
    end of each leg, and they are copied into the live arrays here as they come. training: as in race, by the
    runs' names.
    """
    caller, stop = threading.get_ident(), threading.Event()
    total, done, shown = len(runs) * steps, [0] * len(runs), [-1]
    pool = workers.shared()
    lanes = min(threads.usable_cores(), len(runs))
    legs = _legs(runs, lanes)
    per_leg = -(-steps // legs)
    waiting = order is not None and legs == 1 and len(runs) > lanes  # whole runs that wait for a lane, in order
    # runs waiting for their next leg, longest waiting first (whole runs: for their start, in order)
    ready, lock = deque(order if waiting else range(len(runs))), threading.Lock()
    states: list[_Unfinished | None] = [None] * len(runs)
    results: list[TrainingResult | None] = [None] * len(runs)
    curves = [(np.full(steps, np.nan), np.full(steps, np.nan)) for _ in runs]  # a worker's run, as it reports

    def tell() -> None:  # in the caller's thread
        count = sum(done)  # each run's count only grows, so the sum does too
        if progress is not None and count != shown[0]:
            shown[0] = count
            progress(count, total)

    def leg(index: int) -> TrainingResult | _Unfinished:
        def report(step_done: int, _steps: int) -> None:
            done[index] = step_done
            if threading.get_ident() == caller:
                tell()
        config, task, name = runs[index]
        start = states[index]
        first = 0 if start is None else start.step
        until = min(steps, first + per_leg)
        # a core and the run's memory from the server's admission, whether it computes here or in a worker
        # process: a worker's arrays are the server's memory too
        memory = estimate_training_memory(config, batch, task.classes)
        work = estimate_training_work(config, until - first, batch)
        if pool is None:
            with threads.compute_slot(memory, cancel=stop, work=work), np.errstate(all="ignore"):
                return _train(config, task, steps, lr, momentum, batch, report, name, stop, live, start, until)
        loss, accuracy = curves[index]
        if live is not None:
            live[name] = loss, accuracy

        def snapshot(message: tuple[int, np.ndarray, np.ndarray]) -> None:
            step_done, new_loss, new_accuracy = message  # the steps since the run's last snapshot
            loss[step_done - len(new_loss):step_done] = new_loss
            accuracy[step_done - len(new_accuracy):step_done] = new_accuracy
            report(step_done, steps)
        return pool.run(_train_in_worker, (config, task, steps, lr, momentum, batch, name, start, until), snapshot,
                        stop, slot=lambda: threads.compute_slot(memory, cancel=stop, work=work))

    def lane(_: int) -> None:
        while not stop.is_set():
            with lock:
                if not ready:  # every run left is another lane's, which carries it on
                    return
                index = _next_leg(ready, states)
                ready.remove(index)
                name = runs[index][2]
                if training is not None and states[index] is None:  # in the order the runs start
                    training.append(name)
            try:
                outcome = leg(index)
            except BaseException:
                stop.set()  # the other lanes start no more legs
                raise
            if isinstance(outcome, TrainingResult):
                results[index] = outcome
                if training is not None:
                    training.remove(name)
                continue
            states[index] = outcome
            with lock:
                ready.append(index)

    try:
        threads.parallel_map(lane, range(lanes), wait=tell, slots=False)
        return results
    finally:
        stop.set()  # runs still going after an error stop at their next step


def _next_leg(ready: Sequence[int], states: Sequence[_Unfinished | None]) -> int:
    """The run whose leg a free lane takes: of the runs in `ready` (indices into states, longest waiting first),
    the one with the fewest steps taken (None: not started), and the longest waiting of those. Taken in turn
    instead, a run that a slow lane held while the other lanes went on would go to the back of the line and stay
    behind for the rest of the race."""
    return min(ready, key=lambda i: 0 if states[i] is None else states[i].step)  # min keeps the first of equals


# A race trains in legs only while the runs' weights and momenta, held in the server between legs and not counted by
# its admission, stay this small: the default race's five 10 x 100 runs hold 4 MB, and a class of 30 such races 120
# MB. Larger races (the lecture's 10 x 500: 101 MB) train run by run, their states inside the worker processes.
LEGGED_BYTES = 16 << 20
LEGS = 6  # legs a run: the lanes' finishing times differ by at most a leg, a sixth of a run


def _legs(runs: Sequence[tuple[Config, Task, str]], lanes: int) -> int:
    """How many legs each run is trained in: LEGS where there are more runs than lanes and their held state
    (_Unfinished: weights and momenta) fits LEGGED_BYTES, else 1 (the whole run at once)."""
    if len(runs) <= lanes:
        return 1
    held = sum(_held_bytes(c, t.classes) for c, t, _ in runs)
    return LEGS if held <= LEGGED_BYTES else 1


def _held_bytes(config: Config, classes: int) -> int:
    """The bytes of a run's _Unfinished arrays: its weights and momenta, as _Workspace lays them out."""
    return 2 * np.dtype(config.dtype).itemsize * _layout(parameter_shapes(config, classes))[1]


@dataclass
class _Unfinished:
    """A run between two legs: everything the next leg needs to go on as if it had not stopped. Picklable (it
    travels to and from a worker process)."""

    step: int  # steps taken
    shapes: dict[str, tuple[int, ...]]  # each parameter's shape, in _Workspace's order
    params: np.ndarray  # _Workspace.flat_params
    velocity: np.ndarray  # _Workspace.flat_velocity
    loss: np.ndarray  # (steps,), NaN for the steps not taken
    accuracy: np.ndarray
    act_std: np.ndarray  # (records, depth)
    grad_std: np.ndarray
    update_ratio: np.ndarray
    record: int  # records taken


def _train_in_worker(config: Config, task: Task, steps: int, lr: float, momentum: float, batch: int, name: str,
                     start: _Unfinished | None = None, until: int | None = None, *,
                     report: Callable[[tuple], None], cancelled: Callable[[], bool]) -> TrainingResult | _Unfinished:
    """_train in a worker process (core.workers), from start up to step until: at each record step and at the
    leg's end it reports (steps done, the loss and accuracy of the steps since the last report), and it stops at
    the next step once cancelled() says so."""
    curves: dict = {}
    sent = [0 if start is None else start.step]

    def snapshot(step_done: int, _steps: int) -> None:
        loss, accuracy = curves[name]
        report((step_done, loss[sent[0]:step_done].copy(), accuracy[sent[0]:step_done].copy()))
        sent[0] = step_done
    try:
        with np.errstate(all="ignore"):
            return _train(config, task, steps, lr, momentum, batch, snapshot, name, cancelled, curves, start, until)
    finally:
        draws.forget()  # a worker keeps no memory from task to task: the numbers it drew go with the run


def _whole(name: str, value, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not low <= value <= high:
        raise ValueError(f"{name}={value!r} is not allowed: a whole number from {written_range(low, high)}")


def _check(config: Config, steps, lr, momentum, classes, batch, memory_budget, task: str = "spiral") -> None:
    if config.residual or config.layer_norm:  # residual streams and layer norm are studied at initialization only
        raise ValueError("training covers plain networks with or without batch norm; residual=True and "
                         "layer_norm=True are simulated at initialization only")
    _whole("steps", steps, *STEPS_RANGE)
    _whole("classes", classes, *CLASSES_RANGE)
    _whole("batch", batch, 1, digits.TRAIN_IMAGES if task == "digits" else classes * POINTS_PER_CLASS)
    classes = task_classes(task, classes)
    if not (isinstance(lr, (int, float)) and math.isfinite(lr) and lr > 0):
        raise ValueError(f"lr={lr!r} is not allowed: a positive number")
    if not (isinstance(momentum, (int, float)) and 0 <= momentum < 1):
        raise ValueError(f"momentum={momentum!r} is not allowed: a number from 0 to below 1")
    need = estimate_training_memory(config, batch, classes)
    if need > memory_budget:
        raise MemoryBudgetError(
            "training this configuration needs about {need} MiB, over the budget of {budget} MiB: "
            .format(**mib_apart(need, memory_budget)) + f"lower {lower_words(config)}"
        )


# --- parameters, forward and backward -----------------------------------------------------------------

def init_params(config: Config, classes: int) -> dict[str, np.ndarray]:
    """Every trainable array by name: W1, b1 (, gamma1, beta1), ..., head_W, head_b.

    The weights and biases are the simulation's (core.initializers.hidden_weights and layer_biases, from the
    seed's streams): the same Config starts training from the W the other tabs show. The read-out is the
    network's layer `depth` (0-based), shape (units[depth], K): a conv net's reads its channels' averages."""
    dtype = np.dtype(config.dtype)
    units = config.units
    params = {}
    biases = layer_biases(config)
    for layer in range(1, config.depth + 1):
        # (units[l-1], units[l]); a conv layer's matrix (k^2 units[l-1], units[l]) of fans (C_in k^2, C_out k^2), whose
        # unit draw is the matrix's, or the centre tap's for delta-orthogonal (Config.draw_shapes), as simulated
        params[f"W{layer}"] = hidden_weights(config, layer - 1, layer_unit(config, layer - 1))
        b, n = biases[layer - 1], units[layer]  # a conv layer's fan_out counts C_out k^2, its biases C_out
        params[f"b{layer}"] = np.zeros(n, dtype) if b is None else b  # (units[l],)
        if config.batch_norm:
            params[f"gamma{layer}"] = np.ones(n, dtype)
            params[f"beta{layer}"] = np.zeros(n, dtype)
    head = layer_weights(config, config.depth, units[-1], classes)  # (units[depth], K), the hidden layers' scheme
    head *= HEAD_SCALE
    params["head_W"] = head
    params["head_b"] = np.zeros(classes, dtype)
    return params


def parameter_shapes(config: Config, classes: int) -> dict[str, tuple[int, ...]]:
    """Every trainable array's shape by name, in init_params' order: W1 (its matrix, config.matrices), b1
    (units[1],) (, gamma1, beta1), ..., head_W (units[depth], K), head_b (K,)."""
    shapes: dict[str, tuple[int, ...]] = {}
    for layer, (matrix, n) in enumerate(zip(config.matrices, config.units[1:]), start=1):
        shapes[f"W{layer}"], shapes[f"b{layer}"] = matrix, (n,)
        if config.batch_norm:
            shapes[f"gamma{layer}"] = shapes[f"beta{layer}"] = (n,)
    shapes["head_W"], shapes["head_b"] = (config.units[-1], classes), (classes,)
    return shapes


@dataclass
class _Layer:
    """What the backward pass needs from one layer's forward pass."""

    h_in: np.ndarray  # (batch, units[l-1]), the layer's input; a conv net's (batch x image^2, units[l-1])
    h: np.ndarray  # (batch, units[l]), f(s); a conv net's (batch x image^2, units[l])
    s: np.ndarray | None  # pre-activation, kept where f' is computed from it (activations.needs_pre_activation)
    s_hat: np.ndarray | None  # BN's normalized z
    inv_std: np.ndarray | None  # BN's 1 / sqrt(var + eps), (units[l],)


class _Workspace:
    """The arrays one training run writes at every step, allocated once and reused: each layer's z (and BN's
    s), dL/dh, and every parameter's gradient (a conv net's activations have batch x image^2 rows). The
    parameters, their momenta and gradients each live in one flat array (params, velocity, grads: views into it
    by name), so the SGD update is a few passes over all of them rather than a few per parameter. A fresh
    workspace per call gives the same numbers."""

    def __init__(self, config: Config, batch: int, shapes: Mapping[str, tuple[int, ...]]):
        dtype, units, rows = np.dtype(config.dtype), config.units, batch * config.positions
        self.activation = activations.get(config.activation)
        self.products = layer_products(config, batch)
        self.z = [np.empty((rows, n), dtype) for n in units[1:]]  # z = h_in @ W + b; BN's s_hat in place
        self.s = [np.empty((rows, n), dtype) for n in units[1:]] if config.batch_norm else self.z
        self._dh = np.empty(rows * max(units), dtype)  # dL/dh of the layer being differentiated: dh(units)
        sizes, (offsets, total) = {k: math.prod(shape) for k, shape in shapes.items()}, _layout(shapes)
        self.flat_params, self.flat_velocity, self.flat_grads = (np.zeros(total, dtype) for _ in range(3))
        self.step = np.empty(min(total, _UPDATE_CHUNK), dtype)  # lr * v, one chunk at a time

        def views(flat: np.ndarray) -> dict[str, np.ndarray]:
            return {k: flat[offsets[k]:offsets[k] + sizes[k]].reshape(shape) for k, shape in shapes.items()}
        self.shapes = dict(shapes)
        self.params, self.velocity, self.grads = views(self.flat_params), views(self.flat_velocity), \
            views(self.flat_grads)

    @classmethod
    def holding(cls, config: Config, batch: int, params: Mapping[str, np.ndarray]) -> _Workspace:
        """A workspace whose parameters are a copy of params."""
        work = cls(config, batch, _shapes(params))
        for key, p in params.items():
            work.params[key][...] = p
        return work

    def dh(self, rows: int, units: int) -> np.ndarray:
        """The (rows, units) array dL/dh of a layer of `units` units is written to (the first entries of one)."""
        return self._dh[:rows * units].reshape(rows, units)

    def sgd_step(self, lr: float, momentum: float) -> None:
        """v <- momentum * v + g, p <- p - lr * v (torch.optim.SGD's momentum), for every parameter at once,
        a cache-sized chunk at a time (all four passes over one chunk while it is in cache)."""
        for start in range(0, len(self.flat_params), _UPDATE_CHUNK):
            end = start + _UPDATE_CHUNK
            v = self.flat_velocity[start:end]
            v *= momentum
            v += self.flat_grads[start:end]
            self.flat_params[start:end] -= np.multiply(v, lr, out=self.step[:len(v)])


def _shapes(params: Mapping[str, np.ndarray]) -> dict[str, tuple[int, ...]]:
    return {k: p.shape for k, p in params.items()}


def _layout(shapes: Mapping[str, tuple[int, ...]]) -> tuple[dict[str, int], int]:
    """Where each parameter starts in _Workspace's flat arrays, and their length: each array starts on a 64-byte
    boundary, as a fresh array would."""
    offsets, total = {}, 0
    for key, shape in shapes.items():
        offsets[key] = total
        total += -(-math.prod(shape) // _ALIGN) * _ALIGN
    return offsets, total


_ALIGN = 16  # elements: 64 bytes of float32
# Elements per chunk of the update: 256 KiB of float32 per array. At the lecture's 10 x 500 one pass over all
# 2.5 million parameters per operation took 5.1 ms a step, one weight matrix at a time 4.5 ms, and these
# chunks 4.3 ms; at 10 x 100 (101,303 parameters, two chunks) 0.08 ms against 0.12 ms one array at a time.
_UPDATE_CHUNK = 1 << 16


def forward_layer(params: dict, layer: int, h_in: np.ndarray, config: Config, work: _Workspace | None = None,
                  products: Dense | conv.Geometry = DENSE) -> _Layer:
    """One hidden layer: z = h_in @ W + b (a conv net's z = conv(h_in, W) + b), s = gamma * BN(z) + beta (or z),
    h = f(s); BN per unit over the rows (a conv net's per channel over batch and positions, as BatchNorm2d).

    work: the run's workspace, whose arrays receive z and s, and whose products are used; fresh arrays and
    `products` (layer_products) without one."""
    products = products if work is None else work.products
    z = products.forward(h_in, params[f"W{layer}"], out=None if work is None else work.z[layer - 1])
    z += params[f"b{layer}"]
    s_hat = inv_std = None
    if config.batch_norm:
        s_hat, inv_std = batch_norm(z)  # in place: z is s_hat now
        s = np.multiply(s_hat, params[f"gamma{layer}"], out=None if work is None else work.s[layer - 1])
        s += params[f"beta{layer}"]
    else:
        s = z
    activation = activations.get(config.activation) if work is None else work.activation
    h = activation.f(s, config.slope)  # (batch, units[l]): s is a float array already, as activations.apply makes it
    return _Layer(h_in, h, s if activation.derivative_from == "s" else None, s_hat, inv_std)


def forward(params: dict, x: np.ndarray, config: Config, work: _Workspace | None = None,
            products: Dense | conv.Geometry = DENSE) -> tuple[np.ndarray, list[_Layer]]:
    """Logits (batch, K) and the layers' records for the backward pass; x (batch, units[0]), a conv net's
    (batch x image^2, units[0]) with products its layer_products."""
    tape, h = [], x
    for layer in range(1, config.depth + 1):
        tape.append(forward_layer(params, layer, h, config, work, products))
        h = tape[-1].h
    return head(params, h, config), tape


def pooled(h: np.ndarray, config: Config) -> np.ndarray:
    """What the read-out sees of the last hidden layer h: h itself, (batch, units[depth]); a conv net's channels
    averaged over the positions of each image (torch.nn.AdaptiveAvgPool2d(1)), (batch x image^2, C) -> (batch, C)."""
    if config.arch != "conv":
        return h
    return h.reshape(-1, config.positions, h.shape[1]).mean(axis=1)


def head(params: dict, h: np.ndarray, config: Config) -> np.ndarray:
    """Logits (batch, K) = pooled(h) @ head_W + head_b."""
    logits = matmul(pooled(h, config), params["head_W"])
    logits += params["head_b"]
    return logits


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray, int]:
    """Mean cross-entropy over the batch, its gradient dL/dlogits (batch, K), and how many argmaxes hit."""
    batch = len(labels)
    rows = np.arange(batch)
    shifted = logits - logits.max(axis=1, keepdims=True)  # exp cannot overflow; inf logits give nan
    exp = np.exp(shifted)
    total = exp.sum(axis=1, keepdims=True)  # (batch, 1)
    loss = float(np.log(total[:, 0]).sum(dtype=np.float64) - shifted[rows, labels].sum(dtype=np.float64)) / batch
    grad = exp / total  # softmax p
    grad[rows, labels] -= 1.0
    grad *= 1.0 / batch
    correct = int(np.count_nonzero(logits.argmax(axis=1) == labels))
    return loss, grad, correct


def backward(params: dict, tape: list[_Layer], dlogits: np.ndarray, config: Config,
             grad_std: np.ndarray | None = None, work: _Workspace | None = None) -> dict[str, np.ndarray]:
    """Gradients of the batch-mean loss for every parameter; fills grad_std[l - 1] with std(dL/dz_l) per
    sample when given. work: the run's workspace, whose arrays receive dL/dh and the gradients (returned:
    work.grads); fresh arrays without one."""
    batch, rows = dlogits.shape[0], tape[-1].h.shape[0]  # images and a conv net's pixels
    if work is None:
        work = _Workspace(config, batch, _shapes(params))
    activation, grads, products = work.activation, work.grads, work.products
    matmul(pooled(tape[-1].h, config).T, dlogits, out=grads["head_W"])
    # ufunc.reduce itself: np.sum wraps it in Python, which takes 40 % longer on a 128 x 100 array
    np.add.reduce(dlogits, axis=0, out=grads["head_b"])
    channels = params["head_W"].shape[0]
    if config.arch == "conv":  # the average's gradient: each position gets 1 / image^2 of its image's
        dh = work.dh(rows, channels)  # (batch x image^2, C)
        d_pooled = matmul(dlogits, params["head_W"].T)  # (batch, C)
        d_pooled *= 1.0 / config.positions
        dh.reshape(batch, -1, channels)[...] = d_pooled[:, None, :]
    else:
        dh = matmul(dlogits, params["head_W"].T, out=work.dh(rows, channels))  # (batch, units[depth])
    for layer in range(config.depth, 0, -1):
        rec = tape[layer - 1]
        d = activation.df(rec.h if rec.s is None else rec.s, config.slope)  # f'(s), a fresh array
        ds = np.multiply(dh, d, out=d)  # dL/ds
        if config.batch_norm:
            grads[f"gamma{layer}"][...] = np.einsum("ij,ij->j", ds, rec.s_hat)
            np.add.reduce(ds, axis=0, out=grads[f"beta{layer}"])
            ds *= params[f"gamma{layer}"]  # dL/ds_hat
            dz = batch_norm_backward(ds, rec.s_hat, rec.inv_std)
        else:
            dz = ds
        if grad_std is not None:
            grad_std[layer - 1] = batch * mean_std(dz)[1]  # per sample, as the simulation reports it
        products.weight_grad(rec.h_in, dz, out=grads[f"W{layer}"])  # (units[l-1], units[l]): summed over the rows
        np.add.reduce(dz, axis=0, out=grads[f"b{layer}"])
        if layer > 1:
            dh = products.input_grad(dz, params[f"W{layer}"], out=work.dh(rows, config.units[layer - 1]))
    return grads


def loss_and_gradients(params: dict, x: np.ndarray, labels: np.ndarray, config: Config) -> tuple[float, dict]:
    """The batch-mean cross-entropy and its gradient for every parameter; x (batch, features) as Task.x holds it
    (a conv net's images, image x image x units[0] each)."""
    batch = len(labels)
    x = x.reshape(batch * config.positions, config.units[0])
    logits, tape = forward(params, x, config, products=layer_products(config, batch))
    loss, dlogits, _ = softmax_cross_entropy(logits, labels)
    return loss, backward(params, tape, dlogits, config, work=_Workspace(config, batch, _shapes(params)))


# --- the training loop ---------------------------------------------------------------------------------

def _minibatches(samples: int, batch: int, steps: int, seed: int = TASK_SEED) -> np.ndarray:
    """(steps, batch) indices: shuffled epochs drawn from the task's seed (TASK_SEED), the same for every scheme."""
    rng = np.random.default_rng((seed, 1))
    epochs = -(-steps * batch // samples)
    order = np.concatenate([rng.permutation(samples) for _ in range(epochs)])
    return order[: steps * batch].reshape(steps, batch)


def _record_steps(steps: int) -> np.ndarray:
    every = max(1, -(-steps // RECORDS))
    marks = list(range(0, steps, every))
    if marks[-1] != steps - 1:
        marks.append(steps - 1)
    return np.array(marks)


def _train(config: Config, task: Task, steps: int, lr: float, momentum: float, batch: int,
           progress: Progress | None, name: str, stop: threads.Cancel = None,
           live: dict | None = None, start: _Unfinished | None = None,
           until: int | None = None) -> TrainingResult | _Unfinished:
    """One run of `steps` steps: TrainingResult; progress(steps done, steps) at each record step; threads.Cancelled
    at the next step once stop is set (threads.check); live: as in race.

    A leg of it: from start (a leg's _Unfinished; None: the initial weights) up to step `until` (None: the end),
    returning _Unfinished there, and the TrainingResult at the end (or once it diverges). Legs give the very bits
    of the whole run; progress is also told at the end of each leg."""
    depth = config.depth
    until = steps if until is None else until
    marks = _record_steps(steps)
    if start is None:
        work = _Workspace.holding(config, batch, init_params(config, task.classes))  # the draws' arrays go now
        loss, accuracy = np.full(steps, np.nan), np.full(steps, np.nan)
        act_std, grad_std, update_ratio = (np.full((len(marks), depth), np.nan) for _ in range(3))
        first, record = 0, 0
    else:
        work = _Workspace(config, batch, start.shapes)
        work.flat_params[...] = start.params
        work.flat_velocity[...] = start.velocity
        loss, accuracy = start.loss, start.accuracy
        act_std, grad_std, update_ratio = start.act_std, start.grad_std, start.update_ratio
        first, record = start.step, start.record
    params, velocity = work.params, work.velocity
    order = _minibatches(len(task.labels), batch, steps, task.seed)
    is_mark = np.zeros(steps, bool)
    is_mark[marks] = True
    if live is not None:
        live[name] = loss, accuracy
    diverged_at, message = None, ""
    x = np.empty((batch, task.x.shape[1]), task.x.dtype)  # this step's minibatch
    rows = x.reshape(batch * config.positions, config.units[0])  # a view: a conv net's pixels its rows

    for step in range(first, until):
        threads.check(stop)
        np.take(task.x, order[step], axis=0, out=x, mode="clip")  # (batch, units[0]); the indices are in range
        labels = task.labels[order[step]]  # (batch,)
        logits, tape = forward(params, rows, config, work)
        step_loss, dlogits, correct = softmax_cross_entropy(logits, labels)
        if not math.isfinite(step_loss):
            diverged_at = step
            message = (f"{name}: diverged at step {step}: the loss became {step_loss}; this curve stops there "
                       f"(a smaller learning rate or initial scale would keep it finite)")
            break
        loss[step], accuracy[step] = step_loss, correct / batch
        marked = is_mark[step]
        backward(params, tape, dlogits, config, grad_std[record] if marked else None, work)
        work.sgd_step(lr, momentum)
        if marked:
            for layer in range(1, depth + 1):
                act_std[record, layer - 1] = mean_std(tape[layer - 1].h)[1]
                w_std = mean_std(params[f"W{layer}"])[1]
                if w_std > 0:
                    update_ratio[record, layer - 1] = lr * mean_std(velocity[f"W{layer}"])[1] / w_std
            record += 1
            if progress is not None:
                progress(step + 1, steps)

    if diverged_at is None and until < steps:
        if progress is not None and not is_mark[until - 1]:
            progress(until, steps)  # the steps since the last record step, before the run goes on elsewhere
        return _Unfinished(until, work.shapes, work.flat_params, work.flat_velocity, loss, accuracy, act_std,
                           grad_std, update_ratio, record)
    if progress is not None and diverged_at is not None:
        progress(steps, steps)  # the bar completes even though this curve stopped early
    final_loss, final_accuracy, distinct = _evaluate(params, task.x, task.labels, config, batch)
    test_accuracy = None
    if task.test_x is not None:
        test_accuracy = _evaluate(params, task.test_x, task.test_labels, config, batch)[1]
    return TrainingResult(
        config=config, name=name, classes=task.classes, batch=batch, lr=lr, momentum=momentum,
        loss=loss, accuracy=accuracy, record_steps=marks[:record], act_std=act_std[:record],
        grad_std=grad_std[:record], update_ratio=update_ratio[:record], distinct_units=distinct,
        final_loss=final_loss, final_accuracy=final_accuracy, diverged_at=diverged_at, message=message,
        task="spiral" if task.points is not None else "digits", test_accuracy=test_accuracy,
    )


def _evaluate(params: dict, x: np.ndarray, labels: np.ndarray, config: Config,
              batch: int = MAX_BATCH) -> tuple[float, float, np.ndarray]:
    """Loss, accuracy and distinct units (a conv net's filters) per hidden layer on x (samples, features) with its
    labels (the whole task set, or the held-out digits), one layer at a time: batch norm over the whole set, a
    conv net's products `batch` images at a time (_InChunks)."""
    distinct = np.full(config.depth, np.nan)
    h = x.reshape(len(labels) * config.positions, config.units[0])
    products = _InChunks(config, batch) if config.arch == "conv" else DENSE
    for layer in range(1, config.depth + 1):
        h = forward_layer(params, layer, h, config, products=products).h
        if np.isfinite(h).all():
            distinct[layer - 1] = distinct_columns(h)
    logits = head(params, h, config)
    loss, _, correct = softmax_cross_entropy(logits, labels)
    accuracy = correct / len(labels) if math.isfinite(loss) else math.nan
    return loss, accuracy, distinct


@dataclass(frozen=True)
class _InChunks:
    """A conv layer's forward product over a whole set of images, `batch` images at a time, so that im2col's
    patches are no larger than a training step's (estimate_training_memory)."""

    config: Config
    batch: int

    def forward(self, h: np.ndarray, m: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """conv(h, W) + nothing: (rows, C_out) from h (images x image^2, C_in) and W's matrix m."""
        p = self.config.positions
        images = h.shape[0] // p
        out = np.empty((h.shape[0], m.shape[1]), np.result_type(h, m)) if out is None else out
        for start in range(0, images, self.batch):
            end = min(start + self.batch, images)
            layer_products(self.config, end - start).forward(h[start * p:end * p], m, out=out[start * p:end * p])
        return out


# --- reading the curves ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Spike:
    """The highest point of a run's loss curve that lies above SPIKE times its first step's loss."""

    step: int
    loss: float  # the minibatch loss at that step
    start: float  # the first step's loss, before any update

    @property
    def times(self) -> float:
        return self.loss / self.start


def spike(loss: np.ndarray, factor: float = SPIKE) -> Spike | None:
    """The peak of a loss curve ((steps,), NaN after a divergence) if it lies above factor times the first step's
    loss, else None; None for a curve with no finite first step."""
    if len(loss) == 0 or not np.isfinite(loss[0]) or loss[0] <= 0:
        return None
    step = int(np.nanargmax(loss)) if np.isfinite(loss).any() else 0
    return Spike(step, float(loss[step]), float(loss[0])) if loss[step] > factor * loss[0] else None


def stability(result: TrainingResult) -> str:
    """How a run's loss behaved, its verdict in the race: "diverged" (nan or inf at some step, diverged_at),
    "spiked" (finite, but above SPIKE times its start: spike) or "stable"."""
    if result.diverged_at is not None:
        return "diverged"
    return "stable" if spike(result.loss) is None else "spiked"


def steps_to_loss(result: TrainingResult, level: float, window: int = 20) -> int | None:
    """The first step at which the mean loss over the last `window` steps is at or below level; None if never."""
    loss = result.loss
    if len(loss) < window:
        window = len(loss)
    running = np.convolve(loss, np.ones(window) / window, mode="valid")  # NaN after a divergence stays NaN
    hit = np.flatnonzero(running <= level)
    return int(hit[0] + window - 1) if len(hit) else None


def acts_as_one_unit(config: Config) -> bool:
    """Whether every layer of a net trained from config acts as one unit, the nets one_unit_ceiling bounds: its weights
    all one number (zero or constant init) and its biases too, so that no unit of a layer ever differs from another."""
    return schemes.get(config.init).family is None and config.bias_std == 0


# a pure function of its arguments, read by the race's accuracy chart and its caption on every draw of the tab (a
# second for 5 classes): computed once per process
@functools.cache
def one_unit_ceiling(classes: int = DEFAULT_CLASSES, directions: int = 360) -> float:
    """The best task-set accuracy of a network whose every layer acts as one unit (zero or constant init).

    Such a net computes one number t = v . point (its first layer's units all share one weight vector),
    passes it through a chain of monotone maps (tanh, ReLU, ... and batch norm with one gamma) and reads
    out K affine functions of it: the argmax of K lines in t gives each class at most one interval.
    So the plane is cut into at most K parallel bands along one direction. Searched over `directions`
    directions, so a trained net may beat it by a hair; a GELU net is not monotone and may beat it more.
    """
    task = make_task(classes, 2, "float64")
    return best_bands(task.points, task.labels, classes, directions) / len(task.labels)


def best_bands(points: np.ndarray, labels: np.ndarray, classes: int, directions: int) -> int:
    """Most points classified right by K parallel bands, one class each, over evenly spaced directions.

    For each direction and each order of the classes along it, dynamic programming over the sorted
    points finds the best cut points: best_k(i) = C_k(i) + max_{j <= i} (best_{k-1}(j) - C_k(j)),
    where C_k(i) counts class k among the first i points.
    """
    angles = np.linspace(0.0, math.pi, directions, endpoint=False)  # a direction and its opposite are one
    t = points @ np.stack([np.cos(angles), np.sin(angles)])  # (samples, directions)
    sorted_labels = labels[np.argsort(t, axis=0, kind="stable")].T  # (directions, samples)
    zero = np.zeros((directions, 1), np.int32)
    counts = [np.concatenate([zero, np.cumsum(sorted_labels == k, axis=1, dtype=np.int32)], axis=1)
              for k in range(classes)]
    best = 0.0
    for order in permutations(range(classes)):
        right = counts[order[0]]  # (directions, samples + 1): best count with the bands so far ending at i
        for k in order[1:]:
            right = counts[k] + np.maximum.accumulate(right - counts[k], axis=1)
        best = max(best, float(right[:, -1].max()))
    return int(best)


# --- He et al. 2015 in miniature -------------------------------------------------------------------------

HE_2015_WIDTH = 64
# Xavier reaches half of ln K by then in 3 of seeds 0-5 at depth 22 (steps 516-610) and at 30 (500-782)
HE_2015_STEPS = 800
HE_2015_LR = 0.01  # at the race's 0.02 a plain 30-layer ReLU net under He spikes and at times dies (README)
HE_2015_SCHEMES = ("xavier_normal", "he_normal")
HE_2015_DEPTHS = (22, 30)  # Figures 2 and 3


def he_2015_settings() -> dict[str, float]:
    """What every run of the preset shares, as he_2015 and he_2015_depths read it at the call: width, batch,
    learning rate and steps."""
    return {"width": HE_2015_WIDTH, "batch": MAX_BATCH, "lr": HE_2015_LR, "steps": HE_2015_STEPS}


def he_2015_config(depth: int = 30, seed: int = 0) -> Config:
    """The He et al. 2015 race: a ReLU net without batch norm, 22 or 30 layers deep."""
    return Config(depth=depth, width=HE_2015_WIDTH, batch=MAX_BATCH, activation="relu", init="he_normal", seed=seed)


def he_2015(depth: int = 30, seed: int = 0, progress: Progress | None = None) -> dict[str, TrainingResult]:
    """Xavier (gain 1) against He at the given depth, as in Figures 2 (22 layers) and 3 (30 layers)."""
    return race(he_2015_config(depth, seed), HE_2015_SCHEMES, steps=HE_2015_STEPS, lr=HE_2015_LR, progress=progress)


def he_2015_depths(depths: Sequence[int] = HE_2015_DEPTHS, seed: int = 0,
                   progress: Progress | None = None) -> dict[int, dict[str, TrainingResult]]:
    """he_2015 at every depth, all runs side by side: {depth: {scheme: result}}; each the same as he_2015's."""
    configs = {depth: he_2015_config(depth, seed) for depth in depths}
    task = make_task(DEFAULT_CLASSES, HE_2015_WIDTH, configs[depths[0]].dtype)
    runs = [(scheme_config(config, scheme), task, scheme) for config in configs.values() for scheme in HE_2015_SCHEMES]
    for config, _, _ in runs:
        _check(config, HE_2015_STEPS, HE_2015_LR, DEFAULT_MOMENTUM, DEFAULT_CLASSES, MAX_BATCH, DEFAULT_MEMORY_BUDGET)
    results = iter(_train_all(runs, HE_2015_STEPS, HE_2015_LR, DEFAULT_MOMENTUM, MAX_BATCH, progress))
    return {depth: {scheme: next(results) for scheme in HE_2015_SCHEMES} for depth in depths}
