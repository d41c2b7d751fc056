"""Sweeps: the cross product of settings and data variants, one solve per run, one row each."""

from __future__ import annotations

import io

import pandas as pd

from assembler.domain.scenario import Scenario
from assembler.domain.solve_settings import SolveSettings
from assembler.tradeoffs.grid import SweepPlan
from assembler.tradeoffs.runner import ProgressCallback, Runner
from assembler.tradeoffs.runs import RESULT_COLUMNS, horizon_ids, results_table, solve_runs

LEADING_COLUMNS = ("run", "variant")
"""What every sweep table starts with; the grid's settings follow, then ``RESULT_COLUMNS``."""


def sweep(
    scenario: Scenario,
    plan: SweepPlan,
    settings: SolveSettings | None = None,
    *,
    runner: Runner | None = None,
    progress: ProgressCallback | None = None,
) -> pd.DataFrame:
    """Solve every run of ``plan``, one Dask task each: one table row per run.

    A sweep answers "what if" questions a single dial cannot: every combination of the
    grid's settings with every data variant (a unit losing capacity, missions worth more),
    so their effects and interactions can be compared side by side.  The table has ``run``,
    ``variant``, every setting of the grid, then the figures of ``runs.RESULT_COLUMNS``.
    Plans are not kept: a sweep compares figures, and a few hundred plans of a large
    scenario would not fit in the caller's memory.

    Args:
        scenario: the validated scenario the runs vary.
        plan: the grid and variants, as read by ``read_grid`` (or ``parse_grid``).
        settings: limits of each solve (time, seed); each runs on one solver thread.
        runner: where the solves run; by default a local cluster for this call only.
        progress: called with (runs done, runs in all) as each one finishes.

    When ``settings.stop`` is set during the runs, the table holds the runs finished by
    then, each with its own run number.
    """
    runs = plan.runs()
    done = solve_runs(scenario, runs, settings, runner, progress)
    kept = sorted(done)
    rows = [{"run": i + 1, "variant": runs[i].variant.name, **runs[i].settings} for i in kept]
    return results_table(rows, [done[i] for i in kept], horizon_ids(scenario))


def varied_columns(table: pd.DataFrame) -> list[str]:
    """The settings a sweep table varies: its columns between ``variant`` and the figures."""
    columns = [str(column) for column in table.columns]
    return columns[columns.index(LEADING_COLUMNS[-1]) + 1 : columns.index(RESULT_COLUMNS[0])]


def read_results(name: str, data: bytes) -> pd.DataFrame:
    """A sweep table written by ``assembler sweep`` (``results.csv`` or ``results.parquet``),
    for instance uploaded to the app; raises ``ValueError`` saying what is wrong with it."""
    try:
        if name.lower().endswith(".parquet"):
            table = pd.read_parquet(io.BytesIO(data))
        else:
            table = pd.read_csv(io.BytesIO(data))
    except (ValueError, OSError, UnicodeDecodeError) as error:
        raise ValueError(f"{name} cannot be read as a sweep table: {error}") from None
    missing = [c for c in (*LEADING_COLUMNS, *RESULT_COLUMNS) if c not in table.columns]
    if missing:
        raise ValueError(
            f"{name} is not a sweep table from `assembler sweep`: "
            f"it lacks the column(s) {', '.join(missing)}"
        )
    return table
