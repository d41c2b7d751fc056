"""The trade-off studies the app runs in the background, as ``PlanningSession.start_study``
takes them: ``work(stop, count)``, a frontier or a stress test on an in-process cluster.

An app server starts no processes: its runs go to a ``LocalCluster`` of threads of this
process (CP-SAT releases the GIL), at most two, started for one study and closed after it.
The job's stop event is a ``SharedStop``, which reaches the solves on those threads, so a
Stop ends the runs at once and the study keeps the ones finished.  A large study belongs on
the command line (``assembler frontier``, ``sweep``, ``stress``).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence

from assembler.domain.scenario import Scenario
from assembler.domain.solution import Solution
from assembler.domain.solve_settings import SolveSettings
from assembler.tradeoffs.frontier import BUFFER, Dial, Frontier, frontier
from assembler.tradeoffs.runner import ProgressCallback, Runner, available_cores
from assembler.tradeoffs.stress import StressReport, StressSettings, stress

APP_WORKERS = 2


def in_process_runner() -> Runner:
    """At most ``APP_WORKERS`` single-threaded workers, threads of this process."""
    return Runner(min(APP_WORKERS, available_cores()), processes=False)


def frontier_study(
    scenario: Scenario, settings: SolveSettings, points: Sequence[float], dial: Dial = BUFFER
) -> Callable[[threading.Event, ProgressCallback], Frontier]:
    """``frontier(scenario, settings, points, dial=dial)`` as a study: stopped, it holds the
    points solved by then."""

    def work(stop: threading.Event, count: ProgressCallback) -> Frontier:
        with in_process_runner() as runner:
            stoppable = dataclasses.replace(settings, stop=stop)
            return frontier(scenario, stoppable, points, dial=dial, runner=runner, progress=count)

    return work


def stress_study(
    scenario: Scenario,
    settings: StressSettings,
    solve_settings: SolveSettings,
    plan: Solution | None,
) -> Callable[[threading.Event, ProgressCallback], StressReport]:
    """``stress`` of ``plan`` as a study: stopped, it holds the draws before the first
    repair left unfinished (``StressStoppedError`` if that is the first)."""

    def work(stop: threading.Event, count: ProgressCallback) -> StressReport:
        with in_process_runner() as runner:
            stoppable = dataclasses.replace(solve_settings, stop=stop)
            return stress(scenario, settings, stoppable, plan=plan, runner=runner, progress=count)

    return work
