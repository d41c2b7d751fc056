"""Large-neighbourhood search for large organisations.

CP-SAT's own neighbourhoods are cut from the whole model, whose presolve alone takes
seconds once there are 100,000 variables.  Here each step frees a cluster of related
missions and the people around them, fixes everything else, and solves that as an
ordinary small scenario:

* people keep only the time (period by period), mission slots and capability units the
  fixed part leaves (slots and units at their scarcest period over the horizon);
* operations keep their protected requirement minus what fixed people already cover
  (with buffer 0, since the residual is already in protected steps), period by period;
* missions keep their windows, and a neighbourhood always holds whole ``after`` chains, so
  the sub-scenario's sequence rules are the full one's;
* a unit capped in its network share keeps what the fixed network missions leave under
  its cap (MODEL.md v3), as a share of its freed people's remaining time;
* the sub-objective is the full objective's part that can change, so a better sub-plan
  is a better plan.  A merged plan is accepted only if ``check`` passes.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from assembler.compile.instance import Instance, capacity_steps
from assembler.domain.scenario import (
    Availability,
    Capability,
    OpsDemand,
    Person,
    Scenario,
    Unit,
)
from assembler.domain.solution import Solution
from assembler.domain.solve_settings import SolveSettings
from assembler.results.check import check
from assembler.results.kpis import score_of

SubSolver = Callable[[Scenario, SolveSettings], tuple[Solution | None, bool]]
"""Solves a sub-scenario: its plan (if any) and whether that plan is proven optimal."""

MISSIONS_PER_STEP = (6, 12, 30)  # smallest, first, largest neighbourhood
PEOPLE_PER_NEED = 30
SECONDS_PER_STEP = 3.0
SWEEP_SECONDS_PER_STEP = 0.5
"""A step of ``staff_the_unstaffed``: those that paid on 1,000 people took under 0.4 s."""
TEAMS_FREED_PER_MISSION = 20
"""``staff_the_unstaffed`` frees at most this many teams beside a mission: the ones holding
most of its candidates.  On 1,000 people every step up to 20 teams was solved to
optimality in well under a second; at 51 teams a step took its whole 3 s unproven."""
RELAXATION_TEAMS_FREED = 3
"""``follow_the_relaxation`` first frees no team beside the missions it trades, then this
many beside each mission left out.  On 3,000 people (long-tail) the step without teams
(17 missions, 928 people) was proven in 1.1 s, with 5 teams beside each (41 missions) it
took 10 s unproven.  On 10,000 people (mosaic, 120 s) the second step with 3 teams found
115,129,765 where the first had stalled at 113,989,759, and the plan ended at 115.28 M
against 114.46 M without it (one run each)."""
LARGEST_DISAGREEMENT = 15
"""``follow_the_relaxation`` trades at most this many missions each way, the most valuable:
from a warm start the LP and the plan can disagree on dozens."""


def improve(
    instance: Instance,
    start: Solution,
    deadline: float,
    solve_sub: SubSolver,
    seed: int = 0,
    workers: int = 1,
    on_better: Callable[[Solution, int], None] | None = None,
    stop: threading.Event | None = None,
    shares: Sequence[float] | None = None,
) -> Solution:
    """Improve ``start`` step by step until ``deadline`` (a ``time.perf_counter`` value)
    or until ``stop`` is set (which also ends the step under way).  With the pooled LP's
    ``shares``, a step re-plans where the plan and the LP disagree whenever they disagree
    on missions not tried so far (``follow_the_relaxation``); the other steps are random
    clusters of related missions.

    ``staff_the_unstaffed`` is not run first here: on 3,000 people (flat) a fifth of the
    time given to it cost 1.7 % (54,430,498 against 55,390,398 at 60 s)."""
    rng = random.Random(seed)
    related = _related_missions(instance)
    best, best_score = start, score_of(instance, start)
    smallest, size, largest = MISSIONS_PER_STEP
    tried: set[tuple[frozenset[int], int]] = set()
    while not (stop and stop.is_set()) and deadline - time.perf_counter() > 0.5:
        guided = None if shares is None else _relaxation_part(instance, best, shares, tried, rng)
        if guided is None:
            missions = _neighbourhood(instance, best, related, rng, size)
            people = people_around(instance, best, missions, rng)
        else:
            missions, people = guided
        step = Step(deadline, workers, stop)
        merged, proven = replan_part(instance, best, missions, people, solve_sub, step)
        if guided is None:
            # Grow the neighbourhood while steps are solved to optimality, shrink it when not.
            size = min(largest, size + 2) if proven else max(smallest, size - 2)
        if merged is None:
            continue
        score = score_of(instance, merged)
        if score >= best_score:
            if score > best_score and on_better is not None:
                on_better(merged, score)
            best, best_score = merged, score
    return best


def follow_the_relaxation(
    instance: Instance,
    start: Solution,
    shares: Sequence[float],
    deadline: float,
    solve_sub: SubSolver,
    workers: int = 1,
    on_better: Callable[[Solution, int], None] | None = None,
    stop: threading.Event | None = None,
) -> Solution:
    """Re-plan in one step the missions where ``start`` and the pooled LP's solution
    (``shares``: ``y_m`` by mission, ``pooled_bound.Relaxation``) disagree — left out where
    the LP staffs more than half of it, staffed where it staffs less — with the people
    around them (``people_around``); if that gains nothing, again with the teams holding
    most candidates of the ones left out; and so from each better plan, until the plan and
    the LP disagree on nothing not tried.

    The random neighbourhoods seldom free together the missions a better plan trades: on
    1,000 people (flat) the plan at 10 s lacked four missions and staffed two that the
    optimum leaves out, and the LP's solution named exactly those (with one more); freed
    together with all their candidates, their re-plan found the optimum's missions in
    0.12 s, where HiGHS needs 3.5-8.9 s.  On generalists the same step reached 25,600,149
    (from 25,380,150; the bound is 25,600,628), on 3,000 people (long-tail) 59,150,667 from
    the plan at 60 s, 58,830,680, in 1.1 s.  With the people around them instead of all
    candidates (up to 4,113 on 10,000 people) the solves at 10 s still end at 22,050,471
    (flat) and 25,600,284 (generalists), and 10,000 people (mosaic) peaked at 3,146 MiB
    against 3,217 (one run each).
    """
    best, best_score = start, score_of(instance, start)
    tried: set[tuple[frozenset[int], int]] = set()
    rng = random.Random(0)
    while not (stop and stop.is_set()) and deadline - time.perf_counter() > 0.1:
        part = _relaxation_part(instance, best, shares, tried, rng)
        if part is None:
            break
        missions, people = part
        merged, _ = replan_part(
            instance, best, missions, people, solve_sub, Step(deadline, workers, stop)
        )
        score = None if merged is None else score_of(instance, merged)
        if merged is None or score is None or score <= best_score:
            continue
        best, best_score = merged, score
        if on_better is not None:
            on_better(merged, score)
    return best


def _relaxation_part(
    instance: Instance,
    plan: Solution,
    shares: Sequence[float],
    tried: set[tuple[frozenset[int], int]],
    rng: random.Random,
) -> tuple[set[int], set[int]] | None:
    """The missions and people of a step that follows the relaxation from ``plan``, or
    ``None`` if nothing the LP staffs is left out or these missions were ``tried``, alone
    and then with the teams beside them (``RELAXATION_TEAMS_FREED``)."""
    wanted, unwanted = _disagreeing(instance, plan, shares)
    if not wanted:
        return None
    for teams in (0, RELAXATION_TEAMS_FREED):
        key = (frozenset(wanted | unwanted), teams)
        if key not in tried:
            tried.add(key)
            freed = _with_chains(instance, _with_holders(instance, plan, wanted, teams) | unwanted)
            return freed, people_around(instance, plan, freed, rng)
    return None


def _disagreeing(
    instance: Instance, plan: Solution, shares: Sequence[float]
) -> tuple[set[int], set[int]]:
    """The missions the LP staffs more than half of and ``plan`` leaves out, and those
    ``plan`` staffs where the LP staffs less than half (by value, ``LARGEST_DISAGREEMENT``
    of each at most)."""
    staffed = {instance.mission_index[mission_id] for mission_id in plan.staffed}
    wanted = [m for m, share in enumerate(shares) if share > 0.5 and m not in staffed]
    unwanted = [m for m in staffed if shares[m] < 0.5]
    return _most_valuable(instance, wanted), _most_valuable(instance, unwanted)


def _most_valuable(instance: Instance, missions: list[int]) -> set[int]:
    return set(sorted(missions, key=lambda m: -instance.value[m])[:LARGEST_DISAGREEMENT])


def staff_the_unstaffed(
    instance: Instance,
    start: Solution,
    deadline: float,
    solve_sub: SubSolver,
    workers: int = 1,
    on_better: Callable[[Solution, int], None] | None = None,
    stop: threading.Event | None = None,
) -> Solution:
    """Try each mission ``start`` leaves unstaffed, most valuable first, with the teams that
    hold its candidates freed too, once each (``SWEEP_SECONDS_PER_STEP`` at most), and keep
    every re-plan that scores more, until ``deadline``.

    A mission is left out because the people who could staff it work elsewhere, often on
    missions with no skill in common with it, which random neighbourhoods seldom free
    together.  On 1,000 people x 100 missions the greedy plan and the full model both ended
    at 23,600,084; this pass reached 23,790,127 in 0.9 s (the bound: 23,820,261).
    """
    best, best_score = start, score_of(instance, start)
    for m in _unstaffed_by_value(instance, best):
        if (stop and stop.is_set()) or deadline - time.perf_counter() <= 0.1:
            break
        if instance.missions[m].mission_id in best.staffed:  # staffed by a re-plan
            continue
        missions, people = _freeing(instance, best, m)
        step = Step(deadline, workers, stop, SWEEP_SECONDS_PER_STEP)
        merged, _ = replan_part(instance, best, missions, people, solve_sub, step)
        score = None if merged is None else score_of(instance, merged)
        if merged is not None and score is not None and score > best_score:
            best, best_score = merged, score
            if on_better is not None:
                on_better(merged, score)
    return best


def _unstaffed_by_value(instance: Instance, plan: Solution) -> list[int]:
    """Missions worth staffing that ``plan`` leaves out, most valuable first."""
    left_out = [
        m
        for m, mission in enumerate(instance.missions)
        if mission.mission_id not in plan.staffed and instance.value[m] > 0
    ]
    return sorted(left_out, key=lambda m: -instance.value[m])


def _freeing(instance: Instance, plan: Solution, m: int) -> tuple[set[int], set[int]]:
    """Mission ``m`` with the teams holding most of its candidates (whole ``after``
    chains), and the people to re-plan them: its candidates and those teams' members."""
    missions = _with_chains(instance, _with_holders(instance, plan, {m}, TEAMS_FREED_PER_MISSION))
    ids = {instance.missions[freed].mission_id for freed in missions}
    people = set(instance.candidates[m]) | {
        instance.person_index[person_id]
        for person_id, mission_id in plan.members
        if mission_id in ids
    }
    return missions, people


