"""Worker processes for training, shared by every session of a server, so that races do not take turns on one lock.

A Streamlit server is one process, and Python runs one thread of it at a time (the GIL). A training step
on small arrays (10 x 100, batch 128) spends most of its time in Python and in numpy's per-call overhead,
both of which hold that lock, so the training threads of one process take turns: three races at once
took 2.55 x as long as one alone. Here each run of a race is a task for one of usable_cores() worker
processes, which compute side by side.

- Each worker is a fresh interpreter (subprocess: the "spawn" start method, never a fork of the threaded
  server), started with `python -c` rather than through multiprocessing, whose spawn and forkserver
  methods would first run the server's main script in every worker (for `streamlit run`, Streamlit's
  command line: 0.6 s and 30 MB more per worker). It talks to the server over a socket pair
  (multiprocessing.connection's pickled messages), computes with one BLAS thread (OPENBLAS_NUM_THREADS,
  and core.threads.configure) and hands freed memory back after every task.
- A task is a module-level function, called in the worker as fn(*args, report=..., cancelled=...):
  report(message) sends a small message to the caller while the task runs (a race's snapshots), and
  cancelled() says whether the caller has asked it to stop (a "cancel" message on the socket, looked for
  without waiting: the task asks once a step).
- Pool.run blocks the calling thread, which waits on the socket without holding the GIL, until the task
  returns (its result), raises (the same exception, raised in the caller) or its worker dies
  (WorkerCrashed; a new worker takes its place).
- Workers are kept from task to task: a worker's resident memory measured 32 MiB at the start and 40-49
  MiB after each of 24 tasks (races of 10 x 100 to 10 x 1,000 networks, four rounds, with no growth from
  round to round), as each task's freed memory goes back to the kernel (malloc_trim). One that has
  grown by more than RECYCLE_BYTES all the same is replaced after its task.
- Where workers cannot start (no fork or exec allowed, Windows, where pass_fds does not exist) shared()
  returns None and the callers compute in their own process: the same numbers, run by threads instead.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pickle
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from . import threads
from .admission import SLICE

POLL = 0.1  # seconds between looks at the caller's stop signal while a task runs
RECYCLE_BYTES = 256 << 20  # a worker whose resident memory has grown by more than this since its first task ends
START_TIMEOUT = 60.0  # seconds a new worker may take to import numpy and the engine and say it is ready
USE_PROCESSES = True  # False: every caller computes in its own process (tests compare the two ways)
_ROOT = str(Path(__file__).resolve().parent.parent)  # where the worker imports core from


class WorkerCrashed(RuntimeError):
    """A worker process ended while it computed a task (killed, or out of memory); a new one took its place.

    signal: the name of the signal that ended it (SIGKILL is what the kernel's out-of-memory killer sends), or
    None; code: its exit code if it exited, else None. Both None when no worker could be started again.
    """

    def __init__(self, message: str, signal: str | None = None, code: int | None = None) -> None:
        super().__init__(message)
        self.signal, self.code = signal, code


class _Worker:
    """One worker process and the server's end of its socket."""

    def __init__(self) -> None:
        ours, theirs = socket.socketpair()
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
               "PYTHONPATH": os.pathsep.join(p for p in (_ROOT, os.environ.get("PYTHONPATH")) if p)}
        with theirs:
            self.process = subprocess.Popen(
                [sys.executable, "-c", f"from core.workers import serve; serve({theirs.fileno()})"],
                pass_fds=(theirs.fileno(),), env=env, cwd=_ROOT, stdin=subprocess.DEVNULL,
                # Ctrl-C in a terminal stops the server; the workers then see their socket close
                start_new_session=True)
        self.conn = Connection(ours.detach())
        self.pid = self.process.pid
        try:
            if not self.conn.poll(START_TIMEOUT):
                raise OSError(f"the worker process {self.pid} did not start within {START_TIMEOUT:.0f} s")
            if self.conn.recv() != "ready":
                raise OSError(f"the worker process {self.pid} did not say it was ready")
        except EOFError:
            self.close()
            raise OSError(f"the worker process {self.pid} ended while it started ({self.ended()})") from None
        except OSError:
            self.close()
            raise

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        self.conn.close()  # the worker sees its socket close and ends
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def status(self) -> tuple[str | None, int | None]:
        """How the process ended: (the signal's name, None) if a signal killed it, else (None, its exit code)."""
        try:
            code = self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        if code < 0:
            try:
                return signal.Signals(-code).name, None
            except ValueError:
                return f"signal {-code}", None
        return None, code

    def ended(self) -> str:
        """How the process ended, in words: its exit code or the signal that killed it."""
        return _ended_words(*self.status())


