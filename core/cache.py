"""Computed results kept for every session of a server, bounded by their bytes rather than by a count of entries.

A class opening one link computes its network once: the first session computes, the others wait for
that result (one lock per key, as Streamlit's st.cache_data does). What is kept is bounded by
RESULT_BYTES, counted from the numpy arrays a result holds; the least recently used results go first.
Kept results are shared between sessions without a copy, so their arrays are made read-only.
Each computation holds one of core.threads' compute slots, so however many sessions ask at once, at
most as many networks are computed at a time as the machine has cores, and together they need at most the
server's memory budget (core.admission); the others wait their turn, the one with the highest response ratio
(waited + work) / work next, its work the engine's own estimate.
"""

from __future__ import annotations

import dataclasses
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any

import numpy as np

from . import threads
from .allocator import release_after
from .config import Config
from .network import DEFAULT_MEMORY_BUDGET, WORK_RATE, Result, estimate_memory, estimate_work, simulate
from . import spectrum as spectra
from .train import (
    DEFAULT_LR, DEFAULT_STEPS, HE_2015_DEPTHS, Progress, TrainingResult, estimate_training_memory, he_2015_config,
    he_2015_depths, SCHEMES, lecture_schemes, race, scheme_config, task_config,
)

RESULT_BYTES = 32 << 20  # ~5,000 default-size simulations, or hundreds of long races: a day of class


