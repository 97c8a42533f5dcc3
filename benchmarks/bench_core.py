"""Speed of simulate(Config()): against its own bare float32 matmuls, and against PyTorch eager when installed.

    python benchmarks/bench_core.py [--repeat 15]

Prints medians of interleaved runs and their ratios, measured in the same process, so the figures
compare like with like on whatever machine runs it. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import Config, simulate  # noqa: E402


def bare_matmuls(config: Config, hs: list[np.ndarray], ws: list[np.ndarray], g: np.ndarray) -> None:
    """The 3 matmuls a layer needs (forward, weight gradient, input gradient), nothing else."""
    for h, w in zip(hs, ws):
        h @ w
        h.T @ g
        g @ w.T


def torch_eager(config: Config):
    """The same net in PyTorch eager float32: forward, then backward from a random read-out gradient."""
    try:
        import torch
    except ImportError:
        return None
    torch.manual_seed(config.seed)

    def run():
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    config = Config()
    rng = np.random.default_rng(0)
    hs = [rng.standard_normal((config.batch, config.width), dtype=np.float32) for _ in range(config.depth)]
    ws = [rng.standard_normal((config.width, config.width), dtype=np.float32) for _ in range(config.depth)]
    g = rng.standard_normal((config.batch, config.width), dtype=np.float32)
    seeds = iter(range(10**6))

    def sim():  # a fresh seed each call: no random draw is reused
        simulate(replace(config, seed=next(seeds)))

    torch_run = torch_eager(config)
    sim(), bare_matmuls(config, hs, ws, g)  # warm up BLAS threads and caches
    if torch_run:
        torch_run()
    rounds = {"simulate": [], "matmuls": [], "torch": []}
    for _ in range(3):  # interleave so machine load hits every contender alike
        rounds["simulate"].append(median_ms(sim, args.repeat))
        rounds["matmuls"].append(median_ms(lambda: bare_matmuls(config, hs, ws, g), args.repeat))
        if torch_run:
            rounds["torch"].append(median_ms(torch_run, args.repeat))
    t_sim, t_mm = min(rounds["simulate"]), min(rounds["matmuls"])
    print(f"config: depth {config.depth}, width {config.width}, batch {config.batch}, {config.activation}, float32")
    print(f"simulate(Config())            {t_sim:7.1f} ms  (forward, backward, statistics, histograms, theory)")
    print(f"bare float32 matmuls (3/layer) {t_mm:7.1f} ms")
    print(f"ratio simulate / matmuls       {t_sim / t_mm:7.2f}   (target <= 1.3)")
    if rounds["torch"]:
        t_torch = min(rounds["torch"])
        print(f"PyTorch eager fwd+bwd          {t_torch:7.1f} ms")
        print(f"ratio simulate / torch         {t_sim / t_torch:7.2f}   (target <= 1.0)")
    else:
        print("PyTorch not installed: comparison skipped")

    profile = cProfile.Profile()
    profile.runcall(lambda: [sim() for _ in range(5)])
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(12)
    print("\nwhere the time goes (cProfile, 5 calls):")
    print("\n".join(out.getvalue().splitlines()[6:]))


if __name__ == "__main__":
    main()
