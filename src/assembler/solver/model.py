"""Assemble the CP-SAT model of MODEL.md §5–7 from an instance."""

from __future__ import annotations

from ortools.sat.python import cp_model

from assembler.compile.instance import Instance
from assembler.domain.solution import Solution
from assembler.domain.solve_settings import OneOf, Stability
from assembler.solver.constraints import Constraints, Guard
from assembler.solver.objective import set_objective
from assembler.solver.stopping import UNTIMED, Clock
from assembler.solver.variables import Variables, create_variables


def build_model(
    instance: Instance,
    guard: Guard | None = None,
    stability: Stability | None = None,
    clock: Clock = UNTIMED,
    one_of: OneOf | None = None,
) -> tuple[cp_model.CpModel, Variables]:
    """The model; ``clock`` raises ``OutOfTimeError`` if the build outlasts the limit."""
    model = cp_model.CpModel()
    variables = create_variables(model, instance, clock)
    Constraints(model, instance, variables, guard, clock).add_all()
    if one_of is not None:
        _require_one_of(model, instance, variables, one_of)
    set_objective(model, instance, variables, stability)
    clock.check()
    return model, variables


def _require_one_of(
    model: cp_model.CpModel, instance: Instance, variables: Variables, one_of: OneOf
) -> None:
    """``SolveSettings.one_of``: a membership among the people eligible for the mission
    (none eligible: no plan meets it)."""
    m = instance.mission_index[one_of.mission_id]
    joining = [
        x
        for person_id in sorted(one_of.people)
        if (x := variables.member.get((instance.person_index[person_id], m))) is not None
    ]
    model.add_bool_or(joining)


def add_hint(
    model: cp_model.CpModel,
    instance: Instance,
    variables: Variables,
    hint: Solution,
    clock: Clock = UNTIMED,
) -> None:
    """Warm start: suggest a previous solution's values for every decision variable.

    Pairs of the hint that no longer exist (a person forbidden since, a need removed) are
    skipped; CP-SAT repairs a hint that has become infeasible.  ``clock`` is checked
    between the families: on 20,000 people the objective and the hint took the build 5 s
    past a 60 s limit.
    """
    staffed = {instance.mission_index.get(m) for m in hint.staffed}
    for m, y in enumerate(variables.staffed):
        model.add_hint(y, m in staffed)
    begins = {
        m: hint.start_of(mission.mission_id, instance.earliest[m])
        for m, mission in enumerate(instance.missions)
        if m in staffed
    }
    for (m, t), b in variables.starts.items():
        if b is not variables.staffed[m]:
            model.add_hint(b, begins.get(m) == t)
    decided = {var.index for var in (*variables.staffed, *variables.starts.values())}
    clock.check()
    for (m, t), r in variables.running.items():
        if r.index not in decided:
            model.add_hint(r, m in begins and t in instance.run(m, begins[m]))
    members = {
        (instance.person_index.get(p), instance.mission_index.get(m)) for p, m in hint.members
    }
    clock.check()
    for key, x in variables.member.items():
        model.add_hint(x, key in members)
    represented = {
        (instance.people[p].unit_id, m) for p, m in members if p is not None and m is not None
    }
    for unit_m, z in variables.represented.items():
        model.add_hint(z, unit_m in represented)
    clock.check()
    for (p, m, t), w in variables.working.items():
        model.add_hint(w, (p, m) in members and m in begins and t in instance.run(m, begins[m]))
    time: dict[tuple[int, int, int], int] = {}
    for row in hint.assignments:
        person = instance.person_index.get(row.person_id)
        need = instance.need_index.get((row.mission_id, row.skill_id))
        if person is not None and need is not None:
            time[person, need, row.period] = row.steps
    clock.check()
    for at, a in variables.time.items():
        model.add_hint(a, time.get(at, 0))
    clock.check()
    for roles, chosen in ((variables.learning, hint.learners), (variables.mentoring, hint.mentors)):
        for (p, n), literal in roles.items():
            on = instance.needs[n]
            role = (instance.people[p].person_id, instance.missions[on.mission].mission_id)
            model.add_hint(literal, (*role, on.skill_id) in chosen)
    ops_index = {
        (need.unit_id, need.skill_id, need.period): o for o, need in enumerate(instance.ops)
    }
    ops: dict[tuple[int, int], int] = {}
    for kept in hint.ops:
        keeper = instance.person_index.get(kept.person_id)
        if keeper is None:
            continue
        o = ops_index.get((instance.people[keeper].unit_id, kept.skill_id, kept.period))
        if o is not None:
            ops[keeper, o] = kept.steps
    for key, var in variables.ops.items():
        model.add_hint(var, ops.get(key, 0))
