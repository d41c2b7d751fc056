"""Scenarios for tests, built in one place without going through ``assembler.io``.

``person``, ``mission`` and ``scenario`` give compact scenarios whose optimum can be worked
out by hand; the hypothesis strategy (``strategies.py``) builds its random ones through them
too.  ``tiny_scenario()`` is a small *valid* scenario touching every table: two units on a
tree, four people, one mission of each change type, an operational demand, a capability, a
preference and a pin.  ``tiny_tables()`` is the same data as CSV-like cells, to be edited by
a test and written with ``write_csv_folder`` — how validation tests build broken inputs.

Defaults follow MODEL.md: step 0.05 FTE, so 1 FTE = 20 steps; minimum allocation 2 steps;
weights 100 / 10 / 1, so a staffed mission of value 1 scores 10,000 and each member costs 1.
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
    Lock,
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
from assembler.domain.settings import ModelSettings
from assembler.planning.session import PlanningSession

ROOT = Path(__file__).resolve().parents[1]
"""The project's folder (``app.py``, ``app_pages/``, ``data/``)."""

SAMPLE = ROOT / "data" / "sample"
"""The shipped sample scenario (Riverside Care Group, four quarters)."""

CLINIC = ROOT / "tests" / "data" / "v3_clinic"
"""A small v3 scenario (learners under mentors, goals, periods), optimal in moments."""

Rows = list[dict[str, str]]
"""A table as a test edits it: one dict of cell texts per row."""

PersonRows = tuple[Person, list[PersonSkill]]
MissionRows = tuple[Mission, list[MissionNeed]]


def person(
    person_id: str, unit_id: str = "u1", skills: dict[str, int] | None = None, **fields: Any
) -> PersonRows:
    """A person and their skill rows (``skills`` maps skill id to level)."""
    rows = [
        PersonSkill(person_id=person_id, skill_id=skill, level=level)
        for skill, level in (skills or {"k": 3}).items()
    ]
    return Person(person_id=person_id, unit_id=unit_id, **fields), rows


def mission(
    mission_id: str,
    needs: dict[str, float | tuple[float, int]] | None = None,
    change_type: str = "improve",
    value: float = 1.0,
    **fields: Any,
) -> MissionRows:
    """A mission and its needs (``needs`` maps skill id to fte or ``(fte, min_level)``)."""
    rows = []
    for skill, need in (needs or {"k": 0.2}).items():
        fte, min_level = need if isinstance(need, tuple) else (need, 1)
        rows.append(
            MissionNeed(mission_id=mission_id, skill_id=skill, fte=fte, min_level=min_level)
        )
    return Mission(mission_id=mission_id, change_type=change_type, value=value, **fields), rows


def _unit(row: Unit | tuple[str, str | None]) -> Unit:
    if isinstance(row, Unit):
        return row
    unit_id, parent = row
    return Unit(unit_id=unit_id, parent_id=parent)


def _ops(row: tuple[str, str, float] | tuple[str, str, float, int]) -> OpsDemand:
    if len(row) == 4:
        return OpsDemand(unit_id=row[0], skill_id=row[1], fte=row[2], min_level=row[3])
    return OpsDemand(unit_id=row[0], skill_id=row[1], fte=row[2])


def _capability(row: Capability | tuple[str, int, int]) -> Capability:
    if isinstance(row, Capability):
        return row
    capability_id, capacity, reserved = row
    return Capability(
        capability_id=capability_id, kind="tool", capacity=capacity, ops_reserved=reserved
    )


def scenario(
    people: Sequence[PersonRows],
    missions: Sequence[MissionRows],
    *,
    units: Sequence[Unit | tuple[str, str | None]] | None = None,
    skills: Sequence[Skill] | None = None,
    ops: Sequence[tuple[str, str, float] | tuple[str, str, float, int]] = (),
    capabilities: Sequence[Capability | tuple[str, int, int]] = (),
    uses: Sequence[tuple[str, str, int]] = (),
    preferences: Sequence[tuple[str, str, int]] = (),
    locks: Sequence[tuple[str, str, str]] = (),
    **settings: Any,
) -> Scenario:
    """Assemble a scenario from ``person``/``mission`` pairs and short rows.

    Units are ``(unit_id, parent)``, ops ``(unit, skill, fte[, min_level])``, capabilities
    ``(id, capacity, ops_reserved)`` tools, uses ``(mission, capability, units)``,
    preferences ``(person, mission, weight)`` and locks ``(person, mission, kind)``; a row
    model may stand in for a short row where a test needs names.  Settings keywords
    override the model settings (``weights.value`` via ``weights={"value": …}``).
    """
    return Scenario(
        people=tuple(p for p, _ in people),
        person_skills=tuple(row for _, rows in people for row in rows),
        missions=tuple(m for m, _ in missions),
        mission_needs=tuple(row for _, rows in missions for row in rows),
        units=None if units is None else tuple(_unit(row) for row in units),
        skills=None if skills is None else tuple(skills),
        ops_demand=tuple(_ops(row) for row in ops),
        capabilities=tuple(_capability(row) for row in capabilities),
        mission_capabilities=tuple(
            MissionCapability(mission_id=m, capability_id=c, units=n) for m, c, n in uses
        ),
        preferences=tuple(
            Preference(person_id=p, mission_id=m, weight=w) for p, m, w in preferences
        ),
        locks=tuple(Lock(person_id=p, mission_id=m, lock=kind) for p, m, kind in locks),
        settings=ModelSettings().with_overrides(settings),
    )


