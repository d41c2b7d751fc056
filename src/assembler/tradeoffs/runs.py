"""One run — a scenario under some settings and a data variant, solved — and its table row.

Frontiers and sweeps are lists of runs; this module is the task each Dask worker executes
and the one place that turns a ``Result`` into the figures their tables compare.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from assembler.domain.scenario import Scenario
from assembler.domain.solve_settings import SolveSettings
from assembler.results.result import Result
from assembler.tradeoffs.runner import ProgressCallback, Runner, one_thread
from assembler.tradeoffs.variants import BASELINE, Variant


def horizon_ids(scenario: Scenario) -> tuple[str, ...]:
    """The period ids a results table names, none without periods (so v1 tables are as
    they were)."""
    return scenario.period_ids if scenario.has_horizon else ()


RESULT_COLUMNS = (
    "status",
    "score",
    "gap",
    "value_captured",
    "value_share",
    "missions_staffed",
    "network_fte",
    "tightest_ops",
    "tightest_coverage",
    "seconds",
    "conflicts",
)
"""The figures of every run, after the columns that say what the run varied."""

_INTEGER_COLUMNS = ("score", "missions_staffed")
"""Kept as integers even with blanks (pandas' nullable ``Int64``), so ``8300242`` is never
written ``8300242.0``."""


@dataclass(frozen=True)
class Run:
    """Setting overrides (``ops_buffer``, ``weights.value`` …) and a data variant."""

    settings: Mapping[str, Any] = field(default_factory=dict)
    variant: Variant = BASELINE

    def apply(self, scenario: Scenario) -> Scenario:
        return self.variant.apply(scenario.with_settings(**self.settings))


def solve_run(shared: tuple[Scenario, SolveSettings], run: Run) -> Result:
    """The Dask task: one run, one solve (``shared`` is sent to each worker only once)."""
    from assembler.solver import solve

    scenario, settings = shared
    return solve(run.apply(scenario), settings)


@contextmanager
def using(runner: Runner | None) -> Iterator[Runner]:
    """The caller's runner, or a default local one for the duration of one call."""
    if runner is not None:
        yield runner
        return
    with Runner() as local:
        yield local


def solve_runs(
    scenario: Scenario,
    runs: Sequence[Run],
    settings: SolveSettings | None = None,
    runner: Runner | None = None,
    progress: ProgressCallback | None = None,
) -> dict[int, Result]:
    """Solve every run, one Dask task each, each on one solver thread: the results by run
    position — every run, unless ``settings.stop`` is set first (then those finished)."""
    settings = settings or SolveSettings()
    shared = (scenario, one_thread(settings))
    with using(runner) as active:
        return active.map_done(solve_run, shared, runs, progress, settings.stop)


def result_row(result: Result, periods: Sequence[str] = ()) -> dict[str, Any]:
    """The figures of one run; those that need a plan are ``None`` without one.

    ``periods`` are the horizon's period ids (none without periods): the tightest demand is
    then named with its period (``u1/k@q2``), and ``network_fte`` is the mean over them.
    """
    kpis = result.kpis
    tightest = kpis.tightest if kpis is not None else None
    ratio = tightest.ratio if tightest is not None and math.isfinite(tightest.ratio) else None
    when = f"@{periods[tightest.period]}" if tightest is not None and periods else ""
    return {
        "status": result.status.value,
        "score": result.score,
        "gap": result.gap,
        "value_captured": kpis.value_captured if kpis else None,
        "value_share": kpis.value_share if kpis else None,
        "missions_staffed": kpis.missions_staffed if kpis else None,
        "network_fte": kpis.network_fte if kpis else None,
        "tightest_ops": f"{tightest.unit_id}/{tightest.skill_id}{when}" if tightest else None,
        "tightest_coverage": ratio,
        "seconds": round(result.build_seconds + result.solve_seconds, 3),
        "conflicts": "; ".join(result.conflicts),
    }


def results_table(
    rows: Sequence[Mapping[str, Any]], results: Sequence[Result], periods: Sequence[str] = ()
) -> pd.DataFrame:
    """One row per run: what the run varied (``rows``), then ``RESULT_COLUMNS`` (``periods``
    as in ``result_row``)."""
    frame = pd.DataFrame(
        [{**row, **result_row(result, periods)} for row, result in zip(rows, results, strict=True)]
    )
    for column in _INTEGER_COLUMNS:
        if column in frame:
            frame[column] = frame[column].astype("Int64")
    return frame