def _with_holders(
    instance: Instance, plan: Solution, wanted: Collection[int], teams: int
) -> set[int]:
    """Missions ``wanted`` with, for each, the ``teams`` that hold most of its candidates
    in ``plan``."""
    freed = set(wanted)
    for m in wanted:
        candidates = {instance.people[p].person_id for p in instance.candidates[m]}
        holding = Counter(
            instance.mission_index[mission_id]
            for person_id, mission_id in plan.members
            if person_id in candidates
        )
        freed |= {held for held, _ in holding.most_common(teams)}
    return freed


@dataclass(frozen=True)
class Step:
    """How long one re-plan of a part may take (``seconds`` at most, never past
    ``deadline``), on how many workers, and what stops it."""

    deadline: float
    workers: int = 1
    stop: threading.Event | None = None
    seconds: float = SECONDS_PER_STEP


def replan_part(
    instance: Instance,
    current: Solution,
    missions: set[int],
    people: set[int],
    solve_sub: SubSolver,
    step: Step,
) -> tuple[Solution | None, bool]:
    """``current`` with ``missions`` (whole ``after`` chains) re-planned by ``people``
    around everything else, which stays as it is: a plan of ``instance`` near
    ``current`` in a fraction of a full solve — ``current`` itself need not be one (a
    plan before a pin was added).  The merged plan, ``None`` when the part found none or
    the merge breaks a rule (``check``); and whether the part was solved to optimality."""
    missions = _with_chains(instance, missions)
    sub = _subscenario(instance, current, missions, people)
    freed = {person.person_id for person in sub.people}
    hint = _restrict(instance, current, missions, freed)
    limit = min(step.seconds, step.deadline - time.perf_counter())
    if limit <= 0:  # building the part took what was left
        return None, False
    settings = SolveSettings(time_limit=limit, workers=step.workers, hint=hint, stop=step.stop)
    found, proven = solve_sub(sub, settings)
    if found is None:
        return None, proven
    merged = _merge(instance, current, found, missions, freed)
    return (None if check(instance, merged) else merged), proven


