"""Speed of the Jacobian's spectrum (core.spectrum) against issue 15's budgets: the lecture's network (width 500,
depth 10, 2 inputs) within 300 ms, the tour's depth-64 step (tanh, width 128, orthogonal and Gaussian) within 1 s.

    python benchmarks/bench_spectrum.py [--repeat 7]

new std:   the draws kept (a slider move): the Jacobian products and the SVD in full
cached:    the app's cache hit (core.cache.spectrum_cached) on a rerun
new seed:  every random number drawn afresh (orthogonal: every layer's QR too)
estimate:  core.spectrum.estimate_work / WORK_RATE, the seconds the work limit counts, beside what was measured

The depth-100 pair: He normal at gain 1 and at gain 10⁻⁶, whose J falls below float64's range (10⁻⁶⁰⁰): carried
as Ĵ 2^E, it costs what the in-range network does (a product of subnormal numbers had cost six times as much).

Prints the load average before and after (idle: below 0.5 on this 2-core machine) and the BLAS threads. Medians
of interleaved runs. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

from core import Config, cache, threads  # noqa: E402
from core.network import WORK_RATE  # noqa: E402
from core import spectrum as spectra  # noqa: E402
from core.spectrum import DEFAULT_INPUTS, estimate_work, spectrum  # noqa: E402

BUDGETS = {"lecture": 0.300, "edge": 1.0, "conv": 1.0, "deep": None}  # seconds, issue 15; a conv step's within
# STEP_WORK; the depth-100 pair has none
EDGE = dict(activation="tanh", gain=math.sqrt(1.03), bias_std=math.sqrt(4.6e-6), input_scale=0.125, width=128,
            depth=64)
STEP_11 = dict(arch="conv", init="he_normal", activation="relu", depth=10, batch=50, image=16)
NETWORKS = {
    "lecture (tanh, normal 0.01)": ("lecture", Config()),
    "lecture, He normal relu": ("lecture", Config(activation="relu", init="he_normal")),
    "edge, orthogonal": ("edge", Config(init="orthogonal", **EDGE)),
    "edge, Gaussian": ("edge", Config(init="lecun_normal", **EDGE)),
    # step 11 at the widths the tab draws it (core.spectrum.PATCH_COST: its thin products are patch-bound)
    "step 11, 3 channels": ("conv", Config(width=3, **STEP_11)),
    "step 11, 4 channels": ("conv", Config(width=4, **STEP_11)),
    "depth 100, He normal": ("deep", Config(init="he_normal", depth=100)),
    "depth 100, He normal, gain 1e-6": ("deep", Config(init="he_normal", gain=1e-6, depth=100)),
}


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    threads.configure()
    load = os.getloadavg()
    blas = ", ".join(f"{s['internal_api']} {s['version']} {s['num_threads']} thread(s)"
                     for s in threads.blas_settings())
    print(f"threads: {threads.usable_cores()} usable cores; BLAS {blas}")
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"{DEFAULT_INPUTS} inputs; medians of {args.repeat} interleaved runs")
    print(f"{'network':>30}  {'new std ms':>10}  {'cached ms':>9}  {'new seed ms':>11}  {'estimate ms':>11}  "
          f"{'budget ms':>9}")
    seeds = iter(range(1, 10**6))
    for label, (budget, config) in NETWORKS.items():
        spectrum(config)  # the draws made once: "new std" moves a slider that only scales them
        runs = {"std": [], "cached": [], "seed": []}
        for k in range(args.repeat):
            moved = replace(config, **({"gain": config.gain * (1 + 1e-3 * (k + 1))} if config.gain
                                       else {"std": config.std * (1 + 1e-3 * (k + 1))}))
            runs["std"].append(timed(lambda: spectrum(moved)))
            cache.spectrum_cached(moved)
            runs["cached"].append(timed(lambda: cache.spectrum_cached(moved)))
            if k < 3:  # fresh draws take longer: fewer runs
                runs["seed"].append(timed(lambda: spectrum(replace(config, seed=next(seeds)))))
        m = {key: statistics.median(values) * 1e3 for key, values in runs.items()}
        print(f"{label:>30}  {m['std']:10.1f}  {m['cached']:9.3f}  {m['seed']:11.1f}  "
              f"{estimate_work(config) / WORK_RATE * 1e3:11.1f}  "
              + (f"{BUDGETS[budget] * 1e3:9.0f}" if BUDGETS[budget] else f"{'-':>9}"))
    probes()
    load = os.getloadavg()
    print(f"load average after:  {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


def probes() -> None:
    """Step 11's random directions at its own 64 channels, both paddings (core.spectrum.border_effect), and one
    probe's pushes at 2 to 64 channels: measured against the estimates, which count PATCH_COST a patch value."""
    config = Config(width=64, **STEP_11)
    spectra.border_effect(config)  # the draws made once
    measured = min(timed(lambda: spectra.border_effect(config)) for _ in range(3))
    estimate = 2 * spectra.estimate_probe_work(config) / WORK_RATE
    print(f"{'step 11 borders, 64 channels':>30}  measured {measured * 1e3:8.1f} ms  estimate {estimate * 1e3:8.1f} ms")
    for width in (2, 4, 16, 64):
        network = Config(width=width, **STEP_11)
        layers = spectra._conv_layers(network, 1, None)
        directions = np.random.default_rng(0).standard_normal((64, network.image ** 2 * width))
        took = min(timed(lambda: spectra._push(network, directions, layers, 0)) for _ in range(3))
        values = 64 * network.image ** 2 * network.receptive_field * width * network.depth  # patch values
        flops = spectra.FLOAT64_COST * 2.0 * values * width
        print(f"{f'push, {width} channels':>30}  {took * 1e3:8.1f} ms  flop-equivalents a patch value beyond the "
              f"product's: {(took * WORK_RATE - flops) / values:6.0f} (PATCH_COST {spectra.PATCH_COST:.0f})")


if __name__ == "__main__":
    main()
