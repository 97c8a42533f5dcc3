"""Every random number of a simulation or a training run, at unit scale from the seed; bigger networks extend
smaller ones.

The seed's tree of streams (numpy's SeedSequence spawning) gives each part of the network its own:
the input, every layer's weights, the read-out gradient and the biases. Each stream's numbers are laid
out so that growing the network only appends to it:

- layer l's weights, shape (fan_in, fan_out), come from stream (WEIGHTS, l) in shell order: entry (i, j)
  lies in shell k = max(i, j), whose numbers follow the k² of the smaller shells: (k, 0), ..., (k, k), then
  (0, k), ..., (k - 1, k). An entry's place does not depend on the shape, so a square width x width layer
  is the first width² numbers (width n + 1 keeps the n x n block and adds one row and one column), and a
  rectangular one is the same matrix cut to (fan_in, fan_out): more inputs add rows, more outputs add
  columns, and a narrow layer is the first columns of a wide one. A (fan_in, fan_out) layer reads the
  first stream_count(fan_in, fan_out) numbers: fan_in x fan_out for a square, about max(fan_in, fan_out)²
  for a thin one (the training's read-out, width x classes, is layer `depth`: a deeper network's next
  hidden layer starts with its columns);
- an orthogonal layer is the QR of a (fan_in, fan_out) Gaussian matrix from the same stream (nothing to
  extend: QR mixes every number);
- the input and the read-out (batch x width) come in blocks of BLOCK units, each block its own stream
  read sample by sample, so more samples extend every block and more units add blocks;
- the biases' N(0, 1) numbers are one stream, layer after layer (bias_noise).

The simulation (core.network) and the training (core.train) take their weights from unit_weights alike, so
the same Config gives the same W in both. Changing the depth, the width or the batch keeps every number
the smaller network had and draws only the new ones, and the numbers drawn so far are kept per stream
(STREAM_BYTES in all): dragging those sliders draws almost nothing, and the schemes of a training race
that share a family share their draws. A network's numbers never depend on which networks were drawn
before. Initializers only scale these unit draws, so a slider that changes std, gain, scheme, activation,
bias or batch norm reuses them as they are: the assembled draws of the last few networks are kept too.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from . import allocator, digits, schemes, threads

INPUT, WEIGHTS, READOUT, BIAS = range(4)  # the seed's child streams, in spawn order
# Units per input and read-out stream. A block is read sample by sample, BLOCK numbers a sample, so that more samples
# and more units both extend what was drawn; a narrower part still reads whole blocks (32 channels read 64 a row).
# Drawing only the units used would take a stream a unit, and a stream costs more than its numbers: the lecture's
# 1,000 x 500 input took 95 ms a unit a stream, 15-17 ms in blocks of 16 or 32, 9 ms in blocks of 64, against
# 16 ms for a conv net's 16,384 x 32 in blocks of 64 (7.5 ms in blocks of 32).
BLOCK = 64
# A network of fewer numbers than this is drawn in the caller's thread: a helper thread's start and join (about 0.1 to
# 0.2 ms) cost more than drawing them.
DRAWN_ALONE = 1 << 15
GROWTH = 1.25  # a stream that must grow draws this much more than asked, so a dragged slider rarely redraws
# What is kept is counted in bytes, so that a server's memory stays bounded whatever networks a class asks
# for (benchmarks/bench_memory.py). The lecture's network needs 13.4 MiB of assembled draws and as much of
# stream numbers (27 MiB each in float64), so a student's own last network is kept for the next slider move
# (tests/test_draws.py). A class of different networks outruns any such store (30 lecture networks need
# 800 MiB): at 96 MiB each, what a server held between requests after 500 random links was 748 MiB, at 48 MiB
# 597 MiB, at 32 MiB 537 MiB (docs/performance.md, "Memory").
ASSEMBLED_BYTES = 32 << 20  # the assembled draws kept, at most; larger ones are made afresh each time
STREAM_BYTES = 32 << 20  # the numbers kept per stream, in all
# Orthogonal matrices are kept layer by layer, unscaled, apart from the assembled draws: a QR costs ~10^4 times
# drawing its numbers, and a gain or scale change (or another depth) reuses them. 32 MiB hold the largest
# orthogonal network within core.network.WORK_LIMIT at float32 (width 2048, 2 layers: 32 MiB).
ORTHOGONAL_BYTES = 32 << 20
# The families whose unit numbers are kept in streams, and the kind of number each stream holds: N(0, 1), or
# U[0, 1) made U(-1, 1) when a layer is cut from it. Orthogonal layers are kept as whole matrices instead.
STREAMED = {"normal": "normal", "uniform": "uniform"}


@dataclass(frozen=True)
class Draws:
    """Unit-scale random arrays for one (seed, units, batch, input, family, dtype); read-only."""

    x: np.ndarray  # (batch, units[0]), unit variance (digits: each pixel standardized over the whole set)
    weights: tuple[np.ndarray, ...]  # layer l's (units[l-1], units[l]): N(0, 1), U(-1, 1) or orthogonal; () if none
    readout: np.ndarray  # (batch, units[depth]), the N(0, 1) gradient that seeds the backward pass

    @property
    def nbytes(self) -> int:
        return sum(a.nbytes for a in (self.x, *self.weights, self.readout))


def family(init: str) -> str | None:
    """Which unit draw an init scheme scales (its record in core.schemes); None for schemes without randomness."""
    return schemes.get(init).family


Width = int | tuple[int, ...]  # a width for every layer, or the profile's depth + 1 (core.config.Config.units)


def layer_units(depth: int, width: Width) -> tuple[int, ...]:
    """The units of each layer, (depth + 1,): width for every layer, or the profile as given."""
    units = (width,) * (depth + 1) if isinstance(width, int) else tuple(width)
    if len(units) != depth + 1:
        raise ValueError(f"{len(units)} widths for depth {depth}: depth + 1 needed")
    return units


def draws_bytes(depth: int, width: Width, batch: int, weight_family: str | None, dtype: str) -> int:
    """Bytes of the assembled draws of one network (width: one for every layer, or the profile)."""
    units = layer_units(depth, width)
    n_weights = sum(a * b for a, b in zip(units[:-1], units[1:])) if weight_family else 0
    return np.dtype(dtype).itemsize * (batch * (units[0] + units[-1]) + n_weights)


def stream_bytes(depth: int, width: Width, batch: int, weight_family: str | None, dtype: str) -> int:
    """Bytes a network's streams may newly hold: its numbers, GROWTH more, whole blocks of units."""
    units = layer_units(depth, width)
    blocks = sum(math.ceil(n / BLOCK) * BLOCK for n in (units[0], units[-1]))
    return math.ceil(GROWTH * np.dtype(dtype).itemsize * batch * blocks) + \
        weight_stream_bytes(list(zip(units[:-1], units[1:])), weight_family, dtype)


