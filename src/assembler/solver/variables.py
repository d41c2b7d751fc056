"""Decision variables of MODEL.md §5, created only where the model allows them.

``a`` exists only for eligible (person, need) pairs in periods the mission may run and the
person has time, and ``x`` only for people eligible for some need of the mission, so
eligibility is enforced by construction.  What a mission's timing does not need is compiled
away: a mission with one possible start has no start variables (its start is ``y``, it runs
when ``y`` says so), and ``w`` exists only where the focus limit can bind.  A learner
candidate (MODEL.md v3) has ``a`` and ``x`` like an eligible person, plus ``g``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from assembler.compile.instance import Instance
from assembler.solver.stopping import UNTIMED, Clock

Literal = cp_model.IntVar


@dataclass
class Variables:
    """All variables plus the groupings the constraints sum over."""

    staffed: list[Literal]  # y_m
    starts: dict[tuple[int, int], Literal]  # b_mt, key (mission, period); y_m if fixed in time
    running: dict[tuple[int, int], Literal]  # r_mt, key (mission, period in its window)
    member: dict[tuple[int, int], Literal]  # x_pm, key (person, mission)
    time: dict[tuple[int, int, int], cp_model.IntVar]  # a_pmkt, key (person, need, period)
    ops: dict[tuple[int, int], cp_model.IntVar]  # o_pkt, key (person, ops need of a period)
    represented: dict[tuple[str, int], Literal] = field(default_factory=dict)  # z_um
    working: dict[tuple[int, int, int], Literal] = field(default_factory=dict)  # w_pmt
    learning: dict[tuple[int, int], Literal] = field(default_factory=dict)  # g_pmk, (person, need)
    mentoring: dict[tuple[int, int], Literal] = field(default_factory=dict)  # h_pmk, (person, need)


def create_variables(
    model: cp_model.CpModel, instance: Instance, clock: Clock = UNTIMED
) -> Variables:
    staffed = [model.new_bool_var(f"y[{m.mission_id}]") for m in instance.missions]
    starts, running = _timing(model, instance, staffed)
    member = {
        (p, m): model.new_bool_var(f"x[{p},{m}]")
        for m, people in enumerate(instance.candidates)
        for p in people
    }
    capacity = instance.capacity
    time: dict[tuple[int, int, int], cp_model.IntVar] = {}
    for n, need in enumerate(instance.needs):
        clock.check()
        for t in instance.window(need.mission):
            for p in need.giving:
                if capacity[p][t] > 0:
                    upper = min(need.demand, capacity[p][t])
                    time[p, n, t] = model.new_int_var(0, upper, f"a[{p},{n},{t}]")
    ops = {
        (p, o): model.new_int_var(0, capacity[p][ops_need.period], f"o[{p},{o}]")
        for o, ops_need in enumerate(instance.ops)
        for p in ops_need.eligible
    }
    variables = Variables(staffed, starts, running, member, time, ops)
    _learning(model, instance, variables)
    return variables


def _learning(model: cp_model.CpModel, instance: Instance, variables: Variables) -> None:
    """``g`` and ``h`` of MODEL.md v3: only for needs with learner candidates, so with
    ``stretch_levels = 0`` there are none (a mentor matters only where someone may learn)."""
    for n, need in enumerate(instance.needs):
        if not need.learners:
            continue
        for p in need.learners:
            variables.learning[p, n] = model.new_bool_var(f"g[{p},{n}]")
        for p in need.mentors:
            variables.mentoring[p, n] = model.new_bool_var(f"h[{p},{n}]")


def _timing(
    model: cp_model.CpModel, instance: Instance, staffed: list[Literal]
) -> tuple[dict[tuple[int, int], Literal], dict[tuple[int, int], Literal]]:
    """``b_mt`` and ``r_mt``.  Fixed missions reuse ``y`` for both; for the others ``r_mt``
    is the one start literal that covers ``t`` or a new literal equal to their sum."""
    starts: dict[tuple[int, int], Literal] = {}
    running: dict[tuple[int, int], Literal] = {}
    for m, y in enumerate(staffed):
        possible = instance.starts[m]
        if not possible:
            model.add(y == 0)
            continue
        if instance.is_fixed(m):
            starts[m, possible.start] = y
            for t in instance.run(m, possible.start):
                running[m, t] = y
            continue
        for t in possible:
            starts[m, t] = model.new_bool_var(f"b[{m},{t}]")
        model.add(cp_model.LinearExpr.sum([starts[m, t] for t in possible]) == y)
        for t in instance.window(m):
            covering = [starts[m, s] for s in possible if t - instance.duration[m] < s <= t]
            if len(covering) == 1:
                running[m, t] = covering[0]
            else:
                r = model.new_bool_var(f"r[{m},{t}]")
                model.add(cp_model.LinearExpr.sum(covering) == r)
                running[m, t] = r
    return starts, running
