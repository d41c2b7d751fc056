"""Decision variables of MODEL.md §5, created only where the model allows them.

``a`` exists only for eligible (person, need) pairs and ``x`` only for people eligible
for some need of the mission, so eligibility is enforced by construction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from assembler.compile.instance import Instance


@dataclass
class Variables:
    """All variables plus the groupings the constraints sum over."""

    staffed: list[cp_model.IntVar]  # y_m
    member: dict[tuple[int, int], cp_model.IntVar]  # x_pm, key (person, mission)
    time: dict[tuple[int, int], cp_model.IntVar]  # a_pmk, key (person, need)
    ops: dict[tuple[int, int], cp_model.IntVar]  # o_pk, key (person, ops need)
    represented: dict[tuple[str, int], cp_model.IntVar] = field(default_factory=dict)  # z_um

    def time_of_person(self) -> dict[int, list[cp_model.IntVar]]:
        grouped: dict[int, list[cp_model.IntVar]] = defaultdict(list)
        for (p, _), var in self.time.items():
            grouped[p].append(var)
        for (p, _), var in self.ops.items():
            grouped[p].append(var)
        return grouped


def create_variables(model: cp_model.CpModel, instance: Instance) -> Variables:
    staffed = [model.new_bool_var(f"y[{m.mission_id}]") for m in instance.missions]
    member = {
        (p, m): model.new_bool_var(f"x[{p},{m}]")
        for m, people in enumerate(instance.candidates)
        for p in people
    }
    time = {
        (p, n): model.new_int_var(0, min(need.demand, instance.capacity[p]), f"a[{p},{n}]")
        for n, need in enumerate(instance.needs)
        for p in need.eligible
    }
    ops = {
        (p, o): model.new_int_var(0, instance.capacity[p], f"o[{p},{o}]")
        for o, ops_need in enumerate(instance.ops)
        for p in ops_need.eligible
    }
    return Variables(staffed, member, time, ops)
