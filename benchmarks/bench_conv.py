"""Speed of a conv net's simulate(): 10 layers x 32 channels, 3 x 3 kernels, a batch of 256 8 x 8 images.

    python benchmarks/bench_conv.py [--repeat 9] [--blas-threads 1] [--single-core]

Each contender runs as the app runs a computation: holding a compute slot (core.threads.compute_slot), so that
core.conv's chunks take the machine's other core when it is free; --single-core runs them outside any slot (one
thread). Beside simulate, in the same process and interleaved: its matmul floor, the bare products core.conv does
(each layer's forward, weight gradient and input gradient on ready-made patch chunks, split over the cores as
core.conv splits them: nothing else), the im2col floor (the same three products on whole (rows, k^2 C) matrices
with --blas-threads BLAS threads, the floor before the products were chunked), the conv products alone (core.conv:
the copies and the matmuls) and, when torch imports, torch.nn.functional.conv2d forward and backward (autograd)
of the same net with as many intra-op threads as there are cores in use. Prints medians in milliseconds, their
ratios to the matmul floor, and the median CPU time of the process (all its threads; torch's too); nothing here
asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import Config, conv, simulate, threads  # noqa: E402
from core.allocator import keep_freed_memory  # noqa: E402

CONFIG = Config(arch="conv", depth=10, width=32, batch=256, image=8, kernel=3, init="he_normal", activation="relu")


def operands(config: Config):
    """Random float32 operands of the net's shapes: activations (rows, C), weight matrices (k^2 C, C), patches."""
    rng = np.random.default_rng(0)
    rows, k2, c = config.rows, config.receptive_field, config.width
    h = rng.standard_normal((rows, c), dtype=np.float32)
    patches = rng.standard_normal((rows, k2 * c), dtype=np.float32)
    ms = [rng.standard_normal((k2 * c, c), dtype=np.float32) for _ in range(config.depth)]
    return h, patches, ms


def im2col_floor(patches: np.ndarray, h: np.ndarray, ms: list[np.ndarray]) -> None:
    """The 3 products a layer needs on whole im2col matrices (forward, weight gradient, input gradient), into
    outputs made once."""
    z = np.empty((patches.shape[0], ms[0].shape[1]), patches.dtype)
    dw = np.empty((h.shape[1], patches.shape[1]), patches.dtype)
    for m in ms:
        np.matmul(patches, m, out=z)
        np.matmul(h.T, patches, out=dw)
        np.matmul(patches, m, out=z)


def matmul_floor(geometry: conv.Geometry, patches: np.ndarray, h: np.ndarray, ms: list[np.ndarray]) -> None:
    """The 3 products of every layer as core.conv computes them: per chunk of CHUNK_BYTES of ready-made patches, into
    outputs made once, the chunks of each part in turn, the parts on the cores core.conv would use; no copies, no
    sums."""
    row_bytes = patches.shape[1] * patches.itemsize
    spans = [geometry.chunks(*part, row_bytes) for part in geometry.parts(row_bytes)]
    z = np.empty((patches.shape[0], ms[0].shape[1]), patches.dtype)  # a layer's output, and each part's dW^T
    dw = np.empty((len(spans), h.shape[1], patches.shape[1]), patches.dtype)
    for m in ms:
        for _ in range(2):  # forward, then input gradient: the same shapes
            threads.each(lambda chunks: [np.matmul(patches[a:b], m, out=z[a:b]) for a, b in chunks], spans)
        threads.each(lambda i: [np.matmul(h[a:b].T, patches[a:b], out=dw[i]) for a, b in spans[i]], range(len(spans)))


def conv_products(geometry: conv.Geometry, h: np.ndarray, ms: list[np.ndarray]) -> None:
    """core.conv's three products of every layer: im2col copies and matmuls."""
    for m in ms:
        geometry.forward(h, m)
        geometry.weight_grad(h, h)
        geometry.input_grad(h, m)


def torch_conv(config: Config, intra_op_threads: int):
    """The same net in torch eager float32 (NCHW): conv2d + ReLU forward, backward from a random gradient."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(intra_op_threads)
    torch.manual_seed(0)
    c, k = config.width, config.kernel

    def run():
        x = torch.randn(config.batch, c, config.image, config.image)
        ws = [(torch.randn(c, c, k, k) * (2 / (c * k * k)) ** 0.5).requires_grad_() for _ in range(config.depth)]
        h = x
        for w in ws:
            h = torch.relu(torch.nn.functional.conv2d(h, w, padding="same"))
        h.backward(torch.randn_like(h))
        return [w.grad.std() for w in ws]

    return run


def median_ms(times: list[float]) -> float:
    return 1e3 * statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--blas-threads", type=int, default=threads.DEFAULT_BLAS_THREADS,
                        help="BLAS threads (default: the engine's, one per computation)")
    parser.add_argument("--single-core", action="store_true", help="hold no compute slot: core.conv uses one thread")
    args = parser.parse_args()
    threads.configure()
    keep_freed_memory()
    with threads.blas_threads(args.blas_threads):
        measure(args)


def measure(args: argparse.Namespace) -> None:
    config = CONFIG
    h, patches, ms = operands(config)
    geometry = conv.Geometry(config.batch, config.image, config.kernel)
    seeds = iter(range(1, 10**6))
    slot = contextlib.nullcontext if args.single_core else threads.compute_slot
    cores = 1 if args.single_core else threads.usable_cores()

    def in_slot(fn):
        def run():
            with slot():
                return fn()
        return run

    contenders = {name: in_slot(fn) for name, fn in {
        "simulate (new seed)": lambda: simulate(replace(config, seed=next(seeds))),
        "simulate (same draws)": lambda: simulate(config),
        "conv products": lambda: conv_products(geometry, h, ms),
        "matmul floor": lambda: matmul_floor(geometry, patches, h, ms),
        "im2col floor": lambda: im2col_floor(patches, h, ms),
    }.items()}
    torch_run = torch_conv(config, max(cores, args.blas_threads))
    if torch_run:
        contenders["torch conv2d"] = torch_run
    for run in contenders.values():  # warm up: imports, caches, BLAS threads
        run()
    times = {name: [] for name in contenders}
    cpu = {name: [] for name in contenders}  # the process's CPU seconds: what a busy machine's waits do not inflate
    for _ in range(args.repeat):  # interleaved: a busy moment slows every contender alike
        for name, run in contenders.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            run()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    floor = median_ms(times["matmul floor"])
    print(f"{config.depth} conv layers x {config.width} channels, {config.kernel}x{config.kernel}, batch "
          f"{config.batch} of {config.image}x{config.image} images, float32, {args.blas_threads} BLAS threads, "
          f"chunks on {'1 core' if args.single_core else f'up to {cores} cores'}, median of {args.repeat}")
    print(f"  BLAS: {threads.blas_settings()}; load average {os.getloadavg()[0]:.1f} at the end (a core free for the "
          f"chunks: {threads.machine_has_a_free_core()})")
    for name in contenders:
        wall, used = median_ms(times[name]), median_ms(cpu[name])
        print(f"  {name:<24} {wall:8.1f} ms   {wall / floor:5.2f} x the matmul floor   CPU {used:6.1f} ms")


if __name__ == "__main__":
    main()