def _related_missions(instance: Instance) -> list[list[list[int]]]:
    """For each mission, the groups of missions it competes with: one group per skill it
    needs (the missions needing that skill too) and one per capability it draws on (the
    missions drawing on it).  A mission blocked by a capability the plan has given to
    others can only be staffed in a step that frees those others as well."""
    by_skill: dict[str, list[int]] = defaultdict(list)
    for need in instance.needs:
        by_skill[need.skill_id].append(need.mission)
    by_capability = [[m for m, _ in limit.usage] for limit in instance.capabilities]
    groups: list[list[list[int]]] = [[] for _ in instance.missions]
    for m in range(len(instance.missions)):
        groups[m].extend(by_skill[instance.needs[n].skill_id] for n in instance.needs_of[m])
    for users in by_capability:
        for m in users:
            groups[m].append(users)
    return groups


def _neighbourhood(
    instance: Instance,
    current: Solution,
    related: list[list[list[int]]],
    rng: random.Random,
    size: int,
) -> set[int]:
    """A seed mission plus missions competing for the same skills or capabilities, with
    whole ``after`` chains."""
    count = len(instance.missions)
    unstaffed = [m for m in range(count) if instance.missions[m].mission_id not in current.staffed]
    seed = rng.choice(unstaffed) if unstaffed and rng.random() < 0.5 else rng.randrange(count)
    chosen = {seed}
    frontier = [seed]
    while frontier and len(chosen) < size:
        m = frontier.pop(rng.randrange(len(frontier)))
        for others in related[m]:
            for other in rng.sample(others, min(len(others), 4)):
                if other not in chosen and len(chosen) < size:
                    chosen.add(other)
                    frontier.append(other)
    return _with_chains(instance, chosen)


