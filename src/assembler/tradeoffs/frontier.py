"""The frontier of the dual operating system: strategic value against one of its dials.

A frontier sweeps one ``Dial``: the ops protection buffer (``BUFFER``, the default) or the
volunteer army's cap (``NETWORK_CAP``, MODEL.md v3 §6.12), one code path for both.

Each point of the buffer's frontier solves the scenario at one ops protection buffer.
Raising the buffer only tightens constraint 4 of MODEL.md §6, so the feasible plans of a
larger buffer are among those of a smaller one and the optimal score can only fall: the
frontier says how much value each extra point of protection costs, and where operations
stop fitting at all.  The same points give value against the network FTE freed, the other
face of the trade-off.  On a horizon the buffer applies in every period, so the same holds;
each point's network FTE is the mean over the periods (a mission running one quarter of
four counts a quarter of its time) and the tightest demand is named with its period.

Each point of the cap's frontier solves the scenario at one ``network_share_max``: the share
of its time each unit may give to network missions in every period.  A lower cap only
tightens constraint 12, so value can only fall as the cap is lowered: the frontier says how
much value each point of the hierarchy's time kept back costs.  A unit whose own row sets a
cap keeps it (the setting is what the dial moves, as in a solve).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
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


DEFAULT_CAPS = tuple(step / 20 for step in range(1, 11))
"""5 % to 50 % in steps of 5 %: from a volunteer army of Kotter's size (about 10 %) to half
of every unit's time."""


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


@dataclass(frozen=True)
class Dial:
    """A setting a frontier sweeps: its name in the settings (and the table's first column),
    and how a planner calls it, on axes, in titles and in messages."""

    setting: str
    short: str
    """Its column head in a table printed on a terminal."""
    noun: str
    """What one point's value is, after a percentage: ``20% buffer``, ``10% network cap``."""
    axis: str
    """The axis title in words."""
    title: str
    """The title of the chart of value against it."""
    example: str
    """What a valid value is, for a message naming one that is not."""
    ceiling: float | None
    """The highest valid value (``None``: no limit); the lowest is 0."""
    defaults: Callable[[Scenario], tuple[float, ...]]
    """The points to solve in a scenario when none are given."""
    tightens_upward: bool
    """A higher value leaves fewer plans (the buffer); else a lower one does (the cap): plans
    stop from some value up, or up to some value."""

    def valid(self, value: float) -> bool:
        """``value`` is a finite number the setting accepts."""
        within = self.ceiling is None or value <= self.ceiling
        return math.isfinite(value) and value >= 0 and within


BUFFER = Dial(
    "ops_buffer",
    "buffer",
    "buffer",
    "ops protection buffer",
    "Value vs operational safety",
    "an ops buffer (a number ≥ 0, e.g. 0.1)",
    None,
    default_buffers,
    tightens_upward=True,
)
NETWORK_CAP = Dial(
    "network_share_max",
    "cap",
    "network cap",
    "network cap (share of a unit's time)",
    "Value vs the network cap",
    "a network cap (a share from 0 to 1, e.g. 0.1)",
    1.0,
    lambda _: DEFAULT_CAPS,
    tightens_upward=False,
)
DIALS = {"buffer": BUFFER, "network-cap": NETWORK_CAP}
"""The dials a frontier can sweep, by the name the command line gives them."""


def spaced(lowest: float, highest: float, step: float) -> tuple[float, ...]:
    """``lowest``, ``lowest + step`` … up to ``highest`` (its last point not past it), as
    a planner enters a range; rounded so that 0.1 + 0.2 is 0.3."""
    count = int((highest - lowest) / step + 1e-9)
    return tuple(round(lowest + i * step, 6) for i in range(max(count, 0) + 1))


@dataclass(frozen=True, eq=False)
class Frontier:
    """The frontier table (one row per value of the dial, ascending) and each point's solve
    result.

    ``eq=False``: comparing DataFrames element-wise has no single truth value.
    """

    scenario: Scenario
    table: pd.DataFrame
    results: tuple[Result, ...]
    dial: Dial = BUFFER

    def value(self, index: int) -> float:
        """The dial's value at the ``index``-th point."""
        return float(self.table[self.dial.setting].iloc[index])

    def point(self, index: int) -> tuple[Scenario, Result]:
        """The scenario at the ``index``-th point and its plan: what loading a point shows."""
        at = self.scenario.with_settings(**{self.dial.setting: self.value(index)})
        return at, self.results[index]

    def is_of(self, scenario: Scenario) -> bool:
        """The frontier was computed on ``scenario``, whatever the dial's setting in it: a
        scenario edited since needs a new frontier."""
        own = getattr(self.scenario.settings, self.dial.setting)
        return scenario.with_settings(**{self.dial.setting: own}) == self.scenario


def frontier(
    scenario: Scenario,
    settings: SolveSettings | None = None,
    points: Sequence[float] = DEFAULT_BUFFERS,
    *,
    dial: Dial = BUFFER,
    runner: Runner | None = None,
    progress: ProgressCallback | None = None,
) -> Frontier:
    """Solve ``scenario`` at each value of ``dial``, one Dask task each, to price what the
    dial protects (operations by the buffer, the hierarchy's time by the network cap).

    The protection buffer is the organisation's main dial between missions and operations;
    a single solve says what one setting gives, the frontier says what each extra point of
    protection costs in value and network FTE, and from which buffer operations no longer
    fit at all; the cap's frontier says the same of the time each unit keeps from the
    network.  The table has the dial's setting (``ops_buffer``, ``network_share_max``) then
    the figures of ``runs.RESULT_COLUMNS``:
    status and gap say whether a point is proven optimal or how far from it; infeasible
    points name the operations that no longer fit.  The plans are kept (``Frontier.point``)
    so a point can be opened like any other solve.

    Args:
        scenario: the validated scenario; its own setting of the dial is ignored.
        settings: limits of each solve (time, seed); each runs on one solver thread.
        points: the dial's values to solve, each valid for it (``Dial.valid``); duplicates
            are solved once and the rows come in ascending order.
        dial: the setting swept, ``BUFFER`` or ``NETWORK_CAP``.
        runner: where the solves run; by default a local cluster for this call only.
        progress: called with (solves done, solves in all) as each one finishes.

    When ``settings.stop`` is set during the solves, the frontier holds the points solved
    by then.
    """
    values = sorted(set(points))
    if not values or not all(dial.valid(value) for value in values):
        raise ValueError(f"give at least one value, each {dial.example}")
    runs = [Run({dial.setting: value}) for value in values]
    done = solve_runs(scenario, runs, settings, runner, progress)
    kept = sorted(done)
    results = [done[i] for i in kept]
    rows = [{dial.setting: values[i]} for i in kept]
    table = results_table(rows, results, horizon_ids(scenario))
    return Frontier(scenario, table, tuple(results), dial)