def weight_stream_bytes(shapes: list[tuple[int, int]], weight_family: str | None, dtype: str, taps: int = 1) -> int:
    """Bytes the weight streams of layers of these (fan_in, fan_out) shapes may newly hold, GROWTH more; taps as in
    unit_weights (a stream of (fan_in / taps, fan_out) a tap)."""
    if weight_family not in STREAMED:
        return 0
    counts = sum(taps * stream_count(fan_in // taps, fan_out) for fan_in, fan_out in shapes)
    return math.ceil(GROWTH * np.dtype(dtype).itemsize * counts)


def stream_count(fan_in: int, fan_out: int) -> int:
    """How many numbers of its stream a (fan_in, fan_out) layer reads in shell order: one more than the largest
    place in it. Square n x n: n². Taller (fan_in > fan_out): the last shell's row (fan_in - 1, j < fan_out),
    after (fan_in - 1)² numbers. Wider: the last shell's column (i < fan_in, fan_out - 1), which follows that
    shell's fan_out numbers of its row."""
    if fan_in == fan_out:
        return fan_in * fan_in
    if fan_in > fan_out:
        return (fan_in - 1) ** 2 + fan_out
    return (fan_out - 1) ** 2 + fan_out + fan_in


def draw(seed: int, depth: int, width: Width, batch: int, input: str, weight_family: str | None,
         dtype: str, cancel: threads.Cancel = None) -> Draws:
    """The unit draws of one network, from the kept ones when it was assembled recently. width: one for every
    layer, or the profile of depth + 1 (Config.units); both spellings of equal widths are the same draws.

    cancel (a threading.Event or a callable) is looked at before each part (the input, the read-out, each
    layer's weights); once set, threads.Cancelled is raised within a part and nothing assembled is kept.
    """
    key = (seed, layer_units(depth, width), batch, input, weight_family, dtype)
    with _lock:
        if key in _assembled:
            _assembled.move_to_end(key)
            return _assembled[key]
    made = _assemble(*key, cancel=cancel)
    if made.nbytes <= ASSEMBLED_BYTES:
        with _lock:
            _assembled[key] = made
            while _assembled.nbytes > ASSEMBLED_BYTES:
                _assembled.popitem(last=False)
    return made


def _assemble(seed, units, batch, input, weight_family, dtype, cancel: threads.Cancel = None) -> Draws:
    # The parts come from streams of their own, so they are drawn side by side on the free cores
    # (core.threads) and are the same numbers whichever thread draws them.
    def part(index: int) -> np.ndarray:
        threads.check(cancel)
        if index == 0:
            if input == "digits":  # the first batch images, the same for every seed (a copy: kept read-only below)
                return digits.images(batch, dtype)
            return _blocks(seed, INPUT, batch, units[0], "normal" if input == "normal" else "uniform", dtype)
        if index == 1:
            return _blocks(seed, READOUT, batch, units[-1], "normal", dtype)
        layer = index - 2
        return unit_weights(seed, layer, units[layer], units[layer + 1], weight_family, dtype)

    numbers = batch * (units[0] + units[-1]) + (sum(map(math.prod, zip(units, units[1:]))) if weight_family else 0)
    x, readout, *weights = threads.parallel_map(part, range(2 + (len(units) - 1 if weight_family else 0)),
                                                workers=1 if numbers < DRAWN_ALONE else None)
    if input == "uniform":  # U(-sqrt 3, sqrt 3) has unit variance
        x *= 2 * math.sqrt(3)
        x -= math.sqrt(3)
    for array in (x, *weights, readout):
        array.flags.writeable = False  # shared between calls and sessions
    return Draws(x, tuple(weights), readout)


def _blocks(seed: int, part: int, batch: int, width: int, kind: str, dtype: str) -> np.ndarray:
    """(batch, width) from the part's blocks of BLOCK units, each read row by row."""
    out = np.empty((batch, width), dtype)
    for block, start in enumerate(range(0, width, BLOCK)):
        units = min(BLOCK, width - start)
        numbers = _numbers(seed, (part, block), kind, dtype, batch * BLOCK)
        out[:, start:start + units] = numbers.reshape(batch, BLOCK)[:, :units]
    return out


def unit_weights(seed: int, layer: int, fan_in: int, fan_out: int, weight_family: str | None,
                 dtype: str, taps: int = 1) -> np.ndarray | None:
    """Layer `layer`'s (0 for the first) unit-scale weights, shape (fan_in, fan_out), used as s = h @ W: N(0, 1),
    U(-1, 1) or orthogonal (orthonormal columns if fan_in >= fan_out, else rows), from stream (WEIGHTS, layer)
    in shell order (module docstring); None for a family None. A fresh array, or for orthogonal the kept
    read-only one: the one draw of every layer for the simulation and the training alike.

    taps > 1: a conv layer's matrix (taps C_in, C_out), fan_in = taps C_in, its rows tap after tap (core.conv.matrix's
    (kh, kw, c_in) order). A normal or uniform draw is then one (C_in, C_out) block a tap, each from stream (WEIGHTS,
    layer, tap) in shell order: taps C_in C_out numbers drawn where one tall matrix's shells would read about
    (taps C_in)², and more channels extend each tap's block. Orthogonal stays the QR of the whole matrix (torch's
    orthogonal_ of a conv weight flattens it)."""
    if weight_family is None:
        return None
    if weight_family == "orthogonal":  # a QR of the whole matrix: nothing to extend, but kept for a gain change
        return _orthogonal_layer(seed, layer, fan_in, fan_out, dtype)
    if weight_family not in STREAMED:
        raise ValueError(f"unknown weight family {weight_family!r}: one of {', '.join(schemes.FAMILIES)}")
    if taps < 1 or fan_in % taps:
        raise ValueError(f"taps={taps!r} must divide fan_in={fan_in}")
    c_in, kind = fan_in // taps, STREAMED[weight_family]
    paths = [(WEIGHTS, layer)] if taps == 1 else [(WEIGHTS, layer, tap) for tap in range(taps)]
    order, count = shell_order(c_in, fan_out) if gathered(c_in, fan_out) else None, stream_count(c_in, fan_out)
    if taps == 1 and order is not None:  # numbers[order], not np.take: np.take copies a read-only index first
        w = _numbers(seed, paths[0], kind, dtype, count)[order]  # (fan_in, fan_out)
    else:  # each tap's (c_in, fan_out) block in its rows: no list of blocks to join
        w = np.empty((fan_in, fan_out), dtype)
        for tap, path in enumerate(paths):
            numbers, block = _numbers(seed, path, kind, dtype, count), w[tap * c_in:(tap + 1) * c_in]
            if order is None:
                fill_in_shell_order(numbers, block)
            else:
                block[...] = numbers[order]
    if weight_family == "uniform":
        w *= 2.0
        w -= 1.0
    return w


# The gather indices kept for shell_order, in all: the lecture's 500 x 500 layer takes 2 MiB, and a width profile's
# layers have several shapes. A layer whose index would take more than a quarter of this is filled shell by shell
# instead (fill_in_shell_order): an index of every shape ever drawn, up to 32 MiB one at width 2048, stayed resident.
SHELL_ORDER_BYTES = 16 << 20
GATHERED_BYTES = SHELL_ORDER_BYTES // 4  # the largest index kept: 724 x 724 entries of 8 bytes


def gathered(rows: int, cols: int) -> bool:
    """Whether a (rows, cols) layer reads its numbers through a kept shell_order index (else fill_in_shell_order)."""
    return rows * cols * np.dtype(np.intp).itemsize <= GATHERED_BYTES


def shell_orders_bytes(shapes) -> int:
    """Bytes of the shell_order indices a network of these (fan_in, fan_out) layer shapes leaves kept: one a gathered
    shape, at most SHELL_ORDER_BYTES in all."""
    kept = {(m, n) for m, n in shapes if gathered(m, n)}
    return min(SHELL_ORDER_BYTES, sum(m * n for m, n in kept) * np.dtype(np.intp).itemsize)


def fill_in_shell_order(numbers, out: np.ndarray) -> np.ndarray:
    """out (rows, cols), filled with numbers[shell place (i, j)], shell by shell; out. numbers: a stream's numbers
    (an array of at least stream_count(rows, cols)), or anything else cut by slices.

    Shell k's row part (k, 0), ..., (k, k) is numbers[k² : k² + k + 1] and its column part (0, k), ..., (k - 1, k)
    the k numbers after it: a slice each, so no index is built (2k slices: about twice the time of a gather
    through a kept index, and no memory beside out).
    """
    rows, cols = out.shape
    for k in range(max(rows, cols)):
        start = k * k
        if k < rows:
            n = min(k + 1, cols)
            out[k, :n] = numbers[start:start + n]
        if k < cols:
            n = min(k, rows)
            out[:n, k] = numbers[start + k + 1:start + k + 1 + n]
    return out


class _Places:
    """A stream's places: _PLACES[a:b] is np.arange(a, b), made a slice at a time (a whole np.arange for an index, as
    large as the index, left a hole in the heap that the arrays drawn after it did not fill)."""

    def __getitem__(self, part: slice) -> np.ndarray:
        return np.arange(part.start, part.stop, dtype=np.intp)


_PLACES = _Places()


def shell_order(rows: int, cols: int | None = None) -> np.ndarray:
    """Where entry (i, j) of a rows x cols matrix (cols = rows if not given) sits in its stream, read-only intp:
    shell k = max(i, j) holds (k, 0), ..., (k, k), then (0, k), ..., (k - 1, k), after the k² numbers of the
    smaller shells. An entry's place does not depend on the shape.

    Kept while SHELL_ORDER_BYTES allows (a gather through it is about twice as fast as fill_in_shell_order, and
    a contiguous intp index several times faster than any other).
    """
    cols = rows if cols is None else cols
    key = (rows, cols)
    with _lock:
        if key in _shell_orders:
            _shell_orders.move_to_end(key)
            return _shell_orders[key]
    order = fill_in_shell_order(_PLACES, np.empty((rows, cols), np.intp))
    order.flags.writeable = False
    if order.nbytes <= SHELL_ORDER_BYTES:
        with _lock:
            _shell_orders[key] = order
            while _shell_orders.nbytes > SHELL_ORDER_BYTES:
                _shell_orders.popitem(last=False)
    return order


def generator(seed: int, *path: int) -> np.random.Generator:
    """The generator at `path` in the seed's tree: default_rng(seed).spawn(...)[path[0]].spawn(...)[path[1]]...

    Built from the path directly, so one layer's stream does not need the others spawned first.
    """
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=path))


