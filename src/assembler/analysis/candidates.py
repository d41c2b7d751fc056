"""Who could join a mission, ranked by what pinning each of them would cost, and why the
others cannot.

For every person eligible for some need of the mission, the exact change in score if they
were pinned to it is a difference of two optima — the best plan, and the best plan with
the pin.  Rather than one solve per person, a quick re-plan of a few missions gives each
a plan with the pin, and one solve at a time bounds them all: the best plan with any one
of them on the team (warm-started from the best plan, so the team's current members cost
nothing and the rest usually little).  People pinning whom is
certainly impossible (away whenever it runs, no time beside operations, too many missions
at once) are not solved at all: the certificate is their reason, as are the eligibility
rules for everyone else (not opted in, level too low, outside the owner's branch, forbidden).
"""

from __future__ import annotations

import dataclasses
import random
import time
from dataclasses import dataclass
from math import inf
from typing import Any

from assembler.analysis.price import Difference, Effect, closest, price_of
from assembler.compile.certificates import clashes
from assembler.compile.instance import Instance
from assembler.domain.scenario import Lock, LockKind, Person, Scenario
from assembler.domain.solution import Solution
from assembler.domain.solve_settings import OneOf, SolveSettings
from assembler.results.kpis import score_of
from assembler.results.names import Names
from assembler.results.result import Result, Status
from assembler.solver import solve
from assembler.solver.lns import Step, people_around, replan_part

QUICK_SECONDS = 1.0
"""What the first pass gives each person: a re-plan of a few missions, well under it."""


@dataclass(frozen=True)
class Candidate:
    """An eligible person and the change in score if they were pinned to the mission, with
    what the plan with the pin does in a planner's terms (``effect``: value, missions,
    people moving; of the plan found when the answer is only a bound)."""

    person_id: str
    name: str
    unit_id: str
    on_team: bool
    score: Difference | None
    """``None`` when no plan with the pin was found in time (``note`` says so)."""
    note: str = ""
    effect: Effect | None = None
    role: str = ""
    """How the plan with the pin has them join when not as a plain member (MODEL.md v3):
    ``joins as a learner in triage under Ana Ruiz``."""


@dataclass(frozen=True)
class Excluded:
    """A person who cannot join, and why."""

    person_id: str
    name: str
    unit_id: str
    reason: str


