"""Stage 3 of validation: warnings (and impossible pins) that need the built scenario.

Only asked once the scenario is built without error: asked of broken data these questions
would report consequences of earlier errors rather than causes.  Eligibility is answered by
``compile.eligibility`` and operational protection by ``compile.instance``'s step formulas,
so these warnings can never disagree with what the solver will do.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

from assembler.compile.eligibility import Eligibility, condition_clause
from assembler.compile.instance import capacity_steps, protected_steps
from assembler.domain.problems import error, warning
from assembler.domain.scenario import LockKind, Mission, MissionNeed, Person, Scenario
from assembler.validation.rows import TypedTables

_Needs = Mapping[str, Sequence[tuple[int, MissionNeed]]]
"""Mission id → its needs, each with its row number in the needs table."""


def check_feasibility(tables: TypedTables, scenario: Scenario) -> None:
    """Impossible pins, needs nobody can fill and operations nobody can protect."""
    # A shallow copy takes the cached properties Eligibility fills in (``parent_of``), so
    # the scenario handed back stays as fresh as one built directly.
    eligibility = Eligibility(scenario.model_copy())
    needs: dict[str, list[tuple[int, MissionNeed]]] = defaultdict(list)
    for number, need in zip(tables.numbers("mission_needs"), scenario.mission_needs, strict=True):
        needs[need.mission_id].append((number, need))
    _check_pins(tables, scenario, eligibility, needs)
    _check_needs_fillable(tables, scenario, eligibility, needs)
    _check_operations(tables, scenario, eligibility)


def _check_pins(
    tables: TypedTables, scenario: Scenario, eligibility: Eligibility, needs: _Needs
) -> None:
    missions = {mission.mission_id: mission for mission in scenario.missions}
    pins: dict[str, list[int]] = defaultdict(list)
    source = tables.source("locks")
    for number, lock in zip(tables.numbers("locks"), scenario.locks, strict=True):
        if lock.lock is not LockKind.PIN:
            continue
        pins[lock.person_id].append(number)
        person = eligibility.person_by_id[lock.person_id]
        mission = missions[lock.mission_id]
        mission_needs = [need for _, need in needs[mission.mission_id]]
        if not eligibility.eligible_for_mission(person, mission, mission_needs):
            why = eligibility.why_not(person, mission, mission_needs)
            tables.add(
                error(
                    source,
                    f"impossible pin: {person.person_id!r} is not eligible for any need of "
                    f"mission {mission.mission_id!r}: {why}",
                    row=number,
                    column="person_id",
                    value=person.person_id,
                )
            )
    for person_id, numbers in pins.items():
        limit = eligibility.person_by_id[person_id].mission_limit(scenario.settings)
        if len(numbers) > limit:
            tables.add(
                warning(
                    source,
                    f"{person_id!r} is pinned to {len(numbers)} mission(s) but may join "
                    f"at most {limit} (max_missions): the model will be infeasible",
                    row=numbers[-1],
                    column="person_id",
                    value=person_id,
                )
            )


def _check_needs_fillable(
    tables: TypedTables, scenario: Scenario, eligibility: Eligibility, needs: _Needs
) -> None:
    """Warn about needs no one may ever fill: their mission can never be staffed.

    Holders of each skill are searched best level first, stopping at the first eligible
    one, which keeps this near-linear even with ten thousand people.
    """
    holders: dict[str, list[tuple[int, Person]]] = defaultdict(list)
    for row in scenario.person_skills:
        holders[row.skill_id].append((row.level, eligibility.person_by_id[row.person_id]))
    for ranked in holders.values():
        ranked.sort(key=lambda holder: -holder[0])
    for number, mission in zip(tables.numbers("missions"), scenario.missions, strict=True):
        unfillable: list[str] = []
        for need_number, need in needs[mission.mission_id]:
            if _anyone_eligible(eligibility, mission, need, holders[need.skill_id]):
                continue
            unfillable.append(need.skill_id)
            tables.add(
                warning(
                    tables.source("mission_needs"),
                    f"nobody is eligible for this need ({need.skill_id} at level ≥ "
                    f"{need.min_level}{condition_clause(mission, scenario.settings)}): mission "
                    f"{mission.mission_id!r} can never be staffed",
                    row=need_number,
                    column="skill_id",
                    value=need.skill_id,
                )
            )
        if unfillable and mission.mandatory:
            tables.add(
                warning(
                    tables.source("missions"),
                    "mandatory mission cannot be staffed: nobody is eligible for its "
                    f"need(s) in {', '.join(unfillable)}; the model will be infeasible",
                    row=number,
                    column="mandatory",
                    value="true",
                )
            )


def _anyone_eligible(
    eligibility: Eligibility,
    mission: Mission,
    need: MissionNeed,
    ranked: Sequence[tuple[int, Person]],
) -> bool:
    for level, person in ranked:
        if level < need.min_level:
            return False
        if eligibility.is_eligible(person, mission, need):
            return True
    return False


def _check_operations(tables: TypedTables, scenario: Scenario, eligibility: Eligibility) -> None:
    """Warn about operational demand the unit's own people cannot protect (infeasible).

    One demand at a time, with the same ``R_uk`` and ``cap_p`` as the compiled instance;
    clashes between several demands of a unit are left to ``solve``'s own check.
    """
    settings = scenario.settings
    step = settings.step_fte
    members: dict[str, list[Person]] = defaultdict(list)
    for person in scenario.people:
        members[person.unit_id].append(person)
    for number, demand in zip(tables.numbers("ops_demand"), scenario.ops_demand, strict=True):
        able = [
            person for person in members[demand.unit_id] if eligibility.can_cover(person, demand)
        ]
        protected = protected_steps(demand.fte, settings.ops_buffer, step)
        available = sum(capacity_steps(person.fte, step) for person in able)
        if not able:
            reason = (
                f"nobody in unit {demand.unit_id!r} has {demand.skill_id} at level ≥ "
                f"{demand.min_level}: this operational demand cannot be covered and the "
                "model will be infeasible"
            )
        elif available < protected:
            reason = (
                f"the people of unit {demand.unit_id!r} who can cover {demand.skill_id} have "
                f"{available * step:g} FTE in all, less than the protected "
                f"{protected * step:g} FTE (fte * (1 + ops_buffer)): the model will be "
                "infeasible"
            )
        else:
            continue
        tables.add(
            warning(
                tables.source("ops_demand"),
                reason,
                row=number,
                column="skill_id",
                value=demand.skill_id,
            )
        )