class _Stream:
    """The numbers of one stream drawn so far, and its generator, positioned to continue after them."""

    def __init__(self, rng: np.random.Generator, kind: str, dtype: str):
        self.rng, self.kind, self.dtype = rng, kind, np.dtype(dtype)
        self.numbers = np.empty(0, self.dtype)
        self.lock = threading.Lock()  # two sessions must not advance one generator at once
        self.counted = 0  # the bytes of its numbers that _streams.nbytes holds (changed under _lock)

    def first(self, count: int) -> np.ndarray:
        """The stream's first `count` numbers: drawing in pieces gives what drawing at once would."""
        with self.lock:
            if count > self.numbers.size:
                more = count if self.numbers.size == 0 else max(count, math.ceil(GROWTH * self.numbers.size))
                new = self._draw(more - self.numbers.size)
                self.numbers = np.concatenate([self.numbers, new]) if self.numbers.size else new
                self.numbers.flags.writeable = False
            return self.numbers[:count]

    def _draw(self, count: int) -> np.ndarray:
        if self.kind == "normal":
            return self.rng.standard_normal(count, dtype=self.dtype)
        return self.rng.random(count, dtype=self.dtype)  # U[0, 1)


def _numbers(seed: int, path: tuple[int, ...], kind: str, dtype: str, count: int) -> np.ndarray:
    """The first `count` numbers of a stream; kept for the next call while STREAM_BYTES allows."""
    key = (seed, path, kind, dtype)
    with _lock:
        stream = _streams.get(key) or _Stream(generator(seed, *path), kind, dtype)
        _streams[key] = stream  # most recently used last
    numbers = stream.first(count)
    with _lock:
        if _streams.get(key) is stream:  # an evicted stream's bytes left with it
            _streams.recount(stream)
        while len(_streams) > 1 and _streams.nbytes > STREAM_BYTES:
            _streams.popitem(last=False)
        if stream.numbers.nbytes > STREAM_BYTES:
            _streams.pop(key, None)
    return numbers


