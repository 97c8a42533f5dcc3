"""Convolutional layers in numpy: k x k, stride 1, "same" padding (zeros or circular), forward and backward.

Layout: images are NHWC, (batch, height, width, channels); a layer's activations are kept as the 2-D array
(batch * height * width, channels), rows in (n, i, j) order, so a channel is a column and every per-unit
statistic of core.network (mean, std, histogram, batch norm over axis 0 as torch.nn.BatchNorm2d, distinct
units) reads it per channel over batch and positions. A weight is torch's (C_out, C_in, k, k); the product uses
its matrix form (k * k * C_in, C_out), rows in (kh, kw, c_in) order (`matrix`).

The convolution is im2col (Chellapilla et al. 2006): a strided view of the padded images
(numpy.lib.stride_tricks.sliding_window_view) copied into (rows, k * k * C_in) patches, then a matmul. It runs a
few images at a time (CHUNK_BYTES of patches, which stay in the CPU's cache between the copy and the product
instead of going out to memory and back), and the chunks of one product in parallel on a core the process has
free (core.threads.each; none under load): the chunks are the same whichever thread computes them, so
the result is too.
Like torch.nn.functional.conv2d it is a cross-correlation: z[n, i, j, o] = sum_{a, b, c} x[n, i + a - k//2,
j + b - k//2, c] w[o, c, a, b]. Backward, the input's gradient is the same-padded correlation of dL/dz with the
kernel flipped in space and its channels swapped (for zero and circular padding alike, at stride 1 with odd k),
and dL/dw = patches^T dL/dz.

Fans as torch.nn.init._calculate_fan_in_and_fan_out computes them for a (C_out, C_in, k, k) weight:
fan_in = C_in k^2, fan_out = C_out k^2 (`fans`).
Delta-orthogonal init (Xiao et al. 2018, "Dynamical isometry and a mean field theory of CNNs: how to train
10,000-layer vanilla convolutional neural networks", Algorithm 2): the centre tap an orthogonal C_out x C_in
matrix times the gain, every other tap 0 (`delta_orthogonal`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from . import threads
from .products import matmul

PADDINGS = ("zeros", "circular")  # torch.nn.Conv2d's padding_mode names
# Bytes of patches built and multiplied at once, whole images: they stay in cache between the copy and the product.
# 1 to 2.5 MB measured fastest for 3 x 3 kernels on 32 and 64 channels, 1.2 to 1.5 times faster than whole-layer
# im2col; much smaller chunks pay per-product overheads (docs/performance.md).
CHUNK_BYTES = 3 << 19
# A product is split into at most this many parts, each its chunks in turn: enough for two cores to share the work
# evenly, and a fixed split, so a weight gradient's partial sums add up in the same order whatever ran them.
PARTS = 4


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight of this shape, as torch.nn.init._calculate_fan_in_and_fan_out: a
    (C_out, C_in, *kernel) weight has fan_in = C_in * receptive field, fan_out = C_out * receptive field;
    a (fan_out, fan_in) Linear weight is the receptive field 1."""
    if len(shape) < 2:
        raise ValueError(f"fans need a weight of 2 or more dimensions, not shape {shape}")
    receptive = int(np.prod(shape[2:], dtype=np.int64))
    return shape[1] * receptive, shape[0] * receptive


def matrix(w: np.ndarray) -> np.ndarray:
    """A torch weight (C_out, C_in, k, k) as the im2col product's matrix (k * k * C_in, C_out); a copy."""
    c_out = w.shape[0]
    return np.ascontiguousarray(w.transpose(2, 3, 1, 0).reshape(-1, c_out))


def weight(m: np.ndarray, c_in: int, kernel: int) -> np.ndarray:
    """The matrix form (k * k * C_in, C_out) back as torch's (C_out, C_in, k, k); a copy."""
    return np.ascontiguousarray(m.reshape(kernel, kernel, c_in, -1).transpose(3, 2, 0, 1))


def flipped(m: np.ndarray, c_in: int, kernel: int) -> np.ndarray:
    """The matrix of the transposed layer (k * k * C_out, C_in): the kernel flipped in space, in and out swapped.
    Correlating dL/dz with it gives dL/dx (stride 1, same padding, odd k)."""
    taps = m.reshape(kernel, kernel, c_in, -1)[::-1, ::-1]  # (k, k, C_in, C_out), flipped in space
    return np.ascontiguousarray(taps.transpose(0, 1, 3, 2).reshape(-1, c_in))