def tiny_scenario() -> Scenario:
    """A small valid scenario with no warnings (every need and demand can be met)."""
    return scenario(
        [
            person("p1", "hq", {"py": 4, "ops": 3}, name="Ada", fte=1.0, network_opt_in=True),
            person("p2", "hq", {"ops": 4, "design": 2}, name="Ben", fte=0.8, max_missions=1),
            person("p3", "lab", {"py": 3, "design": 4}, name="Cy", fte=1.0, network_opt_in=True),
            person(
                "p4",
                "lab",
                {"design": 3, "ops": 2},
                name="Dee",
                fte=0.5,
                network_opt_in=True,
                max_missions=2,
            ),
        ],
        [
            mission(
                "m_improve",
                {"ops": (0.3, 2)},
                value=3,
                name="Faster invoicing",
                owner_unit="hq",
                max_team=2,
            ),
            mission(
                "m_renew",
                {"design": (0.35, 3)},
                "renew",
                value=2.5,
                name="New lab layout",
                owner_unit="lab",
            ),
            mission(
                "m_transition",
                {"py": (0.5, 3), "design": (0.2, 2)},
                "transition",
                value=4,
                name="Data culture",
                mandatory=True,
                min_team=2,
                max_team=3,
            ),
            mission(
                "m_innovation",
                {"py": (0.4, 2), "design": (0.3, 3)},
                "innovation",
                value=5,
                name="New product",
                min_team=2,
            ),
        ],
        units=[
            Unit(unit_id="hq", name="Headquarters"),
            Unit(unit_id="lab", name="Lab", parent_id="hq"),
        ],
        skills=[
            Skill(skill_id="py", name="Python", category="tech"),
            Skill(skill_id="ops", name="Operations", category="run"),
            Skill(skill_id="design", name="Design", category="craft"),
        ],
        ops=[("hq", "ops", 0.5, 3)],
        capabilities=[
            Capability(
                capability_id="lab_kit",
                name="Lab kit",
                kind=CapabilityKind.TOOL,
                capacity=2,
                ops_reserved=1,
            )
        ],
        uses=[("m_innovation", "lab_kit", 1)],
        preferences=[("p3", "m_innovation", 3)],
        locks=[("p1", "m_transition", "pin")],
    )


def tiny_scenario_one_optimum() -> Scenario:
    """``tiny_scenario`` with one optimum.  It has several that score alike: Dee on Faster
    invoicing and Data culture and Cy on the lab layout, or Ben on invoicing, Dee on the
    layout and Cy on Data culture; and New product's Python from Ada or from Cy in any
    split.  Which one a search returns is the solver's own business, so tests that read
    one plan's teams and times pin the first teams and leave Python to Ada alone."""
    case = tiny_scenario()
    pins = [("p4", "m_improve"), ("p4", "m_transition"), ("p3", "m_renew")]
    return case.replace(
        locks=[*case.locks, *(Lock(person_id=p, mission_id=m, lock="pin") for p, m in pins)],
        person_skills=[
            row for row in case.person_skills if (row.person_id, row.skill_id) != ("p3", "py")
        ],
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
    built = tiny_scenario()
    tables: dict[str, Rows] = {}
    for name in Scenario.model_fields:
        rows = getattr(built, name)
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


def dial(session: PlanningSession, turned: Mapping[str, Any]) -> ModelSettings:
    """The dials as the app's sidebar sets them: the session's loaded settings with
    ``turned`` (``ops_buffer``, ``weights.value`` …) on top."""
    return session.base.settings.with_overrides(dict(turned))