def _ended_words(signal_name: str | None, code: int | None) -> str:
    return f"killed by {signal_name}" if signal_name is not None else f"exit code {code}"


class Pool:
    """size worker processes; run() hands a task to an idle one and waits for its result."""

    def __init__(self, size: int) -> None:
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"size={size!r} is not allowed: a whole number of processes from 1 up")
        self.size = size
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._all: list[_Worker] = []
        self._lock = threading.Lock()
        started: list[_Worker | OSError] = []

        def start() -> None:
            try:
                worker: _Worker | OSError = _Worker()
            except (OSError, subprocess.SubprocessError) as error:
                worker = OSError(str(error))
            with self._lock:
                started.append(worker)
        starting = [threading.Thread(target=start, name=f"worker-start-{i}") for i in range(size)]
        for thread in starting:  # ~0.4 s each (an interpreter importing numpy), side by side
            thread.start()
        for thread in starting:
            thread.join()
        failed = next((w for w in started if isinstance(w, OSError)), None)
        if failed is not None:
            for worker in started:
                if isinstance(worker, _Worker):
                    worker.close()
            raise failed
        for worker in started:
            self._all.append(worker)
            self._idle.put(worker)

    def pids(self) -> list[int]:
        """The process ids of the workers now in the pool."""
        with self._lock:
            return [w.pid for w in self._all]

    def run(self, fn: Callable[..., Any], args: tuple = (), report: Callable[[Any], None] | None = None,
            cancel: threads.Cancel = None, slot: Callable[[], contextlib.AbstractContextManager] | None = None) -> Any:
        """fn(*args, report=..., cancelled=...) in a worker: its result, or its exception raised here.

        fn: a module-level function (the worker imports it by name); args and the result are pickled.
        report(message) is called in this thread for each message the task reports, in order; if it raises,
        the task is asked to stop and, once it has, that exception is raised here. Once cancel (a
        threading.Event or a callable, as core.threads.check reads it) is set, the task is asked to stop and
        run raises what the task raises then; threads.Cancelled if it is set before a worker is free.
        WorkerCrashed if the worker dies meanwhile.

        slot: the compute slot the task holds while it computes (a threads.compute_slot(...) to enter), taken
        once a worker is free: a computation holding a core never waits for a worker, which a paused task may
        hold (three races at once on two cores waited for each other for ever that way). Whenever another
        computation waits for a core and the task has had its core for a SLICE, the task is paused at its next
        cancelled() look and its core lent to that computation, and it resumes once it has a core again in turn
        (threads.step_aside; core.admission): a run of minutes does not keep a page waiting for minutes, nor a
        stream of pages a run.
        """
        worker = self._acquire(cancel)
        healthy, failed = True, None  # failed: what report raised; the task is then stopped, and that raised
        try:
            with contextlib.nullcontext() if slot is None else slot():
                worker.conn.send(("task", fn, args))
                healthy = False  # until its reply says otherwise
                asked = False
                turn = time.monotonic()  # when the task last took a core: it keeps it for a SLICE at least
                while True:
                    if not asked and (failed is not None or _is_set(cancel)):
                        worker.conn.send(("cancel",))
                        asked = True
                    if (slot is not None and not asked and time.monotonic() - turn >= SLICE
                            and threads.ADMISSION.core_wanted()):
                        worker.conn.send(("pause",))
                        try:
                            threads.step_aside(cancel)
                        except threads.Cancelled:  # asked to stop while paused: the next look says so to the task
                            pass
                        finally:
                            worker.conn.send(("resume",))
                            turn = time.monotonic()
                    if not wait([worker.conn], timeout=POLL):
                        continue
                    try:
                        kind, payload, *retire = worker.conn.recv()
                    except (EOFError, OSError):
                        name, code = worker.status()
                        raise WorkerCrashed(f"the training worker process {worker.pid} ended "
                                            f"({_ended_words(name, code)}) before its task finished; a new worker "
                                            f"takes its place", signal=name, code=code) from None
                    if kind == "report":
                        if report is not None and failed is None:
                            try:
                                report(payload)
                            except BaseException as error:  # noqa: BLE001  (raised once the worker has stopped)
                                failed = error
                        continue
                    healthy = not retire[0]
                    if failed is not None:
                        raise failed
                    if kind == "error":
                        raise payload
                    return payload
        finally:
            self._release(worker, healthy)

    def _acquire(self, cancel: threads.Cancel) -> _Worker:
        while True:
            try:
                return self._idle.get(timeout=POLL)
            except queue.Empty:
                threads.check(cancel)
                with self._lock:
                    if not self._all:
                        raise WorkerCrashed("no training worker process could be started again") from None

    def _release(self, worker: _Worker, healthy: bool) -> None:
        """Back to the idle queue; a worker that died, or grew, is replaced by a new one."""
        if healthy and worker.alive():
            self._idle.put(worker)
            return
        worker.close()
        try:
            fresh = _Worker()
        except OSError:  # none can start now: the pool has one worker fewer, and says so when it has none
            with self._lock:
                self._all.remove(worker)
            return
        with self._lock:
            self._all[self._all.index(worker)] = fresh
        self._idle.put(fresh)

    def close(self) -> None:
        """End every worker (each ends when its socket closes)."""
        with self._lock:
            workers, self._all = self._all, []
        for worker in workers:
            worker.close()


