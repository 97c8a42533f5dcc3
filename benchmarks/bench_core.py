"""Speed of simulate(Config()): against its own bare float32 matmuls, and against PyTorch eager when installed.

    python benchmarks/bench_core.py [--repeat 15]

Runs with the project's thread setting (core.threads.configure(): one BLAS thread per computation), or
--blas-threads N for a single computation's own N threads; the settings are printed beside the figures.
"new seed" draws every random number afresh; "new std" is what a scale slider's move costs, when the unit
draws of the same seed are reused; "new width" is the width slider dragged both ways
from 500 (501, 499, 502, ...), when the streams of the random numbers drawn so far are extended or cut.
"faint" is He normal at gains around 10⁻⁶ (draws reused): its values fall below float32's smallest normal number
at layer 7, where the forward pass stops; its last products' terms are subnormal, which core.products computes on
operands scaled by powers of two (unscaled, those products took 0.2-0.4 s each). "saturated" is step 3's N(0, 1)
at stds around 1, whose saturated units' slopes are subnormal: its backward products are computed in two parts
(before, 15 times a normal product's time).
"as a page does" is a new seed inside a compute slot, as the app computes it: its large products in two row
blocks, the second on another core while one is free (core.products.matmul_rows). Then a product in one call
against its two row blocks forced side by side, at sizes around core.products.SPLIT_WORK (run it idle).

Prints medians of interleaved runs and their ratios, measured in the same process, so the figures
compare like with like on whatever machine runs it. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import cProfile
import pstats
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import Config, products, simulate, threads  # noqa: E402
from core.allocator import keep_freed_memory  # noqa: E402


def bare_matmuls(config: Config, hs: list[np.ndarray], ws: list[np.ndarray], g: np.ndarray) -> None:
    """The 3 matmuls a layer needs (forward, weight gradient, input gradient), nothing else."""
    for h, w in zip(hs, ws):
        h @ w
        h.T @ g
        g @ w.T


def torch_eager(config: Config, intra_op_threads: int):
    """The same net in PyTorch eager float32: forward, then backward from a random read-out gradient."""
    try:
        import torch
    except ImportError:
        return None
    torch.set_num_threads(intra_op_threads)  # the same number of threads as numpy's BLAS
    torch.manual_seed(config.seed)

    def run():  # fresh random numbers each call, like a new seed
        x = torch.randn(config.batch, config.width)
        ws = [(torch.randn(config.width, config.width) * config.std).requires_grad_() for _ in range(config.depth)]
        h = x
        for w in ws:
            h = torch.tanh(h @ w)
        h.backward(torch.randn_like(h))
        return [w.grad.std() for w in ws]

    return run


def median_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return 1e3 * statistics.median(times)


CATEGORIES = {  # cProfile function name -> what it is
    "matmul": "matrix products",
    "_assemble": "random draws",
    "_histogram": "histograms",
    "distinct_columns": "distinct units",
    "mean_std": "means and stds",
    "apply": "activation f",
    "derivative_from_output": "derivative f'",
    "predict": "theory",
}


def where_the_time_goes(run, calls: int = 5) -> list[tuple[str, float]]:
    """Milliseconds per call by category, from cProfile's cumulative times (profiling adds overhead)."""
    profile = cProfile.Profile()
    profile.runcall(lambda: [run() for _ in range(calls)])
    stats = pstats.Stats(profile).stats
    total = max(cumulative for (_, _, name), (_, _, _, cumulative, _) in stats.items() if name == "simulate")
    parts = {}
    for (_, _, name), (_, _, _, cumulative, _) in stats.items():
        # names look like "_histogram", or "<method 'sum' of 'numpy.ndarray' objects>" for builtins
        label = next((label for key, label in CATEGORIES.items() if name == key or f"'{key}'" in name), None)
        if label:
            parts[label] = parts.get(label, 0.0) + cumulative
    rows = sorted(parts.items(), key=lambda item: -item[1])
    rows.append(("matmuls and the rest", total - sum(parts.values())))
    return [(label, 1e3 * seconds / calls) for label, seconds in rows]


