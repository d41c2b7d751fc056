"""Time kept on operations, as a plan reports it: whichever solver found the plan."""

from __future__ import annotations

from assembler.compile.instance import Instance
from assembler.domain.solution import OpsAssignment


def ops_rows(instance: Instance, kept: dict[tuple[int, int], int]) -> tuple[OpsAssignment, ...]:
    """``kept`` (steps by person and operational need) without the surplus beyond each
    need's protected requirement.  Operations carry no weight in the score, so a solver may
    park spare time there; handing it back keeps "free" time in the reports meaning what a
    planner thinks it means."""
    surplus = [-need.required for need in instance.ops]
    for (_, o), steps in kept.items():
        surplus[o] += steps
    rows = []
    for (p, o), steps in kept.items():
        if steps <= 0:
            continue
        trimmed = min(steps, surplus[o])
        surplus[o] -= trimmed
        if steps > trimmed:
            need = instance.ops[o]
            rows.append(
                OpsAssignment(
                    instance.people[p].person_id, need.skill_id, steps - trimmed, need.period
                )
            )
    return tuple(rows)
