"""Resident memory over a day of class: many random networks from several sessions at once.

    python benchmarks/bench_memory.py [--configs 500] [--sessions 4] [--seed 0] [--mix class|wide] [--app]

Each session (a thread, as Streamlit serves sessions) asks for random networks through core.cache's
byte-bounded result cache, with glibc's malloc set up as the app sets it (core.allocator). With --app, each
session instead opens the link of each of its networks in the real app script (streamlit_app.py through
Streamlit's AppTest, a new session per link, on a random tab in a random language), so the page's frames,
chart templates and theory maps are made and kept as a server keeps them; all sessions in this one process,
as a server's are. Two mixes:

- "class" (default): what students do with the page: a tour step (the lecture's 10 x 500 network, batch
  1,000), then one to three controls moved anywhere in their range: seed, std, activation, scheme,
  precision, batch norm, depth, width or batch.
- "wide": depth, width and batch log-uniform over the sliders' whole ranges, any activation and scheme:
  many networks of hundreds of MiB, up to the 1 GiB budget of one computation.

Those over the memory budget are refused, as the page refuses them. A watcher samples the resident set
size (/proc/self/statm) every 20 ms. Printed: the resident memory after every 100 networks (with --app), the
peak, the resident memory once every session is done (what the server keeps between requests), and what the
caches hold. Nothing here asserts a size.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from streamlit.testing.v1 import AppTest  # noqa: E402

from core import DEFAULT_MEMORY_BUDGET, Config, cache, draws, estimate_memory, schemes, threads  # noqa: E402
from core.network import WORK_LIMIT, estimate_work  # noqa: E402
from core.allocator import keep_freed_memory  # noqa: E402
from core.config import ACTIVATIONS, INITS, INT_RANGES  # noqa: E402
from tests import app_support  # noqa: E402
from views import tour, urlstate  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def log_uniform(rng: np.random.Generator, name: str) -> int:
    low, high = INT_RANGES[name]
    return int(round(np.exp(rng.uniform(np.log(low), np.log(high)))))


def class_config(rng: np.random.Generator) -> Config:
    """A tour step with one to three controls moved."""
    return class_visit(rng)[1]


def class_visit(rng: np.random.Generator) -> tuple[str, Config]:
    """A tour step's code, and its network with one to three controls moved."""
    step = str(rng.choice(list(tour.STEPS)))
    config = tour.step_config(step)
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
    return step, config


def wide_config(rng: np.random.Generator) -> Config:
    return Config(depth=log_uniform(rng, "depth"), width=log_uniform(rng, "width"), batch=log_uniform(rng, "batch"),
                  activation=str(rng.choice(ACTIVATIONS)), init=str(rng.choice(INITS)),
                  std=float(rng.choice([0.01, 0.05, 1.0])), seed=int(rng.integers(0, 2**32)),
                  batch_norm=bool(rng.random() < 0.2), dtype="float64" if rng.random() < 0.2 else "float32")


APP = ROOT / "streamlit_app.py"
APP_TABS = ("activations", "gradients", "derivation", "compare", "data", "training", "theory")  # the app's TABS
LINK_TABS = tuple(tab for tab in APP_TABS if tab != "training")  # Training computes nothing until Run is pressed


def link(step: str, config: Config, rng: np.random.Generator) -> dict:
    """The address of a network on a random tab, in a random language, as the page writes it (one run)."""
    state = {**urlstate.state_of(config), "step": step, "tab": str(rng.choice(LINK_TABS)),
             "lang": str(rng.choice(urlstate.LANGUAGES))}
    if urlstate.step_of(state) != step:  # a control moved off the step's values: the page shows a custom network
        state["step"] = tour.CUSTOM
    return urlstate.to_query(state, APP_TABS)


