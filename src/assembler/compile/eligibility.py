"""Who may work on what (MODEL.md §4), in one place.

Validation (impossible pins, needs nobody can fill), the solver, the checker and the
explanations of unstaffed missions all ask these questions; answering them here keeps
them in agreement.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from assembler.domain.scenario import LockKind, Mission, MissionNeed, OpsDemand, Person, Scenario


class Eligibility:
    """Precomputed lookups for eligibility questions on one scenario."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.settings = scenario.settings
        self.level: dict[tuple[str, str], int] = {
            (row.person_id, row.skill_id): row.level for row in scenario.person_skills
        }
        self.forbidden: frozenset[tuple[str, str]] = frozenset(
            (lock.person_id, lock.mission_id)
            for lock in scenario.locks
            if lock.lock is LockKind.FORBID
        )
        self.person_by_id: dict[str, Person] = {p.person_id: p for p in scenario.people}
        holders: dict[str, list[tuple[Person, int]]] = defaultdict(list)
        for row in scenario.person_skills:
            person = self.person_by_id.get(row.person_id)
            if person is not None:
                holders[row.skill_id].append((person, row.level))
        self._holders = holders
        self._branches: dict[str, frozenset[str]] = {}

    def branch(self, unit_id: str) -> frozenset[str]:
        """The owning unit and its descendants (cached: many missions share an owner)."""
        if unit_id not in self._branches:
            self._branches[unit_id] = self.scenario.unit_branch(unit_id)
        return self._branches[unit_id]

    def may_join(self, person: Person, mission: Mission) -> bool:
        """The mission-level conditions: not forbidden, volunteer or inside the owner's branch."""
        if (person.person_id, mission.mission_id) in self.forbidden:
            return False
        if mission.is_network:
            return person.network_opt_in or not self.settings.network_opt_in_required
        if mission.owner_unit is not None:
            return person.unit_id in self.branch(mission.owner_unit)
        return True

    def is_eligible(self, person: Person, mission: Mission, need: MissionNeed) -> bool:
        """Person may give time to need ``(mission, skill)``."""
        level = self.level.get((person.person_id, need.skill_id), 0)
        return level >= need.min_level and self.may_join(person, mission)

    def candidates(self, mission: Mission, need: MissionNeed) -> list[Person]:
        """Eligible people for one need, in the order of the ``person_skills`` table."""
        return [
            person
            for person, level in self._holders.get(need.skill_id, ())
            if level >= need.min_level and self.may_join(person, mission)
        ]

    def skilled(self, skill_id: str, min_level: int) -> list[Person]:
        """People with the skill at the level, whatever the mission conditions."""
        return [person for person, level in self._holders.get(skill_id, ()) if level >= min_level]

    def can_cover(self, person: Person, demand: OpsDemand) -> bool:
        """Person may keep time on operational demand ``(unit, skill)``: same unit, enough level."""
        level = self.level.get((person.person_id, demand.skill_id), 0)
        return person.unit_id == demand.unit_id and level >= demand.min_level

    def eligible_for_mission(
        self, person: Person, mission: Mission, needs: Iterable[MissionNeed]
    ) -> bool:
        """Eligible for at least one of the mission's needs: what a pin requires."""
        return any(self.is_eligible(person, mission, need) for need in needs)
