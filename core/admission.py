"""Admission of computations to the server: each waits until a core and its memory are free, the one with the highest
response ratio first.

A Streamlit server runs every session in a thread of one process, so the memory of all the computations running at
once adds up in one process, whatever each is allowed alone. Each computation asks for one core, reserves the memory
the engine estimates it needs (core.cache.simulate_cached: core.network.estimate_memory; each run of a race:
core.train.estimate_training_memory, in a worker process or not) and says the work it expects, in seconds of one
core (core.network.estimate_work / WORK_RATE; core.train.estimate_training_work). When a core is free, the waiting
computation with the highest response ratio, (waited + work) / work, is next: highest response ratio next (Brinch
Hansen, "Short-term scheduling in multiprogramming systems", 1971). A student moving a slider on a small network
(milliseconds of work) waits a fraction of a second while a class's networks queue, where first come, first served
put it behind all of them; among computations of equal work it is first come, first served, and no computation
waits for ever: its ratio grows as it waits, and a newcomer of work V passes one that has waited w with work W only
after waiting V w / W itself. The next one is admitted once its memory is free too, and none passes it meanwhile: a
large network is never passed over by a stream of small ones, and a computation that fits the budget alone is never
refused: it waits. One that needs more than the whole budget runs alone. While it waits, a computation reports how
many computations come before it (the page says so) and looks at its cancel check (its session may have gone). A
computation of at most PASSING_WORK (a slider on a small network: under a millisecond) does not wait for a core: it
runs at once beside the cores' computations, if its memory fits, and is over before a core could have been handed to
it.

A long computation (a training run: up to minutes) steps aside when another waits for a core (step_aside), once
it has computed for a SLICE since it last took a core: it gives its core to the one waiting, keeps its memory,
pauses, and asks for a core again as a computation of a SLICE's work, ranked by its response ratio with the rest.
So a page opened while races train waits for a core about a SLICE, not a run; and a race keeps its turns under a
stream of pages, as round robin would give them: it is back once it has waited as long, relative to a SLICE, as the
page in line has waited relative to its work. (Taking a core back only when no new computation waited, a race under
three sessions' stream of pages had 2 % of a core and took 16 minutes instead of half of one.) One resuming passes a
new one that waits for memory: the memory may be its own, kept while it waits.

The server's budget is INIT_EXPLORER_MEMORY_MIB (server_budget(), read by the app at start); the process's
one Admission is core.threads.ADMISSION, with a core for each of threads.usable_cores().
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

ENV = "INIT_EXPLORER_MEMORY_MIB"
# What the computations running at once may reserve, in MiB. The same as one computation's budget
# (core.network.DEFAULT_MEMORY_BUDGET), so the largest network the page allows runs, alone. Streamlit Community
# Cloud restarts an app over about 2.7 GB; the server's own memory (interpreter, libraries, kept results and
# draws: 0.2 to 0.6 GB, docs/performance.md) comes on top of this.
DEFAULT_SERVER_MIB = 1024
SERVER_MIB_RANGE = (64, 1 << 20)  # from 64 MiB (the lecture's network needs 40) to 1 TiB, more than any server here
# The least work a computation is counted at, in seconds of one core: a response ratio divides by it, and a
# computation that says no work (0) is ranked as one of a millisecond, with its waiting time counting from then.
MIN_WORK = 1e-3
# Seconds a long computation computes between lending its core (step_aside): the work its turn back is ranked at.
# Pages wait up to a SLICE for a core a race holds; each turn costs a race a pause and a resume (milliseconds).
SLICE = 0.2
# Work, in seconds of one core, that runs at once beside the cores' computations instead of waiting for a core: a
# slider on a small network (5 x 40: under a millisecond) had waited up to a class's tour network (0.4 to 0.9 s)
# for a core to free. Such a computation is over before a core could have been handed to it; it still waits for
# its memory.
PASSING_WORK = 0.01


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


@dataclass(eq=False)
class _Ticket:
    """A place in line: the memory it waits for, its work (seconds of one core, at least MIN_WORK), when it asked
    (the admission's clock), and whether it resumes a computation that stepped aside."""

    nbytes: int
    work: float = MIN_WORK
    since: float = 0.0
    resuming: bool = False

    def response_ratio(self, now: float) -> float:
        """(waited + work) / work: 1 when it asks, growing the faster the less work it has."""
        return (now - self.since + self.work) / self.work


class Admission:
    """Cores and bytes shared by the computations of one process, handed out highest response ratio next.

    admit(nbytes, work) holds a core and nbytes of the memory for its block; try_core() lends a free core to a
    computation's extra threads (core.threads.parallel_map) when nobody is waiting for one. clock: seconds, for
    the response ratios (time.monotonic; a test's own).
    """

    def __init__(self, cores: int, memory: int, clock: Callable[[], float] = time.monotonic):
        self.cores, self.memory, self.clock = cores, memory, clock
        self._changed = threading.Condition()
        self._queue: deque[_Ticket] = deque()  # the computations waiting, in the order they asked
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
              waiting: Callable[[int], None] | None = None, every: float = 0.1, work: float = 0.0) -> Iterator[None]:
        """Hold a core and min(nbytes, memory) bytes for the block, once this computation is the waiting one with
        the highest response ratio and both are free (one resuming after step_aside is ranked with the rest, and
        passes a new one that waits for memory).
        work: the seconds of one core it expects to take (at least MIN_WORK is counted).

        While waiting, every `every` seconds and whenever a computation ends: check() is called, and what it
        raises (threads.Cancelled) leaves the queue and is raised here; waiting(n) is called with the number of
        computations running or ranked before this one whenever it changes, and waiting(0) once admitted
        after having waited. Both are called with this admission's lock held: they must be quick and must
        not use it.
        """
        ticket = _Ticket(max(0, int(nbytes)), max(MIN_WORK, float(work)), self.clock())
        told = 0
        with self._changed:
            # a computation of milliseconds runs at once beside the cores' computations, taking none of them
            core = 0 if 0.0 < work <= PASSING_WORK and self._fits(ticket) else 1
            if core:
                self._queue.append(ticket)
                try:
                    while not self._admissible(ticket):
                        ahead = self.running + self._rank(ticket)
                        if waiting is not None and ahead != told:
                            waiting(ahead)
                            told = ahead
                        if check is not None:
                            check()
                        if self._cores_used < self.cores and self._next() is not None:
                            self._changed.notify_all()  # the one ranked first now (the ratios move) may take the core
                        self._changed.wait(every)
                except BaseException:
                    self._queue.remove(ticket)
                    self._changed.notify_all()  # the next in line may fit now
                    raise
                self._queue.remove(ticket)
            reserve = min(ticket.nbytes, self.memory)  # the budget as it is now: set_memory may have changed it
            self.running += 1
            self._cores_used += core
            self.reserved += reserve
            if told and waiting is not None:
                waiting(0)
            self._changed.notify_all()  # the next in line may fit beside this one
        try:
            yield
        finally:
            with self._changed:
                self.running -= 1
                self._cores_used -= core
                self.reserved -= reserve
                self._changed.notify_all()

    def _fits(self, ticket: _Ticket) -> bool:
        return self.reserved + min(ticket.nbytes, self.memory) <= self.memory

    def _next(self) -> _Ticket | None:
        """The computation a free core goes to: the waiting one with the highest response ratio (the earliest to ask
        among equals), if it fits; where that one is new and waits for memory, no new one passes it, and the core
        goes to the resuming one with the highest ratio (None if there is none)."""
        now = self.clock()
        first = max(self._queue, key=lambda t: t.response_ratio(now), default=None)
        if first is None or first.resuming or self._fits(first):
            return first
        return max((t for t in self._queue if t.resuming), key=lambda t: t.response_ratio(now), default=None)

    def _rank(self, ticket: _Ticket) -> int:
        """How many computations waiting come before this one now: those of a higher response ratio, those of an
        equal one that asked before it, and, while it waits for memory, every one resuming (_next)."""
        now = self.clock()
        ratio, ahead, earlier = ticket.response_ratio(now), 0, True
        blocked = not ticket.resuming and not self._fits(ticket)
        for other in self._queue:
            if other is ticket:
                earlier = False
            elif other.resuming and blocked:
                ahead += 1
            else:
                other_ratio = other.response_ratio(now)
                ahead += other_ratio > ratio or (earlier and other_ratio == ratio)
        return ahead

    def _wanted(self) -> bool:
        """Whether a new computation would take a core now if one were free (a long computation gives its core
        only to a new one: to one resuming, it would only take turns)."""
        following = self._next()
        return following is not None and not following.resuming

    def _admissible(self, ticket: _Ticket) -> bool:
        """A core is free and this is the computation it goes to (_next)."""
        return self._cores_used < self.cores and self._next() is ticket

    def core_wanted(self) -> bool:
        """Whether step_aside would give a core away now."""
        with self._changed:
            return self._wanted()

    def step_aside(self, check: Callable[[], None] | None = None, every: float = 0.1) -> bool:
        """Called by an admitted computation (in its admit block) between steps of its work: when a new
        computation in line could take a core now, give the core to it, wait for a core again in turn (ranked as
        a computation of a SLICE's work, by its response ratio), and return True (False at once when none
        could). The computation's memory stays reserved meanwhile; pause its work before (it must not compute on
        a core it has given back). check() is called while waiting, as in admit, and what it raises is raised
        here with the core held again, for the admit block to end as usual."""
        with self._changed:
            if not self._wanted():
                return False
            ticket = _Ticket(0, SLICE, self.clock(), resuming=True)
            self._queue.append(ticket)
            self.running -= 1
            self._cores_used -= 1
            self._changed.notify_all()
            try:
                while not self._admissible(ticket):
                    if check is not None:
                        check()
                    self._changed.wait(every)
            finally:  # the core back, even on a cancel: admit's block gives it up as it ends
                self._queue.remove(ticket)
                self.running += 1
                self._cores_used += 1
                self._changed.notify_all()
        return True

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