def caches() -> dict[str, cache.ByteCache]:
    """Every byte-bounded cache of the process, by name: core.cache's results and the page's own."""
    try:
        from views import cache as page_cache
    except ImportError:  # an app without the page's caches
        return {"results": cache.RESULTS}
    return {"results": cache.RESULTS, **page_cache.CACHES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", type=int, default=500)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mix", choices=("class", "wide"), default="class")
    parser.add_argument("--app", action="store_true", help="open each network's link in the app (AppTest)")
    args = parser.parse_args()
    threads.configure()
    kept = keep_freed_memory()
    start_rss = rss()
    rng = np.random.default_rng(args.seed)
    make = class_visit if args.mix == "class" else lambda r: (tour.CUSTOM, wide_config(r))
    visits = [make(rng) for _ in range(args.configs)]
    configs = [config for _, config in visits]
    # what the page computes: within the budget and the work limit (the page refuses the rest with a message)
    fits = [c for c in configs if estimate_memory(c) <= DEFAULT_MEMORY_BUDGET and estimate_work(c) <= WORK_LIMIT]
    if args.app:  # the page refuses a network over the budget itself
        queue = [link(step, config, rng) for step, config in reversed(visits)]
    else:
        queue = list(reversed(fits))
    lock, peak, done = threading.Lock(), [start_rss], threading.Event()
    opened, failures = [0], []

    def watch() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], rss())
            time.sleep(0.02)

    def open_link(query: dict):
        at = AppTest.from_file(str(APP), default_timeout=600)
        at.query_params.update(query)
        at.run()
        if at.exception:
            failures.append((query, [e.value for e in at.exception]))
        return at

    def session() -> None:
        page = None  # the session's last page stays open until it opens the next link
        while True:
            with lock:
                if not queue:
                    return
                job = queue.pop()
            if args.app:
                page = open_link(job)
            else:
                cache.simulate_cached(job)
            with lock:
                opened[0] += 1
                if opened[0] % 100 == 0:
                    print(f"after {opened[0]} networks: resident {rss() / 2**20:.0f} MiB, peak so far "
                          f"{peak[0] / 2**20:.0f} MiB", flush=True)
        del page

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    began = time.perf_counter()
    sessions = [threading.Thread(target=session) for _ in range(args.sessions)]
    with app_support.one_server() if args.app else contextlib.nullcontext():
        for s in sessions:
            s.start()
        for s in sessions:
            s.join()
    seconds = time.perf_counter() - began
    done.set()
    watcher.join()
    mib = 2**20
    kept_draws = {"assembled draws": (draws._assembled.nbytes, draws.ASSEMBLED_BYTES),
                  "streams": (draws._streams.nbytes, draws.STREAM_BYTES),
                  "orthogonal layers": (draws._orthogonals.nbytes, draws.ORTHOGONAL_BYTES),
                  "shell orders": (draws._shell_orders.nbytes, draws.SHELL_ORDER_BYTES),
                  "warped laws": (sum(law.nbytes for _, law in schemes._warped.values()), schemes.WARPED_BYTES)}
    refused = len(configs) - len(fits)
    how = "links opened in the app" if args.app else "networks through core.cache"
    print(f"{len(configs)} random networks ({args.mix} mix, {how}; {refused} over the "
          f"{DEFAULT_MEMORY_BUDGET // mib} MiB budget or the work limit, refused), {args.sessions} sessions, "
          f"{seconds:.0f} s; freed memory kept for reuse: {kept}; largest computed: "
          f"{max(estimate_memory(c) for c in fits) / mib:.0f} MiB")
    print(f"resident memory: {start_rss / mib:.0f} MiB at the start, peak {peak[0] / mib:.0f} MiB, "
          f"{rss() / mib:.0f} MiB when every session is done")
    kept_caches = ", ".join(f"{name} {c.nbytes / mib:.2f} MiB ({len(c)} entries, at most {c.max_bytes / mib:.0f})"
                            for name, c in caches().items())
    kept_numbers = ", ".join(f"{name} {held / mib:.0f} MiB (at most {most / mib:.0f})"
                             for name, (held, most) in kept_draws.items())
    print(f"caches: {kept_caches}; {kept_numbers}")
    if failures:
        print(f"{len(failures)} pages raised an exception, the first: {failures[0]}")


if __name__ == "__main__":
    main()
