"""Why is a scenario infeasible?  Name a set of requirements that cannot hold together.

Relaxing every commitment (mandatory missions, pins) and every operations protection
leaves a model that is always feasible (staff nothing, keep no time), so the clash lies
among them.  Each gets an assumption literal and CP-SAT returns a sufficient subset.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from assembler.compile.instance import Instance
from assembler.domain.solve_settings import SolveSettings
from assembler.solver.model import build_model
from assembler.solver.stopping import stoppable

DIAGNOSIS_SECONDS = 5.0
"""Cores over assumptions can take far longer than the solve that proved infeasibility;
the clash planners hit most (operations) is named before this runs, in ``protection``."""


def find_conflicts(instance: Instance, settings: SolveSettings) -> tuple[str, ...]:
    labels: dict[int, str] = {}

    def guard(model: cp_model.CpModel, label: str) -> cp_model.IntVar:
        literal = model.new_bool_var(f"assume[{len(labels)}]")
        labels[literal.index] = label
        return literal

    model, _ = build_model(instance, guard)
    model.clear_objective()  # type: ignore[no-untyped-call]
    model.add_assumptions([model.get_bool_var_from_proto_index(i) for i in labels])

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = min(settings.time_limit, DIAGNOSIS_SECONDS)
    solver.parameters.num_workers = 1
    with stoppable(solver, settings.stop):
        if solver.solve(model) != cp_model.INFEASIBLE:
            return ()
    return tuple(labels[i] for i in solver.sufficient_assumptions_for_infeasibility())
