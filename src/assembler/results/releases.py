"""A plan's network memberships: what its proposal asks the members' units to release.

In the dual operating system a volunteer joins a network mission (``transition`` or
``innovation``) only when their own unit lets them go.  Each (person, network mission) of
a plan's teams is therefore one request to the person's unit, with the time it asks for in
each period the mission runs — the figure a unit lead weighs against their operations.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from assembler.domain.scenario import Scenario
from assembler.domain.solution import Solution
from assembler.results.names import Names


@dataclass(frozen=True, slots=True)
class Membership:
    """One person on one network mission's team, and their FTE per period id, in time
    order, for the periods they give it time in (``""`` without periods)."""

    person_id: str
    person_name: str
    unit_id: str
    unit_name: str
    mission_id: str
    mission_name: str
    time: dict[str, float]


def network_memberships(scenario: Scenario, solution: Solution) -> list[Membership]:
    """Every network membership of ``solution``, in the scenario's mission then people
    order (the order a lead reads them in)."""
    network = {mission.mission_id for mission in scenario.missions if mission.is_network}
    step = scenario.settings.step_fte
    period_ids = scenario.period_ids
    steps: defaultdict[tuple[str, str], defaultdict[str, int]] = defaultdict(
        lambda: defaultdict(int)
    )
    for row in solution.assignments:
        if row.mission_id in network:
            steps[row.person_id, row.mission_id][period_ids[row.period]] += row.steps
    names = Names.of(scenario)
    memberships = []
    for mission in scenario.missions:
        if mission.mission_id not in network:
            continue
        for person in scenario.people:
            if (person.person_id, mission.mission_id) not in solution.members:
                continue
            given = steps[person.person_id, mission.mission_id]
            memberships.append(
                Membership(
                    person_id=person.person_id,
                    person_name=names.people[person.person_id],
                    unit_id=person.unit_id,
                    unit_name=names.unit(person.unit_id),
                    mission_id=mission.mission_id,
                    mission_name=names.missions[mission.mission_id],
                    time={
                        period: round(given[period] * step, 10)
                        for period in period_ids
                        if period in given
                    },
                )
            )
    return memberships
