"""Ctrl-C for long commands: the first stops the work and keeps what is done, the second
quits at once.

A planner who presses Ctrl-C after a minute of solving wants the best plan so far, not
nothing; one who presses it again wants out.  ``Interrupt`` turns the first SIGINT (or
SIGTERM, what ``kill`` and service managers send) into ``SolveSettings.stop``, which the
engine and the trade-off runner honour, and the second into exit 130 with a message.

Python runs signal handlers in the main thread only, and only between bytecodes: a main
thread inside CP-SAT would not see Ctrl-C until the search ended.  So ``Interrupt.run``
does the work in a helper thread while the main thread waits where signals reach it.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

from assembler.cli.printing import warn

EXIT_INTERRUPTED = 130
"""128 + SIGINT, what shells report for a command ended by Ctrl-C."""

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_POLL_SECONDS = 0.1

T = TypeVar("T")

_Handler = Callable[[int, FrameType | None], object] | int | None


class Interrupt:
    """Signal handlers for one command, from ``with`` to its end; ``stop`` is set at the
    first signal, and ``doing`` says what stopping keeps (``the best plan found``).
    ``cleanup`` runs before a second signal quits, to leave no half-written output."""

    def __init__(self, doing: str, cleanup: Callable[[], None] | None = None) -> None:
        self.stop = threading.Event()
        self.doing = doing
        self.cleanup = cleanup
        self._previous: dict[int, _Handler] = {}

    def __enter__(self) -> Interrupt:
        for signum in _SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        return self

    def __exit__(self, *raised: object) -> None:  # an exception raised in the block goes on
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)

    @property
    def interrupted(self) -> bool:
        return self.stop.is_set()

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.stop.is_set():
            if self.cleanup is not None:
                self.cleanup()
            sys.stdout.flush()
            warn("interrupted again: quitting now; nothing more is written")
            os._exit(EXIT_INTERRUPTED)
        self.stop.set()
        name = signal.Signals(signum).name
        warn(f"{name}: stopping; {self.doing} (press Ctrl-C again to quit at once)")

    def run(self, work: Callable[[], T]) -> T:
        """``work()`` in a helper thread, the main thread waiting where signals reach it;
        returns its result or raises its exception."""
        outcome: list[T] = []
        failure: list[BaseException] = []

        def target() -> None:
            try:
                outcome.append(work())
            except BaseException as exc:  # handed to the main thread, which re-raises it
                failure.append(exc)

        thread = threading.Thread(target=target, name="assembler-work", daemon=True)
        thread.start()
        while thread.is_alive():
            thread.join(_POLL_SECONDS)
        if failure:
            raise failure[0]
        return outcome[0]


@contextmanager
def signals_ignored_by_children() -> Iterator[None]:
    """SIGINT ignored while worker processes start, so that they inherit it ignored.

    Ctrl-C in a terminal reaches every process of the foreground group: Dask's workers
    would die mid-run with tracebacks and leak their semaphores, while the command itself
    stops them in order.  A spawned Python keeps an inherited SIG_IGN for SIGINT.  The
    price: a Ctrl-C during those seconds is ignored by the command too (the process's
    native threads take an ignored signal even if the main thread blocks it), so the
    window is kept to the workers' start; SIGTERM still ends the command meanwhile.
    """
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
