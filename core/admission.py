"""Admission of computations to the server: first come, first served, each waits until a core and its memory are free.

A Streamlit server runs every session in a thread of one process, so the memory of all the computations running at
once adds up in one process, whatever each is allowed alone. Each computation asks for one core and reserves the
memory the engine estimates it needs (core.cache.simulate_cached: core.network.estimate_memory; each run of a race:
core.train.estimate_training_memory, in a worker process or not); it is admitted when both are free and no
computation that asked before it is still waiting. So a large network is never passed over by a stream of small
ones, and a computation that fits the budget alone is never refused: it waits. One that needs more than the whole
budget runs alone. While it waits, a computation reports how many computations come before it (the page says so)
and looks at its cancel check (its session may have gone).

The server's budget is INIT_EXPLORER_MEMORY_MIB (server_budget(), read by the app at start); the process's
one Admission is core.threads.ADMISSION, with a core for each of threads.usable_cores().
"""

from __future__ import annotations

import os
import re
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager

ENV = "INIT_EXPLORER_MEMORY_MIB"
# What the computations running at once may reserve, in MiB. The same as one computation's budget
# (core.network.DEFAULT_MEMORY_BUDGET), so the largest network the page allows runs, alone. Streamlit Community
# Cloud restarts an app over about 2.7 GB; the server's own memory (interpreter, libraries, kept results and
# draws: 0.2 to 0.6 GB, docs/performance.md) comes on top of this.
DEFAULT_SERVER_MIB = 1024
SERVER_MIB_RANGE = (64, 1 << 20)  # from 64 MiB (the lecture's network needs 40) to 1 TiB, more than any server here


class BudgetSettingError(ValueError):
    """INIT_EXPLORER_MEMORY_MIB holds something other than a whole number of MiB within SERVER_MIB_RANGE."""

    def __init__(self, value: str):
        low, high = SERVER_MIB_RANGE
        super().__init__(f"{ENV}={value[:40]!r} is not allowed: the memory the server's computations may use at "
                         f"once, a whole number of MiB from {low:,} to {high:,} (unset: {DEFAULT_SERVER_MIB:,})")
        self.value = value


def server_budget(environ: Mapping[str, str] | None = None) -> int:
    """The server's memory budget for computations in bytes: INIT_EXPLORER_MEMORY_MIB MiB, or DEFAULT_SERVER_MIB
    where it is unset or blank. BudgetSettingError for anything but ASCII digits (spaces around them allowed)
    within SERVER_MIB_RANGE."""
    text = (os.environ if environ is None else environ).get(ENV, "")
    if not text.strip():
        return DEFAULT_SERVER_MIB << 20
    digits = text.strip()
    if not re.fullmatch(r"[0-9]+", digits) or len(digits.lstrip("0")) > len(str(SERVER_MIB_RANGE[1])):
        raise BudgetSettingError(text)  # a sign, a point, an exponent, other digits, or far out of range
    mib = int(digits)
    if not SERVER_MIB_RANGE[0] <= mib <= SERVER_MIB_RANGE[1]:
        raise BudgetSettingError(text)
    return mib << 20


class Admission:
    """Cores and bytes shared by the computations of one process, handed out first come, first served.

    admit(nbytes) holds a core and nbytes of the memory for its block; try_core() lends a free core to a
    computation's extra threads (core.threads.parallel_map) when nobody is waiting for one.
    """

    def __init__(self, cores: int, memory: int):
        self.cores, self.memory = cores, memory
        self._changed = threading.Condition()
        self._queue: deque[object] = deque()  # the computations waiting, in the order they asked
        self.running = 0  # computations admitted and not yet done
        self._cores_used = 0  # theirs, and those lent by try_core
        self.reserved = 0  # bytes reserved by the running computations

    def set_memory(self, memory: int) -> None:
        """A new budget in bytes (the app's server_budget()); the waiting computations are looked at again."""
        with self._changed:
            self.memory = memory
            self._changed.notify_all()

    @property
    def waiting(self) -> int:
        """How many computations are waiting now."""
        return len(self._queue)

    @contextmanager
    def admit(self, nbytes: int = 0, check: Callable[[], None] | None = None,
              waiting: Callable[[int], None] | None = None, every: float = 0.1) -> Iterator[None]:
        """Hold a core and min(nbytes, memory) bytes for the block, once every computation that asked before
        has been admitted and both are free.

        While waiting, every `every` seconds and whenever a computation ends: check() is called, and what it
        raises (threads.Cancelled) leaves the queue and is raised here; waiting(n) is called with the number of
        computations running or waiting before this one whenever it changes, and waiting(0) once admitted
        after having waited. Both are called with this admission's lock held: they must be quick and must
        not use it.
        """
        ticket = object()
        told = 0
        want = max(0, int(nbytes))
        with self._changed:
            self._queue.append(ticket)
            try:
                while not (self._queue[0] is ticket and self._cores_used < self.cores
                           and self.reserved + min(want, self.memory) <= self.memory):
                    ahead = self.running + self._queue.index(ticket)
                    if waiting is not None and ahead != told:
                        waiting(ahead)
                        told = ahead
                    if check is not None:
                        check()
                    self._changed.wait(every)
            except BaseException:
                self._queue.remove(ticket)
                self._changed.notify_all()  # the next in line may fit now
                raise
            self._queue.popleft()
            reserve = min(want, self.memory)  # the budget as it is now: set_memory may have changed it
            self.running += 1
            self._cores_used += 1
            self.reserved += reserve
            if told and waiting is not None:
                waiting(0)
            self._changed.notify_all()  # the next in line may fit beside this one
        try:
            yield
        finally:
            with self._changed:
                self.running -= 1
                self._cores_used -= 1
                self.reserved -= reserve
                self._changed.notify_all()

    def try_core(self) -> bool:
        """Take a free core for a computation's extra thread, if one is free and no computation waits for it."""
        with self._changed:
            if self._queue or self._cores_used >= self.cores:
                return False
            self._cores_used += 1
            return True

    def release_core(self) -> None:
        """Give back a core taken by try_core()."""
        with self._changed:
            self._cores_used -= 1
            self._changed.notify_all()