class _Kept(OrderedDict):
    """Least recently used first, with the total bytes of the values (nbytes) kept up to date."""

    def __init__(self):
        super().__init__()
        self.nbytes = 0

    @staticmethod
    def size(value) -> int:
        return value.nbytes

    def __setitem__(self, key, value) -> None:
        self.pop(key, None)
        super().__setitem__(key, value)
        self.nbytes += self.size(value)

    def pop(self, key, default=None):
        if key not in self:
            return default
        value = super().pop(key)
        self.nbytes -= self.size(value)
        return value

    def popitem(self, last: bool = True):
        key, value = super().popitem(last=last)
        self.nbytes -= self.size(value)
        return key, value

    def clear(self) -> None:
        super().clear()
        self.nbytes = 0


class _Streams(_Kept):
    """The streams kept, least recently used first, with the bytes of their numbers in all (nbytes). A stream
    grows after it is kept (_Stream.first); recount() adds what it drew since it was last counted, so that
    keeping them within STREAM_BYTES does not add up every stream's bytes on each draw (a class drawing its
    networks keeps hundreds of streams, and that sum, once per eviction, held the interpreter's lock)."""

    @staticmethod
    def size(stream: _Stream) -> int:
        return stream.counted

    def recount(self, stream: _Stream) -> None:
        now = stream.numbers.nbytes
        self.nbytes += now - stream.counted
        stream.counted = now


