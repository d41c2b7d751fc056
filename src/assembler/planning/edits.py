"""A planner's edits to a scenario: pin, forbid, unlock, mandatory, drop, value, with
periods a mission's window or a fixed start, and (MODEL.md v3) a person's development
goals.

A scenario is immutable, so every edit is a pure function returning a new ``Scenario``;
the previous one stays intact for comparison and undo.  Edits are also plain data
(``Edit``), so a session keeps a readable log and can replay it on the loaded scenario
(undo = replay all but the last).

Edits refuse what validation would reject on a file (an unknown id, a pin the person is not
eligible for, more pins than the person may join missions) with an ``EditError`` whose
message is meant for the planner: an edit is typed in a form, not read from a file, so there
is no row to point at.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Protocol, TypeVar

from assembler.compile.eligibility import Eligibility, member_requirements
from assembler.domain.edits import GOAL_EDITS, Edit, EditKind
from assembler.domain.scenario import (
    MAX_VALUE,
    Development,
    Lock,
    LockKind,
    Mission,
    Person,
    Scenario,
)
from assembler.text import did_you_mean


class EditError(ValueError):
    """An edit that cannot apply to this scenario; the message says why, for the planner."""


_PERSON_EDITS = frozenset({EditKind.PIN, EditKind.FORBID, EditKind.UNLOCK})
GOAL_WEIGHTS = (1, 2, 3)
"""A development goal's weights, as the ``development`` table allows (MODEL.md v3)."""


def apply_edit(scenario: Scenario, edit: Edit) -> Scenario:
    """``scenario`` with ``edit`` applied; raises ``EditError`` if it cannot apply."""
    if edit.kind in GOAL_EDITS:
        if edit.person_id is None or edit.skill_id is None:
            raise EditError("a development goal needs a person and a skill")
        if edit.kind is EditKind.REMOVE_GOAL:
            return remove_goal(scenario, edit.person_id, edit.skill_id)
        if edit.weight is None:
            raise EditError("adding a development goal needs its weight")
        return add_goal(scenario, edit.person_id, edit.skill_id, edit.weight)
    mission_id = edit.mission_id
    if mission_id is None:
        raise EditError(f"'{edit.kind}' needs a mission")
    if edit.kind in _PERSON_EDITS:
        if edit.person_id is None:
            raise EditError(f"'{edit.kind}' needs a person")
        person_edit = {EditKind.PIN: pin, EditKind.FORBID: forbid, EditKind.UNLOCK: unlock}
        return person_edit[edit.kind](scenario, edit.person_id, mission_id)
    if edit.kind is EditKind.VALUE:
        if edit.value is None:
            raise EditError("setting a value needs the new value")
        return set_value(scenario, mission_id, edit.value)
    if edit.kind is EditKind.DROP:
        return drop_mission(scenario, mission_id)
    if edit.kind is EditKind.WINDOW:
        if edit.period_id is None or edit.until is None:
            raise EditError("a window needs its first and its last period")
        return set_window(scenario, mission_id, edit.period_id, edit.until)
    if edit.kind is EditKind.START:
        if edit.period_id is None:
            raise EditError("fixing a start needs the period")
        return fix_start(scenario, mission_id, edit.period_id)
    return set_mandatory(scenario, mission_id, edit.kind is EditKind.MANDATORY)


def apply_edits(scenario: Scenario, edits: Iterable[Edit]) -> Scenario:
    """Replay a log of edits in order (how a session undoes one: replay all but the last)."""
    for edit in edits:
        scenario = apply_edit(scenario, edit)
    return scenario


def pin(scenario: Scenario, person_id: str, mission_id: str) -> Scenario:
    """Put ``person_id`` on ``mission_id``'s team whatever the score says (replaces a forbid).

    Refused when the person is eligible for none of the mission's needs or already pinned to
    as many missions as they may join: either would make every plan infeasible.
    """
    person = _person(scenario, person_id)
    mission = _mission(scenario, mission_id)
    if person not in candidates(scenario, mission_id):
        needs = [need for need in scenario.mission_needs if need.mission_id == mission_id]
        requirements = member_requirements(mission, needs, scenario.settings)
        raise EditError(
            f"{person_id} cannot be pinned to {mission_id}: they are eligible for none of "
            f"its needs ({requirements})"
        )
    limit = person.mission_limit(scenario.settings)
    pinned = {
        lock.mission_id
        for lock in scenario.locks
        if lock.person_id == person_id and lock.lock is LockKind.PIN
    }
    if len(pinned | {mission_id}) > limit:
        raise EditError(
            f"{person_id} may join at most {limit} mission(s) and is already pinned to "
            f"{', '.join(sorted(pinned))}"
        )
    return _with_lock(scenario, person_id, mission_id, LockKind.PIN)