def nbytes(value: Any) -> int:
    """Bytes of the numpy arrays in a value (through dataclasses, dicts, lists and tuples), plus 64 a node."""
    if isinstance(value, np.ndarray):
        return value.nbytes + 64
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return 64 + sum(nbytes(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, dict):
        return 64 + sum(nbytes(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return 64 + sum(nbytes(v) for v in value)
    return 64


def freeze(value: Any) -> Any:
    """Make every numpy array in a value read-only (through dataclasses, dicts, lists and tuples); the value."""
    if isinstance(value, np.ndarray):
        value.flags.writeable = False
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            freeze(getattr(value, f.name))
    elif isinstance(value, dict):
        for v in value.values():
            freeze(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            freeze(v)
    return value


class ByteCache:
    """A thread-safe least-recently-used cache of computed values whose sizes total at most max_bytes.

    size(value) gives a value's bytes: by default nbytes, its numpy arrays; a cache of other values (the
    page's pandas frames) passes its own.
    """

    def __init__(self, max_bytes: int, size: Callable[[Any], int] = nbytes):
        self.max_bytes = max_bytes
        self.size = size
        self.nbytes = 0
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._computing: dict[Hashable, threading.Lock] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._entries

    def get(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """The value kept for key, or compute() once (other callers for the same key wait for it) and keep it.

        A value larger than max_bytes is returned but not kept; compute()'s exceptions are not kept either.
        """
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key][0]
            computing = self._computing.setdefault(key, threading.Lock())
        with computing:
            with self._lock:
                if key in self._entries:  # computed by the caller this one waited for
                    self._entries.move_to_end(key)
                    return self._entries[key][0]
            try:
                value = freeze(compute())
            finally:
                with self._lock:
                    self._computing.pop(key, None)
            size = self.size(value)
            with self._lock:
                if size <= self.max_bytes and key not in self._entries:
                    self._entries[key] = value, size
                    self.nbytes += size
                    while self.nbytes > self.max_bytes:
                        _, (_, dropped) = self._entries.popitem(last=False)
                        self.nbytes -= dropped
            return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.nbytes = 0


RESULTS = ByteCache(RESULT_BYTES)  # one per process: every session of a Streamlit server shares it


def simulate_cached(config: Config, memory_budget: int = DEFAULT_MEMORY_BUDGET, cancel: threads.Cancel = None,
                    waiting: Callable[[int], None] | None = None) -> Result:
    """simulate(config), computed once per process and kept while RESULT_BYTES allows; read-only arrays.

    The computation waits its turn for a compute slot with its memory estimate (threads.compute_slot);
    waiting(n), if given, is told how many computations come before it whenever that changes, 0 once it runs.
    Raises simulate's MemoryBudgetError or WorkLimitError for a network over the budget or the limit, and
    threads.Cancelled once cancel is set while this caller waits or computes (cancel is the computing caller's
    own: it is not part of the key); nothing is kept then, and a caller waiting for the same network computes it.
    """
    def compute() -> Result:
        need = estimate_memory(config)
        # over the budget: refused at once, without waiting
        with threads.compute_slot(need if need <= memory_budget else 0, cancel, waiting,
                                  work=estimate_work(config) / WORK_RATE):
            threads.check(cancel)  # gone just as the slot came free
            result = simulate(config, memory_budget, cancel=cancel)
            # in the slot: a computation waiting for it is counted, and reuses the freed memory instead
            release_after(need)
        return result
    return RESULTS.get(("simulate", config, memory_budget), compute)


def is_simulated(config: Config, memory_budget: int = DEFAULT_MEMORY_BUDGET) -> bool:
    """Whether simulate_cached(config, memory_budget) has its result kept: it would return at once."""
    return ("simulate", config, memory_budget) in RESULTS


def spectrum_cached(config: Config, inputs: int = spectra.DEFAULT_INPUTS, memory_budget: int = DEFAULT_MEMORY_BUDGET,
                    cancel: threads.Cancel = None, waiting: Callable[[int], None] | None = None) -> spectra.Spectrum:
    """core.spectrum.spectrum(config, inputs), computed once per process in a compute slot and kept as
    simulate_cached keeps results; raises its MemoryBudgetError or WorkLimitError, and threads.Cancelled."""
    def compute() -> spectra.Spectrum:
        need = spectra.estimate_memory(config, inputs)
        with threads.compute_slot(need if need <= memory_budget else 0, cancel, waiting,
                                  work=spectra.estimate_work(config, inputs) / WORK_RATE):
            threads.check(cancel)
            return spectra.spectrum(config, inputs, memory_budget=memory_budget, cancel=cancel)
    return RESULTS.get(("spectrum", config, inputs, memory_budget), compute)


def border_cached(config: Config, memory_budget: int = DEFAULT_MEMORY_BUDGET,
                  cancel: threads.Cancel = None) -> dict[str, float]:
    """core.spectrum.border_effect(config), computed once per process in a compute slot and kept as
    simulate_cached keeps results; raises its MemoryBudgetError or WorkLimitError, and threads.Cancelled."""
    def compute() -> dict[str, float]:
        need = spectra.estimate_probe_memory(config)
        with threads.compute_slot(need if need <= memory_budget else 0, cancel,
                                  work=spectra.estimate_probe_work(config) / WORK_RATE):
            threads.check(cancel)
            return spectra.border_effect(config, memory_budget=memory_budget, cancel=cancel)
    return RESULTS.get(("borders", config, memory_budget), compute)


def simulate_many(configs: Iterable[Config], memory_budget: int = DEFAULT_MEMORY_BUDGET,
                  cancel: threads.Cancel = None) -> list[Result]:
    """simulate_cached for each config, the missing ones computed side by side (the Compare tab's networks);
    threads.Cancelled once cancel is set while they wait or compute."""
    return threads.parallel_map(lambda config: simulate_cached(config, memory_budget, cancel), configs,
                                slots=False)


def race_cached(config: Config, schemes: Sequence[str], steps: int = DEFAULT_STEPS,
                progress: Progress | None = None, live: dict | None = None,
                task: str = "spiral", order: Sequence[str] | None = None,
                training: list | None = None, lr: float = DEFAULT_LR) -> dict[str, TrainingResult]:
    """core.train.race(config, schemes, steps, lr=lr, task=task), computed once per process and kept while
    RESULT_BYTES allows.

    Kept by the networks the race trains, one per scheme (core.train.scheme_config, which sets batch norm with the
    scheme), so that step 2's network racing N(0, 0.01²) + batch norm and step 7's are one race; no schemes: the
    network's default race (core.train.lecture_schemes, which depends on its batch norm).

    progress, live (race's growing curves) and training (its runs training) are called and filled only by the
    session that computes; a session asking for the same race meanwhile waits for that result. order (race's: when
    each run starts) is not in the key: the results are the same bits in any order. An exception progress raises
    (a Stop) ends the race and keeps nothing.
    """
    schemes = tuple(schemes) or lecture_schemes(config.batch_norm)
    # an unknown scheme has no network: race refuses it, and nothing is kept
    trained = tuple(scheme_config(task_config(config, task), s) for s in schemes if s in SCHEMES)

    def compute() -> dict[str, TrainingResult]:
        results = race(config, schemes, steps=steps, lr=lr, progress=progress, live=live, task=task, order=order,
                       training=training)
        release_after(estimate_training_memory(config) * len(schemes))
        return results
    return RESULTS.get(("race", schemes, trained, steps, task, lr), compute)


def he_2015_cached(progress: Progress | None = None) -> dict[int, dict[str, TrainingResult]]:
    """core.train.he_2015_depths(): the He et al. 2015 preset's runs, computed once per process, as race_cached."""
    def compute() -> dict[int, dict[str, TrainingResult]]:
        results = he_2015_depths(progress=progress)
        # two schemes at each depth
        release_after(sum(estimate_training_memory(he_2015_config(depth)) * 2 for depth in HE_2015_DEPTHS))
        return results
    return RESULTS.get(("he_2015", HE_2015_DEPTHS), compute)
