"""An upper bound on the score from pooled time: a linear programme over the missions alone.

CP-SAT proves its bound from the LP of the whole model, which it must first read and
presolve: on 10,000 people in 60 s it is still reading when the limit comes (the bound
shown was the objective's trivial one, 5.14 % above the plan), and on 20,000 people it
never starts.  This bound keeps one variable per mission (``y_m`` in [0, 1]) and pools
people's time instead of following each person, so it is solved in about a second at
10,000 people.  Every row is a sum of MODEL.md rows, hence valid for every plan:

* a set of needs gets no more time, over the horizon, than the people who can give it
  have after the operations only they can protect (per unit and period: the part of each
  operational demand that the others in the unit cannot cover, and of the unit's whole
  demand), and network needs no more than the units' network caps allow; the sets are
  each need, and the needs of the hierarchy missions each unit owns;
* a set of missions has no more members, period by period, than its candidates may join
  missions at once (team size, network breadth, focus): all missions, the network's, and
  the hierarchy missions each unit owns;
* capabilities, summed over the horizon; ``after`` chains; commitments;
* a mission that no plan can staff (``certificates.never_staffed``) stays out.

Each mission's coefficient bounds what staffing it can add: its value, the best team of
at least its minimum size by preference less membership cost, every development goal its
learner candidates could meet, less the delay of its earliest possible start.  On the
benchmark's 1,000-person organisations it lies 0.2-3 % above the optimum (CP-SAT's LP
bound at the limit is tighter, and the engine keeps the tighter of the two).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Collection, Iterable

from ortools.linear_solver import pywraplp

from assembler.compile.certificates import givers, never_staffed
from assembler.compile.instance import Instance

NUMERICAL_MARGIN = 1e-6
"""Relative slack added to the LP's optimum before rounding down: GLOP solves to
tolerances, and a bound a hair below the true optimum could call a plan optimal."""


def pooled_bound(instance: Instance, seconds: float | None = None) -> int | None:
    """The most any plan of ``instance`` can score by the pooled LP, in MODEL.md score
    points (``None`` if the LP is not solved to optimality within ``seconds``)."""
    solver = pywraplp.Solver.CreateSolver("GLOP")
    if seconds is not None:
        solver.SetTimeLimit(max(1, int(seconds * 1000)))
    pools = _Pools(instance)
    staffed = [_staffed_variable(solver, instance, m) for m in range(len(instance.missions))]
    for needs, network_only in pools.need_sets():
        row = solver.Constraint(-solver.infinity(), pools.supply(needs, network_only))
        for n in needs:
            need = instance.needs[n]
            m = need.mission
            row.SetCoefficient(staffed[m], row.GetCoefficient(staffed[m]) + _steps(instance, n))
    for missions in pools.mission_sets():
        row = solver.Constraint(-solver.infinity(), pools.memberships(missions))
        for m in missions:
            row.SetCoefficient(staffed[m], pools.team[m] * instance.duration[m])
    for limit in instance.capabilities:
        row = solver.Constraint(-solver.infinity(), limit.available * instance.horizon)
        for m, units in limit.usage:
            used = row.GetCoefficient(staffed[m]) + units * instance.duration[m]
            row.SetCoefficient(staffed[m], used)
    for m, befores in enumerate(instance.after):
        for before in befores:
            row = solver.Constraint(-solver.infinity(), 0.0)
            row.SetCoefficient(staffed[m], 1.0)
            row.SetCoefficient(staffed[before], -1.0)
    objective = solver.Objective()
    for m, y in enumerate(staffed):
        objective.SetCoefficient(y, _most_it_adds(instance, m, pools.team[m]))
    objective.SetMaximization()
    if solver.Solve() != pywraplp.Solver.OPTIMAL:
        return None
    value: float = objective.Value()
    return math.floor(value + NUMERICAL_MARGIN * max(1.0, abs(value)))


def _staffed_variable(solver: pywraplp.Solver, instance: Instance, m: int) -> pywraplp.Variable:
    committed = m in instance.mandatory or any(pinned == m for _, pinned in instance.pins)
    never = never_staffed(instance, m) is not None
    return solver.NumVar(1.0 if committed else 0.0, 0.0 if never else 1.0, f"y{m}")


def _steps(instance: Instance, n: int) -> int:
    """The need's time over a whole run of its mission."""
    need = instance.needs[n]
    return need.demand * instance.duration[need.mission]


