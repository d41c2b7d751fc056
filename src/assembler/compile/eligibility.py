"""Who may work on what (MODEL.md §4), in one place — and how to say it to a planner.

Validation (impossible pins, needs nobody can fill), the solver, the checker, the edits a
planner types and the explanations of unstaffed missions all ask these questions; answering
them here keeps them in agreement.  The wording lives here too, so a condition that changes
cannot leave one message describing the old rule.  Each place a planner meets eligibility
has its own sentence shape (a clause after a skill, a list of requirements, a reason); they
are kept as separate functions over the one ``Condition`` rather than forced into one text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from assembler.domain.scenario import LockKind, Mission, MissionNeed, OpsDemand, Person, Scenario
from assembler.domain.settings import ModelSettings


@dataclass(frozen=True, slots=True)
class Condition:
    """The mission-level condition of MODEL.md §4 that narrows who may fill a mission's needs,
    beyond the skill itself: at most one of the two applies."""

    volunteers_only: bool
    """A network mission while ``network_opt_in_required``: only people who opted in."""
    branch_of: str | None
    """A hierarchy mission with an owner: only people in the owner's branch."""


def condition(mission: Mission, settings: ModelSettings) -> Condition:
    """What ``mission`` asks of its members besides skills (the rule ``may_join`` applies)."""
    if mission.is_network:
        return Condition(settings.network_opt_in_required, None)
    return Condition(False, mission.owner_unit)


def condition_clause(mission: Mission, settings: ModelSettings) -> str:
    """The condition as a clause to follow a skill, e.g. ``py at level ≥ 3`` + ``, within the
    branch of unit 'lab'`` (validation's warning about a need nobody can fill)."""
    narrowed = condition(mission, settings)
    if narrowed.volunteers_only:
        return ", among people who opted in to the network"
    if narrowed.branch_of is not None:
        return f", within the branch of unit {narrowed.branch_of!r}"
    return ""


def member_requirements(
    mission: Mission, needs: Iterable[MissionNeed], settings: ModelSettings
) -> str:
    """Everything a member of ``mission`` needs, as a short list (``py ≥ 3; volunteers
    only``): what a refused pin edit tells the planner to look for."""
    skills = ", ".join(f"{need.skill_id} ≥ {need.min_level}" for need in needs)
    narrowed = condition(mission, settings)
    if narrowed.volunteers_only:
        return f"{skills}; volunteers only"
    if narrowed.branch_of is not None:
        return f"{skills}; inside the {narrowed.branch_of} branch"
    return skills


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

    def learner_candidates(self, mission: Mission, need: MissionNeed) -> list[Person]:
        """People who may fill ``need`` only as learners (MODEL.md v3 §4): they hold the
        skill one to ``stretch_levels`` levels short and meet the mission's conditions.
        None while ``stretch_levels`` is 0."""
        stretch = self.settings.stretch_levels
        if stretch == 0:
            return []
        lowest = max(1, need.min_level - stretch)
        return [
            person
            for person, level in self._holders.get(need.skill_id, ())
            if lowest <= level < need.min_level and self.may_join(person, mission)
        ]

    def mentor_level(self, need: MissionNeed) -> int:
        """The level a mentor on ``need`` holds: ``mentor_min_level``, never below the need's
        own ``min_level``."""
        return max(need.min_level, self.settings.mentor_min_level)

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
        """Eligible for at least one of the mission's needs, or (v3) a learner candidate
        for one: what a pin requires."""
        return any(
            self.is_eligible(person, mission, need) or self.is_learner(person, mission, need)
            for need in needs
        )

    def is_learner(self, person: Person, mission: Mission, need: MissionNeed) -> bool:
        """Person may give time to need ``(mission, skill)`` only as a learner (v3 §4)."""
        stretch = self.settings.stretch_levels
        level = self.level.get((person.person_id, need.skill_id), 0)
        return (
            stretch > 0
            and max(1, need.min_level - stretch) <= level < need.min_level
            and self.may_join(person, mission)
        )

    def why_not(self, person: Person, mission: Mission, needs: Iterable[MissionNeed]) -> str:
        """The first condition of MODEL.md §4 that keeps ``person`` off every need of
        ``mission``, in the planner's terms (why a pin is impossible)."""
        if (person.person_id, mission.mission_id) in self.forbidden:
            return "the person is forbidden on this mission (a lock)"
        narrowed = condition(mission, self.settings)
        if narrowed.volunteers_only and not person.network_opt_in:
            return (
                f"{mission.change_type.value} missions take volunteers and this person has "
                "not opted in"
            )
        owner = narrowed.branch_of
        if owner is not None and person.unit_id not in self.branch(owner):
            return f"unit {person.unit_id!r} is outside the branch of the owning unit {owner!r}"
        wanted = ", ".join(f"{need.skill_id} ≥ {need.min_level}" for need in needs)
        return f"the person lacks every skill it needs at the level required ({wanted})"

    def why_not_candidate(
        self, person: Person, mission: Mission, needs: Iterable[MissionNeed]
    ) -> str:
        """Why ``person`` cannot join ``mission``, in a few words for a list of people who
        cannot (``forbidden``, ``not opted in``, ``outside the … branch``, or how their
        levels fall short: ``triage 2 < 3, wound-care missing``)."""
        if (person.person_id, mission.mission_id) in self.forbidden:
            return "forbidden on this mission (a lock)"
        narrowed = condition(mission, self.settings)
        if narrowed.volunteers_only and not person.network_opt_in:
            return "not opted in to the network (volunteers only)"
        owner = narrowed.branch_of
        if owner is not None and person.unit_id not in self.branch(owner):
            return f"outside the {owner} branch (the owning unit)"
        gaps = []
        for need in needs:
            level = self.level.get((person.person_id, need.skill_id), 0)
            if level == 0:
                gaps.append(f"{need.skill_id} missing")
            elif level < need.min_level:
                gaps.append(f"{need.skill_id} {level} < {need.min_level}")
        return "level too low: " + ", ".join(gaps)

    def why_unfillable(self, mission: Mission, skill_id: str, min_level: int) -> str:
        """Why nobody may fill need ``(mission, skill_id)``, told apart by whether anyone has
        the skill at all (an explanation of an unstaffed mission)."""
        skill = f"skill {skill_id} ≥ {min_level}"
        if not self.skilled(skill_id, min_level):
            return f"nobody has {skill}"
        narrowed = condition(mission, self.settings)
        if narrowed.volunteers_only:
            return f"no eligible volunteer with {skill}"
        if narrowed.branch_of is not None:
            return f"nobody eligible in the {narrowed.branch_of} branch has {skill}"
        return f"no eligible person for {skill}"