def forbid(scenario: Scenario, person_id: str, mission_id: str) -> Scenario:
    """Keep ``person_id`` off ``mission_id`` (replaces a pin)."""
    _person(scenario, person_id)
    _mission(scenario, mission_id)
    return _with_lock(scenario, person_id, mission_id, LockKind.FORBID)


def unlock(scenario: Scenario, person_id: str, mission_id: str) -> Scenario:
    """Remove the pin or forbid of ``person_id`` on ``mission_id``."""
    if lock_of(scenario, person_id, mission_id) is None:
        raise EditError(f"{person_id} is neither pinned to nor forbidden on {mission_id}")
    return scenario.replace(locks=_locks_without(scenario, person_id, mission_id))


def set_mandatory(scenario: Scenario, mission_id: str, mandatory: bool = True) -> Scenario:
    """Make ``mission_id`` mandatory (every plan staffs it) or optional again."""
    mission = _mission(scenario, mission_id)
    return _with_mission(scenario, mission.model_copy(update={"mandatory": mandatory}))


def set_value(scenario: Scenario, mission_id: str, value: float) -> Scenario:
    """Give ``mission_id`` a new value (0 to ``MAX_VALUE``, as in ``missions.csv``)."""
    if not (math.isfinite(value) and 0 <= value <= MAX_VALUE):
        raise EditError(
            f"a mission's value must be a number ≥ 0 and ≤ {MAX_VALUE:,.0f}, not {value}"
        )
    mission = _mission(scenario, mission_id)
    return _with_mission(scenario, mission.model_copy(update={"value": float(value)}))


def set_window(scenario: Scenario, mission_id: str, earliest: str, latest: str) -> Scenario:
    """Let ``mission_id`` run anywhere from period ``earliest`` to ``latest``, keeping its
    duration (which was the whole window if it had none: then it still is)."""
    mission = _mission(scenario, mission_id)
    first, last = _period(scenario, earliest), _period(scenario, latest)
    if first > last:
        raise EditError(f"{earliest} comes after {latest}: a window runs forward in time")
    length = last - first + 1
    if mission.duration is not None and mission.duration > length:
        raise EditError(
            f"{mission_id} runs {mission.duration} periods, longer than the window "
            f"{earliest} to {latest} ({length})"
        )
    update = {"earliest_start": earliest, "latest_end": latest}
    return _with_mission(scenario, mission.model_copy(update=update))


def fix_start(scenario: Scenario, mission_id: str, period_id: str) -> Scenario:
    """Start ``mission_id`` in ``period_id``: its window becomes exactly its run."""
    mission = _mission(scenario, mission_id)
    start = _period(scenario, period_id)
    duration = scenario.timing(mission).duration
    end = start + duration - 1
    if end >= len(scenario.period_ids):
        raise EditError(
            f"{mission_id} runs {duration} periods: starting in {period_id} it would end "
            "after the last period"
        )
    update = {
        "earliest_start": period_id,
        "latest_end": scenario.period_ids[end],
        "duration": duration,
    }
    return _with_mission(scenario, mission.model_copy(update=update))


def drop_mission(scenario: Scenario, mission_id: str) -> Scenario:
    """Remove ``mission_id`` and every row that refers to it, so the result stays valid.

    Refused while another mission runs ``after`` it: that one could never run, and which
    way the planner wants to untie the two is theirs to say (drop it too, or edit it)."""
    _mission(scenario, mission_id)
    followers = [m.mission_id for m in scenario.missions if mission_id in m.predecessors]
    if followers:
        raise EditError(
            f"{mission_id} cannot be dropped: {', '.join(followers)} runs after it; "
            "drop that mission first"
        )
    return scenario.replace(
        missions=_without(scenario.missions, mission_id),
        mission_needs=_without(scenario.mission_needs, mission_id),
        mission_capabilities=_without(scenario.mission_capabilities, mission_id),
        preferences=_without(scenario.preferences, mission_id),
        locks=_without(scenario.locks, mission_id),
    )


def add_goal(scenario: Scenario, person_id: str, skill_id: str, weight: int) -> Scenario:
    """Give ``person_id`` a development goal in ``skill_id`` (MODEL.md v3), weighted 1–3
    as in the ``development`` table; a person has at most one goal per skill, so a second
    is refused (remove the first to change its weight)."""
    _person(scenario, person_id)
    skills = goal_skills(scenario)
    if skill_id not in skills:
        raise EditError(f"there is no skill {skill_id!r}{did_you_mean(skill_id, skills)}")
    if weight not in GOAL_WEIGHTS:
        raise EditError(f"a development goal's weight is 1, 2 or 3, not {weight}")
    held = _goal(scenario, person_id, skill_id)
    if held is not None:
        raise EditError(
            f"{person_id} has a development goal in {skill_id} already (weight "
            f"{held.weight}): remove it first to change its weight"
        )
    goal = Development(person_id=person_id, skill_id=skill_id, weight=weight)
    return scenario.replace(development=(*scenario.development, goal))