def _is_set(cancel: threads.Cancel) -> bool:
    try:
        threads.check(cancel)
    except threads.Cancelled:
        return True
    return False


_pool: list[Pool | None] = []  # the process's pool once started, or [None] where workers cannot start
_pool_lock = threading.Lock()
unavailable: str | None = None  # why this process computes in its own threads instead, if it does


def shared() -> Pool | None:
    """The process's pool of threads.usable_cores() workers, started on first use and shared by every caller;
    None where worker processes cannot start (unavailable says why) or USE_PROCESSES is False."""
    global unavailable
    if not USE_PROCESSES:
        return None
    with _pool_lock:
        if not _pool:
            try:
                if not hasattr(os, "fork") or sys.platform == "win32":
                    raise OSError("worker processes need a POSIX system (pass_fds)")
                _pool.append(Pool(threads.usable_cores()))
                atexit.register(_pool[0].close)
            except (OSError, subprocess.SubprocessError) as error:
                unavailable = f"training runs in this process's threads: {error}"
                _pool.append(None)
        pool = _pool[0]
    if pool is not None and not pool.pids():  # every worker died and none could start again
        return None
    return pool


# --- the worker's side ------------------------------------------------------------------------------------

def _rss_bytes() -> int:
    """This process's resident memory now (Linux /proc; 0 where it cannot be read)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


class _ServerGone(Exception):
    """The server's end of the socket has closed: the worker stops its task and ends."""


def serve(fd: int) -> None:
    """A worker's loop: take a task, compute it, send its result; end when the server's socket closes."""
    from .allocator import keep_freed_memory, release_freed_memory

    threads.configure()  # one BLAS thread, as in the server
    keep_freed_memory()  # freed arrays reused from step to step within a task
    conn = Connection(fd)
    conn.send("ready")
    baseline = None
    cancel_asked = [False]

    def cancelled() -> bool:
        try:
            while not cancel_asked[0] and conn.poll():
                kind = conn.recv()[0]
                while kind == "pause":  # the core lent to another computation: wait, without computing, for it back
                    kind = conn.recv()[0]
                cancel_asked[0] = kind == "cancel"
        except (EOFError, OSError):
            raise _ServerGone from None  # the task ends, and so does this process
        return cancel_asked[0]

    def report(message: Any) -> None:
        try:
            conn.send(("report", message))
        except OSError:
            raise _ServerGone from None

    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        cancel_asked[0] = False
        try:
            message = pickle.loads(data)
            if message[0] != "task":  # a "cancel" for a task that had ended before it came
                continue
            _, fn, args = message
            reply = ["done", fn(*args, report=report, cancelled=cancelled)]
        except (_ServerGone, KeyboardInterrupt):
            return
        except BaseException as error:  # noqa: BLE001  (raised again in the server)
            reply = ["error", _picklable(error)]
        release_freed_memory()
        rss = _rss_bytes()
        baseline = rss if baseline is None else baseline  # after the first task: BLAS buffers and imports included
        retire = rss - baseline > RECYCLE_BYTES
        try:
            conn.send((*reply, retire))
        except (EOFError, OSError):
            return
        if retire:
            return


def _picklable(error: BaseException) -> BaseException:
    """The exception itself if it survives pickling, else a RuntimeError with its type, message and traceback."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:  # noqa: BLE001
        text = "".join(traceback.format_exception(error))
        return RuntimeError(f"in a training worker: {type(error).__name__}: {error}\n{text}")
