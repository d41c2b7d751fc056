"""The scenario's commitments alone: what a warm start staffs first when the greedy cannot.

The greedy plans teams one by one and covers operations around them; when many large
mandatory teams draw on the same few experts who also keep operations running (teams of
3-8 on rare skills: the benchmark's *mosaic* shape), each order it tries leaves either a
commitment or an operation short, though a plan exists.  CP-SAT finds one at once on the
commitments alone, because that model is small: the missions that must be staffed (and
the ones they wait for), every person and every operation.  The greedy then keeps those
teams and plans the rest around them.
"""

from __future__ import annotations

from collections.abc import Callable

from assembler.compile.instance import Instance
from assembler.domain.scenario import LockKind, Scenario
from assembler.domain.solution import Solution
from assembler.solver.greedy import greedy_solution
from assembler.solver.stopping import UNTIMED, Clock


def committed_missions(scenario: Scenario) -> set[str]:
    """Mandatory missions, missions someone is pinned to, and every mission they wait for
    (MODEL.md §6.10: a mission runs only after its befores, which must then run too)."""
    committed = {m.mission_id for m in scenario.missions if m.mandatory}
    committed |= {lock.mission_id for lock in scenario.locks if lock.lock is LockKind.PIN}
    befores = {m.mission_id: m.predecessors for m in scenario.missions}
    waiting = list(committed)
    while waiting:
        for before in befores.get(waiting.pop(), ()):
            if before not in committed:
                committed.add(before)
                waiting.append(before)
    return committed


def commitments_only(scenario: Scenario) -> Scenario | None:
    """``scenario`` with only its committed missions (and their rows), or ``None`` when it
    commits to nothing or to everything (then it is no smaller)."""
    kept = committed_missions(scenario)
    if not kept or len(kept) == len(scenario.missions):
        return None
    return scenario.replace(
        missions=tuple(m for m in scenario.missions if m.mission_id in kept),
        mission_needs=tuple(n for n in scenario.mission_needs if n.mission_id in kept),
        mission_capabilities=tuple(
            c for c in scenario.mission_capabilities if c.mission_id in kept
        ),
        preferences=tuple(p for p in scenario.preferences if p.mission_id in kept),
        locks=tuple(lock for lock in scenario.locks if lock.mission_id in kept),
    )


def plan_around_commitments(
    scenario: Scenario,
    instance: Instance,
    solve_alone: Callable[[Scenario], Solution | None],
    clock: Clock = UNTIMED,
) -> Solution | None:
    """The greedy's plan kept around the teams ``solve_alone`` finds for the commitments
    alone, or ``None`` when there are no commitments to separate or no plan for them."""
    committed = commitments_only(scenario)
    if committed is None:
        return None
    teams = solve_alone(committed)
    return None if teams is None else greedy_solution(instance, teams, clock)
