"""MODEL.md v3 on a generated organisation: development goals, learners and network caps.

Drawn from a random stream of their own (``{seed}/growth``), so the organisation drawn for
a seed is the same with or without them.  Feasibility is kept: learners only add ways to
staff a need, and a unit is capped only when none of its people is pinned to a network
mission or could staff a mandatory one, so every commitment stays as staffable as before.
"""

from __future__ import annotations

import random

from assembler.compile.instance import Instance
from assembler.domain.scenario import Development, Scenario

GOAL_SHARE = 0.2
"""The share of people with a development goal (from their appraisal)."""

CAPPED_SHARE = 0.3
"""The share of units (among those the commitments leave free) capped for the network."""

CAPS = (0.1, 0.2, 0.3)
"""The network shares a capped unit is given: Kotter's volunteer army is about 0.1."""


def add_growth(scenario: Scenario, seed: int) -> Scenario:
    """``scenario`` with learners on (``stretch_levels = 1``), development goals for some
    people on skills they hold below level 4, and network caps on some units."""
    rng = random.Random(f"{seed}/growth")
    held: dict[str, list[tuple[str, int]]] = {}
    for row in scenario.person_skills:
        held.setdefault(row.person_id, []).append((row.skill_id, row.level))
    goals = []
    for person in scenario.people:
        growing = [skill for skill, level in held.get(person.person_id, ()) if level < 4]
        if growing and rng.random() < GOAL_SHARE:
            goals.append(
                Development(
                    person_id=person.person_id,
                    skill_id=rng.choice(growing),
                    weight=rng.randint(1, 3),
                )
            )
    committed = _committed_units(scenario)
    units = []
    for unit in scenario.units or ():
        if unit.unit_id not in committed and rng.random() < CAPPED_SHARE:
            unit = unit.model_copy(update={"network_share_max": rng.choice(CAPS)})
        units.append(unit)
    grown = scenario.replace(
        development=tuple(goals), units=tuple(units) if scenario.units is not None else None
    )
    return grown.with_settings(stretch_levels=1)


def _committed_units(scenario: Scenario) -> set[str]:
    """Units whose people are pinned to a network mission or could staff a mandatory one:
    a cap there could take time a commitment needs."""
    instance = Instance(scenario)
    units = {instance.people[p].unit_id for p, m in instance.pins if instance.is_network(m)}
    for m in instance.mandatory:
        if instance.is_network(m):
            units.update(instance.people[p].unit_id for p in instance.candidates[m])
    return units
