"""Ending a solve on time or on request: a running CP-SAT search from another thread (the
app's Stop button, Ctrl-C on the command line), and everything before it — the warm
start, the model's build — at the ``Clock``'s checks."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from ortools.sat.python import cp_model


@contextmanager
def stoppable(solver: cp_model.CpSolver, stop: threading.Event | None) -> Iterator[None]:
    """While the search runs, a watcher ends it when ``stop`` is set by another thread.

    CP-SAT's own Ctrl-C handler is turned off: it would replace the caller's (the command
    line turns Ctrl-C into ``stop``) and, when the search ends, reset SIGINT to the default
    that kills the process without a word.
    """
    solver.parameters.catch_sigint_signal = False
    if stop is None:
        yield
        return
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(0.05):
            if stop.is_set():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        finished.set()
        watcher.join()


class OutOfTimeError(Exception):
    """The time limit passed, or a stop was asked for, before the search could begin."""


@dataclass(frozen=True)
class Clock:
    """The deadline of one solve (a ``time.perf_counter`` moment) and its stop event.

    A time limit is a promise from the moment the command started, so the work before the
    search (the warm start, the model's build: minutes on a long horizon) checks the clock
    as it goes and gives up with ``OutOfTimeError`` rather than run past the limit or keep
    a Ctrl-C waiting.  A check costs a clock read, so loops call it once an item.
    """

    deadline: float
    stop: threading.Event | None = None

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def check(self) -> None:
        if (self.stop is not None and self.stop.is_set()) or self.left() <= 0:
            raise OutOfTimeError


UNTIMED = Clock(float("inf"))
"""For work that has no limit of its own (tests, the benchmark's greedy peer)."""
