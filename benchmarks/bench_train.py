"""Speed of the default training race, and what the He et al. 2015 race measures over several seeds.

    python benchmarks/bench_train.py [--repeat 3] [--he] [--seeds 6]

The default race: the lecture's five schemes on a 10 x 100 net, batch 128, 300 steps (target: <= 5 s on
two cores). Prints the best and the median of `repeat` runs per activation, and one run's time per scheme.
--he also runs the He et al. 2015 preset (ReLU, Xavier against He, depth 22 and 30) for several seeds and
prints, per run, the step at which the running-mean loss left the ln K plateau (< 0.9 ln K) and reached
half of ln K, and the final accuracy. Nothing here asserts a time.
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

from core import Config  # noqa: E402
from core.train import (  # noqa: E402
    DEFAULT_STEPS, HE_2015_LR, HE_2015_STEPS, he_2015, he_2015_config, lecture_schemes, race, steps_to_loss,
)

RACE = Config(depth=10, width=100, batch=128)


def time_race(activation: str, repeat: int) -> None:
    config = replace(RACE, activation=activation)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        results = race(config, steps=DEFAULT_STEPS)
        times.append(time.perf_counter() - start)
    print(f"{activation:5s} race, {len(results)} schemes x {DEFAULT_STEPS} steps: "
          f"best {min(times):.2f} s, median {statistics.median(times):.2f} s over {repeat} runs")
    for name in lecture_schemes(activation):
        start = time.perf_counter()
        r = race(config, (name,), steps=DEFAULT_STEPS)[name]
        status = f"diverged at step {r.diverged_at}" if r.diverged_at is not None else \
            f"loss {r.loss[0]:.3f} -> {r.loss[-20:].mean():.3f}, accuracy {100 * r.final_accuracy:.0f}%"
        print(f"    {name:15s} {time.perf_counter() - start:5.2f} s   {status}")


def he_table(seeds: int) -> None:
    config = he_2015_config()
    print(f"\nHe et al. 2015 preset: ReLU, width {config.width}, batch {config.batch}, lr {HE_2015_LR}, "
          f"{HE_2015_STEPS} steps. Per seed: step leaving the plateau (< 0.9 ln K) / step at half ln K / "
          f"final accuracy; '-' = not within the run")
    for depth in (22, 30):
        rows, seconds = {}, []
        for seed in range(seeds):
            start = time.perf_counter()
            for scheme, r in he_2015(depth, seed).items():
                ln_k = math.log(r.classes)
                left, half = steps_to_loss(r, 0.9 * ln_k), steps_to_loss(r, 0.5 * ln_k)
                rows.setdefault(scheme, []).append(
                    f"{'-' if left is None else left}/{'-' if half is None else half}/{100 * r.final_accuracy:.0f}%")
            seconds.append(time.perf_counter() - start)
        for scheme, cells in rows.items():
            print(f"  depth {depth} {scheme:14s} " + "  ".join(f"{c:>13s}" for c in cells))
        print(f"  depth {depth}: {min(seconds):.1f} s per race (best of {seeds})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--he", action="store_true", help="also run the He et al. 2015 preset over seeds")
    parser.add_argument("--seeds", type=int, default=6)
    args = parser.parse_args()
    print(f"{os.cpu_count()} cores; numpy threads as configured by the environment")
    for activation in ("tanh", "relu"):
        time_race(activation, args.repeat)
    if args.he:
        he_table(args.seeds)


if __name__ == "__main__":
    main()
