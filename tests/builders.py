"""Compact construction of tiny scenarios whose optimum can be worked out by hand.

Defaults follow MODEL.md: step 0.05 FTE, so 1 FTE = 20 steps; minimum allocation 2 steps;
weights 100 / 10 / 1, so a staffed mission of value 1 scores 10,000 and each member costs 1.
"""

from __future__ import annotations

from typing import Any

from assembler.domain.scenario import (
    Capability,
    Lock,
    Mission,
    MissionCapability,
    MissionNeed,
    OpsDemand,
    Person,
    PersonSkill,
    Preference,
    Scenario,
    Unit,
)


def person(
    person_id: str, unit_id: str = "u1", skills: dict[str, int] | None = None, **fields: Any
) -> tuple[Person, list[PersonSkill]]:
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
) -> tuple[Mission, list[MissionNeed]]:
    """A mission and its needs (``needs`` maps skill id to fte or ``(fte, min_level)``)."""
    rows = []
    for skill, need in (needs or {"k": 0.2}).items():
        fte, min_level = need if isinstance(need, tuple) else (need, 1)
        rows.append(
            MissionNeed(mission_id=mission_id, skill_id=skill, fte=fte, min_level=min_level)
        )
    return Mission(mission_id=mission_id, change_type=change_type, value=value, **fields), rows


def scenario(
    people: list[tuple[Person, list[PersonSkill]]],
    missions: list[tuple[Mission, list[MissionNeed]]],
    *,
    units: list[tuple[str, str | None]] | None = None,
    ops: list[tuple[str, str, float]] | None = None,
    capabilities: list[tuple[str, int, int]] | None = None,
    uses: list[tuple[str, str, int]] | None = None,
    preferences: list[tuple[str, str, int]] | None = None,
    locks: list[tuple[str, str, str]] | None = None,
    **settings: Any,
) -> Scenario:
    """Assemble a scenario; settings keywords override the model settings (``weights.value`` via
    ``weights={"value": …}``)."""
    built = Scenario(
        people=tuple(p for p, _ in people),
        person_skills=tuple(row for _, rows in people for row in rows),
        missions=tuple(m for m, _ in missions),
        mission_needs=tuple(row for _, rows in missions for row in rows),
        units=None
        if units is None
        else tuple(Unit(unit_id=u, parent_id=parent) for u, parent in units),
        ops_demand=tuple(OpsDemand(unit_id=u, skill_id=k, fte=fte) for u, k, fte in (ops or [])),
        capabilities=tuple(
            Capability(capability_id=c, kind="tool", capacity=cap, ops_reserved=reserved)
            for c, cap, reserved in (capabilities or [])
        ),
        mission_capabilities=tuple(
            MissionCapability(mission_id=m, capability_id=c, units=n) for m, c, n in (uses or [])
        ),
        preferences=tuple(
            Preference(person_id=p, mission_id=m, weight=w) for p, m, w in (preferences or [])
        ),
        locks=tuple(Lock(person_id=p, mission_id=m, lock=kind) for p, m, kind in (locks or [])),
    )
    return built.with_settings(**settings) if settings else built