@dataclass(frozen=True)
class Ranking:
    """The best ``ranked`` candidates — those with an exact answer first (highest change
    in score first), then those with only a bound — the people who cannot join, and how
    many eligible people were not evaluated.  ``complete``: nobody left unevaluated could
    rank above the ranked (they could at best tie with the last of them); otherwise the
    time allowed ran out first.  ``unstaffable``: why no plan can staff the mission at
    all, when none can (then nobody is ranked)."""

    mission_id: str
    ranked: tuple[Candidate, ...]
    excluded: tuple[Excluded, ...]
    evaluated: int
    unevaluated: int
    complete: bool = False
    unstaffable: tuple[str, ...] = ()

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
                    "value_delta": None if c.effect is None else c.effect.value,
                    "displaced": [] if c.effect is None else list(c.effect.displaced),
                    "people_moved": None if c.effect is None else c.effect.moved,
                    "note": c.note,
                    **({"role": c.role} if c.role else {}),
                }
                for c in self.ranked
            ],
            "cannot_be_staffed": list(self.unstaffable),
            "cannot_join": [
                {"person_id": e.person_id, "name": e.name, "unit_id": e.unit_id, "reason": e.reason}
                for e in self.excluded
            ],
            "evaluated": self.evaluated,
            "not_evaluated": self.unevaluated,
            "complete": self.complete,
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
    costs (``top`` of them), within ``budget`` seconds after the best plan (``base``,
    solved under ``settings`` if not given).  ``settings.stop`` ends it early: the people
    not yet evaluated are counted as such.  Raises ``KeyError`` for an unknown mission.

    Pinning anyone staffs the mission, so nobody costs less than staffing it does
    (``price_of``, one solve, warm-started from the best plan) and that plan is where each
    person's answer starts: the person is pinned and only the mission and the missions
    they are on are re-planned around the rest of it — a plan with the pin in well under
    a second, so a bound on what pinning them costs, exact when it costs no more than
    staffing the mission.  With the time left, the best plan with one of the rest on the
    team bounds them all and settles the best of them (``_refine``), until the ``top`` are
    exact and nobody else could still beat them; once ``top`` people cost no more than the
    mission, nobody else can.
    An answer is exact only against a proven best plan: without one (1,000 people in
    10 s), re-solves could only narrow the ranges, at a full solve each (the top 10 took
    133 s), so the re-plans' ranges are the answer.
    """
    instance = Instance(scenario)
    m = instance.mission_index[mission_id]
    deadline = time.perf_counter() + budget
    settings = settings or SolveSettings(time_limit=10)
    base = base or solve(scenario, settings)
    excluded = _not_eligible(instance, m)
    candidates = _in_order(instance, m, base)
    price = price_of(scenario, mission_id, _within(settings, deadline), base)
    if not price.possible:  # nobody can join a mission that cannot be staffed
        reason = f"the mission cannot be staffed: {price.reasons[0]}"
        excluded += [_excluded(person, reason) for person in candidates]
        return Ranking(
            mission_id,
            (),
            tuple(excluded),
            len(candidates),
            0,
            complete=True,
            unstaffable=price.reasons,
        )
    ceiling = min(price.score.high, 0.0) if price.score is not None else 0.0
    # What staffing the mission costs is what pinning a member of its cheapest team does.
    staffing = None if price.score is None else Difference(min(price.score.low, 0.0), ceiling)
    around = price.forced.solution if price.forced is not None else base.solution
    answers: dict[str, Candidate] = {}
    quick_plans: dict[str, Solution | None] = {}
    evaluated = 0
    for person in candidates:
        if time.perf_counter() >= deadline or _stopped(settings):
            break
        if _settled(answers, top, ceiling, pending=True):
            break
        evaluated += 1
        if around is not None and (person.person_id, mission_id) in around.members:
            on_team = base.solution is not None and around is base.solution
            effect = _effect(scenario, base, around)
            role = _as_learner(scenario, around, person.person_id, mission_id)
            answers[person.person_id] = _candidate(person, on_team, staffing, effect, role)
            continue
        outcome = _quick(scenario, person, mission_id, base, around, ceiling, deadline, settings)
        if isinstance(outcome, Excluded):
            excluded.append(outcome)
        else:
            answers[person.person_id], quick_plans[person.person_id] = outcome
    target = (top, ceiling, evaluated < len(candidates))
    if base.status is Status.OPTIMAL:  # else no re-solve can make an answer exact
        excluded += _refine(
            scenario, mission_id, base, answers, quick_plans, target, deadline, settings
        )
    complete = _settled(answers, *target)
    unanswered = [p for p, answer in answers.items() if answer.score is None]
    for person_id in unanswered:  # no plan with the pin found: neither ranked nor ruled out
        answers.pop(person_id)
    if not complete:
        evaluated -= len(unanswered)
    ranked = sorted(answers.values(), key=_rank)
    return Ranking(
        mission_id,
        tuple(ranked[:top]),
        tuple(excluded),
        evaluated,
        len(candidates) - evaluated,
        complete,
    )


def _in_order(instance: Instance, m: int, base: Result) -> list[Person]:
    """The mission's candidates, its team in the best plan first, then by free time: the
    likeliest to join at no extra cost first."""
    mission_id = instance.missions[m].mission_id
    team = {
        p for p, joined in (base.solution.members if base.solution else ()) if joined == mission_id
    }
    free = _free_time(instance, base)
    candidates = [instance.people[p] for p in instance.candidates[m]]
    return sorted(
        candidates, key=lambda person: (person.person_id not in team, -free[person.person_id])
    )


def _within(settings: SolveSettings, deadline: float) -> SolveSettings:
    """``settings`` with its time limit cut to what is left before ``deadline``."""
    left = max(deadline - time.perf_counter(), 0.0)
    return dataclasses.replace(settings, time_limit=min(settings.time_limit, left))


def _rank(candidate: Candidate) -> tuple[bool, float]:
    """Exact answers first, then bounded ones (a bound is no answer to rank against an
    exact one); within each, best first by what pinning them surely costs at most."""
    score = candidate.score
    return (not (score and score.proven), -(score.low if score else float("-inf")))


def _quick(
    scenario: Scenario,
    person: Person,
    mission_id: str,
    base: Result,
    around: Solution | None,
    ceiling: float,
    deadline: float,
    settings: SolveSettings,
) -> Excluded | tuple[Candidate, Solution | None]:
    """A certificate that the pin cannot hold, or a plan with it found by re-planning the
    mission and the person's missions around the plan ``around`` (the best plan with the
    mission staffed) and what it bounds — no plan and no figure when that part has none
    with the pin (only a full re-solve can say)."""
    with_pin = pinned(scenario, person.person_id, mission_id)
    instance = Instance(with_pin)
    certain = clashes(instance, Names.of(with_pin))
    if certain:
        return _excluded(person, f"a pin could not hold: {certain[0]}")
    best = base.score if base.status is Status.OPTIMAL else base.best_bound
    if around is None or best is None:
        return _candidate(person, False, None), None
    p = instance.person_index[person.person_id]
    missions = {instance.mission_index[mission_id]} | {
        instance.mission_index[joined] for who, joined in around.members if who == person.person_id
    }
    people = people_around(instance, around, missions, random.Random(0)) | {p}
    step = Step(min(deadline, time.perf_counter() + QUICK_SECONDS), stop=settings.stop)
    plan, _ = replan_part(instance, around, missions, people, _solve_part, step)
    if plan is None:
        return _candidate(person, False, None), None
    found = min(score_of(instance, plan) - best, ceiling)
    effect = _effect(scenario, base, plan)
    role = _as_learner(scenario, plan, person.person_id, mission_id)
    return _candidate(person, False, Difference(found, ceiling), effect, role), plan


def _refine(
    scenario: Scenario,
    mission_id: str,
    base: Result,
    answers: dict[str, Candidate],
    quick_plans: dict[str, Solution | None],
    target: tuple[int, float, bool],
    deadline: float,
    settings: SolveSettings,
) -> list[Excluded]:
    """Settle the candidates whose answer is only a bound (or none yet), best first, while
    the time lasts and one of them could still enter the ``top`` (``target``: the top, the
    ceiling, whether anyone is still pending; see ``_settled``).  Returns those no plan can
    have on the team.

    One solve serves them all at a time: the best plan with one of them on the team
    (``SolveSettings.one_of``) is what pinning the best of them costs, so its optimum
    bounds every one of them and is exact for those on its team and for each whose quick
    plan reaches it.  A crowd of tied candidates costs one solve: on the sample the eight
    of M21, all at −250,081, took one solve of 2.5 s where a re-solve each took 17.6 s
    (two at a time on two workers).  Each solve settles at least one person, so a top ten
    takes at most ten."""
    top, ceiling, pending = target
    while not _settled(answers, top, ceiling, pending):
        if time.perf_counter() >= deadline or _stopped(settings):
            return []
        open_ = [c for c in answers.values() if c.score is None or not c.score.proven]
        best = max(open_, key=lambda c: -inf if c.score is None else c.score.low)
        question = dataclasses.replace(
            closest(_within(settings, deadline), base),
            hint=quick_plans.get(best.person_id),
            warm_start=False,
            one_of=OneOf(mission_id, frozenset(c.person_id for c in open_)),
            diagnose=False,
        )
        result = solve(scenario, question)
        if _stopped(settings):
            return []
        if result.status is Status.INFEASIBLE:
            for candidate in open_:
                answers.pop(candidate.person_id)
            reason = "no plan has them on the team together with the commitments and operations"
            return [_excluded_candidate(c, reason) for c in open_]
        bound = Difference.between(base, result)
        if bound is None or result.solution is None:
            return []
        high = min(bound.high, ceiling)
        for candidate in open_:
            if (candidate.person_id, mission_id) in result.solution.members:
                low = min(bound.low, high)
                effect = _effect(scenario, base, result.solution)
                role = _as_learner(scenario, result.solution, candidate.person_id, mission_id)
                answer = _with_score(candidate, Difference(low, high), effect, role)
            elif candidate.score is not None:
                tighter = Difference(candidate.score.low, min(candidate.score.high, high))
                answer = _with_score(candidate, tighter, candidate.effect, candidate.role)
            else:
                continue
            answers[candidate.person_id] = answer
        if result.status is not Status.OPTIMAL:  # the bound is all this time allows
            return []
    return []


def _settled(answers: dict[str, Candidate], top: int, ceiling: float, pending: bool) -> bool:
    """Nobody could still enter the ``top``: that many answers are exact, and every other
    answer — and anyone still ``pending`` evaluation, who can do no better than
    ``ceiling`` — is bounded at or below the last of them (a tie at most)."""
    exact = sorted(
        (c.score.low for c in answers.values() if c.score is not None and c.score.proven),
        reverse=True,
    )
    if len(exact) < top:  # settled only once everyone has an exact answer
        return not pending and all(c.score is not None and c.score.proven for c in answers.values())
    open_highs = [
        ceiling if c.score is None else c.score.high
        for c in answers.values()
        if c.score is None or not c.score.proven
    ]
    if pending:
        open_highs.append(ceiling)
    return all(high <= exact[top - 1] for high in open_highs)


def _solve_part(part: Scenario, settings: SolveSettings) -> tuple[Solution | None, bool]:
    result = solve(part, settings)
    return result.solution, result.status is Status.OPTIMAL


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
        effect = _effect(scenario, base, base.solution)
        role = _as_learner(scenario, base.solution, person.person_id, mission_id)
        return _candidate(person, True, Difference(0, 0), effect, role)
    with_pin = pinned(scenario, person.person_id, mission_id)
    certain = clashes(Instance(with_pin), Names.of(with_pin))
    if certain:
        return _excluded(person, f"a pin could not hold: {certain[0]}")
    result = solve(with_pin, closest(settings, base))
    if result.solution is None:
        return _excluded(
            person, "; ".join(result.conflicts) or "no plan with this pin was found in time"
        )
    effect = _effect(scenario, base, result.solution)
    role = _as_learner(scenario, result.solution, person.person_id, mission_id)
    return _candidate(person, False, Difference.between(base, result), effect, role)


def _as_learner(
    scenario: Scenario, solution: Solution | None, person_id: str, mission_id: str
) -> str:
    """``joins as a learner in triage under Ana Ruiz`` when the plan has the person learn on
    the mission (MODEL.md v3), else nothing."""
    if solution is None:
        return ""
    names = {person.person_id: person.name or person.person_id for person in scenario.people}
    skills = Names.of(scenario)
    learned = sorted(k for p, m, k in solution.learners if (p, m) == (person_id, mission_id))
    parts = []
    for skill_id in learned:
        mentors = sorted(
            names[p] for p, m, k in solution.mentors if (m, k) == (mission_id, skill_id)
        )
        skill = skills.skill(skill_id)
        parts.append(f"joins as a learner in {skill} under {' and '.join(mentors)}")
    return "; ".join(parts)


def _candidate(
    person: Person,
    on_team: bool,
    score: Difference | None,
    effect: Effect | None = None,
    role: str = "",
) -> Candidate:
    return Candidate(
        person.person_id, person.name, person.unit_id, on_team, score, _note(score), effect, role
    )


def _effect(scenario: Scenario, base: Result, plan: Solution | None) -> Effect | None:
    """What ``plan`` (one with the pin) changes from the best plan, if both exist."""
    if base.solution is None or plan is None:
        return None
    return Effect.between(scenario, base.solution, plan)


def _note(score: Difference | None) -> str:
    return "" if score is None or score.proven else "best found: the exact cost is not proven"


def _excluded(person: Person, reason: str) -> Excluded:
    return Excluded(person.person_id, person.name, person.unit_id, reason)


def _excluded_candidate(candidate: Candidate, reason: str) -> Excluded:
    return Excluded(candidate.person_id, candidate.name, candidate.unit_id, reason)


def _with_score(
    candidate: Candidate, score: Difference, effect: Effect | None, role: str
) -> Candidate:
    return dataclasses.replace(candidate, score=score, note=_note(score), effect=effect, role=role)


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