_assembled: _Kept = _Kept()
_orthogonals: _Kept = _Kept()  # (seed, layer, fan_in, fan_out, dtype) -> that layer's unscaled orthogonal matrix
_streams: _Streams = _Streams()
_shell_orders: _Kept = _Kept()  # (rows, cols) -> shell_order's read-only index
_lock = threading.Lock()  # Streamlit serves sessions from several threads


def forget() -> None:
    """Drop everything this module keeps (assembled draws, streams, orthogonal matrices, shell orders), as a new
    process has none: for tests and benchmarks that time or check the drawing itself."""
    with _lock:
        _assembled.clear()
        _streams.clear()
        _orthogonals.clear()
        _shell_orders.clear()


def _orthogonal_layer(seed: int, layer: int, fan_in: int, fan_out: int, dtype: str) -> np.ndarray:
    """Layer `layer`'s unscaled (fan_in, fan_out) orthogonal matrix, kept while ORTHOGONAL_BYTES allows."""
    key = (seed, layer, fan_in, fan_out, dtype)
    with _lock:
        if key in _orthogonals:
            _orthogonals.move_to_end(key)
            return _orthogonals[key]
    q = orthogonal(generator(seed, WEIGHTS, layer), fan_in, fan_out, dtype).astype(dtype, copy=False)
    q.flags.writeable = False

    def same_network(other: tuple) -> bool:  # same seed and dtype, and a fan in common: layers that chain
        return (other[0], other[4]) == (seed, dtype) and bool({other[2], other[3]} & {fan_in, fan_out})

    with _lock:
        # Room is made from other networks' matrices only: evicting this network's earlier layers to keep its
        # later ones would keep nothing a second pass can use (it asks for the layers in the same order).
        for other in [k for k in _orthogonals if not same_network(k)]:
            if _orthogonals.nbytes + q.nbytes <= ORTHOGONAL_BYTES:
                break
            _orthogonals.pop(other)
        if _orthogonals.nbytes + q.nbytes <= ORTHOGONAL_BYTES:
            _orthogonals[key] = q
    return q


