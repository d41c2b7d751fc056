"""The objective of MODEL.md §7: value of staffed missions, wishes met, memberships paid for."""

from __future__ import annotations

from ortools.sat.python import cp_model

from assembler.instance import Instance
from assembler.solver.variables import Variables


def set_objective(model: cp_model.CpModel, instance: Instance, variables: Variables) -> None:
    weights = instance.settings.weights
    terms: list[cp_model.IntVar] = []
    coefficients: list[int] = []
    for m, y in enumerate(variables.staffed):
        if instance.value[m] and weights.value:
            terms.append(y)
            coefficients.append(weights.value * instance.value[m])
    for key, x in variables.member.items():
        coefficient = weights.preference * instance.preference.get(key, 0) - weights.assignment
        if coefficient:
            terms.append(x)
            coefficients.append(coefficient)
    model.maximize(cp_model.LinearExpr.weighted_sum(terms, coefficients))