def pad(x: np.ndarray, kernel: int, padding: str) -> np.ndarray:
    """x (N, H, W, C) padded by k // 2 on each side of H and W: zeros, or wrapped around (circular)."""
    if padding not in PADDINGS:
        raise ValueError(f"unknown padding {padding!r}: one of {', '.join(PADDINGS)}")
    p = kernel // 2
    if padding == "circular":
        return np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)), mode="wrap")
    n, h, w, c = x.shape
    out = np.zeros((n, h + 2 * p, w + 2 * p, c), x.dtype)  # several times faster than np.pad's constant mode
    out[:, p:p + h, p:p + w] = x
    return out


def windows(x: np.ndarray, kernel: int, padding: str) -> np.ndarray:
    """x (N, H, W, C)'s k x k window centred at each pixel, (N, H, W, k, k, C): a strided view of one padded copy."""
    view = sliding_window_view(pad(x, kernel, padding), (kernel, kernel), axis=(1, 2))  # (N, H, W, C, k, k)
    return view.transpose(0, 1, 2, 4, 5, 3)


def copy_windows(view: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """windows() of N images copied as im2col's patches, (N * H * W, k * k * C) (into out, if given)."""
    if out is None:
        out = np.empty((int(np.prod(view.shape[:3])), int(np.prod(view.shape[3:]))), view.dtype)
    np.copyto(out.reshape(view.shape), view)
    return out


@dataclass(frozen=True)
class Geometry:
    """The images every layer of a conv net sees: batch x size x size pixels, k x k kernels, same padding.

    A layer's activations are 2-D, (rows, channels) with rows = batch * size * size (module docstring).
    """

    batch: int
    size: int  # height = width
    kernel: int  # odd
    padding: str = "zeros"

    @property
    def rows(self) -> int:
        return self.batch * self.size * self.size

    def images(self, a: np.ndarray) -> np.ndarray:
        """(rows, C) as NHWC (N, H, W, C); a view."""
        return a.reshape(self.batch, self.size, self.size, -1)

    def chunk_images(self, row_bytes: int) -> int:
        """Images a chunk holds when a row of its patches takes row_bytes: CHUNK_BYTES of them, at least one."""
        return max(1, CHUNK_BYTES // (row_bytes * self.size * self.size))

    def held_patches(self, width: int, itemsize: int) -> int:
        """Values of im2col patches one product holds at once, rows `width` (k * k * C) values of itemsize bytes:
        one chunk's buffer (_patches) for each of its parts, which may run at once, each in its own thread."""
        row_bytes = width * itemsize
        images = min(self.batch, self.chunk_images(row_bytes))
        return len(self.parts(row_bytes)) * images * self.size * self.size * width

    def parts(self, row_bytes: int) -> list[tuple[int, int]]:
        """The products' split of the rows: at most PARTS (start, stop) spans of whole images, each of about the
        same number of chunks (chunk_images)."""
        pixels, chunk = self.size * self.size, self.chunk_images(row_bytes)
        chunks = -(-self.batch // chunk)
        bounds = [min(self.batch, chunk * (-(-chunks * i // PARTS))) for i in range(PARTS + 1)]
        return [(start * pixels, stop * pixels) for start, stop in zip(bounds, bounds[1:]) if stop > start]

    def chunks(self, start: int, stop: int, row_bytes: int) -> list[tuple[int, int]]:
        """The (start, stop) rows of the chunks of one part, chunk_images(row_bytes) images each."""
        step = self.chunk_images(row_bytes) * self.size * self.size
        return [(row, min(row + step, stop)) for row in range(start, stop, step)]

    def _patches(self, view: np.ndarray, span: tuple[int, int]):
        """(start, stop, patches) for each chunk of the part span: the chunk's rows of im2col (rows start to stop,
        (stop - start, k * k * C)), copied from view (windows() of the layer's images) into one buffer in turn."""
        pixels, buffer, width = self.size * self.size, None, int(np.prod(view.shape[3:]))
        for start, stop in self.chunks(*span, width * view.itemsize):
            if buffer is None or buffer.shape[0] != stop - start:
                buffer = np.empty((stop - start, width), view.dtype)
            yield start, stop, copy_windows(view[start // pixels:stop // pixels], buffer)

    def _correlate(self, a: np.ndarray, m: np.ndarray, out: np.ndarray | None) -> np.ndarray:
        """patches(a) @ m, (rows, m's columns), chunk by chunk: a (rows, C), m (k * k * C, C_out)."""
        if out is None:
            out = np.empty((self.rows, m.shape[1]), np.result_type(a, m))

        view = windows(self.images(a), self.kernel, self.padding)  # padded once, copied chunk by chunk

        def part(span: tuple[int, int]) -> None:
            for start, stop, patches in self._patches(view, span):
                matmul(patches, m, out=out[start:stop])

        threads.each(part, self.parts(view.itemsize * m.shape[0]))
        return out

    def forward(self, h: np.ndarray, m: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """z = conv(h, w), (rows, C_out), from h (rows, C_in) and w's matrix m (k * k * C_in, C_out)."""
        return self._correlate(h, m, out)

    def input_grad(self, dz: np.ndarray, m: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """dL/dh (rows, C_in) from dL/dz (rows, C_out): dL/dz correlated with the flipped kernel."""
        c_in = m.shape[0] // (self.kernel * self.kernel)
        return self._correlate(dz, flipped(m, c_in, self.kernel), out)

    def weight_grad(self, h: np.ndarray, dz: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """dL/dm (k * k * C_in, C_out) = patches(h)^T dL/dz, summed over batch and positions: each part's chunks
        summed in turn, then the parts in order."""
        width = self.kernel * self.kernel * h.shape[1]
        spans = self.parts(width * h.itemsize)
        # (C_out, k * k * C_in) a part: dz^T patches is 1.5 times faster than patches^T dz at these shapes (the
        # long sum is the inner dimension of both; the thin output is what differs)
        sums = np.zeros((len(spans), dz.shape[1], width), np.result_type(h, dz))

        view = windows(self.images(h), self.kernel, self.padding)

        def part(index: int) -> None:
            product = None
            for start, stop, patches in self._patches(view, spans[index]):
                product = matmul(dz[start:stop].T, patches, out=product)
                sums[index] += product

        threads.each(part, range(len(spans)))
        total = sums[0]
        for more in sums[1:]:
            total += more
        if out is None:
            return np.ascontiguousarray(total.T)
        np.copyto(out, total.T)
        return out


def conv2d(x: np.ndarray, w: np.ndarray, padding: str = "zeros") -> np.ndarray:
    """torch.nn.functional.conv2d(x, w, padding="same") in NHWC: x (N, H, W, C_in), w (C_out, C_in, k, k)
    -> (N, H, W, C_out). padding="circular" wraps the image around (torch's padding_mode="circular")."""
    n, size, _, _ = x.shape
    geometry = Geometry(n, size, w.shape[-1], padding)
    return geometry.images(geometry.forward(x.reshape(geometry.rows, -1), matrix(w)))


def conv2d_backward(x: np.ndarray, w: np.ndarray, dz: np.ndarray,
                    padding: str = "zeros") -> tuple[np.ndarray, np.ndarray]:
    """(dL/dx (N, H, W, C_in), dL/dw (C_out, C_in, k, k)) of conv2d(x, w, padding) given dL/dz (N, H, W, C_out)."""
    n, size, _, c_in = x.shape
    kernel = w.shape[-1]
    geometry = Geometry(n, size, kernel, padding)
    rows_x, rows_dz = x.reshape(geometry.rows, -1), dz.reshape(geometry.rows, -1)
    dx = geometry.input_grad(rows_dz, matrix(w))
    dw = geometry.weight_grad(rows_x, rows_dz)
    return geometry.images(dx), weight(dw, c_in, kernel)


def delta_orthogonal(unit: np.ndarray, kernel: int, gain: float = 1.0) -> np.ndarray:
    """Delta-orthogonal weight (C_out, C_in, k, k) from an orthogonal (C_in, C_out) matrix `unit` (orthonormal
    columns, or rows when C_in < C_out; core.draws.unit_weights' orthogonal family): the centre tap gain * unit^T,
    every other tap 0 (Xiao et al. 2018). The layer then maps x to gain * x @ unit at every pixel."""
    c_in, c_out = unit.shape
    w = np.zeros((c_out, c_in, kernel, kernel), unit.dtype)
    w[:, :, kernel // 2, kernel // 2] = gain * unit.T
    return w


def taps_inside(size: int, kernel: int) -> np.ndarray:
    """(size, size): how many of a k x k kernel's taps fall inside a size x size image at each pixel under zero
    padding (k^2 in the interior; for k = 3: 6 on an edge, 4 at a corner)."""
    p = kernel // 2
    along = np.array([min(i + p, size - 1) - max(i - p, 0) + 1 for i in range(size)])
    return np.outer(along, along)
