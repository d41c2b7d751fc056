"""Ending a running CP-SAT search from another thread (the app's Stop button)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

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
