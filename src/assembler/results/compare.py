"""What changed between two solves: missions gained or lost, people moved, learners gained
or lost (MODEL.md v3), value and score.

After an edit the planner wants to know what the edit *cost*, not to read two rosters side
by side.  The two solves may be of different scenarios (a mission dropped, a value changed),
so each side is read against its own scenario: a mission that no longer exists but was
staffed counts as lost, and the value captured is each side's own KPI.  A solve without a
solution (infeasible, or stopped before the first one) staffs nothing and has no value or
score, so deltas against it are ``None`` rather than a misleading number.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from assembler.domain.scenario import Scenario
from assembler.domain.solution import Solution
from assembler.results.result import Result


@dataclass(frozen=True, slots=True)
class MissionChange:
    """A mission staffed on one side only; ``value`` is its value on the side it is staffed."""

    mission_id: str
    name: str
    value: float


@dataclass(frozen=True, slots=True)
class Move:
    """A person whose missions changed: the teams they joined and the teams they left."""

    person_id: str
    name: str
    unit_id: str
    joined: tuple[str, ...]
    left: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Shift:
    """A mission staffed on both sides that starts in another period after."""

    mission_id: str
    name: str
    start_before: str
    start_after: str


@dataclass(frozen=True, slots=True)
class Learning:
    """A learner place (``g = 1``) on one side only: ``person_id`` learns ``skill_id`` on
    ``mission_id``.  A planner weighing a re-plan asks who stops growing, not only who
    moves: a person can stay on a team and lose the place they learned in."""

    person_id: str
    name: str
    mission_id: str
    skill_id: str


@dataclass(frozen=True, slots=True)
class Comparison:
    """The difference of two solves; ``None`` figures belong to a side without a solution."""

    gained: tuple[MissionChange, ...]
    lost: tuple[MissionChange, ...]
    moves: tuple[Move, ...]
    value_before: float | None
    value_after: float | None
    score_before: int | None
    score_after: int | None
    shifts: tuple[Shift, ...] = ()
    learners_gained: tuple[Learning, ...] = ()
    learners_lost: tuple[Learning, ...] = ()

    @property
    def value_delta(self) -> float | None:
        if self.value_before is None or self.value_after is None:
            return None
        return self.value_after - self.value_before

    @property
    def score_delta(self) -> int | None:
        if self.score_before is None or self.score_after is None:
            return None
        return self.score_after - self.score_before

    @property
    def unchanged(self) -> bool:
        """Same missions, teams, starts and learners: the edit did not move the plan."""
        return not (
            self.gained
            or self.lost
            or self.moves
            or self.shifts
            or self.learners_gained
            or self.learners_lost
        )


def compare(
    before_scenario: Scenario, before: Result, after_scenario: Scenario, after: Result
) -> Comparison:
    """How ``after`` (a solve of ``after_scenario``) differs from ``before``.

    Missions and people are listed in the after scenario's order, then those that exist
    only before, so the tables read like the scenario.
    """
    old = before.solution or Solution.empty()
    new = after.solution or Solution.empty()
    order = {
        mission_id: i
        for i, mission_id in enumerate(
            dict.fromkeys(
                m.mission_id for m in (*after_scenario.missions, *before_scenario.missions)
            )
        )
    }
    return Comparison(
        gained=_changes(new.staffed - old.staffed, after_scenario, order),
        lost=_changes(old.staffed - new.staffed, before_scenario, order),
        moves=_moves(before_scenario, old, after_scenario, new, order),
        value_before=before.kpis.value_captured if before.kpis else None,
        value_after=after.kpis.value_captured if after.kpis else None,
        score_before=before.score,
        score_after=after.score,
        shifts=_shifts(before_scenario, old, after_scenario, new),
        learners_gained=_learning(new.learners - old.learners, after_scenario, order),
        learners_lost=_learning(old.learners - new.learners, before_scenario, order),
    )


def _learning(
    places: frozenset[tuple[str, str, str]], side: Scenario, order: dict[str, int]
) -> tuple[Learning, ...]:
    """Learner places on ``side`` only, by mission (as ``order``), then person and skill
    as ``side`` lists them."""
    people = {person.person_id: (i, person.name) for i, person in enumerate(side.people)}
    return tuple(
        Learning(person_id, people[person_id][1], mission_id, skill_id)
        for person_id, mission_id, skill_id in sorted(
            places, key=lambda place: (order[place[1]], people[place[0]][0], place[2])
        )
    )


def _shifts(
    before_scenario: Scenario, old: Solution, after_scenario: Scenario, new: Solution
) -> tuple[Shift, ...]:
    """Missions staffed on both sides whose start period differs, in the after order.

    Starts are compared as period ids, so both sides must share the horizon's periods to
    say anything; a plan without periods never moves a mission in time."""
    if not (before_scenario.has_horizon and after_scenario.has_horizon):
        return ()
    shifts = []
    for mission in after_scenario.missions:
        mission_id = mission.mission_id
        if mission_id not in old.staffed or mission_id not in new.staffed:
            continue
        was, now = old.starts.get(mission_id), new.starts.get(mission_id)
        if was is None or now is None:
            continue
        before_id, after_id = before_scenario.period_ids[was], after_scenario.period_ids[now]
        if before_id != after_id:
            shifts.append(Shift(mission_id, mission.name, before_id, after_id))
    return tuple(shifts)


def _changes(
    changed: frozenset[str], side: Scenario, order: dict[str, int]
) -> tuple[MissionChange, ...]:
    """Missions staffed on ``side`` only, described as ``side`` has them."""
    rows = [mission for mission in side.missions if mission.mission_id in changed]
    rows.sort(key=lambda mission: order[mission.mission_id])
    return tuple(MissionChange(m.mission_id, m.name, m.value) for m in rows)


def _moves(
    before_scenario: Scenario,
    old: Solution,
    after_scenario: Scenario,
    new: Solution,
    order: dict[str, int],
) -> tuple[Move, ...]:
    joined: dict[str, list[str]] = defaultdict(list)
    for person_id, mission_id in new.members - old.members:
        joined[person_id].append(mission_id)
    left: dict[str, list[str]] = defaultdict(list)
    for person_id, mission_id in old.members - new.members:
        left[person_id].append(mission_id)
    people = {p.person_id: p for p in (*before_scenario.people, *after_scenario.people)}
    ordered = dict.fromkeys(p.person_id for p in (*after_scenario.people, *before_scenario.people))
    return tuple(
        Move(
            person_id,
            people[person_id].name,
            people[person_id].unit_id,
            tuple(sorted(joined.get(person_id, ()), key=order.__getitem__)),
            tuple(sorted(left.get(person_id, ()), key=order.__getitem__)),
        )
        for person_id in ordered
        if person_id in joined or person_id in left
    )