def row_blocks(repeat: int) -> list[tuple[str, float, float]]:
    """(shape, us in one BLAS call, us in core.products.matmul_rows's two row blocks side by side) for float32
    products around SPLIT_WORK: where a helper thread's start (~0.2 ms) pays. The second block is forced onto a
    second thread whatever the machine's load; run it on an idle machine."""
    rng = np.random.default_rng(1)
    rows = []
    for m, n in ((128, 100), (128, 200), (256, 256), (500, 256), (1000, 256), (1000, 500)):
        a, b = rng.standard_normal((m, n), np.float32), rng.standard_normal((n, n), np.float32)
        out = np.empty((m, n), np.float32)
        calls = max(repeat, int(2e8 / (m * n * n)))
        one = median_ms(lambda: [products.matmul(a, b, out=out) for _ in range(calls)], repeat) * 1e3 / calls
        with threads.compute_slot(), patched(products, "SPLIT_WORK", 0), \
                patched(threads, "machine_has_a_free_core", lambda: True):
            two = median_ms(lambda: [products.matmul_rows(a, b, out=out) for _ in range(calls)], repeat) * 1e3 / calls
        rows.append((f"{m} x {n} x {n} (2^{math.log2(m * n * n):.0f})", one, two))
    return rows


@contextlib.contextmanager
def patched(module, name: str, value):
    """module.name set to value inside the block."""
    kept = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, kept)


SMALL = Config(depth=5, width=40, batch=64, activation="tanh", init="xavier_normal")  # bench_app.LIGHT's network


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--default-malloc", action="store_true",
                        help="leave glibc's malloc as it is (the app calls core.allocator.keep_freed_memory)")
    parser.add_argument("--blas-threads", type=int, default=threads.DEFAULT_BLAS_THREADS,
                        help="BLAS threads for everything measured (default: the project's setting, 1)")
    args = parser.parse_args()
    threads.configure()
    with threads.blas_threads(args.blas_threads):
        measure(args)


