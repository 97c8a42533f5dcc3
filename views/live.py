"""Training in the background for the app: a thread per run, its progress and curves as they grow, a way to stop it.

No streamlit here. The app keeps one Training per session (in its session state) and redraws the page from
it every few hundred ms while it runs (st.fragment(run_every=...)); the thread itself never touches the
page. The work is the engine's own function (core.train.race, he_2015) called with a progress callback, so a
run that is watched gives exactly the result of one that is not.

A run ends in one of four ways: it finishes (result), it is stopped (the Stop button, a new Run, or the
page that started it gone for GONE_AFTER seconds), the engine refuses it (MemoryBudgetError, message), or
it fails (failure, the exception, for the page to show; core.workers.WorkerCrashed if a worker process
died under it). A stop takes effect at the next progress report: core.train's races report from the
caller's thread every 0.1 s, and each run, computing in one of the server's worker processes
(core.workers), stops within a step of being told.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from typing import Any

from core import MemoryBudgetError

GONE_AFTER = 30.0  # seconds a page may be away (a dropped connection reconnects within this) before its run stops

Progress = Callable[[int, int], None]


class Stopped(Exception):
    """Raised from a progress report to end a run early."""


class Training:
    """One background run of work(progress, live, training) -> result, started at once in a daemon thread.

    progress(done, total) is the callback to hand to the engine; live is a dict the work may fill with arrays
    that grow as it runs (core.train.race(live=...): each scheme's loss and accuracy), and training a list of the
    runs training now (core.train.race(training=...), in the order they started). alive() is asked at
    every report; once it has said False for gone_after seconds in a row (GONE_AFTER unless given), the run stops.
    """

    def __init__(self, key: Hashable, work: Callable[[Progress, dict, list], Any],
                 alive: Callable[[], bool] | None = None, gone_after: float | None = None) -> None:
        self.key = key
        self.done = 0  # steps done and steps in all, as last reported
        self.total = 0
        self.live: dict = {}
        self.training: list = []
        self.result: Any = None
        self.message: str | None = None  # the engine's refusal, in its words
        self.failure: BaseException | None = None
        self.stopped = False
        self.started = time.monotonic()
        self.ended: float | None = None
        self._stop = threading.Event()
        self._alive = alive
        self._gone_after = GONE_AFTER if gone_after is None else gone_after  # read now: a server may set its own
        self._away_since: float | None = None
        self.thread = threading.Thread(target=self._run, args=(work,), name="training", daemon=True)
        self.thread.start()

    @property
    def running(self) -> bool:
        return self.ended is None

    @property
    def fraction(self) -> float:
        """Share of the work done so far, 0 to 1."""
        return self.done / self.total if self.total else 0.0

    @property
    def seconds(self) -> float:
        """Seconds since the start, or the run's whole time once it has ended."""
        return (self.ended if self.ended is not None else time.monotonic()) - self.started

    def stop(self) -> None:
        """Ask the run to end at its next progress report."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait for the run to end; whether it has."""
        self.thread.join(timeout)
        return not self.thread.is_alive()

    def progress(self, done: int, total: int) -> None:
        """The engine's progress callback: notes how far the work has got, and ends it when asked to stop."""
        self.done, self.total = done, total
        if self._stop.is_set() or self._gone():
            raise Stopped

    def _gone(self) -> bool:
        if self._alive is None or self._alive():
            self._away_since = None
            return False
        now = time.monotonic()
        if self._away_since is None:
            self._away_since = now
        return now - self._away_since >= self._gone_after

    def _run(self, work) -> None:
        try:
            self.result = work(self.progress, self.live, self.training)
        except Stopped:
            self.stopped = True
        except MemoryBudgetError as error:
            self.message = str(error)
        except Exception as error:  # a fault: kept for the page to show, never lost in a thread
            self.failure = error
        finally:
            self.ended = time.monotonic()