def orthogonal(rng: np.random.Generator, rows: int, cols: int, dtype: str = "float64") -> np.ndarray:
    """A (rows, cols) matrix with orthonormal rows or columns, as torch.nn.init.orthogonal_ makes it.

    torch's recipe (Saxe et al. 2014): the QR decomposition of a (rows, cols) N(0, 1) matrix (its transpose if
    rows < cols), Q times sign(diag(R)), which makes Q uniform (Haar) rather than biased by QR's sign choice; the
    result is the Q of the QR whose R has a positive diagonal. The N(0, 1) numbers are drawn and the QR computed in
    float64 whatever dtype is, then rounded to dtype.

    LAPACK factors the matrix and forms Q in its own memory (scipy's dgeqrf and dorgqr, overwrite_a): the one float64
    (M, N) matrix, M >= N, is all the QR needs beyond its workspace (qr_bytes). numpy.linalg.qr needs about
    five such matrices at once (its copy, LAPACK's copies, Q, R), 160 MiB at width 2048.
    """
    from scipy.linalg import lapack  # first use only: scipy brings a BLAS library of its own (core.digits)

    threads.configure()  # which gets one thread like numpy's
    thin = min(rows, cols)
    if rows < cols:  # the transposed (cols, rows) matrix is column-major, as LAPACK wants it
        a = rng.standard_normal((rows, cols)).T
    else:  # row-major numbers written into a column-major (rows, cols) matrix, QR_ROWS rows at a time
        a = np.empty((cols, rows)).T
        for start in range(0, rows, QR_ROWS):
            a[start:start + QR_ROWS] = rng.standard_normal((min(QR_ROWS, rows - start), cols))
    lwork = QR_BLOCK * thin  # at least LAPACK's optimum (dgeqrf_lwork: 32 x N here), for dorgqr too
    a, tau, work, info = lapack.dgeqrf(a, lwork=lwork, overwrite_a=True)  # R above the diagonal, reflectors below
    del work  # one workspace at a time: dorgqr makes its own
    signs = np.sign(np.diag(a))  # R's diagonal: makes the distribution uniform (Haar), not biased by QR's choice
    q, work, info_q = lapack.dorgqr(a, tau, lwork=lwork, overwrite_a=True)  # (tall, thin), in a's memory
    del work
    if info or info_q:
        raise np.linalg.LinAlgError(f"LAPACK's QR failed (info {info}, {info_q})")
    q *= signs
    return np.ascontiguousarray(q.T if rows < cols else q, dtype)  # row-major, as numpy's arrays are


