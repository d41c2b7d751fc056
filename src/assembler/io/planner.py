"""The reports as a planner opens them in Excel: human headers, names beside ids, periods
by name, figures rounded, blank cells where there is nothing to say.

The §8 files (``reports.py``) are a contract with scripts and other tools and keep their
ids and snake_case keys.  What a person downloads from the app, and the workbook (read by
people, not parsed), is built here from the same ``Reports``, so the two always agree.
The id columns stay beside the names ("Person id", "Mission id", …): a downloaded roster
can still be read back and checked (``io.roster``), and two people with one name told apart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from functools import partial
from typing import Any

import pandas as pd

from assembler.results.names import Names
from assembler.results.report import MISSION_ID_SEPARATOR, Reports

SHEETS: dict[str, str] = {
    "roster": "Roster",
    "ops_allocation": "Operations time",
    "missions": "Missions",
    "people": "People",
    "ops_coverage": "Operations coverage",
    "development": "Development",
}
"""Report table → its sheet in the planner's workbook (the grid and summary are added)."""
GRID_SHEET = "Roster grid"
SUMMARY_SHEET = "Summary"

HEADERS: dict[str, str] = {
    "mission_id": "Mission id",
    "mission_name": "Mission",
    "person_id": "Person id",
    "person_name": "Person",
    "unit_id": "Unit id",
    "skill_id": "Skill id",
    "period_id": "Period id",
    "level": "Level",
    "fte": "FTE",
    "role": "Role",
    "change_type": "Change type",
    "mode": "Mode",
    "value": "Value",
    "staffed": "Staffed",
    "team_size": "Team size",
    "start_period": "First period",
    "end_period": "Last period",
    "reason": "Why not staffed",
    "capacity_fte": "Capacity (FTE)",
    "ops_fte": "Operations (FTE)",
    "mission_fte": "Missions (FTE)",
    "free_fte": "Free (FTE)",
    "missions": "Teams",
    "mission_ids": "On missions",
    "demand_fte": "Demand (FTE)",
    "protected_fte": "Protected (FTE)",
    "covered_fte": "Covered (FTE)",
    "slack_fte": "Slack (FTE)",
}
"""§8 column → the header a planner reads; ``name`` depends on the table (see ``_NAME``)."""

_NAME = {"missions": "Mission", "people": "Person"}
"""What the ``name`` column of a table names."""

FTE_DECIMALS = 3
"""FTE figures are multiples of the step (0.05 by default); three decimals keep any
sensible step exact and hide float noise (``0.35000000000000003``)."""
VALUE_DECIMALS = 2


def planner_tables(reports: Reports) -> dict[str, pd.DataFrame]:
    """Sheet title → the table as planners read it: every report table, then the roster
    as a person × mission grid over the periods."""
    tables = {
        SHEETS[name]: _readable(name, frame, reports.names)
        for name, frame in reports.tables().items()
    }
    tables[GRID_SHEET] = roster_grid(reports)
    return tables


def readable_roster(reports: Reports) -> pd.DataFrame:
    """The roster with human headers and names beside its ids (the app's CSV download)."""
    return _readable("roster", reports.roster, reports.names)


