"""Two to four stored plans side by side: figures, changes and load, ready to read or export.

A manager choosing between plans asks three things, one table each:

* ``figures`` — the KPIs of each plan in one column per plan (value, missions, network
  and operations time, the tightest coverage, per period with periods);
* ``changes`` — what each plan does differently from the first one, the baseline: the
  missions it gains and loses, who joins and leaves which team, the missions it moves in
  time, and (MODEL.md v3) the learners it gains and loses, each as a sentence (``Jade
  Lindqvist (P001, Emergency Care) joins M03 Hand hygiene``), units by name;
* ``load`` — each unit's time in each period, split into operations, missions and free
  time, one set of columns per plan.

The plans may solve different versions of a scenario (or different scenarios): each is
read against its own, as ``results.compare`` does.  ``write_side_by_side`` exports the
change list as CSV, or all three tables as an Excel workbook, formula-safe like the reports.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from assembler.domain.scenario import Scenario
from assembler.io.atomic import atomic_write_bytes
from assembler.io.reports import FORMULA_PREFIXES, QUOTE, table_csv_bytes
from assembler.results.capacity import FREE, HIERARCHY, NETWORK, OPERATIONS, unit_capacity
from assembler.results.compare import compare
from assembler.results.names import Names
from assembler.results.plan import Plan
from assembler.store.records import PlanRecord

MAX_PLANS = 4
CHANGE_COLUMNS = ("plan", "against", "kind", "mission_id", "person_id", "unit_id", "change")
LOAD_USES = {"operations": (OPERATIONS,), "missions": (HIERARCHY, NETWORK), "free": (FREE,)}
"""The load columns per plan and the uses of ``planning.views.unit_capacity`` they add up."""


@dataclass(frozen=True, eq=False)
class SideBySide:
    """The three tables of a comparison; ``eq=False`` as for ``Reports`` (DataFrames)."""

    plans: tuple[Plan, ...]
    figures: pd.DataFrame
    changes: pd.DataFrame
    load: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """Sheet name → table, in the workbook's order."""
        return {"figures": self.figures, "changes": self.changes, "load": self.load}


def column(plan: Plan) -> str:
    """A stored plan's column header: ``plan 4``."""
    return f"plan {plan.plan_id}"


def side_by_side(stored: Sequence[tuple[PlanRecord, Plan]]) -> SideBySide:
    """Compare 2–4 stored plans, each with its record; the first is the baseline the
    changes are read against."""
    if not 2 <= len(stored) <= MAX_PLANS:
        raise ValueError(f"compare 2 to {MAX_PLANS} plans, not {len(stored)}")
    ids = [record.id for record, _ in stored]
    if len(set(ids)) != len(ids):
        raise ValueError("name each plan once")
    plans = [plan for _, plan in stored]
    return SideBySide(tuple(plans), _figures(stored), _changes(plans), _load(plans))


def _figures(stored: Sequence[tuple[PlanRecord, Plan]]) -> pd.DataFrame:
    """One row per figure, one column per plan; ``None`` where a plan has no solution."""
    periods = list(dict.fromkeys(p for _, plan in stored for p in _period_ids(plan.scenario)))
    rows: dict[str, list[Any]] = {}
    for record, plan in stored:
        result, kpis = plan.result, plan.result.kpis
        tight = None if kpis is None else kpis.tightest
        by_period = {}
        if kpis is not None and plan.scenario.has_horizon:
            by_period = dict(zip(plan.scenario.period_ids, kpis.network_fte_by_period, strict=True))
        figures: dict[str, Any] = {
            "scenario": f"{record.scenario} v{record.version}",
            "status": record.status.value,
            "solve status": result.status.value,
            "score": result.score,
            "best bound": result.best_bound,
            "gap": result.gap,
            "value captured": None if kpis is None else kpis.value_captured,
            "value total": sum(mission.value for mission in plan.scenario.missions),
            "value share": None if kpis is None else kpis.value_share,
            "missions staffed": None if kpis is None else kpis.missions_staffed,
            "missions total": len(plan.scenario.missions),
            "memberships": None if kpis is None else kpis.memberships,
            "network FTE": None if kpis is None else kpis.network_fte,
            "mission FTE": None if kpis is None else kpis.mission_fte,
            "operations FTE": None if kpis is None else kpis.ops_fte,
            "tightest operations": None
            if tight is None
            else f"{tight.unit_id}/{tight.skill_id} {tight.ratio:.0%}",
            **{f"network FTE {period}": by_period.get(period) for period in periods},
            "saved by": record.saved_by,
            "saved at": f"{record.saved_at:%Y-%m-%d %H:%M}",
            "note": record.note,
        }
        for name, value in figures.items():
            rows.setdefault(name, []).append(value)
    columns = [column(plan) for _, plan in stored]
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    return frame.rename_axis("figure").reset_index().astype(object)