def measure(args: argparse.Namespace) -> None:
    kept = False if args.default_malloc else keep_freed_memory()
    config = Config()
    rng = np.random.default_rng(0)
    hs = [rng.standard_normal((config.batch, config.width), dtype=np.float32) for _ in range(config.depth)]
    ws = [rng.standard_normal((config.width, config.width), dtype=np.float32) for _ in range(config.depth)]
    g = rng.standard_normal((config.batch, config.width), dtype=np.float32)
    seeds = iter(range(1, 10**6))
    scales = iter(np.linspace(0.01, 0.02, 10**5))
    widths = iter(config.width + (k // 2 + 1) * (-1) ** k for k in range(10**5))  # 501, 499, 502, 498, ...

    def cold():  # a new seed each call: every random number is drawn afresh
        simulate(replace(config, seed=next(seeds)))

    def warm():  # a new std each call (a slider move): the unit draws are reused, all else recomputed
        simulate(replace(config, std=float(next(scales))))

    def wider():  # the width slider dragged out both ways: the streams grow, or a smaller network is cut out
        simulate(replace(config, width=next(widths)))

    def page():  # a new seed as a page computes it: in a compute slot, its large products on a free core too
        with threads.compute_slot():
            simulate(replace(config, seed=next(seeds)))

    gains = iter(np.linspace(1e-6, 2e-6, 10**5))

    def faint():  # values below float32's range from layer 7 on: subnormal terms in its last products
        simulate(replace(config, init="he_normal", gain=float(next(gains))))

    big = iter(np.linspace(1.0, 1.1, 10**5))

    def saturated():  # step 3's N(0, 1), a new std: saturated units, subnormal slopes in the backward pass's dL/ds
        simulate(replace(config, std=float(next(big))))

    def small():  # a new seed of bench_app's light session's network (5 x 40, minibatch 64): fixed costs show
        simulate(replace(SMALL, seed=next(seeds)))

    torch_run = torch_eager(config, args.blas_threads)
    contenders = {"cold": cold, "page": page, "warm": warm, "wider": wider, "small": small, "faint": faint,
                  "saturated": saturated, "matmuls": lambda: bare_matmuls(config, hs, ws, g)}
    if torch_run:
        contenders["torch"] = torch_run
    for run in contenders.values():  # warm up BLAS threads, caches, imports
        run()
    rounds = {name: [] for name in contenders}
    for _ in range(3):  # interleaved, so that machine load hits every contender alike
        for name, run in contenders.items():
            rounds[name].append(median_ms(run, args.repeat))
    best = {name: min(times) for name, times in rounds.items()}
    print(f"config: depth {config.depth}, width {config.width}, batch {config.batch}, {config.activation}, float32; "
          f"median of {args.repeat}, best of 3 interleaved rounds; freed memory kept for reuse: {kept}")
    blas = ", ".join(f"{s['internal_api']} {s['version']} {s['num_threads']} thread(s)"
                     for s in threads.blas_settings())
    torch_threads = f"; torch {torch_version()}: {torch_threads_now()} thread(s)" if torch_run else ""
    print(f"threads: {threads.usable_cores()} usable cores; BLAS {blas}{torch_threads}")
    print(f"simulate, new seed (draws made)      {best['cold']:7.1f} ms")
    print(f"simulate, new seed, as a page does   {best['page']:7.1f} ms   (in a compute slot: its large products in "
          f"two row blocks, side by side while a core is free; load average {os.getloadavg()[0]:.1f} at the end)")
    print(f"simulate, new std (draws reused)     {best['warm']:7.1f} ms")
    print(f"simulate, new width (draws extended) {best['wider']:7.1f} ms")
    print(f"bare float32 matmuls, 3 per layer    {best['matmuls']:7.1f} ms")
    print(f"a small net (5 x 40, batch 64), new seed {best['small']:5.1f} ms")
    print(f"N(0, 1), saturated (step 3), new std    {best['saturated']:7.1f} ms   (ratio to new std "
          f"{best['saturated'] / best['warm']:.2f}: 1-3 % of its backward pass's dL/ds subnormal)")
    print(f"gain 1e-6, values below float32's range at layer 7, new gain {best['faint']:7.1f} ms   "
          f"(ratio to new std {best['faint'] / best['warm']:.2f}: 7 forward products, no backward)")
    print(f"ratio new std / matmuls              {best['warm'] / best['matmuls']:7.2f}   (target <= 1.3)")
    print(f"ratio new seed / matmuls             {best['cold'] / best['matmuls']:7.2f}")
    print(f"ratio as a page / new seed           {best['page'] / best['cold']:7.2f}")
    if "torch" in best:
        print(f"PyTorch eager fwd+bwd, new seed      {best['torch']:7.1f} ms   (torch {torch_version()})")
        print(f"ratio new seed / torch               {best['cold'] / best['torch']:7.2f}   (target <= 1.0)")
        print(f"ratio new std / torch                {best['warm'] / best['torch']:7.2f}")
    else:
        print("PyTorch is not installed: that comparison is skipped")
    print(f"\na product in one call against two row blocks side by side (us; SPLIT_WORK = "
          f"2^{math.log2(products.SPLIT_WORK):.0f} multiply-adds):")
    for shape, one, two in row_blocks(args.repeat):
        print(f"  {shape:24s} {one:8.0f} {two:8.0f}   ratio {two / one:5.2f}")
    print("\nwhere the time of a new-seed call goes (cProfile, which adds its own overhead):")
    for label, ms in where_the_time_goes(cold):
        print(f"  {label:18s} {ms:7.1f} ms")


def torch_version() -> str:
    import torch

    return torch.__version__


def torch_threads_now() -> int:
    import torch

    return torch.get_num_threads()


if __name__ == "__main__":
    main()
