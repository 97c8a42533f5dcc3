"""Speed of the training races: alone, under load, at the lecture's size against their bare matmuls.

    python benchmarks/bench_train.py [--repeat 3] [--load 3] [--pages 3] [--lecture] [--he] [--seeds 6] [--faint]

Every figure is measured in this one run, so the ratios compare like with like on whatever machine runs
it; the thread settings are printed beside them. Nothing here asserts a time.

Races train in the worker processes of core.workers, as in the app and the command line; the figures marked
"in threads" train the same races in threads of this one process instead (workers.USE_PROCESSES = False, as
where no worker can start), for comparison.

- The default race: the lecture's five schemes on a 10 x 100 net, batch 128, 300 steps (target <= 2 s on
  two cores): best and median of `repeat` runs per activation, in the workers (in legs taken in turn, and
  with each run whole, as before legs: the ratio of the two), in threads, and one run's time per scheme.
- --load N: one default race alone, then N of them at once, as N sessions of one server (N threads of
  this process, each race's runs going to the one shared pool of workers, as the app's sessions do), and
  as N separate processes computing in their own threads. The ratio slowest-of-N / alone is the figure
  (target <= 2 for N = 3 on two cores, whose fair share is 1.5).
- --pages N: Run at a tour step (--steps steps) alone, then while N sessions (threads of this process) each compute
  one new tour network after another through the page's own path (core.cache.simulate_cached: admitted with its
  memory and work), as three students changing the seed while a teacher's race trains. The ratio race-with-pages /
  alone against the fair share of processor sharing: the race's legs and the N sessions each want a core, so on C
  cores the race's share is min(C, legs) / (min(C, legs) + N) of what it has alone; and the page networks' seconds
  (median, slowest) against their time alone. (A race that took its cores back only when no page was waiting got
  2 % of a core under such a stream.)
- --lecture: Run at a tour step, the lecture's 10 x 500 net with its minibatch of 128, five schemes of
  300 steps (about 2.9e12 flops), against the same matmuls bare (float32, the same shapes, side by side
  in the same threads): target <= 1.3 x.
- --he: the He et al. 2015 preset (ReLU, Xavier against He, depth 22 and 30) for several seeds: per run
  the step at which the running-mean loss left the ln K plateau (< 0.9 ln K) and reached half of ln K,
  and the final accuracy; and the time of both depths run together (he_2015_depths) as the app runs them.
- --faint: one run of the default race's net (tanh, N(0, σ²)) at σ = 10⁻⁸, whose values fall below float32's
  smallest normal number a few layers in, against σ = 0.01, interleaved (core.products scales a product whose terms
  would be subnormal; unscaled, such a run took about ten times as long); and one of 60 steps at the lecture's size
  at N(0, 1), whose saturated units' slopes are subnormal, against Xavier (core.products computes a product with
  subnormal entries in two parts; in one, the N(0, 1) run took 2.5 times Xavier's).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import math
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core import Config, cache, threads, workers  # noqa: E402
from core.allocator import keep_freed_memory  # noqa: E402
from core.train import (  # noqa: E402
    DEFAULT_STEPS, HE_2015_LR, HE_2015_STEPS, he_2015, he_2015_config, he_2015_depths, lecture_schemes, race,
    steps_to_loss, training_batch,
)

train_module = importlib.import_module("core.train")  # the module: core.train is also the function
RACE = Config(depth=10, width=100, batch=128)
LECTURE = Config()  # 10 x 500, as at every tour step; its minibatch is capped at 128


def print_settings() -> None:
    blas = ", ".join(f"{s['internal_api']} {s['version']} ({s.get('architecture', '?')} kernels): "
                     f"{s['num_threads']} thread(s)"
                     for s in threads.blas_settings())
    start = time.perf_counter()
    pool = workers.shared()
    where = workers.unavailable if pool is None else \
        f"{len(pool.pids())} worker processes (started in {time.perf_counter() - start:.1f} s)"
    print(f"{threads.usable_cores()} usable cores; BLAS: {blas}; compute threads at once: at most "
          f"{threads.usable_cores()} (core.threads); training: {where}")


class in_threads:
    """Within the block, races train in threads of this process, as where no worker process can start."""

    def __enter__(self) -> None:
        workers.USE_PROCESSES = False

    def __exit__(self, *exc) -> None:
        workers.USE_PROCESSES = True


class whole_runs:
    """Within the block, a race trains each run whole, as before runs were split into legs (core.train.LEGS)."""

    def __enter__(self) -> None:
        self.legs, train_module.LEGS = train_module.LEGS, 1

    def __exit__(self, *exc) -> None:
        train_module.LEGS = self.legs


def time_race(activation: str, repeat: int) -> None:
    config = replace(RACE, activation=activation)
    ways = (("in workers", contextlib.nullcontext), ("in workers, whole runs", whole_runs), ("in threads", in_threads))
    times: dict[str, list[float]] = {label: [] for label, _ in ways}
    for _ in range(repeat):  # the ways interleaved, so that machine load hits them alike
        for label, where in ways:
            with where():
                start = time.perf_counter()
                results = race(config, steps=DEFAULT_STEPS)
                times[label].append(time.perf_counter() - start)
    for label, _ in ways:
        print(f"{activation:5s} race {label:22s} {len(results)} schemes x {DEFAULT_STEPS} steps: best "
              f"{min(times[label]):.2f} s, median {statistics.median(times[label]):.2f} s over {repeat} runs")
    legs, whole = (statistics.median(times[label]) for label in ("in workers", "in workers, whole runs"))
    print(f"      legs taken in turn / whole runs: {legs / whole:.2f} (medians; {train_module.LEGS} legs a run)")
    for name in lecture_schemes(config.batch_norm):
        start = time.perf_counter()
        r = race(config, (name,), steps=DEFAULT_STEPS)[name]
        status = f"diverged at step {r.diverged_at}" if r.diverged_at is not None else \
            f"loss {r.loss[0]:.3f} -> {r.loss[-20:].mean():.3f}, accuracy {100 * r.final_accuracy:.0f}%"
        print(f"    {name:15s} {time.perf_counter() - start:5.2f} s   {status}")


def faint(repeat: int) -> None:
    """One run at std 1e-8 (subnormal values from layer 5 on) against the same at 0.01; and at the lecture's size,
    60 steps, N(0, 1) (saturated units: subnormal slopes in dL/ds) against Xavier; `repeat` times each."""
    lecture_size = replace(RACE, width=500)
    pairs = {"std 1e-8 / std 0.01": {"std 0.01": (replace(RACE, init="normal", std=0.01), DEFAULT_STEPS),
                                     "std 1e-8": (replace(RACE, init="normal", std=1e-8), DEFAULT_STEPS)},
             "N(0, 1) / Xavier": {"10 x 500, Xavier": (replace(lecture_size, init="xavier_normal"), 60),
                                  "10 x 500, N(0, 1)": (replace(lecture_size, init="normal", std=1.0), 60)}}
    for title, configs in pairs.items():
        times: dict[str, list[float]] = {label: [] for label in configs}
        for _ in range(repeat):
            for label, (config, steps) in configs.items():
                start = time.perf_counter()
                train_module.train(config, steps=steps)
                times[label].append(time.perf_counter() - start)
        for label, (_, steps) in configs.items():
            print(f"one run, tanh, {label:18s} {steps} steps: best {min(times[label]):.2f} s, "
                  f"median {statistics.median(times[label]):.2f} s over {repeat} runs")
        base, other = (statistics.median(values) for values in times.values())
        print(f"      {title}: {other / base:.2f} (medians)")


def one_race() -> float:
    start = time.perf_counter()
    race(RACE, steps=DEFAULT_STEPS)
    return time.perf_counter() - start


def at_once(jobs: int) -> float:
    """Seconds until the slowest of `jobs` default races started together as sessions (threads) ends."""
    times = [0.0] * jobs

    def session(i: int) -> None:
        times[i] = one_race()

    sessions = [threading.Thread(target=session, args=(i,)) for i in range(jobs)]
    for s in sessions:
        s.start()
    for s in sessions:
        s.join()
    return max(times)


def as_processes(jobs: int, cores: set[int] | None = None) -> float:
    """Seconds until the slowest of `jobs` default races started together as separate processes ends, each
    training in its own threads; each process on the given cores only, if given (it then computes on as many
    threads)."""
    pin = f"import os; os.sched_setaffinity(0, {sorted(cores)!r}); " if cores else ""
    code = (pin + f"import sys, time; sys.path.insert(0, {str(Path(__file__).resolve().parent.parent)!r}); "
            "from core import Config, threads, workers; from core.allocator import keep_freed_memory; "
            "from core.train import race; threads.configure(); keep_freed_memory(); workers.USE_PROCESSES = False; "
            "race(Config(depth=10, width=100, batch=128), steps=10); s = time.perf_counter(); "
            "race(Config(depth=10, width=100, batch=128)); print(time.perf_counter() - s)")
    processes = [subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
                 for _ in range(jobs)]
    return max(float(p.communicate()[0]) for p in processes)


def under_load(jobs: int, rounds: int = 3) -> None:
    """One default race alone, then `jobs` at once, in alternation; the median ratio of the rounds."""
    one_race()  # warm up
    sessions, threaded, separate, one_core = [], [], [], []
    for _ in range(rounds):
        alone = one_race()
        together = at_once(jobs)
        sessions.append((alone, together))
        one_core.append((as_processes(1, cores={min(os.sched_getaffinity(0))}), together))
        with in_threads():
            threaded.append((one_race(), at_once(jobs)))
        alone = one_race()
        separate.append((alone, as_processes(jobs)))
    cores = threads.usable_cores()
    print(f"\nthe default race under load ({jobs} at once), {rounds} rounds of alone / together. A race alone "
          f"trains its schemes side by side on all {cores} cores, so {jobs} at once can at best take {jobs} x as "
          f"long; against a race alone on one core, the fair share of {jobs} jobs on {cores} cores is "
          f"{jobs / cores:.2f} x:")
    for label, pairs, fair in ((f"{jobs} sessions of one process", sessions, jobs),
                               (f"{jobs} sessions, in threads", threaded, jobs),
                               (f"{jobs} separate processes", separate, jobs),
                               (f"{jobs} sessions / alone on 1 core", one_core, jobs / cores)):
        ratios = [together / alone for alone, together in pairs]
        print(f"  {label:33s} " + ", ".join(f"{a:.2f} / {t:.2f} s" for a, t in pairs)
              + f"; ratio median {statistics.median(ratios):.2f} (fair share {fair:.2f})")


def cpu_seconds() -> float:
    """CPU seconds of this process and of the training workers so far (their /proc/PID/stat; Linux)."""
    total = time.process_time()
    pool = workers.shared()
    for pid in pool.pids() if pool is not None else ():
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
        except (OSError, ValueError, IndexError):
            pass
    return total


def bare_race_matmuls(config: Config, schemes: int, steps: int) -> tuple[float, float, float]:
    """Seconds and CPU seconds for a race's matmuls alone (float32, the same shapes, in the same side-by-side
    threads), and their flops."""
    batch, width, depth = training_batch(config), config.width, config.depth
    rng = np.random.default_rng(0)
    arrays = [([rng.standard_normal((batch, width), dtype=np.float32) for _ in range(depth)],
               [rng.standard_normal((width, width), dtype=np.float32) for _ in range(depth)],
               rng.standard_normal((batch, width), dtype=np.float32)) for _ in range(schemes)]

    def run(run_arrays) -> None:
        hs, ws, g = run_arrays
        for _ in range(steps):
            for layer, (h, w) in enumerate(zip(hs, ws)):
                h @ w  # forward
                h.T @ g  # weight gradient
                if layer:
                    g @ w.T  # input gradient (layer 1 needs none)

    flops = 2.0 * batch * width * width * (3 * depth - 1) * steps * schemes
    start, cpu = time.perf_counter(), time.process_time()
    threads.parallel_map(run, arrays)
    return time.perf_counter() - start, time.process_time() - cpu, flops


def lecture(steps: int) -> None:
    schemes = lecture_schemes(LECTURE.batch_norm)
    bare_race_matmuls(LECTURE, len(schemes), 5)  # warm up
    rounds = []
    for _ in range(2):  # interleaved, so that machine load hits both alike
        bare, bare_cpu, flops = bare_race_matmuls(LECTURE, len(schemes), steps)
        start, cpu = time.perf_counter(), cpu_seconds()
        race(LECTURE, schemes, steps=steps)
        rounds.append((bare, time.perf_counter() - start, bare_cpu, cpu_seconds() - cpu))
    bare, full, bare_cpu, full_cpu = (min(r[i] for r in rounds) for i in range(4))
    print(f"\nRun at a tour step: {LECTURE.depth} x {LECTURE.width}, batch {training_batch(LECTURE)}, "
          f"{len(schemes)} schemes x {steps} steps, {flops:.2g} flops (best of 2 interleaved rounds)")
    print(f"  bare float32 matmuls, side by side   {bare:6.1f} s   ({flops / bare / 1e9:.0f} Gflop/s; "
          f"{bare_cpu:.1f} s of CPU)")
    print(f"  the race                             {full:6.1f} s   ratio {full / bare:.2f}   (target <= 1.3; "
          f"{full_cpu:.1f} s of CPU in this process and the workers, ratio {full_cpu / bare_cpu:.2f})")


def page_stream(sessions: int, steps: int) -> None:
    """Run at a tour step alone, then with `sessions` threads computing new tour networks until it ends."""
    schemes = lecture_schemes(LECTURE.batch_norm)
    seeds = iter(range(1_000_000, 2_000_000))  # a new network each time: nothing comes from the cache
    lock = threading.Lock()

    def network() -> float:
        with lock:
            config = replace(LECTURE, seed=next(seeds))
        start = time.perf_counter()
        cache.simulate_cached(config)
        return time.perf_counter() - start

    race(LECTURE, schemes, steps=5)  # warm up
    alone_networks = [network() for _ in range(5)]
    start = time.perf_counter()
    race(LECTURE, schemes, steps=steps)
    alone = time.perf_counter() - start
    done, seconds = threading.Event(), []

    def session() -> None:
        while not done.is_set():
            took = network()
            with lock:
                seconds.append(took)

    students = [threading.Thread(target=session) for _ in range(sessions)]
    start = time.perf_counter()
    for student in students:
        student.start()
    race(LECTURE, schemes, steps=steps)
    loaded = time.perf_counter() - start
    done.set()
    for student in students:
        student.join()
    cores = min(threads.usable_cores(), len(schemes))
    fair = (cores + sessions) / cores
    print(f"\nRun at a tour step ({len(schemes)} schemes x {steps} steps) while {sessions} sessions compute new tour "
          f"networks one after another (core.cache.simulate_cached):")
    print(f"  the race alone {alone:.1f} s, with the pages {loaded:.1f} s: ratio {loaded / alone:.2f} (fair share of "
          f"{cores} legs and {sessions} sessions on {threads.usable_cores()} cores: {fair:.2f})")
    print(f"  page networks meanwhile: {len(seconds)}, median {statistics.median(seconds):.2f} s, slowest "
          f"{max(seconds):.2f} s (alone: median {statistics.median(alone_networks):.2f} s)")


def he_cell(result) -> str:
    """One run of the He et al. 2015 table as docs/training.md writes it: the step at which the 20-step mean loss
    left the ln K plateau (< 0.9 ln K) / reached half of ln K / the final accuracy, "-" for a level never reached."""
    ln_k = math.log(result.classes)
    left, half = (steps_to_loss(result, share * ln_k) for share in (0.9, 0.5))
    return f"{'-' if left is None else left}/{'-' if half is None else half}/{100 * result.final_accuracy:.0f} %"


def he_table(seeds: int) -> None:
    config = he_2015_config()
    print(f"\nHe et al. 2015 preset: ReLU, width {config.width}, batch {config.batch}, lr {HE_2015_LR}, "
          f"{HE_2015_STEPS} steps. Per seed: step leaving the plateau (< 0.9 ln K) / step at half ln K / "
          f"final accuracy; '-' = not within the run")
    start = time.perf_counter()
    he_2015_depths()
    print(f"  both depths together (he_2015_depths, as the app runs them): {time.perf_counter() - start:.1f} s")
    for depth in (22, 30):
        rows, seconds = {}, []
        for seed in range(seeds):
            start = time.perf_counter()
            for scheme, r in he_2015(depth, seed).items():
                rows.setdefault(scheme, []).append(he_cell(r))
            seconds.append(time.perf_counter() - start)
        for scheme, cells in rows.items():
            print(f"  depth {depth} {scheme:14s} " + "  ".join(f"{c:>13s}" for c in cells))
        print(f"  depth {depth}: {min(seconds):.1f} s per race (best of {seeds})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--load", type=int, default=0, metavar="N", help="also N default races at once")
    parser.add_argument("--pages", type=int, default=0, metavar="N",
                        help="also Run at a tour step while N sessions compute new networks")
    parser.add_argument("--lecture", action="store_true", help="also Run at a tour step against its bare matmuls")
    parser.add_argument("--steps", type=int, default=DEFAULT_STEPS, help="steps of the --lecture race")
    parser.add_argument("--he", action="store_true", help="also run the He et al. 2015 preset over seeds")
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--faint", action="store_true", help="also a run whose values fall below float32's range")
    args = parser.parse_args()
    threads.configure()
    keep_freed_memory()  # as the app and the command line set malloc
    print_settings()
    for activation in ("tanh", "relu"):
        time_race(activation, args.repeat)
    if args.load:
        under_load(args.load)
    if args.pages:
        page_stream(args.pages, args.steps)
    if args.lecture:
        lecture(args.steps)
    if args.he:
        he_table(args.seeds)
    if args.faint:
        faint(args.repeat)
    print(f"(machine load average at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())})")


if __name__ == "__main__":
    main()