def _period_ids(scenario: Scenario) -> tuple[str, ...]:
    return scenario.period_ids if scenario.has_horizon else ()


def _changes(plans: Sequence[Plan]) -> pd.DataFrame:
    """Every plan after the first against the first, in ``results.compare``'s order."""
    rows = [row for plan in plans[1:] for row in _changes_from(plans[0], plan)]
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS))


def change_sentences(base: Plan, plan: Plan) -> list[str]:
    """Each change of ``plan`` against ``base`` in the words of the change list, with
    names: what ``plans show`` prints under a re-plan."""
    return [row[-1] for row in _changes_from(base, plan)]


def _changes_from(base: Plan, plan: Plan) -> list[tuple[str, ...]]:
    diff = compare(base.scenario, base.result, plan.scenario, plan.result)
    names = {m.mission_id: m.name for m in (*base.scenario.missions, *plan.scenario.missions)}
    units = Names.of(plan.scenario)
    rows: list[tuple[str, ...]] = []

    def add(kind: str, mission_id: str, text: str, person: str = "", unit: str = "") -> None:
        rows.append((column(plan), column(base), kind, mission_id, person, unit, text))

    def mission(mission_id: str) -> str:
        name = names.get(mission_id, "")
        return f"{mission_id} {name}" if name else mission_id

    for gained in diff.gained:
        text = f"{mission(gained.mission_id)} is staffed (value {gained.value:g})"
        add("mission gained", gained.mission_id, text)
    for lost in diff.lost:
        text = f"{mission(lost.mission_id)} is no longer staffed (value {lost.value:g})"
        add("mission lost", lost.mission_id, text)
    for move in diff.moves:
        unit = units.unit(move.unit_id)
        who = f"{move.name} ({move.person_id}, {unit})"
        if not move.name:
            who = f"{move.person_id} ({unit})"
        for joined in move.joined:
            add(
                "person joined",
                joined,
                f"{who} joins {mission(joined)}",
                move.person_id,
                move.unit_id,
            )
        for left in move.left:
            add("person left", left, f"{who} leaves {mission(left)}", move.person_id, move.unit_id)
    for shift in diff.shifts:
        text = (
            f"{mission(shift.mission_id)} starts in {shift.start_after} "
            f"instead of {shift.start_before}"
        )
        add("mission moved", shift.mission_id, text)
    for kind, places, verb in (
        ("learner gained", diff.learners_gained, "learns"),
        ("learner lost", diff.learners_lost, "no longer learns"),
    ):
        for place in places:
            who = f"{place.name} ({place.person_id})" if place.name else place.person_id
            text = f"{who} {verb} {units.skill(place.skill_id)} on {mission(place.mission_id)}"
            add(kind, place.mission_id, text, place.person_id)
    return rows


def _load(plans: Sequence[Plan]) -> pd.DataFrame:
    """Per unit and period, each plan's operations, mission and free FTE (blank for a plan
    without a solution, or a unit a plan's scenario does not have)."""
    frames = []
    for plan in plans:
        solution = plan.result.solution
        if solution is None:
            continue
        split = unit_capacity(plan.scenario, solution)
        wide = split.pivot_table(
            index=["unit_id", "period_id"], columns="use", values="fte", aggfunc="sum", sort=False
        )
        frames.append(
            pd.DataFrame(
                {
                    f"{column(plan)} {name}": wide[list(uses)].sum(axis=1).round(10)
                    for name, uses in LOAD_USES.items()
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["unit_id", "period_id"])
    table = pd.concat(frames, axis=1, sort=False).reset_index()
    if not any(plan.scenario.has_horizon for plan in plans):
        table = table.drop(columns="period_id")
    return table.astype(object).where(table.notna(), None)


def write_side_by_side(view: SideBySide, path: Path) -> Path:
    """Write the change list to ``path`` (``.csv``), or all three tables (``.xlsx``)."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        atomic_write_bytes(path, table_csv_bytes(view.changes))
    elif suffix == ".xlsx":
        atomic_write_bytes(path, _workbook(view))
    else:
        raise ValueError(f"{path}: export a comparison as .csv or .xlsx")
    return path


def _workbook(view: SideBySide) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    for name, frame in view.tables().items():
        sheet = workbook.create_sheet(name)
        sheet.append([_cell(header) for header in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            sheet.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    """Numbers stay numbers; text that a spreadsheet would run as a formula gets the
    reports' leading ``'`` (``io.reports``), so an id like ``=cmd`` opens as text."""
    if isinstance(value, str) and value.startswith((*FORMULA_PREFIXES, QUOTE)):
        return QUOTE + value
    return value