def _with_chains(instance: Instance, missions: set[int]) -> set[int]:
    """``missions`` plus every mission linked to one of them by ``after``, either way."""
    linked: dict[int, set[int]] = defaultdict(set)
    for m, befores in enumerate(instance.after):
        for before in befores:
            linked[m].add(before)
            linked[before].add(m)
    closed = set(missions)
    frontier = [m for m in missions if m in linked]
    while frontier:
        for other in linked[frontier.pop()]:
            if other not in closed:
                closed.add(other)
                frontier.append(other)
    return closed


def people_around(
    instance: Instance, current: Solution, missions: set[int], rng: random.Random
) -> set[int]:
    """Current members of the freed missions plus, per need, eligible people with time to give."""
    ids = {instance.missions[m].mission_id for m in missions}
    people = {instance.person_index[p] for p, m in current.members if m in ids}
    load = _load(instance, current)
    spare = [sum(cap) - used for cap, used in zip(instance.capacity, load, strict=True)]
    for m in missions:
        for n in instance.needs_of[m]:
            eligible = instance.needs[n].giving
            ranked = sorted(eligible, key=lambda p: -spare[p])
            people.update(ranked[: PEOPLE_PER_NEED - 5])
            people.update(rng.sample(eligible, min(len(eligible), 5)))
    return people


def _load(instance: Instance, solution: Solution) -> list[int]:
    load = [0] * len(instance.people)
    for row in solution.assignments:
        load[instance.person_index[row.person_id]] += row.steps
    for kept in solution.ops:
        load[instance.person_index[kept.person_id]] += kept.steps
    return load


