"""Key figures recomputed from a solution alone (never taken from the solver).

With periods, time figures are given per period (``…_by_period``) and as their mean over
the horizon, which is what one period of a plan without periods shows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from assembler.compile.instance import Instance
from assembler.domain.solution import Solution


@dataclass(frozen=True, slots=True)
class Coverage:
    """How well one operational demand is covered in one period: ``ratio`` = covered /
    protected steps."""

    unit_id: str
    skill_id: str
    demand_fte: float
    protected_fte: float
    covered_fte: float
    ratio: float
    period: int = 0


@dataclass(frozen=True, slots=True)
class Kpis:
    """A plan's headline figures, recomputed from its solution by ``evaluate``.

    ``score`` is the MODEL.md §7 objective of the plan, so ``Kpis.score == Result.score``
    checks the solver; ``value_captured`` sums the values of the staffed missions (of
    ``value_total``); FTE figures are means over the periods, each period's own in the
    ``…_by_period`` tuples (one entry without periods); ``tightest`` is the operational
    demand covered least above its protected requirement, over all periods.
    """

    score: int
    value_captured: float
    value_total: float
    missions_staffed: int
    missions_total: int
    memberships: int
    mission_fte: float
    network_fte: float
    ops_fte: float
    tightest: Coverage | None
    network_fte_by_period: tuple[float, ...] = ()
    mission_fte_by_period: tuple[float, ...] = ()
    tightest_by_period: tuple[Coverage | None, ...] = ()

    @property
    def value_share(self) -> float:
        return self.value_captured / self.value_total if self.value_total else 0.0


def score_of(instance: Instance, solution: Solution) -> int:
    """The objective of MODEL.md §7 evaluated on a solution."""
    weights = instance.settings.weights
    value = 0
    delay = 0
    for mission_id in solution.staffed:
        m = instance.mission_index.get(mission_id)
        if m is not None:
            value += instance.value[m]
            delay += instance.delay(m, solution.start_of(mission_id, instance.earliest[m]))
    preference = 0
    for person_id, mission_id in solution.members:
        p = instance.person_index.get(person_id)
        m = instance.mission_index.get(mission_id)
        preference += instance.preference.get((p, m), 0) if p is not None and m is not None else 0
    development = 0
    for person_id, _, skill_id in solution.learners:
        p = instance.person_index.get(person_id)
        development += instance.goal.get((p, skill_id), 0) if p is not None else 0
    return (
        weights.value * value
        + weights.preference * preference
        - weights.assignment * len(solution.members)
        - weights.delay * delay
        + weights.development * development
    )


def coverage(instance: Instance, solution: Solution) -> list[Coverage]:
    """Protected requirement against time kept, for every operational demand and period."""
    unit_of = {p.person_id: p.unit_id for p in instance.people}
    covered: dict[tuple[str, str, int], int] = defaultdict(int)
    for row in solution.ops:
        covered[unit_of.get(row.person_id, ""), row.skill_id, row.period] += row.steps
    rows = []
    for need in instance.ops:
        steps = covered[need.unit_id, need.skill_id, need.period]
        rows.append(
            Coverage(
                need.unit_id,
                need.skill_id,
                need.demand_fte,
                instance.fte(need.required),
                instance.fte(steps),
                steps / need.required if need.required else float("inf"),
                need.period,
            )
        )
    return rows


def evaluate(instance: Instance, solution: Solution) -> Kpis:
    """Every KPI of ``solution`` (a plan of ``instance``'s scenario), from the plan alone."""
    missions = instance.missions
    network = {m.mission_id for m in missions if m.is_network}
    mission_steps = [0] * instance.horizon
    network_steps = [0] * instance.horizon
    for row in solution.assignments:
        mission_steps[row.period] += row.steps
        if row.mission_id in network:
            network_steps[row.period] += row.steps
    rows = coverage(instance, solution)
    by_period: list[list[Coverage]] = [[] for _ in instance.periods]
    for kept in rows:
        by_period[kept.period].append(kept)
    ops_steps = sum(row.steps for row in solution.ops)
    return Kpis(
        score=score_of(instance, solution),
        value_captured=sum(m.value for m in missions if m.mission_id in solution.staffed),
        value_total=sum(m.value for m in missions),
        missions_staffed=sum(1 for m in missions if m.mission_id in solution.staffed),
        missions_total=len(missions),
        memberships=len(solution.members),
        mission_fte=_mean(instance, sum(mission_steps)),
        network_fte=_mean(instance, sum(network_steps)),
        ops_fte=_mean(instance, ops_steps),
        tightest=_tightest(rows),
        network_fte_by_period=tuple(instance.fte(steps) for steps in network_steps),
        mission_fte_by_period=tuple(instance.fte(steps) for steps in mission_steps),
        tightest_by_period=tuple(_tightest(period) for period in by_period),
    )


def _tightest(rows: list[Coverage]) -> Coverage | None:
    return min(rows, key=lambda row: row.ratio, default=None)


def _mean(instance: Instance, steps: int) -> float:
    """Steps summed over the horizon as FTE per period (exactly ``fte(steps)`` without periods)."""
    if instance.horizon == 1:
        return instance.fte(steps)
    return round(steps * instance.step / instance.horizon, 10)
