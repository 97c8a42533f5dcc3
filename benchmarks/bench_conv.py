"""Speed of a conv net's simulate(): 10 layers x 32 channels, 3 x 3 kernels, a batch of 256 8 x 8 images.

    python benchmarks/bench_conv.py [--repeat 9] [--blas-threads 2]

Beside it, in the same process and interleaved: its matmul floor (the three products of each layer on matrices of
im2col's shapes, nothing else), the conv products alone (core.conv: im2col and the matmuls, forward and both
gradients) and, when torch imports, torch.nn.functional.conv2d forward and backward (autograd) of the same net
with as many intra-op threads. Prints medians in milliseconds and their ratios; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
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


def matmul_floor(patches: np.ndarray, h: np.ndarray, ms: list[np.ndarray]) -> None:
    """The 3 products a layer needs at im2col's shapes (forward, weight gradient, input gradient), nothing else."""
    for m in ms:
        patches @ m
        patches.T @ h
        patches @ m


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
    parser.add_argument("--blas-threads", type=int, default=2, help="BLAS threads (default 2: the 2 cores)")
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
    contenders = {
        "simulate (new seed)": lambda: simulate(replace(config, seed=next(seeds))),
        "simulate (same draws)": lambda: simulate(config),
        "conv products": lambda: conv_products(geometry, h, ms),
        "matmul floor": lambda: matmul_floor(patches, h, ms),
    }
    torch_run = torch_conv(config, args.blas_threads)
    if torch_run:
        contenders["torch conv2d"] = torch_run
    for run in contenders.values():  # warm up: imports, caches, BLAS threads
        run()
    times = {name: [] for name in contenders}
    for _ in range(args.repeat):  # interleaved: a busy moment slows every contender alike
        for name, run in contenders.items():
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    floor = median_ms(times["matmul floor"])
    print(f"{config.depth} conv layers x {config.width} channels, {config.kernel}x{config.kernel}, batch "
          f"{config.batch} of {config.image}x{config.image} images, float32, {args.blas_threads} BLAS threads, "
          f"median of {args.repeat}")
    for name in contenders:
        ms_ = median_ms(times[name])
        print(f"  {name:<24} {ms_:8.1f} ms   {ms_ / floor:5.2f} x the matmul floor")


if __name__ == "__main__":
    main()
