"""The figures behind the planner app's pictures, computed here so they are tested once.

The §8 reports are per row (person, need, demand); the app also draws two aggregates a
planner reads at a glance: the change matrix with every mission in its cell, and each
unit's capacity split into what keeps operations running, what goes to change in the
hierarchy and in the network, and what is left.  Both are plain data, so the app only
lays them out.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import pandas as pd

from assembler.compile.instance import Instance
from assembler.domain.scenario import ChangeType, Scenario
from assembler.domain.solution import Solution

OPERATIONS = "operations"
HIERARCHY = "hierarchy missions"
NETWORK = "network missions"
FREE = "free"
CAPACITY_USES = (OPERATIONS, HIERARCHY, NETWORK, FREE)
"""Where a unit's time goes, in the order the capacity chart stacks it."""


@dataclass(frozen=True, slots=True)
class MatrixMission:
    """A mission as the change matrix shows it; ``staffed`` is ``None`` before any solve."""

    mission_id: str
    name: str
    value: float
    mandatory: bool
    staffed: bool | None


@dataclass(frozen=True, slots=True)
class MatrixCell:
    """One change type of the 2×2 matrix (configuration × paradigm) and its missions."""

    change_type: ChangeType
    missions: tuple[MatrixMission, ...]

    @property
    def staffed(self) -> int:
        return sum(1 for mission in self.missions if mission.staffed)


def change_matrix(scenario: Scenario, solution: Solution | None) -> dict[ChangeType, MatrixCell]:
    """Every change type (all four, even when empty) with its missions in scenario order."""
    staffed = None if solution is None else solution.staffed
    return {
        change_type: MatrixCell(
            change_type,
            tuple(
                MatrixMission(
                    mission.mission_id,
                    mission.name,
                    mission.value,
                    mission.mandatory,
                    None if staffed is None else mission.mission_id in staffed,
                )
                for mission in scenario.missions
                if mission.change_type is change_type
            ),
        )
        for change_type in ChangeType
    }


def unit_capacity(scenario: Scenario, solution: Solution) -> pd.DataFrame:
    """Per unit with people and per period, FTE by use (``CAPACITY_USES``): columns
    ``unit_id, period_id, use, fte`` (``period_id`` is blank without periods).

    Summed in steps and converted once, so the four figures add up to the unit's capacity
    in the period exactly.  Units come in the scenario's order, periods in time order.
    """
    instance = Instance(scenario)
    unit_of = {person.person_id: person.unit_id for person in instance.people}
    network = {mission.mission_id for mission in instance.missions if mission.is_network}
    steps: Counter[tuple[str, int, str]] = Counter()
    for person, capacity in zip(instance.people, instance.capacity, strict=True):
        for t, available in enumerate(capacity):
            steps[person.unit_id, t, FREE] += available
    for kept in solution.ops:
        steps[unit_of[kept.person_id], kept.period, OPERATIONS] += kept.steps
        steps[unit_of[kept.person_id], kept.period, FREE] -= kept.steps
    for row in solution.assignments:
        use = NETWORK if row.mission_id in network else HIERARCHY
        steps[unit_of[row.person_id], row.period, use] += row.steps
        steps[unit_of[row.person_id], row.period, FREE] -= row.steps
    staffed_units = set(unit_of.values())
    rows = [
        (unit_id, instance.period_ids[t], use, instance.fte(steps[unit_id, t, use]))
        for unit_id in scenario.unit_ids
        if unit_id in staffed_units
        for t in instance.periods
        for use in CAPACITY_USES
    ]
    return pd.DataFrame(rows, columns=["unit_id", "period_id", "use", "fte"])