def remove_goal(scenario: Scenario, person_id: str, skill_id: str) -> Scenario:
    """Take back ``person_id``'s development goal in ``skill_id``."""
    if _goal(scenario, person_id, skill_id) is None:
        _person(scenario, person_id)
        raise EditError(f"{person_id} has no development goal in {skill_id}")
    return scenario.replace(
        development=tuple(
            goal
            for goal in scenario.development
            if (goal.person_id, goal.skill_id) != (person_id, skill_id)
        )
    )


def goal_skills(scenario: Scenario) -> tuple[str, ...]:
    """The skills a development goal may name: the ``skills`` table's, or without one every
    skill someone holds or something needs (a goal in a skill nothing mentions is a slip)."""
    if scenario.skills is not None:
        return tuple(skill.skill_id for skill in scenario.skills)
    held = {row.skill_id for row in scenario.person_skills}
    needed = {row.skill_id for row in scenario.mission_needs}
    kept = {row.skill_id for row in scenario.ops_demand}
    return tuple(sorted(held | needed | kept))


def candidates(scenario: Scenario, mission_id: str) -> tuple[Person, ...]:
    """People who may be pinned to ``mission_id``: eligible for at least one of its needs
    once their own lock on it is set aside (so a forbidden person can be pinned back)."""
    mission = _mission(scenario, mission_id)
    unlocked = scenario.replace(locks=_without(scenario.locks, mission_id))
    eligibility = Eligibility(unlocked)
    needs = [need for need in scenario.mission_needs if need.mission_id == mission_id]
    return tuple(
        person
        for person in scenario.people
        if eligibility.eligible_for_mission(person, mission, needs)
    )


def lock_of(scenario: Scenario, person_id: str, mission_id: str) -> LockKind | None:
    """The lock of ``person_id`` on ``mission_id``, if any."""
    for lock in scenario.locks:
        if lock.person_id == person_id and lock.mission_id == mission_id:
            return lock.lock
    return None


# --------------------------------------------------------------------------- helpers


class _HasMission(Protocol):
    """Rows that refer to a mission: missions, needs, capability uses, preferences, locks."""

    @property
    def mission_id(self) -> str: ...


_Row = TypeVar("_Row", bound=_HasMission)


def _without(rows: tuple[_Row, ...], mission_id: str) -> tuple[_Row, ...]:
    return tuple(row for row in rows if row.mission_id != mission_id)


def _goal(scenario: Scenario, person_id: str, skill_id: str) -> Development | None:
    for goal in scenario.development:
        if (goal.person_id, goal.skill_id) == (person_id, skill_id):
            return goal
    return None


def _person(scenario: Scenario, person_id: str) -> Person:
    for person in scenario.people:
        if person.person_id == person_id:
            return person
    raise EditError(f"there is no person {person_id!r}")


def _period(scenario: Scenario, period_id: str) -> int:
    if not scenario.has_horizon:
        raise EditError("the scenario has no periods: missions run for the whole plan")
    if period_id not in scenario.period_ids:
        raise EditError(f"there is no period {period_id!r}")
    return scenario.period_ids.index(period_id)


def _mission(scenario: Scenario, mission_id: str) -> Mission:
    for mission in scenario.missions:
        if mission.mission_id == mission_id:
            return mission
    raise EditError(f"there is no mission {mission_id!r}")


def _locks_without(scenario: Scenario, person_id: str, mission_id: str) -> tuple[Lock, ...]:
    return tuple(
        lock
        for lock in scenario.locks
        if (lock.person_id, lock.mission_id) != (person_id, mission_id)
    )


def _with_lock(scenario: Scenario, person_id: str, mission_id: str, kind: LockKind) -> Scenario:
    """At most one lock per pair: a new one replaces the old, as validation demands."""
    locks = _locks_without(scenario, person_id, mission_id)
    new = Lock(person_id=person_id, mission_id=mission_id, lock=kind)
    return scenario.replace(locks=(*locks, new))


def _with_mission(scenario: Scenario, changed: Mission) -> Scenario:
    return scenario.replace(
        missions=tuple(
            changed if mission.mission_id == changed.mission_id else mission
            for mission in scenario.missions
        )
    )
