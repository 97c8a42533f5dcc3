"""Resident memory over a day of class: many random networks from several sessions at once.

    python benchmarks/bench_memory.py [--configs 500] [--sessions 4] [--seed 0]

Each session (a thread, as Streamlit serves sessions) asks for random networks through core.cache's
byte-bounded result cache, with glibc's malloc set up as the app sets it (core.allocator). Two mixes:

- "class" (default): what students do with the page: a tour step (the lecture's 10 x 500 network, batch
  1,000), then one to three controls moved anywhere in their range: seed, std, activation, scheme,
  precision, batch norm, depth, width or batch.
- "wide": depth, width and batch log-uniform over the sliders' whole ranges, any activation and scheme:
  many networks of hundreds of MiB, up to the 1 GiB budget of one computation.

Those over the memory budget are refused, as the page refuses them. A watcher samples the resident set
size (/proc/self/statm) every 20 ms. Printed: the peak, the resident memory once every session is done
(what the server keeps between requests), and what the caches hold. Nothing here asserts a size.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import DEFAULT_MEMORY_BUDGET, Config, cache, draws, estimate_memory, threads  # noqa: E402
from core.allocator import keep_freed_memory  # noqa: E402
from core.config import ACTIVATIONS, INITS, INT_RANGES  # noqa: E402
from views import tour  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def log_uniform(rng: np.random.Generator, name: str) -> int:
    low, high = INT_RANGES[name]
    return int(round(np.exp(rng.uniform(np.log(low), np.log(high)))))


def class_config(rng: np.random.Generator) -> Config:
    """A tour step with one to three controls moved."""
    config = tour.step_config(str(rng.choice(list(tour.STEPS))))
    moves = {
        "seed": lambda: int(rng.integers(0, 2**32)),
        "std": lambda: float(rng.choice([0.01, 0.02, 0.05, 0.1, 1.0])),
        "activation": lambda: str(rng.choice(ACTIVATIONS)),
        "init": lambda: str(rng.choice(INITS)),
        "dtype": lambda: "float64" if config.dtype == "float32" else "float32",
        "batch_norm": lambda: not config.batch_norm,
        "depth": lambda: int(rng.integers(INT_RANGES["depth"][0], INT_RANGES["depth"][1] + 1)),
        "width": lambda: int(rng.integers(INT_RANGES["width"][0], INT_RANGES["width"][1] + 1)),
        "batch": lambda: int(rng.integers(INT_RANGES["batch"][0], INT_RANGES["batch"][1] + 1)),
    }
    for name in rng.choice(list(moves), size=int(rng.integers(1, 4)), replace=False):
        config = replace(config, **{str(name): moves[str(name)]()})
    return config


def wide_config(rng: np.random.Generator) -> Config:
    return Config(depth=log_uniform(rng, "depth"), width=log_uniform(rng, "width"), batch=log_uniform(rng, "batch"),
                  activation=str(rng.choice(ACTIVATIONS)), init=str(rng.choice(INITS)),
                  std=float(rng.choice([0.01, 0.05, 1.0])), seed=int(rng.integers(0, 2**32)),
                  batch_norm=bool(rng.random() < 0.2), dtype="float64" if rng.random() < 0.2 else "float32")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mix", choices=("class", "wide"), default="class")
    args = parser.parse_args()
    threads.configure()
    kept = keep_freed_memory()
    start_rss = rss()
    rng = np.random.default_rng(args.seed)
    make = class_config if args.mix == "class" else wide_config
    configs = [make(rng) for _ in range(args.configs)]
    fits = [c for c in configs if estimate_memory(c) <= DEFAULT_MEMORY_BUDGET]
    queue = list(reversed(fits))
    lock, peak, done = threading.Lock(), [start_rss], threading.Event()

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss())
            time.sleep(0.02)

    def session() -> None:
        while True:
            with lock:
                if not queue:
                    return
                config = queue.pop()
            cache.simulate_cached(config)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    began = time.perf_counter()
    sessions = [threading.Thread(target=session) for _ in range(args.sessions)]
    for s in sessions:
        s.start()
    for s in sessions:
        s.join()
    seconds = time.perf_counter() - began
    done.set()
    watcher.join()
    mib = 2**20
    assembled = sum(d.nbytes for d in draws._assembled.values())
    streams = sum(s.numbers.nbytes for s in draws._streams.values())
    refused = len(configs) - len(fits)
    print(f"{len(configs)} random networks ({args.mix} mix; {refused} over the {DEFAULT_MEMORY_BUDGET // mib} MiB "
          f"budget, refused), {args.sessions} sessions, {seconds:.0f} s; freed memory kept for reuse: {kept}; "
          f"largest computed: {max(estimate_memory(c) for c in fits) / mib:.0f} MiB")
    print(f"resident memory: {start_rss / mib:.0f} MiB at the start, peak {peak[0] / mib:.0f} MiB, "
          f"{rss() / mib:.0f} MiB when every session is done")
    print(f"caches: results {cache.RESULTS.nbytes / mib:.1f} MiB ({len(cache.RESULTS)} entries, "
          f"at most {cache.RESULT_BYTES / mib:.0f} MiB), assembled draws "
          f"{assembled / mib:.0f} MiB (at most {draws.ASSEMBLED_BYTES / mib:.0f}), "
          f"streams {streams / mib:.0f} MiB "
          f"(at most {draws.STREAM_BYTES / mib:.0f})")


if __name__ == "__main__":
    main()