def human_headers(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with the headers a planner reads: ``HEADERS`` where it names the column,
    else the column's words capitalised (``against`` → ``Against``)."""
    return frame.rename(
        columns={
            column: HEADERS.get(column, column.replace("_", " ").capitalize())
            for column in frame.columns
        }
    )


def roster_grid(reports: Reports) -> pd.DataFrame:
    """Who works on what when: one row per person and mission, one column per period (by
    name) with the FTE they give it then (their skills summed); one "FTE" column without
    periods.  Blank where they do not work on it."""
    roster, names = reports.roster, reports.names
    periods = reports.summary.periods
    titles = ["FTE"] if periods is None else [names.period(period_id) for period_id in periods]
    keys = ["Person", "Person id", "Mission", "Mission id"]
    if roster.empty:
        return pd.DataFrame(columns=[*keys, *titles])
    frame = pd.DataFrame(
        {
            "Person": roster["person_name"],
            "Person id": roster["person_id"],
            "Mission": roster["mission_name"],
            "Mission id": roster["mission_id"],
            "when": "FTE" if periods is None else roster["period_id"].map(names.period),
            "fte": roster["fte"].astype(float),
        }
    )
    grid = frame.pivot_table(index=keys, columns="when", values="fte", aggfunc="sum", sort=False)
    grid = grid.reindex(columns=titles).round(FTE_DECIMALS).reset_index()
    grid = grid.sort_values(["Person", "Person id", "Mission id"], kind="stable")
    grid.columns.name = None
    return grid.astype(object).where(grid.notna(), "").reset_index(drop=True)


def _readable(table: str, frame: pd.DataFrame, names: Names) -> pd.DataFrame:
    """One report table with human headers: units, skills and periods get their names
    beside the ids, missions listed by name, figures rounded, yes/no for true/false."""
    columns: dict[str, pd.Series[Any]] = {}
    for column in frame.columns:
        values = frame[column]
        if column == "name":
            columns[_NAME[table]] = values
        elif column == "person_id" and "person_name" not in frame.columns:
            columns[HEADERS[column]] = values
            columns["Person"] = values.map(lambda person_id: names.people.get(person_id, person_id))
        elif column == "unit_id":
            columns["Unit"] = values.map(names.unit)
            columns[HEADERS[column]] = values
        elif column == "skill_id":
            columns["Skill"] = values.map(names.skill)
            columns[HEADERS[column]] = values
        elif column == "period_id":
            columns["Period"] = values.map(names.period)
            columns[HEADERS[column]] = values
        elif column in ("start_period", "end_period"):
            columns[HEADERS[column]] = values.map(lambda p: names.period(p) if p else "")
        elif column == "mission_ids":
            columns[HEADERS[column]] = values.map(lambda ids: _missions(ids, names))
        elif column == "staffed":
            columns[HEADERS[column]] = values.map(lambda staffed: "yes" if staffed else "no")
        else:
            decimals = FTE_DECIMALS if column.endswith("fte") else VALUE_DECIMALS
            columns[HEADERS.get(column, column)] = values.map(partial(_figure, decimals))
    return pd.DataFrame(columns, index=frame.index).reset_index(drop=True)


def _missions(ids: str, names: Names) -> str:
    joined = ids.split(MISSION_ID_SEPARATOR) if ids else []
    return "; ".join(names.mission(mission_id) for mission_id in joined)


def _figure(decimals: int, cell: Any) -> Any:
    """A cell as a planner reads it: a figure to ``decimals`` places, whole numbers without
    ``.0``, nothing for missing or infinite; anything else as it is."""
    if isinstance(cell, bool) or not isinstance(cell, int | float):
        return "" if cell is None else cell
    if isinstance(cell, float) and not math.isfinite(cell):
        return ""
    rounded = round(float(cell), decimals)
    return int(rounded) if rounded.is_integer() else rounded


_SETTINGS: dict[str, str] = {
    "step_fte": "Time step (FTE)",
    "ops_buffer": "Ops protection buffer",
    "min_allocation_fte": "Minimum allocation (FTE)",
    "max_missions_default": "Max missions per person",
    "network_opt_in_required": "Network missions take volunteers only",
    "network_min_units": "Network min units",
    "weights.value": "Weight: mission value",
    "weights.preference": "Weight: wishes met",
    "weights.assignment": "Weight: memberships",
    "weights.delay": "Weight: delay",
}
"""The settings by the words of the app's dials; a setting not listed here is given by its
key with spaces, so a new one still reads."""


def summary_rows(reports: Reports) -> list[tuple[str, Any]]:
    """The summary as (what, figure) rows a planner reads top to bottom: the outcome, the
    figures that matter (value, missions, network time), how long it took, the settings
    by their dials' names, and each clash on its own row.  Nothing is shown as "None"."""
    summary, names = reports.summary, reports.names
    rows: list[tuple[str, Any]] = [
        ("Status", summary.status.value),
        ("Value captured", _figure(VALUE_DECIMALS, summary.value_captured)),
        ("Value of all missions", _figure(VALUE_DECIMALS, summary.value_total)),
        ("Missions staffed", _figure(0, summary.missions_staffed)),
        ("Missions in all", summary.missions_total),
        ("Network FTE (mean per period)", _figure(FTE_DECIMALS, summary.network_fte)),
    ]
    by_period = summary.network_fte_by_period or ()
    for period_id, fte in zip(summary.periods or (), by_period, strict=False):
        rows.append((f"Network FTE in {names.period(period_id)}", _figure(FTE_DECIMALS, fte)))
    tight = summary.tightest_coverage
    if tight is not None:
        ratio = "" if tight.ratio is None else f"{tight.ratio:.0%} of protected"
        rows.append((f"Tightest coverage: {names.demand(tight.unit_id, tight.skill_id)}", ratio))
    rows += [
        ("Score", _figure(0, summary.score)),
        ("Best bound", _figure(0, summary.best_bound)),
        ("Gap", "" if summary.gap is None else f"{summary.gap:.1%}"),
        ("Solve time (s)", round(summary.solve_seconds, 1)),
        ("Build time (s)", round(summary.build_seconds, 1)),
    ]
    for key, value in _flatten(summary.settings.model_dump(mode="json")):
        label = _SETTINGS.get(key, key.replace("_", " ").replace(".", ": ").capitalize())
        if key == "ops_buffer":
            value = f"{value:.0%}"
        elif isinstance(value, bool):
            value = "yes" if value else "no"
        rows.append((label, _figure(FTE_DECIMALS, value)))
    rows += [(f"Clash {i}", clash) for i, clash in enumerate(reports.clashes, 1)]
    return rows


def _flatten(mapping: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for key, value in mapping.items():
        if isinstance(value, Mapping):
            rows += _flatten(value, f"{prefix}{key}.")
        else:
            rows.append((f"{prefix}{key}", value))
    return rows
