"""What random absences do to a plan before any re-solve: the draws, and rungs 1–3 of the
stress ladder (``stress`` has the whole ladder and the repair re-solves).

An absence is a (person, period) pair: with periods a person may be away in one quarter and
back the next, and the plan then loses their time in that quarter only.  Everything here is
exact and needs no solver, so thousands of draws cost seconds; without periods every pair
is in period 0 and the answers are v1's.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass

import numpy as np

from assembler.compile.instance import Instance
from assembler.compile.protection import Shortfall, ops_shortfalls
from assembler.domain.scenario import Scenario
from assembler.domain.solution import Solution
from assembler.results.kpis import coverage

Absence = frozenset[tuple[str, int]]
"""One draw's absences: (person id, period) pairs, the period a position in the horizon
(always 0 without periods)."""


def draw_absences(instance: Instance, absence: float, draws: int, seed: int) -> list[Absence]:
    """Who is away when in each draw: everyone in every period independently with
    probability ``absence``.  One draw is a people × periods matrix, which without periods
    takes the very numbers a draw of one per person did, so v1 reports stay as they were."""
    rng = np.random.default_rng(seed)
    people = instance.people
    shape = (len(people), instance.horizon)
    return [
        frozenset(
            (people[p].person_id, int(t))
            for p, t in zip(*np.nonzero(rng.random(shape) < absence), strict=True)
        )
        for _ in range(draws)
    ]


@dataclass(frozen=True, slots=True)
class Impact:
    """What one draw's absences do before any re-solve (indices into the instance)."""

    below_demand: tuple[int, ...]
    """Operational demands (``instance.ops``, one per period) the plan as is now covers
    below bare demand."""
    below_protected: tuple[int, ...]
    """Operational demands the plan as is now covers below demand + buffer."""
    lost: tuple[tuple[int, int], ...]
    """(need, period) pairs: mission needs (``instance.needs``) whose lost time in that
    period no member present then can make up."""
    value_kept: float
    """Value of the staffed missions that lost no need."""
    touched: bool
    """Some absentee had time in the plan (otherwise it holds unchanged)."""
    unit_shortfalls: tuple[Shortfall, ...]
    """What reshuffling duties within units, missions untouched, cannot re-protect."""
    shortfalls: tuple[Shortfall, ...]
    """What the people present cannot protect whatever the plan: no repair exists."""

    @property
    def lost_needs(self) -> tuple[int, ...]:
        """The needs lost in some period, each once, in order."""
        return tuple(dict.fromkeys(n for n, _ in self.lost))


def impact(
    instance: Instance,
    plan: Solution,
    absent: Iterable[str | tuple[str, int]],
    during: Instance | None = None,
) -> Impact:
    """Rungs 1–3 of the ladder for one draw; ``during`` is the scenario at the repair buffer
    (by default ``instance`` itself).  ``absent`` holds (person id, period) pairs; a person
    id alone is away in every period."""
    during = during or instance
    index = instance.person_index
    away = _away(instance, absent)
    kept = without_absent(instance, plan, away)
    rows = coverage(instance, kept)
    below_demand = tuple(o for o, row in enumerate(rows) if row.covered_fte + 1e-9 < row.demand_fte)
    below_protected = tuple(o for o, row in enumerate(rows) if row.ratio < 1)

    on_missions: Counter[tuple[int, int]] = Counter()
    lost: Counter[tuple[int, int]] = Counter()  # (need, period) → steps
    for row in plan.assignments:
        p = index[row.person_id]
        on_missions[p, row.period] += row.steps
        if (p, row.period) in away:
            lost[instance.need_index[row.mission_id, row.skill_id], row.period] += row.steps
    present = _present(instance.capacity, away)
    outside_missions = [
        [cap - on_missions[p, t] for t, cap in enumerate(caps)] for p, caps in enumerate(present)
    ]
    free = [list(steps) for steps in outside_missions]
    for kept_ops in plan.ops:
        free[index[kept_ops.person_id]][kept_ops.period] -= kept_ops.steps
    members: dict[str, set[int]] = defaultdict(set)
    for person_id, mission_id in plan.members:
        members[mission_id].add(index[person_id])
    short = []
    for (n, t), steps in sorted(lost.items()):
        need = instance.needs[n]
        helpers = members[instance.missions[need.mission].mission_id].intersection(need.eligible)
        if sum(free[p][t] for p in helpers if (p, t) not in away) < steps:
            short.append((n, t))
    hit = {instance.missions[instance.needs[n].mission].mission_id for n, _ in short}
    return Impact(
        below_demand=below_demand,
        below_protected=below_protected,
        lost=tuple(short),
        value_kept=sum(m.value for m in instance.missions if m.mission_id in plan.staffed - hit),
        touched=kept != plan,
        unit_shortfalls=tuple(ops_shortfalls(during, capacity=outside_missions)),
        shortfalls=tuple(ops_shortfalls(during, capacity=present)),
    )


def measure(
    instance: Instance,
    plan: Solution,
    draws: Sequence[Absence],
    during: Instance,
    stop: threading.Event | None,
) -> list[Impact]:
    """What each draw does to the plan, in draw order, until ``stop`` is set: on 3,000
    people 400 draws take some 20 s, too long to make a Ctrl-C wait for."""
    impacts: list[Impact] = []
    for absent in draws:
        if stop is not None and stop.is_set():
            break
        impacts.append(impact(instance, plan, absent, during))
    return impacts


def without_absent(instance: Instance, plan: Solution, away: Set[tuple[int, int]]) -> Solution:
    """The plan minus the absentees' time in the periods they are away (``away``: person
    index, period) and their memberships of missions running then (a member gives time in
    every period of the run); the staffed missions keep their starts."""
    index = instance.person_index
    running = run_periods(instance.scenario, plan)
    return plan.model_copy(
        update={
            "members": frozenset(
                (person_id, mission_id)
                for person_id, mission_id in plan.members
                if not any((index[person_id], t) in away for t in running[mission_id])
            ),
            "assignments": tuple(
                row for row in plan.assignments if (index[row.person_id], row.period) not in away
            ),
            "ops": tuple(row for row in plan.ops if (index[row.person_id], row.period) not in away),
        }
    )


def _away(instance: Instance, absent: Iterable[str | tuple[str, int]]) -> set[tuple[int, int]]:
    """Absences as (person index, period) pairs, a person id alone meaning every period."""
    index = instance.person_index
    away: set[tuple[int, int]] = set()
    for item in absent:
        if isinstance(item, str):
            away.update((index[item], t) for t in instance.periods)
        else:
            person_id, t = item
            away.add((index[person_id], t))
    return away


def _present(capacity: Sequence[Sequence[int]], away: Set[tuple[int, int]]) -> list[list[int]]:
    """``cap_pt`` with no time for a person in a period they are away."""
    return [
        [0 if (p, t) in away else cap for t, cap in enumerate(caps)]
        for p, caps in enumerate(capacity)
    ]


def run_periods(scenario: Scenario, plan: Solution) -> dict[str, range]:
    """The periods each mission staffed by ``plan`` runs in (period 0 without periods)."""
    missions = {mission.mission_id: mission for mission in scenario.missions}
    runs = {}
    for mission_id in plan.staffed:
        timing = scenario.timing(missions[mission_id])
        start = plan.start_of(mission_id, timing.earliest)
        runs[mission_id] = range(start, start + timing.duration)
    return runs
