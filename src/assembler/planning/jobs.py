"""Work in the background, so an interactive page never waits on the optimiser.

A ``Job`` runs one function on its own thread.  The page that started it keeps drawing: it
polls ``running``, may ``stop()`` the work (the function receives the stop event and hands
it to the solver, which keeps its best plan so far) and reads ``result`` once the thread is
done.  ``SolveJob`` is the planner's solve, with each improving solution CP-SAT reports in
``progress``; the what-if questions of ``assembler.analysis`` (what staffing a mission would
take, who could join it) are plain jobs, as they may take as long as a solve or longer.
``start`` refuses to launch a second solve while one runs, so a double click, or a click
that lands while the page is still redrawing, starts one solve.  A ``StudyJob`` is a
trade-off study (a frontier, a stress test): many runs on Dask, counted as they finish.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from math import isfinite
from typing import Any, Generic, TypeVar

from assembler.domain.scenario import Scenario
from assembler.domain.solve_settings import Progress, SharedStop, SolveSettings
from assembler.results.result import Result, relative_gap
from assembler.solver import solve
from assembler.text import format_gap, plural

T = TypeVar("T")


class Job(Generic[T]):
    """``work(stop)`` on a background thread, started at once.

    ``work`` should pass ``stop`` to the solves it runs (``SolveSettings.stop``) so that
    ``stop()`` ends them.  Work that raises (a bug, not bad input: input is validated
    before) leaves the exception in ``error`` instead of ending the thread silently, so the
    page can say what went wrong.
    """

    def __init__(self, work: Callable[[threading.Event], T], name: str = "assembler-job") -> None:
        self._work = work
        # Shared: it reaches solves on the Dask worker threads a trade-off study runs on.
        self._stop: threading.Event = SharedStop()
        self.result: T | None = None
        self.error: Exception | None = None
        self._started = time.monotonic()
        self._finished: float | None = None
        # A daemon thread: a server shutting down does not wait for a long solve.
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def _begin(self) -> None:
        self._started = time.monotonic()
        self._thread.start()

    def _run(self) -> None:
        try:
            self.result = self._work(self._stop)
        except Exception as exc:  # reported through ``error``: the page shows it, never a crash
            self.error = exc
        finally:
            self._finished = time.monotonic()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    @property
    def elapsed(self) -> float:
        """Seconds since the start, frozen when the work ends."""
        end = self._finished if self._finished is not None else time.monotonic()
        return end - self._started

    @property
    def stopping(self) -> bool:
        """A stop was asked for (the solver may still be wrapping up)."""
        return self._stop.is_set()

    def stop(self) -> None:
        """Ask the work to end; a solve returns the best solution found so far."""
        self._stop.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the work ends or ``timeout`` seconds pass; true if it has ended."""
        self._thread.join(timeout)
        return not self.running


def run(work: Callable[[threading.Event], T], name: str = "assembler-job") -> Job[T]:
    """Start ``work(stop)`` in the background (see ``Job``)."""
    job = Job(work, name)
    job._begin()
    return job


class SolveJob(Job[Result]):
    """One solve of ``scenario`` on a background thread (create it through ``start``).

    The job owns ``settings.progress`` and ``settings.stop``: whatever the caller put there is
    replaced by the job's own collector and stop event.
    """

    def __init__(self, scenario: Scenario, settings: SolveSettings) -> None:
        super().__init__(self._solve, "assembler-solve")
        self.scenario = scenario
        self._history: list[Progress] = []
        self.settings = dataclasses.replace(
            settings, progress=self._history.append, stop=self._stop
        )

    def _solve(self, _: threading.Event) -> Result:
        # ``solve`` is looked up here, at call time, so a test can replace it.
        return solve(self.scenario, self.settings)

    @property
    def progress(self) -> Progress | None:
        """The latest improving solution reported, or ``None`` before the first one."""
        return self._history[-1] if self._history else None

    @property
    def history(self) -> tuple[Progress, ...]:
        """Every improving solution reported so far, oldest first."""
        return tuple(self._history)

    @property
    def readout(self) -> str:
        """The search so far in a planner's words: ``3 improving plans · 16 missions
        staffed · value 800 · gap 8.45%``: value and missions, not the solver's score.
        Before the search proves a bound CP-SAT's bound is infinite, and a gap of ``inf%``
        tells a planner nothing: it says so instead."""
        best = self.progress
        if best is None:
            return "No plan found yet."
        bound = best.best_bound
        gap = "no bound yet"
        if isfinite(bound):
            gap = f"gap {format_gap(relative_gap(best.score, bound))}"
        found = plural(len(self._history), "improving plan")
        staffed = plural(best.missions_staffed, "mission")
        return f"{found} · {staffed} staffed · value {best.value:,.0f} · {gap}"


Counter = Callable[[int, int], None]
"""Told (runs done, runs in all) as each run of a study finishes."""


class StudyJob(Job[T]):
    """A trade-off study on a background thread: ``work(stop, count)`` gets the stop event
    to hand to its runs and a ``Counter`` for them, so a page shows ``done`` of ``total``
    (``total`` is ``None`` until the first run ends).  ``what`` names the study
    (``frontier``, ``stress``), for the page that takes its result in."""

    def __init__(self, what: str, work: Callable[[threading.Event, Counter], T]) -> None:
        super().__init__(self._study, f"assembler-{what}")
        self.what = what
        self._task = work
        self.done = 0
        self.total: int | None = None

    def _study(self, stop: threading.Event) -> T:
        return self._task(stop, self._count)

    def _count(self, done: int, total: int) -> None:
        self.done, self.total = done, total

    @property
    def fraction(self) -> float:
        """The share of the runs finished, 0 before the first."""
        return 0.0 if not self.total else self.done / self.total


def study(
    what: str, work: Callable[[threading.Event, Counter], T], *, current: StudyJob[Any] | None
) -> StudyJob[Any]:
    """Start study ``what`` — unless ``current`` is still running, which is returned
    instead: one study at a time per caller, as with solves."""
    if current is not None and current.running:
        return current
    job: StudyJob[T] = StudyJob(what, work)
    job._begin()
    return job


def start(
    scenario: Scenario, settings: SolveSettings, *, current: SolveJob | None = None
) -> SolveJob:
    """Start solving ``scenario`` — unless ``current`` is still running, which is returned
    instead: one solve at a time per caller, however often the button is pressed."""
    if current is not None and current.running:
        return current
    job = SolveJob(scenario, settings)
    job._begin()
    return job