def _subscenario(
    instance: Instance, current: Solution, missions: set[int], people: set[int]
) -> Scenario:
    """The freed part as a scenario of its own, with what the fixed part leaves over."""
    scenario, step = instance.scenario, instance.step
    mission_ids = {instance.missions[m].mission_id for m in missions}
    fixed_time: dict[tuple[str, int], int] = defaultdict(int)
    for row in current.assignments:
        if row.mission_id not in mission_ids:
            fixed_time[row.person_id, row.period] += row.steps
    fixed_joined: dict[tuple[str, int], int] = defaultdict(int)
    for person_id, mission_id in current.members:
        m = instance.mission_index[mission_id]
        if mission_id not in mission_ids:
            for t in instance.run(m, current.start_of(mission_id, instance.earliest[m])):
                fixed_joined[person_id, t] += 1
    free_people: list[Person] = []
    availability: list[Availability] = []
    for p in sorted(people):
        person = instance.people[p]
        steps = [
            instance.capacity[p][t] - fixed_time[person.person_id, t] for t in instance.periods
        ]
        busiest = max(fixed_joined[person.person_id, t] for t in instance.periods)
        slots = instance.max_missions[p] - busiest
        if max(steps) <= 0 or slots <= 0:
            continue
        free_people.append(
            person.model_copy(update={"fte": max(steps) * step, "max_missions": slots})
        )
        if scenario.periods is not None:
            availability.extend(
                Availability(person_id=person.person_id, period_id=period_id, fte=left * step)
                for period_id, left in zip(instance.period_ids, steps, strict=True)
            )
    kept_ids = {person.person_id for person in free_people}
    mission_rows = tuple(instance.missions[m] for m in sorted(missions))
    return Scenario(
        people=tuple(free_people),
        person_skills=tuple(r for r in scenario.person_skills if r.person_id in kept_ids),
        missions=mission_rows,
        mission_needs=tuple(r for r in scenario.mission_needs if r.mission_id in mission_ids),
        units=_residual_network_shares(instance, current, mission_ids, free_people, availability),
        ops_demand=_residual_ops(instance, current, kept_ids),
        capabilities=_residual_capabilities(instance, current, mission_ids),
        mission_capabilities=tuple(
            r for r in scenario.mission_capabilities if r.mission_id in mission_ids
        ),
        preferences=tuple(
            r
            for r in scenario.preferences
            if r.person_id in kept_ids and r.mission_id in mission_ids
        ),
        locks=tuple(
            r for r in scenario.locks if r.mission_id in mission_ids and r.person_id in kept_ids
        ),
        periods=scenario.periods,
        availability=tuple(availability),
        development=tuple(r for r in scenario.development if r.person_id in kept_ids),
        settings=scenario.settings.with_overrides({"ops_buffer": 0.0, "network_share_max": 1.0}),
    )


def _residual_network_shares(
    instance: Instance,
    current: Solution,
    mission_ids: set[str],
    free_people: list[Person],
    availability: list[Availability],
) -> tuple[Unit, ...] | None:
    """The unit tree with each capped unit's share (MODEL.md v3 §6.12) lowered so that the
    sub-scenario's cap, taken of its people's remaining time, never exceeds what the fixed
    network missions leave under the full cap in any period.  One share cannot follow
    every period, so it is the tightest period's: the sub-problem may be stricter than the
    whole, never looser."""
    scenario = instance.scenario
    if not instance.capped_units:
        return scenario.units
    fixed: dict[tuple[str, int], int] = defaultdict(int)
    for row in current.assignments:
        m = instance.mission_index[row.mission_id]
        if row.mission_id not in mission_ids and instance.is_network(m):
            fixed[instance.people[instance.person_index[row.person_id]].unit_id, row.period] += (
                row.steps
            )
    left: dict[tuple[str, int], float] = {
        (row.person_id, instance.period_index[row.period_id]): row.fte for row in availability
    }
    remaining: dict[tuple[str, int], int] = defaultdict(int)
    for person in free_people:
        for t in instance.periods:
            fte = left.get((person.person_id, t), person.fte)
            remaining[person.unit_id, t] += capacity_steps(fte, instance.step)
    shares: dict[str, float] = {}
    for unit_id in instance.capped_units:
        ratios = [
            max(0, instance.network_limit(unit_id, t) - fixed[unit_id, t]) / remaining[unit_id, t]
            for t in instance.periods
            if remaining[unit_id, t] > 0
        ]
        shares[unit_id] = min([1.0, *ratios])
    units = scenario.units or tuple(Unit(unit_id=unit_id) for unit_id in scenario.unit_ids)
    return tuple(
        unit.model_copy(update={"network_share_max": shares.get(unit.unit_id)}) for unit in units
    )


