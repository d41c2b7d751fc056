"""Key figures recomputed from a solution alone (never taken from the solver)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from assembler.compile.instance import Instance
from assembler.domain.solution import Solution


@dataclass(frozen=True, slots=True)
class Coverage:
    """How well one operational demand is covered: ``ratio`` = covered / protected steps."""

    unit_id: str
    skill_id: str
    demand_fte: float
    protected_fte: float
    covered_fte: float
    ratio: float


@dataclass(frozen=True, slots=True)
class Kpis:
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

    @property
    def value_share(self) -> float:
        return self.value_captured / self.value_total if self.value_total else 0.0


def score_of(instance: Instance, solution: Solution) -> int:
    """The objective of MODEL.md §7 evaluated on a solution."""
    weights = instance.settings.weights
    value = sum(
        instance.value[instance.mission_index[m]]
        for m in solution.staffed
        if m in instance.mission_index
    )
    preference = 0
    for person_id, mission_id in solution.members:
        p = instance.person_index.get(person_id)
        m = instance.mission_index.get(mission_id)
        preference += instance.preference.get((p, m), 0) if p is not None and m is not None else 0
    return (
        weights.value * value
        + weights.preference * preference
        - weights.assignment * len(solution.members)
    )


def coverage(instance: Instance, solution: Solution) -> list[Coverage]:
    """Protected requirement against time kept, for every operational demand."""
    unit_of = {p.person_id: p.unit_id for p in instance.people}
    covered: dict[tuple[str, str], int] = defaultdict(int)
    for row in solution.ops:
        covered[unit_of.get(row.person_id, ""), row.skill_id] += row.steps
    rows = []
    for need in instance.ops:
        steps = covered[need.unit_id, need.skill_id]
        rows.append(
            Coverage(
                need.unit_id,
                need.skill_id,
                need.demand_fte,
                instance.fte(need.required),
                instance.fte(steps),
                steps / need.required if need.required else float("inf"),
            )
        )
    return rows


def evaluate(instance: Instance, solution: Solution) -> Kpis:
    missions = instance.missions
    network = {m.mission_id for m in missions if m.is_network}
    mission_steps = sum(row.steps for row in solution.assignments)
    network_steps = sum(row.steps for row in solution.assignments if row.mission_id in network)
    rows = coverage(instance, solution)
    return Kpis(
        score=score_of(instance, solution),
        value_captured=sum(m.value for m in missions if m.mission_id in solution.staffed),
        value_total=sum(m.value for m in missions),
        missions_staffed=sum(1 for m in missions if m.mission_id in solution.staffed),
        missions_total=len(missions),
        memberships=len(solution.members),
        mission_fte=instance.fte(mission_steps),
        network_fte=instance.fte(network_steps),
        ops_fte=instance.fte(sum(row.steps for row in solution.ops)),
        tightest=min(rows, key=lambda row: row.ratio, default=None),
    )
