"""The frontier of the dual operating system: strategic value against operational safety.

Each point solves the scenario at one ops protection buffer.  Raising the buffer only
tightens constraint 4 of MODEL.md §6, so the feasible plans of a larger buffer are among
those of a smaller one and the optimal score can only fall: the frontier says how much
value each extra point of protection costs, and where operations stop fitting at all.
The same points give value against the network FTE freed, the other face of the trade-off.
On a horizon the buffer applies in every period, so the same holds; each point's network
FTE is the mean over the periods (a mission running one quarter of four counts a quarter
of its time) and the tightest demand is named with its period.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from assembler.compile.instance import Instance
from assembler.compile.protection import highest_protectable_buffer
from assembler.domain.scenario import Scenario
from assembler.domain.solve_settings import SolveSettings
from assembler.results.result import Result
from assembler.tradeoffs.runner import ProgressCallback, Runner
from assembler.tradeoffs.runs import Run, horizon_ids, results_table, solve_runs

DEFAULT_BUFFERS = tuple(step / 20 for step in range(11))
"""0 % to 50 % in steps of 5 %: the range when operations bear any buffer up to it."""

POINTS = 11
GRID = 0.005
"""Default buffers are multiples of half a percent, as a planner would pick them."""


def bearable_buffer(scenario: Scenario) -> float | None:
    """The highest ops buffer (up to the default range's 50 %) at which operations alone
    can still be protected, to a tenth of a percent (``None``: not even without one)."""
    return highest_protectable_buffer(Instance(scenario), ceiling=DEFAULT_BUFFERS[-1])


def default_buffers(scenario: Scenario) -> tuple[float, ...]:
    """Buffers spanning what the organisation can bear: 0 to the highest buffer at which
    operations alone can still be protected (``bearable_buffer``, milliseconds), in about
    ``POINTS`` round steps, plus one step beyond to show the edge; the usual 0–50 % when
    operations bear more.  A frontier drawn past that edge is all infeasible points, which
    says nothing about the trade-off."""
    highest = bearable_buffer(scenario)
    if highest is None:
        return (0.0,)
    if highest >= DEFAULT_BUFFERS[-1]:
        return DEFAULT_BUFFERS
    step = max(GRID, math.floor(highest / (POINTS - 1) / GRID) * GRID)  # a round step
    inside = [round(i * step, 4) for i in range(POINTS) if i * step < highest - 1e-9]
    return (*inside, highest, round(highest + step, 4))


@dataclass(frozen=True, eq=False)
class Frontier:
    """The frontier table (one row per buffer, ascending) and each point's solve result.

    ``eq=False``: comparing DataFrames element-wise has no single truth value.
    """

    scenario: Scenario
    table: pd.DataFrame
    results: tuple[Result, ...]

    def point(self, index: int) -> tuple[Scenario, Result]:
        """The scenario at the ``index``-th buffer and its plan: what loading a point shows."""
        buffer = float(self.table["ops_buffer"].iloc[index])
        return self.scenario.with_settings(ops_buffer=buffer), self.results[index]


def frontier(
    scenario: Scenario,
    settings: SolveSettings | None = None,
    buffers: Sequence[float] = DEFAULT_BUFFERS,
    *,
    runner: Runner | None = None,
    progress: ProgressCallback | None = None,
) -> Frontier:
    """Solve ``scenario`` at each ops buffer, one Dask task each, to price operational safety.

    The protection buffer is the organisation's main dial between missions and operations;
    a single solve says what one setting gives, the frontier says what each extra point of
    protection costs in value and network FTE, and from which buffer operations no longer
    fit at all.  The table has ``ops_buffer`` then the figures of ``runs.RESULT_COLUMNS``:
    status and gap say whether a point is proven optimal or how far from it; infeasible
    points name the operations that no longer fit.  The plans are kept (``Frontier.point``)
    so a point can be opened like any other solve.

    Args:
        scenario: the validated scenario; its own buffer is ignored.
        settings: limits of each solve (time, seed); each runs on one solver thread.
        buffers: the ops buffers to solve, each ≥ 0; duplicates are solved once and the
            rows come in ascending order.
        runner: where the solves run; by default a local cluster for this call only.
        progress: called with (solves done, solves in all) as each one finishes.

    When ``settings.stop`` is set during the solves, the frontier holds the points solved
    by then.
    """
    points = sorted(set(buffers))
    if not points or points[0] < 0:
        raise ValueError("give at least one ops buffer, each ≥ 0")
    runs = [Run({"ops_buffer": buffer}) for buffer in points]
    done = solve_runs(scenario, runs, settings, runner, progress)
    kept = sorted(done)
    results = [done[i] for i in kept]
    rows = [{"ops_buffer": points[i]} for i in kept]
    table = results_table(rows, results, horizon_ids(scenario))
    return Frontier(scenario, table, tuple(results))
