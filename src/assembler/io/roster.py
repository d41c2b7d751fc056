"""Downloaded reports back to a ``Solution``, so a roster can be checked against the model.

A roster travels: it is downloaded, opened in a spreadsheet, mailed around.  Rebuilding the
decision from the report files alone and handing it to ``assembler.results.check`` proves that what
the planner holds is a feasible plan — not merely that the optimiser once found one.

The reports carry FTE decimals; steps are recovered as ``round(fte / step_fte)``, exact
because every written figure is a multiple of the step (MODEL.md §8).  Members are the
(person, mission) pairs of the roster and staffed missions are the roster's missions: every
need asks for time (``fte > 0``), so a staffed mission always has a roster row — with
periods, one in every period it runs, so its start is its first period on the roster.  The
one thing a roster cannot show is a member who gives no time, possible only with
``min_allocation_fte = 0``; such a member is missing from the rebuilt solution.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pandas as pd

from assembler.domain.scenario import Scenario
from assembler.domain.solution import Assignment, OpsAssignment, Solution
from assembler.io.planner import HEADERS
from assembler.io.reports import unneutralise

_KEYS = ("person_id", "mission_id", "skill_id", "period_id", "fte", "role")
"""The columns a solution is rebuilt from, found under their §8 names or the headers of a
planner's download (``io.planner``); ``role`` only with learners (MODEL.md v3), who are
learners only if the download says so."""


def read_report_table(source: Path | bytes) -> pd.DataFrame:
    """A report CSV (a path or its bytes) with every cell as the text written: no type
    guessing, and no id such as ``NA``, ``null`` or an empty name read as missing."""
    data = io.BytesIO(source) if isinstance(source, bytes) else source
    return pd.read_csv(data, dtype=str, keep_default_na=False, na_filter=False)


def solution_from_reports(
    scenario: Scenario, roster: pd.DataFrame, ops_allocation: pd.DataFrame
) -> Solution:
    """The solution written as ``roster`` and ``ops_allocation``: frames of the §8 files,
    or of the planner's roster download and workbook sheets, whose id columns they share.

    Read the files with identifiers as text (``read_report_table``): an id such as
    ``007`` read as a number, or ``NA`` read as missing, would no longer match the scenario.
    """
    roster, ops_allocation = _as_reported(roster), _as_reported(ops_allocation)
    step = scenario.settings.step_fte
    period_of = {period_id: t for t, period_id in enumerate(scenario.period_ids)}

    def periods(frame: pd.DataFrame) -> list[int]:
        if not scenario.has_horizon:
            return [0] * len(frame)
        return [period_of[_text(cell)] for cell in frame["period_id"]]

    assignments = tuple(
        Assignment(_text(person), _text(mission), _text(skill), _steps(fte, step), t)
        for (person, mission, skill, fte), t in zip(
            roster[["person_id", "mission_id", "skill_id", "fte"]].itertuples(
                index=False, name=None
            ),
            periods(roster),
            strict=True,
        )
    )
    ops = tuple(
        OpsAssignment(_text(person), _text(skill), _steps(fte, step), t)
        for (person, skill, fte), t in zip(
            ops_allocation[["person_id", "skill_id", "fte"]].itertuples(index=False, name=None),
            periods(ops_allocation),
            strict=True,
        )
    )
    starts: dict[str, int] = {}
    if scenario.has_horizon:
        for row in assignments:
            starts[row.mission_id] = min(starts.get(row.mission_id, row.period), row.period)
    roles: dict[str, set[tuple[str, str, str]]] = {"learner": set(), "mentor": set()}
    if "role" in roster.columns:  # MODEL.md v3: who learns and who mentors on each need
        for row, role in zip(assignments, roster["role"], strict=True):
            if role in roles:
                roles[role].add((row.person_id, row.mission_id, row.skill_id))
    return Solution(
        staffed=frozenset(row.mission_id for row in assignments),
        members=frozenset((row.person_id, row.mission_id) for row in assignments),
        assignments=assignments,
        ops=ops,
        starts=starts,
        learners=frozenset(roles["learner"]),
        mentors=frozenset(roles["mentor"]),
    )


def _steps(fte: Any, step: float) -> int:
    return round(float(fte) / step)


def _text(cell: Any) -> str:
    """An identifier as the scenario has it: the report neutralised ids that a spreadsheet
    would run as a formula (and ids starting with ``'``) with a leading ``'``, which is
    taken off again here — exactly, so ``=x`` and ``'=x`` stay two ids."""
    return unneutralise(str(cell))


def _as_reported(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a planner's headers ("Person id", "FTE", …) back to the §8 names."""
    human = {HEADERS[key]: key for key in _KEYS if key not in frame.columns}
    return frame.rename(columns=human)