def _residual_ops(
    instance: Instance, current: Solution, kept_ids: set[str]
) -> tuple[OpsDemand, ...]:
    """Protected requirement minus what people outside the sub-problem keep covering, in
    each period (rows for the period, so periods without a residual have no requirement)."""
    covered: dict[tuple[str, str, int], int] = defaultdict(int)
    unit_of = {p.person_id: p.unit_id for p in instance.people}
    for kept in current.ops:
        if kept.person_id not in kept_ids:
            covered[unit_of[kept.person_id], kept.skill_id, kept.period] += kept.steps
    touched = {unit_of[person_id] for person_id in kept_ids}
    with_periods = instance.scenario.periods is not None
    rows = []
    for need in instance.ops:
        residual = need.required - covered[need.unit_id, need.skill_id, need.period]
        if need.unit_id in touched and residual > 0:
            rows.append(
                OpsDemand(
                    unit_id=need.unit_id,
                    skill_id=need.skill_id,
                    fte=residual * instance.step,
                    min_level=need.min_level,
                    period_id=instance.period_ids[need.period] if with_periods else None,
                )
            )
    return tuple(rows)


def _residual_capabilities(
    instance: Instance, current: Solution, mission_ids: set[str]
) -> tuple[Capability, ...]:
    """What each capability has left beside the fixed missions, in its scarcest period."""
    running: dict[int, range] = {}
    for m, mission in enumerate(instance.missions):
        if mission.mission_id in current.staffed and mission.mission_id not in mission_ids:
            running[m] = instance.run(m, current.start_of(mission.mission_id, instance.earliest[m]))
    rows = []
    for limit, capability in zip(
        instance.capabilities, instance.scenario.capabilities, strict=True
    ):
        used = max(
            sum(units for m, units in limit.usage if m in running and t in running[m])
            for t in instance.periods
        )
        left = max(0, limit.available - used)
        rows.append(capability.model_copy(update={"capacity": left, "ops_reserved": 0}))
    return tuple(rows)


def _restrict(
    instance: Instance, current: Solution, missions: set[int], person_ids: set[str]
) -> Solution:
    """The current plan's part inside the neighbourhood: the sub-solve's starting point."""
    mission_ids = {instance.missions[m].mission_id for m in missions}
    return Solution(
        staffed=frozenset(current.staffed & mission_ids),
        members=frozenset(pair for pair in current.members if pair[1] in mission_ids),
        assignments=tuple(r for r in current.assignments if r.mission_id in mission_ids),
        ops=tuple(r for r in current.ops if r.person_id in person_ids),
        starts={m: t for m, t in current.starts.items() if m in mission_ids},
        learners=frozenset(r for r in current.learners if r[1] in mission_ids),
        mentors=frozenset(r for r in current.mentors if r[1] in mission_ids),
    )


def _merge(
    instance: Instance, current: Solution, sub: Solution, missions: set[int], person_ids: set[str]
) -> Solution:
    mission_ids = {instance.missions[m].mission_id for m in missions}
    return Solution(
        staffed=frozenset((current.staffed - mission_ids) | sub.staffed),
        members=frozenset(
            {pair for pair in current.members if pair[1] not in mission_ids} | sub.members
        ),
        assignments=(
            *(r for r in current.assignments if r.mission_id not in mission_ids),
            *sub.assignments,
        ),
        ops=(*(r for r in current.ops if r.person_id not in person_ids), *sub.ops),
        starts={
            **{m: t for m, t in current.starts.items() if m not in mission_ids},
            **sub.starts,
        },
        learners=frozenset(r for r in current.learners if r[1] not in mission_ids) | sub.learners,
        mentors=frozenset(r for r in current.mentors if r[1] not in mission_ids) | sub.mentors,
    )