def _most_it_adds(instance: Instance, m: int, team: int) -> float:
    """An upper bound on what staffing mission ``m`` adds to the score (MODEL.md §7)."""
    weights = instance.settings.weights
    nets = sorted(
        (
            weights.preference * instance.preference.get((p, m), 0) - weights.assignment
            for p in instance.candidates[m]
        ),
        reverse=True,
    )
    best_team = sum(nets[: max(team, sum(1 for net in nets if net > 0))])
    development = weights.development * sum(
        instance.goal.get((p, instance.needs[n].skill_id), 0)
        for n in instance.needs_of[m]
        for p in instance.needs[n].learners
    )
    starts = instance.starts[m]
    delay = weights.delay * (starts.start - instance.earliest[m]) if starts else 0
    return weights.value * instance.value[m] + best_team + development - delay


class _Pools:
    """The sets of needs and of missions that get a row, and what each set can have."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.team = [self._least_team(m) for m in range(len(instance.missions))]
        self._ops: dict[tuple[str, int], list[int]] = defaultdict(list)
        for o, ops_need in enumerate(instance.ops):
            self._ops[ops_need.unit_id, ops_need.period].append(o)

    def _least_team(self, m: int) -> int:
        """The fewest members a staffed ``m`` can have: its minimum team, one member for
        any time at all, and one per unit its network breadth requires."""
        instance = self.instance
        least = instance.missions[m].min_team
        if any(instance.needs[n].demand > 0 for n in instance.needs_of[m]):
            least = max(least, 1)
        if instance.needs_breadth(m):
            least = max(least, instance.settings.network_min_units)
        return least

    def _owned(self) -> dict[str, list[int]]:
        owned: dict[str, list[int]] = defaultdict(list)
        for m, mission in enumerate(self.instance.missions):
            if not self.instance.is_network(m) and mission.owner_unit is not None:
                owned[mission.owner_unit].append(m)
        return owned

    def need_sets(self) -> Iterable[tuple[list[int], bool]]:
        """Each need alone, then the needs of each unit's hierarchy missions; with whether
        every need of the set is a network mission's (then the network caps hold too)."""
        instance = self.instance
        for n, need in enumerate(instance.needs):
            yield [n], instance.is_network(need.mission)
        for missions in self._owned().values():
            yield [n for m in missions for n in instance.needs_of[m]], False

    def mission_sets(self) -> Iterable[list[int]]:
        """All missions, the network's, and each unit's hierarchy missions."""
        instance = self.instance
        everything = list(range(len(instance.missions)))
        yield everything
        network = [m for m in everything if instance.is_network(m)]
        if network:
            yield network
        yield from self._owned().values()

    def memberships(self, missions: Collection[int]) -> int:
        """The most (member, period) pairs the candidates of ``missions`` can fill."""
        instance = self.instance
        people = {p for m in missions for p in instance.candidates[m]}
        return sum(instance.max_missions[p] for p in people) * instance.horizon

    def supply(self, needs: Collection[int], network_only: bool) -> int:
        """The most time the people who can give ``needs`` have for them, over the horizon:
        per unit and period, their time less the operations only they can protect."""
        instance = self.instance
        people = {p for n in needs for p in givers(instance.needs[n])}
        units = {instance.people[p].unit_id for p in people}
        total = 0
        for unit_id in units:
            members = instance.people_of_unit[unit_id]
            for t in instance.periods:
                own = sum(instance.capacity[p][t] for p in members if p in people)
                others = sum(instance.capacity[p][t] for p in members) - own
                room = own - self._protected_by(unit_id, t, people, others)
                if network_only and (unit_id, t) in instance.network_cap:
                    room = min(room, instance.network_cap[unit_id, t])
                total += max(0, room)
        return total

    def _protected_by(self, unit_id: str, t: int, people: Collection[int], others: int) -> int:
        """The least operational time ``people`` of ``unit_id`` must keep in period ``t``:
        what the unit's other people cannot cover, demand by demand and in all."""
        instance = self.instance
        required = 0
        each = 0
        for o in self._ops[unit_id, t]:
            ops_need = instance.ops[o]
            required += ops_need.required
            outside = sum(instance.capacity[p][t] for p in ops_need.eligible if p not in people)
            each += max(0, ops_need.required - outside)
        return max(each, required - others)
