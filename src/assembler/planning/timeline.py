"""The missions over the planning periods, as the app's timeline draws them.

With periods the plan is also a schedule: when each staffed mission runs, where the
unstaffed ones could have run, and which missions the last re-solve moved in time.  The
rows here are what a Gantt chart needs — each mission's window and run as half-open ranges
of period positions (``[start, end)``: a bar from ``start`` to ``end``) plus the words of
its tooltip — so the page only draws them.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from assembler.compile.instance import Instance
from assembler.domain.scenario import Scenario
from assembler.domain.solution import Solution
from assembler.results.compare import Shift

TIMELINE_COLUMNS = (
    "mission_id",
    "label",
    "change_type",
    "staffed",
    "window_start",
    "window_end",
    "run_start",
    "run_end",
    "when",
    "moved_from",
)


def mission_timeline(
    scenario: Scenario, solution: Solution, shifts: Iterable[Shift] = ()
) -> pd.DataFrame:
    """One row per mission, in scenario order (columns ``TIMELINE_COLUMNS``).

    ``window_start, window_end`` are the periods the mission may run in (after its
    ``after`` mission can have finished); ``run_start, run_end`` the periods it runs in when
    staffed, its window when not (the chart greys an unstaffed mission's window).  ``when``
    says it in words; ``moved_from`` names the period a staffed mission started in before
    the re-solve that moved it (``shifts``, from ``Comparison.shifts``), blank otherwise.
    """
    instance = Instance(scenario)
    moved = {shift.mission_id: shift.start_before for shift in shifts}
    rows = []
    for m, mission in enumerate(instance.missions):
        window = instance.window(m)
        if not window:  # it can never run: show the window it was given
            timing = scenario.timing(mission)
            window = range(timing.earliest, timing.latest + 1)
        staffed = mission.mission_id in solution.staffed
        if staffed:
            run = instance.run(m, solution.start_of(mission.mission_id, instance.earliest[m]))
            when = f"runs {_span(scenario, run)}"
        else:
            run = window
            when = f"not staffed; could run {_span(scenario, window)}"
        before = moved.get(mission.mission_id, "")
        rows.append(
            (
                mission.mission_id,
                f"{mission.mission_id} · {mission.name}" if mission.name else mission.mission_id,
                mission.change_type.value,
                staffed,
                window.start,
                window.stop,
                run.start,
                run.stop,
                when,
                _name(scenario, before) if before else "",
            )
        )
    return pd.DataFrame(rows, columns=list(TIMELINE_COLUMNS))


def _name(scenario: Scenario, period_id: str) -> str:
    """The period's name, or its id if this scenario's horizon does not have it."""
    ids = scenario.period_ids
    return scenario.period_name(ids.index(period_id)) if period_id in ids else period_id


def _span(scenario: Scenario, periods: range) -> str:
    first, last = scenario.period_name(periods[0]), scenario.period_name(periods[-1])
    return f"in {first}" if first == last else f"from {first} to {last}"
