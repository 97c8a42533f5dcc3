"""Speed of the order-to-chaos map (core.theory.phase_map) against its budget of 200 ms and a plain baseline.

    python benchmarks/bench_theory.py [--repeat 7] [--activations tanh relu gelu]

cold:   every cache empty: the activation's tables, the 60 x 41 map with xi, and the critical line
warm:   the tables cached (another activation seen before, or the same one with a new grid), map and line new
cached: the map already computed for these arguments (the lru_cache hit the app sees on a rerun)
plain:  the same q* and chi_1 with the composite quadrature on every cell, iterating the length map for
        50 layers (an underestimate: near the edge of chaos 50 layers are far from converged); no xi, no line

Prints medians of interleaved runs and the ratios, measured in the same process. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import Config, theory  # noqa: E402

BUDGET = 0.200  # seconds, issue 5


def clear(tables: bool) -> None:
    theory._phase_map.cache_clear()
    theory._critical_line.cache_clear()
    if tables:
        theory._length_table.cache_clear()
        theory._hermite_table.cache_clear()


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def plain_map(name: str, layers: int = 50) -> None:
    """The baseline: q* by iterating the length map on all cells at once, chi_1 by quadrature at the end."""
    sw, sb = np.meshgrid(theory.DEFAULT_SIGMA_W2, theory.DEFAULT_SIGMA_B2)
    q = sw + sb
    with np.errstate(all="ignore"):
        for _ in range(layers):
            q = sw * theory.moments(name, 0.0, np.minimum(q, theory.Q_MAX))[1] + sb
        sw * theory.moments(name, 0.0, np.minimum(q, theory.Q_MAX))[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--activations", nargs="+", default=["tanh", "relu", "gelu", "selu"])
    args = parser.parse_args()

    cells = len(theory.DEFAULT_SIGMA_W2) * len(theory.DEFAULT_SIGMA_B2)
    print(f"phase_map: {len(theory.DEFAULT_SIGMA_W2)} x {len(theory.DEFAULT_SIGMA_B2)} = {cells} cells, "
          f"medians of {args.repeat} runs, budget {BUDGET * 1e3:.0f} ms")
    print(f"{'activation':>10}  {'cold ms':>8}  {'warm ms':>8}  {'cached ms':>9}  {'plain ms':>9}  "
          f"{'cold/budget':>11}  {'plain/warm':>10}")
    for name in args.activations:
        runs = {"cold": [], "warm": [], "cached": [], "plain": []}
        for _ in range(args.repeat):  # interleaved, so that a noisy neighbour hits every column alike
            clear(tables=True)
            runs["cold"].append(timed(lambda: theory.phase_map(name)))
            clear(tables=False)
            runs["warm"].append(timed(lambda: theory.phase_map(name)))
            runs["cached"].append(timed(lambda: theory.phase_map(name)))
        for _ in range(max(1, args.repeat // 3)):  # seconds each: fewer runs
            runs["plain"].append(timed(lambda: plain_map(name)))
        m = {key: statistics.median(values) for key, values in runs.items()}
        print(f"{name:>10}  {m['cold'] * 1e3:8.1f}  {m['warm'] * 1e3:8.1f}  {m['cached'] * 1e3:9.3f}  "
              f"{m['plain'] * 1e3:9.0f}  {m['cold'] / BUDGET:11.2f}  {m['plain'] / m['warm']:10.0f}")

    print()
    print("theory_summary (the command line's \"theory\" object), cold and warm:")
    for config in (Config(), Config(init="normal", std=1.0), Config(activation="relu", init="he_normal")):
        clear(tables=True)
        cold = timed(lambda: theory.theory_summary(config))
        warm = statistics.median(timed(lambda: theory.theory_summary(config)) for _ in range(args.repeat))
        print(f"  {config.activation:>5} {config.init:>9} std {config.std:<5g}  cold {cold * 1e3:6.1f} ms  "
              f"warm {warm * 1e3:6.1f} ms")


if __name__ == "__main__":
    main()
