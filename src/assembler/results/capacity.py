"""Where each unit's time goes under a plan: operations, missions in the hierarchy and in
the network, and what is left — per period, in steps converted once.

A figure of the plan itself (like the KPIs), read by the app's pages and by the plan store's
side-by-side comparison.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from assembler.compile.instance import Instance
from assembler.domain.scenario import Scenario
from assembler.domain.solution import Solution

OPERATIONS = "operations"
HIERARCHY = "hierarchy missions"
NETWORK = "network missions"
FREE = "free"
CAPACITY_USES = (OPERATIONS, HIERARCHY, NETWORK, FREE)
"""Where a unit's time goes, in the order the capacity chart stacks it."""


def unit_capacity(scenario: Scenario, solution: Solution) -> pd.DataFrame:
    """Per unit with people and per period, FTE by use (``CAPACITY_USES``): columns
    ``unit_id, period_id, use, fte, share`` (``period_id`` is blank without periods;
    ``share`` is the use's part of the unit's capacity in the period, 0 without capacity).

    Summed in steps and converted once, so the four figures add up to the unit's capacity
    in the period exactly.  Units come in the scenario's order, periods in time order.
    """
    instance = Instance(scenario)
    unit_of = {person.person_id: person.unit_id for person in instance.people}
    network = {mission.mission_id for mission in instance.missions if mission.is_network}
    steps: Counter[tuple[str, int, str]] = Counter()
    capacity: Counter[tuple[str, int]] = Counter()
    for person, available in zip(instance.people, instance.capacity, strict=True):
        for t, cap in enumerate(available):
            steps[person.unit_id, t, FREE] += cap
            capacity[person.unit_id, t] += cap
    for kept in solution.ops:
        steps[unit_of[kept.person_id], kept.period, OPERATIONS] += kept.steps
        steps[unit_of[kept.person_id], kept.period, FREE] -= kept.steps
    for row in solution.assignments:
        use = NETWORK if row.mission_id in network else HIERARCHY
        steps[unit_of[row.person_id], row.period, use] += row.steps
        steps[unit_of[row.person_id], row.period, FREE] -= row.steps
    staffed_units = set(unit_of.values())
    rows = [
        (
            unit_id,
            instance.period_ids[t],
            use,
            instance.fte(steps[unit_id, t, use]),
            steps[unit_id, t, use] / capacity[unit_id, t] if capacity[unit_id, t] else 0.0,
        )
        for unit_id in scenario.unit_ids
        if unit_id in staffed_units
        for t in instance.periods
        for use in CAPACITY_USES
    ]
    return pd.DataFrame(rows, columns=["unit_id", "period_id", "use", "fte", "share"])
