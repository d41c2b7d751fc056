"""Tiny scenarios for tests, built without going through ``assembler.io``.

``tiny_scenario()`` is a small *valid* scenario touching every table: two units on a tree,
four people, one mission of each change type, an operational demand, a capability, a
preference and a pin.  ``tiny_tables()`` is the same data as CSV-like cells, to be edited by
a test and written with ``write_csv_folder`` — how validation tests build broken inputs.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from enum import Enum
from pathlib import Path
from typing import Any

from assembler.domain.scenario import (
    Capability,
    CapabilityKind,
    ChangeType,
    Lock,
    LockKind,
    Mission,
    MissionCapability,
    MissionNeed,
    OpsDemand,
    Person,
    PersonSkill,
    Preference,
    Scenario,
    Skill,
    Unit,
)

Rows = list[dict[str, str]]
"""A table as a test edits it: one dict of cell texts per row."""


def tiny_scenario() -> Scenario:
    """A small valid scenario with no warnings (every need and demand can be met)."""
    return Scenario(
        units=(
            Unit(unit_id="hq", name="Headquarters"),
            Unit(unit_id="lab", name="Lab", parent_id="hq"),
        ),
        skills=(
            Skill(skill_id="py", name="Python", category="tech"),
            Skill(skill_id="ops", name="Operations", category="run"),
            Skill(skill_id="design", name="Design", category="craft"),
        ),
        people=(
            Person(person_id="p1", name="Ada", unit_id="hq", fte=1.0, network_opt_in=True),
            Person(person_id="p2", name="Ben", unit_id="hq", fte=0.8, max_missions=1),
            Person(person_id="p3", name="Cy", unit_id="lab", fte=1.0, network_opt_in=True),
            Person(
                person_id="p4",
                name="Dee",
                unit_id="lab",
                fte=0.5,
                network_opt_in=True,
                max_missions=2,
            ),
        ),
        person_skills=(
            PersonSkill(person_id="p1", skill_id="py", level=4),
            PersonSkill(person_id="p1", skill_id="ops", level=3),
            PersonSkill(person_id="p2", skill_id="ops", level=4),
            PersonSkill(person_id="p2", skill_id="design", level=2),
            PersonSkill(person_id="p3", skill_id="py", level=3),
            PersonSkill(person_id="p3", skill_id="design", level=4),
            PersonSkill(person_id="p4", skill_id="design", level=3),
            PersonSkill(person_id="p4", skill_id="ops", level=2),
        ),
        missions=(
            Mission(
                mission_id="m_improve",
                name="Faster invoicing",
                change_type=ChangeType.IMPROVE,
                value=3,
                owner_unit="hq",
                max_team=2,
            ),
            Mission(
                mission_id="m_renew",
                name="New lab layout",
                change_type=ChangeType.RENEW,
                value=2.5,
                owner_unit="lab",
            ),
            Mission(
                mission_id="m_transition",
                name="Data culture",
                change_type=ChangeType.TRANSITION,
                value=4,
                mandatory=True,
                min_team=2,
                max_team=3,
            ),
            Mission(
                mission_id="m_innovation",
                name="New product",
                change_type=ChangeType.INNOVATION,
                value=5,
                min_team=2,
            ),
        ),
        mission_needs=(
            MissionNeed(mission_id="m_improve", skill_id="ops", fte=0.3, min_level=2),
            MissionNeed(mission_id="m_renew", skill_id="design", fte=0.35, min_level=3),
            MissionNeed(mission_id="m_transition", skill_id="py", fte=0.5, min_level=3),
            MissionNeed(mission_id="m_transition", skill_id="design", fte=0.2, min_level=2),
            MissionNeed(mission_id="m_innovation", skill_id="py", fte=0.4, min_level=2),
            MissionNeed(mission_id="m_innovation", skill_id="design", fte=0.3, min_level=3),
        ),
        ops_demand=(OpsDemand(unit_id="hq", skill_id="ops", fte=0.5, min_level=3),),
        capabilities=(
            Capability(
                capability_id="lab_kit",
                name="Lab kit",
                kind=CapabilityKind.TOOL,
                capacity=2,
                ops_reserved=1,
            ),
        ),
        mission_capabilities=(
            MissionCapability(mission_id="m_innovation", capability_id="lab_kit", units=1),
        ),
        preferences=(Preference(person_id="p3", mission_id="m_innovation", weight=3),),
        locks=(Lock(person_id="p1", mission_id="m_transition", lock=LockKind.PIN),),
    )


def cell(value: Any) -> str:
    """A value as a CSV cell, the way a planner would type it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def tiny_tables() -> dict[str, Rows]:
    """``tiny_scenario()`` as editable cell texts, table by table."""
    scenario = tiny_scenario()
    tables: dict[str, Rows] = {}
    for name in Scenario.model_fields:
        rows = getattr(scenario, name)
        if name == "settings" or not rows:
            continue
        tables[name] = [
            {key: cell(value) for key, value in row.model_dump().items()} for row in rows
        ]
    return tables


def csv_text(rows: Sequence[Mapping[str, str]], columns: Sequence[str] | None = None) -> str:
    """CSV text of rows; ``columns`` defaults to the keys of all rows in first-seen order."""
    if columns is None:
        columns = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([row.get(column, "") for column in columns] for row in rows)
    return buffer.getvalue()


def write_csv_folder(
    folder: Path,
    tables: Mapping[str, Sequence[Mapping[str, str]] | str | bytes] | None = None,
    settings_toml: str | None = None,
) -> Path:
    """Write a scenario folder: each table given as rows, raw CSV text, or raw bytes.

    Without ``tables`` it writes ``tiny_tables()``.  Returns ``folder``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, table in (tiny_tables() if tables is None else tables).items():
        target = folder / f"{name}.csv"
        if isinstance(table, bytes):
            target.write_bytes(table)
        elif isinstance(table, str):
            target.write_text(table, encoding="utf-8")
        else:
            target.write_text(csv_text(table), encoding="utf-8")
    if settings_toml is not None:
        (folder / "scenario.toml").write_text(settings_toml, encoding="utf-8")
    return folder