QR_ROWS = 64  # rows of N(0, 1) numbers drawn at a time into the QR's column-major matrix
QR_BLOCK = 64  # the columns LAPACK's blocked QR may work on at a time: its workspace is QR_BLOCK x N numbers
CAST_BUFFER = 8192 * (8 + 4)  # numpy's buffered float64-to-float32 copy to row-major order: 8,192 numbers each way


def qr_bytes(rows: int, cols: int, dtype: str) -> int:
    """Bytes orthogonal(rng, rows, cols, dtype) holds beyond its result while it runs: the float64 (M, N) matrix
    LAPACK works in (copied to the row-major result, unless that is its transpose: rows < cols, float64), tau's and
    the signs' N numbers, and the largest of what comes and goes one after the other: the numbers drawn at a time
    (QR_ROWS rows, when rows >= cols), LAPACK's workspace (QR_BLOCK x N numbers) and the float32 copy's buffers."""
    tall, thin = max(rows, cols), min(rows, cols)
    double = np.dtype(dtype) == np.float64
    matrix = 0 if rows < cols and double else 8 * tall * thin
    drawn = 8 * QR_ROWS * cols if rows >= cols else 0
    return matrix + 8 * 2 * thin + max(drawn, 8 * QR_BLOCK * thin, 0 if double else CAST_BUFFER)


def qrs_bytes(shapes: list[tuple[int, int]], weight_family: str | None, dtype: str, at_once: int) -> tuple[int, int]:
    """(held, kept): the bytes the QRs of orthogonal layers of these (fan_in, fan_out) shapes hold beyond their
    results while at_once of them run at the same time (the largest ones: an upper bound), and the part of that which
    stays resident after them; (0, 0) for another weight family. glibc's malloc hands a freed block back to the
    kernel from allocator.MMAP_BYTES up; a smaller one stays in its thread's arena (up to allocator.TRIM_BYTES), where
    the arrays of a simulation, made in another thread, may not reuse it (measured: docs/performance.md)."""
    held = kept = 0
    if weight_family != "orthogonal":
        return held, kept
    for rows, cols in sorted(shapes, key=lambda shape: qr_bytes(*shape, dtype), reverse=True)[:at_once]:
        matrix = 8 * rows * cols  # the float64 matrix, one block; the rest are small blocks
        held += qr_bytes(rows, cols, dtype)
        kept += qr_bytes(rows, cols, dtype) - (matrix if matrix >= allocator.MMAP_BYTES else 0)
    return held, kept


def bias_noise(seed: int, units: list[int] | tuple[int, ...]) -> list[np.ndarray]:
    """N(0, 1) float64 numbers for the biases of layers with these numbers of units (fan_out), from their own
    stream, layer after layer: layer l's are the next units[l] numbers. More layers extend the stream."""
    numbers = generator(seed, BIAS).standard_normal(sum(units))
    return np.split(numbers, np.cumsum(units)[:-1])
