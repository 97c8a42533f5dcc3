"""The simulation's work: orthogonal draws with and without the kept unscaled matrices, and estimate_work against
measured time.

    python benchmarks/bench_work.py [--depth 30] [--fit]

Orthogonal init at width 2048: one layer's QR as numpy computes it (float64 LAPACK), then a whole network's
draws, and a second network differing only in gain (its matrices are kept, while ORTHOGONAL_BYTES allows),
against the same with nothing kept.
--fit times simulate() on networks of widths 64 to 2048 from fresh draws and prints each one's CPU seconds
beside estimate_work(config) / WORK_RATE: the measurement core/network.py's WORK_RATE and costs come from.
CPU seconds (time.process_time, all threads) are printed beside wall seconds: on a busy machine they stay
close to what an idle one takes. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import Config, draws, network, simulate, threads  # noqa: E402
from core.allocator import keep_freed_memory  # noqa: E402

WIDTH, BATCH = 2048, 98
FIT = [Config(), Config(depth=18, width=2048, batch=98), Config(depth=10, width=2048), Config(depth=20, width=1024),
       Config(depth=30, width=1024, init="xavier_normal"), Config(depth=10, width=1024, batch=10),
       Config(depth=50, width=256, batch=4096, activation="gelu"), Config(batch=4096),
       Config(depth=10, width=64, batch=4096),
       Config(init="orthogonal"), Config(depth=4, width=1024, batch=500, init="orthogonal"),
       Config(depth=3, width=2048, batch=98, init="orthogonal"), Config(depth=3, width=2048, init="orthogonal"),
       Config(depth=2, width=2048, batch=98, init="orthogonal", dtype="float64"), Config(dtype="float64")]


def timed(fn) -> tuple[float, float]:
    """(CPU seconds of every thread, wall seconds) of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    fn()
    return time.process_time() - cpu, time.perf_counter() - wall




def orthogonal_figures(depth: int) -> None:
    a = np.random.default_rng(0).standard_normal((WIDTH, WIDTH))
    for name, qr in (("numpy float64 QR", lambda: np.linalg.qr(a)),
                     ("LAPACK's in place (draws.orthogonal)", lambda: draws.orthogonal(np.random.default_rng(0), WIDTH,
                                                                                       WIDTH))):
        cpu = statistics.median(timed(qr)[0] for _ in range(3))
        print(f"one {WIDTH} x {WIDTH} QR, {name}: {cpu:.2f} s CPU (median of 3)")
    for label, keep in (("nothing kept", False), ("unscaled matrices kept", True)):
        draws.forget()
        kept = draws.ORTHOGONAL_BYTES
        if not keep:
            draws.ORTHOGONAL_BYTES = 0
        try:
            shape = dict(depth=depth, width=WIDTH, batch=BATCH, input="normal", weight_family="orthogonal",
                         dtype="float32")
            first = timed(lambda: draws.draw(seed=0, **shape))
            # a gain change draws the same unit matrices again (the assembled draws of this size are not kept)
            with draws._lock:
                draws._assembled.clear()
            second = timed(lambda: draws.draw(seed=0, **shape))
        finally:
            draws.ORTHOGONAL_BYTES = kept
        print(f"{depth} x {WIDTH} orthogonal float32 draws, {label}: {first[0]:.1f} s CPU, {first[1]:.1f} s wall; "
              f"a gain change then: {second[0]:.1f} s CPU, {second[1]:.1f} s wall")
    draws.forget()


def fit_figures() -> None:
    print(f"{'network':<44} {'CPU s':>6} {'wall s':>7} {'estimate s':>10}")
    for config in FIT:
        draws.forget()
        cpu, wall = timed(lambda: simulate(config, work_limit=None))
        name = f"{config.depth} x {config.width} x {config.batch} {config.init} {config.activation} {config.dtype}"
        print(f"{name:<44} {cpu:6.2f} {wall:7.2f} {network.estimate_work(config) / network.WORK_RATE:10.2f}")
    print(f"WORK_LIMIT {network.WORK_LIMIT:.2g} flops: {network.WORK_LIMIT / network.WORK_RATE:.1f} s of one core")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--depth", type=int, default=30, help="layers of the orthogonal network (default 30)")
    parser.add_argument("--fit", action="store_true", help="also time simulate() against estimate_work")
    args = parser.parse_args()
    threads.configure()
    keep_freed_memory()
    print("BLAS:", threads.blas_settings())
    orthogonal_figures(args.depth)
    if args.fit:
        fit_figures()


if __name__ == "__main__":
    main()
