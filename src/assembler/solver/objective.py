"""The objective of MODEL.md §7: value of staffed missions, wishes met, memberships paid for,
periods of delay, and (v3) learners placed on their development goals."""

from __future__ import annotations

from ortools.sat.python import cp_model

from assembler.compile.instance import Instance
from assembler.domain.solve_settings import Stability
from assembler.solver.variables import Variables


def objective_scale(instance: Instance, variables: Variables, stability: Stability | None) -> int:
    """Factor on every MODEL.md term: above 1 only for lexicographic stability, where the
    score must outweigh the most changes (memberships and starts) possible."""
    if stability is None or stability.weight is not None:
        return 1
    return len(variables.member) + len(_kept_starts(instance, variables, stability)) + 1


def _kept_starts(
    instance: Instance, variables: Variables, stability: Stability
) -> list[cp_model.IntVar]:
    """The start literals that keep a reference mission where it was in time (only for
    missions whose start is a decision)."""
    reference = stability.reference
    kept = []
    for mission_id in reference.staffed:
        m = instance.mission_index.get(mission_id)
        if m is None or instance.is_fixed(m):
            continue
        b = variables.starts.get((m, reference.start_of(mission_id, instance.earliest[m])))
        if b is not None:
            kept.append(b)
    return kept


def set_objective(
    model: cp_model.CpModel,
    instance: Instance,
    variables: Variables,
    stability: Stability | None = None,
) -> None:
    """MODEL.md §7, plus the optional repair term of ``Stability`` (a constant-free form:
    keeping a reference membership earns ``weight``, a new membership costs ``weight``, and
    keeping a reference mission at its start earns ``weight``: nothing moves without gain)."""
    weights = instance.settings.weights
    scale = objective_scale(instance, variables, stability)
    change_cost = 0
    if stability is not None:
        change_cost = 1 if stability.weight is None else stability.weight
    kept: set[tuple[int, int]] = set()
    if stability is not None:
        for person_id, mission_id in stability.reference.members:
            p = instance.person_index.get(person_id)
            m = instance.mission_index.get(mission_id)
            if p is not None and m is not None:
                kept.add((p, m))
    terms: list[cp_model.IntVar] = []
    coefficients: list[int] = []
    for m, y in enumerate(variables.staffed):
        if instance.value[m] and weights.value:
            terms.append(y)
            coefficients.append(scale * weights.value * instance.value[m])
    if weights.delay:
        for (m, start), b in variables.starts.items():
            delay = instance.delay(m, start)
            if delay:
                terms.append(b)
                coefficients.append(-scale * weights.delay * delay)
    for key, x in variables.member.items():
        coefficient = scale * (
            weights.preference * instance.preference.get(key, 0) - weights.assignment
        )
        if stability is not None:
            coefficient += change_cost if key in kept else -change_cost
        if coefficient:
            terms.append(x)
            coefficients.append(coefficient)
    if weights.development:
        for (p, n), g in variables.learning.items():
            goal = instance.goal.get((p, instance.needs[n].skill_id), 0)
            if goal:
                terms.append(g)
                coefficients.append(scale * weights.development * goal)
    if stability is not None:
        for b in _kept_starts(instance, variables, stability):
            terms.append(b)
            coefficients.append(change_cost)
    model.maximize(cp_model.LinearExpr.weighted_sum(terms, coefficients))
