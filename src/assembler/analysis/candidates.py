"""Who could join a mission, ranked by what pinning each of them would cost, and why the
others cannot.

For every person eligible for some need of the mission, the exact change in score if they
were pinned to it is a difference of two optima — the best plan, and the best plan with
the pin — solved here one after the other (each warm-started from the best plan, so the
team's current members cost nothing and the rest usually little).  People pinning whom is
certainly impossible (away whenever it runs, no time beside operations, too many missions
at once) are not solved at all: the certificate is their reason, as are the eligibility
rules for everyone else (not opted in, level too low, outside the owner's branch, forbidden).
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

from assembler.analysis.price import Difference, closest
from assembler.compile.certificates import clashes
from assembler.compile.instance import Instance
from assembler.domain.scenario import Lock, LockKind, Person, Scenario
from assembler.domain.solve_settings import SolveSettings
from assembler.results.result import Result
from assembler.solver import solve


@dataclass(frozen=True)
class Candidate:
    """An eligible person and the change in score if they were pinned to the mission."""

    person_id: str
    name: str
    unit_id: str
    on_team: bool
    score: Difference | None
    """``None`` when no plan with the pin was found in time (``note`` says so)."""
    note: str = ""


@dataclass(frozen=True)
class Excluded:
    """A person who cannot join, and why."""

    person_id: str
    name: str
    unit_id: str
    reason: str


@dataclass(frozen=True)
class Ranking:
    """The best ``ranked`` candidates (highest change in score first), the people who cannot
    join, and how many eligible people were not evaluated within the time allowed."""

    mission_id: str
    ranked: tuple[Candidate, ...]
    excluded: tuple[Excluded, ...]
    evaluated: int
    unevaluated: int

    def to_json(self) -> dict[str, Any]:
        return {
            "mission_id": self.mission_id,
            "candidates": [
                {
                    "person_id": c.person_id,
                    "name": c.name,
                    "unit_id": c.unit_id,
                    "on_team": c.on_team,
                    "proven": c.score.proven if c.score else False,
                    "score_delta": c.score.low if c.score and c.score.proven else None,
                    "score_delta_range": None if c.score is None else [c.score.low, c.score.high],
                    "note": c.note,
                }
                for c in self.ranked
            ],
            "cannot_join": [
                {"person_id": e.person_id, "name": e.name, "unit_id": e.unit_id, "reason": e.reason}
                for e in self.excluded
            ],
            "evaluated": self.evaluated,
            "not_evaluated": self.unevaluated,
        }


def pinned(scenario: Scenario, person_id: str, mission_id: str) -> Scenario:
    """``scenario`` with ``person_id`` pinned to ``mission_id`` (replacing a lock on them)."""
    locks = [
        lock
        for lock in scenario.locks
        if (lock.person_id, lock.mission_id) != (person_id, mission_id)
    ]
    locks.append(Lock(person_id=person_id, mission_id=mission_id, lock=LockKind.PIN))
    return scenario.replace(locks=locks)


def rank_candidates(
    scenario: Scenario,
    mission_id: str,
    top: int = 10,
    settings: SolveSettings | None = None,
    base: Result | None = None,
    budget: float = 60.0,
) -> Ranking:
    """Rank the people who could join ``mission_id`` by the change in score pinning them
    costs (``top`` of them), within ``budget`` seconds of re-solves after the best plan
    (``base``, solved if not given, each under ``settings``).  ``settings.stop`` ends it
    early: the people not yet evaluated are counted as such.  Raises ``KeyError`` for an
    unknown mission."""
    instance = Instance(scenario)
    m = instance.mission_index[mission_id]
    settings = settings or SolveSettings(time_limit=10)
    base = base or solve(scenario, settings)
    team = {
        person_id
        for person_id, joined in (base.solution.members if base.solution else ())
        if joined == mission_id
    }
    excluded = _not_eligible(instance, m)
    candidates = [instance.people[p] for p in instance.candidates[m]]
    free = _free_time(instance, base)
    candidates.sort(key=lambda person: (person.person_id not in team, -free[person.person_id]))
    deadline = time.perf_counter() + budget
    ranked: list[Candidate] = []
    evaluated = 0
    for person in candidates:
        left = deadline - time.perf_counter()
        if left <= 0 or _stopped(settings):
            break
        limit = dataclasses.replace(settings, time_limit=min(settings.time_limit, left))
        outcome = _evaluate(scenario, person, mission_id, base, limit, person.person_id in team)
        if _stopped(settings):  # its solve was cut short: neither a price nor a reason
            break
        evaluated += 1
        if isinstance(outcome, Excluded):
            excluded.append(outcome)
        else:
            ranked.append(outcome)
    ranked.sort(key=lambda c: -(c.score.high if c.score else float("-inf")))
    return Ranking(
        mission_id,
        tuple(ranked[:top]),
        tuple(excluded),
        evaluated,
        len(candidates) - evaluated,
    )


def _stopped(settings: SolveSettings) -> bool:
    """Whether ``settings.stop`` is set: each re-solve honours it, and the ranking stops
    between them, so a stop (Ctrl-C) ends it within a moment, with those evaluated."""
    return settings.stop is not None and settings.stop.is_set()


def why_not_on_team(
    scenario: Scenario,
    person_id: str,
    mission_id: str,
    settings: SolveSettings | None = None,
    base: Result | None = None,
) -> Candidate | Excluded:
    """Why ``person_id`` is not on ``mission_id``'s team in the best plan: the rule that
    keeps them off, or what pinning them would cost.  Raises ``KeyError`` for unknown ids."""
    instance = Instance(scenario)
    m = instance.mission_index[mission_id]
    person = instance.people[instance.person_index[person_id]]
    if instance.person_index[person_id] not in instance.candidates[m]:
        mission = instance.missions[m]
        needs = [row for row in scenario.mission_needs if row.mission_id == mission_id]
        return _excluded(person, instance.eligibility.why_not_candidate(person, mission, needs))
    settings = settings or SolveSettings(time_limit=10)
    base = base or solve(scenario, settings)
    on_team = base.solution is not None and (person_id, mission_id) in base.solution.members
    return _evaluate(scenario, person, mission_id, base, settings, on_team)


def _evaluate(
    scenario: Scenario,
    person: Person,
    mission_id: str,
    base: Result,
    settings: SolveSettings,
    on_team: bool,
) -> Candidate | Excluded:
    """One eligible person: nothing to solve for a member of the team (pinning them changes
    nothing), a certificate for an impossible pin, else the re-solve with the pin."""
    if on_team:
        return _candidate(person, True, Difference(0, 0))
    with_pin = pinned(scenario, person.person_id, mission_id)
    certain = clashes(Instance(with_pin))
    if certain:
        return _excluded(person, f"a pin could not hold: {certain[0]}")
    result = solve(with_pin, closest(settings, base))
    if result.solution is None:
        return _excluded(
            person, "; ".join(result.conflicts) or "no plan with this pin was found in time"
        )
    return _candidate(person, False, Difference.between(base, result))


def _candidate(person: Person, on_team: bool, score: Difference | None) -> Candidate:
    note = "" if score is None or score.proven else "not proven optimal within the limit"
    return Candidate(person.person_id, person.name, person.unit_id, on_team, score, note)


def _excluded(person: Person, reason: str) -> Excluded:
    return Excluded(person.person_id, person.name, person.unit_id, reason)


def _not_eligible(instance: Instance, m: int) -> list[Excluded]:
    """Everyone who holds one of the mission's skills but is eligible for none of its needs,
    with the first rule that keeps them off (people without any of its skills are left out:
    listing the whole organisation would bury the useful answers)."""
    mission = instance.missions[m]
    needs = [row for row in instance.scenario.mission_needs if row.mission_id == mission.mission_id]
    skills = {need.skill_id for need in needs}
    eligible = set(instance.candidates[m])
    eligibility = instance.eligibility
    excluded = []
    for p, person in enumerate(instance.people):
        if p in eligible:
            continue
        if not any(eligibility.level.get((person.person_id, skill)) for skill in skills):
            continue
        excluded.append(_excluded(person, eligibility.why_not_candidate(person, mission, needs)))
    return excluded


def _free_time(instance: Instance, base: Result) -> dict[str, int]:
    """Steps each person has left in the best plan over the horizon: who to try first."""
    free = {
        person.person_id: sum(caps)
        for person, caps in zip(instance.people, instance.capacity, strict=True)
    }
    if base.solution is not None:
        for row in base.solution.assignments:
            free[row.person_id] -= row.steps
        for kept in base.solution.ops:
            free[kept.person_id] -= kept.steps
    return free
