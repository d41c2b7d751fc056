"""An upper bound on the score from pooled time: a linear programme over the missions alone.

CP-SAT proves its bound from the LP of the whole model, which it must first read and
presolve: on 10,000 people in 60 s it is still reading when the limit comes (the bound
shown was the objective's trivial one, 5.14 % above the plan), and on 20,000 people it
never starts.  This bound keeps only the missions' variables (``y_m`` and the starts
``b_ms``, relaxed to [0, 1]) and pools people's time instead of following each person, so
it is solved in about a second at 10,000 people.  Every row is a sum of MODEL.md rows,
hence valid for every plan; period by period:

* a set of needs gets no more time than the people who can give it have after the
  operations only they can protect (per unit: the part of each operational demand that
  the others in the unit cannot cover, and of the unit's whole demand), and network needs
  no more than the units' network caps allow; the sets are each need, and the needs of
  the hierarchy missions each unit owns;
* a set of missions has no more members than its candidates may join missions at once
  (team size, network breadth, focus): all missions, the network's, and the hierarchy
  missions each unit owns;
* capabilities; ``after`` chains (staffing only); commitments;
* a mission that no plan can staff (``certificates.never_staffed``) stays out.

Those rows of whole amounts (time steps, members, capability units) against a mission
that runs or not are knapsacks, and a mission cannot half run: each also gets its rounded
forms (``_Knapsack.roundings``), and covers that the LP's solution violates are added in rounds
(``_Knapsack.violated_cover``), as MIP solvers strengthen such rows.  Over a horizon this
is what counts: on 1,000 people over 4 quarters the bound fell from 24,430,414 to
24,210,415 (default; the optimum is 23,890,280) and from 22,874,311 to 22,605,144
(committed; 22,330,059), below the full model's LP relaxation (22,669,240).

Each mission's coefficient bounds what staffing it can add: its value, the best team of
at least its minimum size by preference less membership cost, every development goal its
learner candidates could meet; each start costs its delay.  On the benchmark's 1,000-person
organisations it lies 0-3 % above the optimum (CP-SAT's LP bound at the limit is mostly
tighter there, and the engine keeps the tighter of the two).

The LP's solution says, besides, which missions a plan near the bound would staff: the
neighbourhood search re-plans first the missions where its plan and the LP disagree
(``lns.follow_the_relaxation``).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass

from ortools.linear_solver import pywraplp

from assembler.compile.certificates import committed, givers, never_staffed
from assembler.compile.instance import Instance

NUMERICAL_MARGIN = 1e-6
"""Relative slack added to the LP's optimum before rounding down: GLOP solves to
tolerances, and a bound a hair below the true optimum could call a plan optimal."""

COVER_ROUNDS = 10
"""Rounds of covers at most, each followed by a new solve: on the benchmark's 48
organisations the LP's solution violated no cover found after at most 6."""
COVER_VIOLATION = 1e-4
"""How far a cover must be exceeded to be added: less is GLOP's tolerance."""


@dataclass(frozen=True)
class Relaxation:
    """The pooled LP's answer: ``bound``, the most any plan can score (MODEL.md score
    points), and ``shares``, how much of each mission (``y_m``, by instance index) the
    LP's solution at that bound staffs."""

    bound: int
    shares: tuple[float, ...]


def pooled_relaxation(instance: Instance, seconds: float | None = None) -> Relaxation | None:
    """The pooled LP of ``instance`` solved (``None`` if it is not solved to optimality
    within ``seconds``)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    solver = pywraplp.Solver.CreateSolver("GLOP")
    pools = _Pools(instance)
    runs = _Runs(solver, instance)
    knapsacks = _add_rows(solver, instance, pools, runs)
    objective = solver.Objective()
    weights = instance.settings.weights
    for m, y in enumerate(runs.staffed):
        objective.SetCoefficient(y, _most_it_adds(instance, m, pools.team[m]))
        for start, b in runs.starts[m].items():
            objective.SetCoefficient(b, -weights.delay * instance.delay(m, start))
    objective.SetMaximization()
    return _solve_with_covers(solver, runs, knapsacks, deadline)


def _add_rows(
    solver: pywraplp.Solver, instance: Instance, pools: _Pools, runs: _Runs
) -> list[_Knapsack]:
    """Every row of the module's list; the knapsacks among them, for covers."""
    knapsacks: list[_Knapsack] = []
    for needs, network_only in pools.need_sets():
        demand = [(instance.needs[n].demand, instance.needs[n].mission) for n in needs]
        for t, supply in enumerate(pools.supply(needs, network_only)):
            knapsacks.append(_knapsack(solver, runs, supply, demand, t))
    for missions in pools.mission_sets():
        members = pools.memberships(missions)
        teams = [(pools.team[m], m) for m in missions]
        for t in instance.periods:
            knapsacks.append(_knapsack(solver, runs, members, teams, t))
    for limit in instance.capabilities:
        used = [(units, m) for m, units in limit.usage]
        for t in instance.periods:
            knapsacks.append(_knapsack(solver, runs, limit.available, used, t))
    for m, befores in enumerate(instance.after):
        for before in befores:
            _at_most(solver, 0, [(runs.staffed[m], 1.0), (runs.staffed[before], -1.0)])
    return knapsacks


def _solve_with_covers(
    solver: pywraplp.Solver, runs: _Runs, knapsacks: list[_Knapsack], deadline: float | None
) -> Relaxation | None:
    """The LP's optimum, solved again with the covers its solution violates until none is
    (``COVER_ROUNDS`` at most) or the time is up: every round's optimum is a bound, the
    last the tightest."""
    knapsacks = [row for row in knapsacks if row.has_covers()]
    relaxation = None
    for _ in range(COVER_ROUNDS + 1):
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            solver.SetTimeLimit(max(1, int(left * 1000)))
        if solver.Solve() != pywraplp.Solver.OPTIMAL:
            break
        value: float = solver.Objective().Value()
        bound = math.floor(value + NUMERICAL_MARGIN * max(1.0, abs(value)))
        relaxation = Relaxation(bound, tuple(y.solution_value() for y in runs.staffed))
        covers = [cover for row in knapsacks if (cover := row.violated_cover(runs)) is not None]
        if not covers:
            break
        for missions, most, t in covers:
            _at_most(solver, most, runs.running([(1, m) for m in missions], t))
    return relaxation


def _at_most(
    solver: pywraplp.Solver, limit: float, terms: Iterable[tuple[pywraplp.Variable, float]]
) -> None:
    """``Σ coefficient · variable ≤ limit`` (a variable may come more than once)."""
    summed: dict[pywraplp.Variable, float] = defaultdict(float)
    for variable, coefficient in terms:
        summed[variable] += coefficient
    if summed:
        row = solver.Constraint(-solver.infinity(), limit)
        for variable, coefficient in summed.items():
            row.SetCoefficient(variable, coefficient)


class _Runs:
    """``y_m`` and the start variables ``b_ms`` of each mission (MODEL.md §5, relaxed to
    [0, 1]), with which of them say that a mission runs in a period."""

    def __init__(self, solver: pywraplp.Solver, instance: Instance) -> None:
        self.instance = instance
        must = committed(instance)
        self.staffed = [
            _staffed_variable(solver, instance, m, must) for m in range(len(instance.missions))
        ]
        self.starts: list[dict[int, pywraplp.Variable]] = []
        for m, y in enumerate(self.staffed):
            starts = {
                start: solver.NumVar(0.0, 1.0, f"b{m}_{start}") for start in instance.starts[m]
            }
            once = solver.Constraint(0.0, 0.0)  # a staffed mission starts once
            once.SetCoefficient(y, -1.0)
            for b in starts.values():
                once.SetCoefficient(b, 1.0)
            self.starts.append(starts)

    def covering(self, m: int, t: int) -> list[pywraplp.Variable]:
        """The start variables of mission ``m`` whose run covers period ``t``: their sum is
        ``r_mt``."""
        duration = self.instance.duration[m]
        return [b for start, b in self.starts[m].items() if start <= t < start + duration]

    def present(self, per_mission: Iterable[tuple[float, int]], t: int) -> set[int]:
        """The missions of ``per_mission`` that can run in period ``t``."""
        return {m for _, m in per_mission if self.covering(m, t)}

    def value_running(self, m: int, t: int) -> float:
        """``r_mt`` in the LP's solution."""
        values: list[float] = [b.solution_value() for b in self.covering(m, t)]
        return sum(values)

    def running(
        self, per_mission: Iterable[tuple[float, int]], t: int
    ) -> list[tuple[pywraplp.Variable, float]]:
        """``Σ amount · r_mt`` over ``(amount, mission)`` pairs, as start-variable terms."""
        return [(b, amount) for amount, m in per_mission for b in self.covering(m, t)]


@dataclass(frozen=True)
class _Knapsack:
    """A row ``Σ amount_m · r_mt ≤ limit`` over whole amounts, each ``r_mt`` 0 or 1: only
    the missions that can run in period ``t`` (the others' ``r_mt`` is 0)."""

    limit: int
    amounts: dict[int, int]
    t: int

    @classmethod
    def of(cls, runs: _Runs, limit: int, per_mission: list[tuple[int, int]], t: int) -> _Knapsack:
        present = runs.present(per_mission, t)
        amounts: dict[int, int] = defaultdict(int)
        for amount, m in per_mission:
            if m in present and amount > 0:  # nothing to the row, and no cover's weight
                amounts[m] += amount
        return cls(limit, dict(amounts), t)

    def terms(self) -> list[tuple[int, int]]:
        return [(amount, m) for m, amount in self.amounts.items()]

    def has_covers(self) -> bool:
        """Whether two or more of its missions cannot all run at once (else no cover
        exists beyond what the roundings say)."""
        return len(self.amounts) > 1 and sum(self.amounts.values()) > self.limit

    def roundings(self) -> Iterator[tuple[list[tuple[int, int]], int]]:
        """Rows it implies because each ``r_mt`` is 0 or 1 and the amounts are whole (its
        rounded, Chvátal-Gomory forms): for each divisor ``d`` among the amounts,
        ``Σ ⌊amount_m / d⌋ · r_mt ≤ ⌊limit / d⌋`` (three missions of 2 units against 5:
        two run, where the LP ran two and a half), and at most as many missions as the
        smallest amounts fit.  A row that every combination of missions meets is left
        out."""
        amounts = self.amounts
        for d in sorted({a for a in amounts.values() if a > 1}):
            rounded = [(a // d, m) for m, a in amounts.items() if a >= d]
            most = self.limit // d
            if sum(a for a, _ in rounded) > most:
                yield rounded, most
        fitting, used = 0, 0
        for amount in sorted(amounts.values()):
            if used + amount > self.limit:
                break
            fitting, used = fitting + 1, used + amount
        if fitting < len(amounts):
            yield [(1, m) for m in amounts], fitting

    def violated_cover(self, runs: _Runs) -> tuple[list[int], int, int] | None:
        """A cover the LP's solution violates, extended: missions that cannot all run
        together (their amounts exceed the limit), so at most all but one of them do, and
        no more when any of them is swapped for a mission of at least the largest amount.
        Found greedily (most running, per amount, first), as MIP solvers separate them;
        ``None`` if this cover holds.  Returned as (missions, most of them, period)."""
        running = {m: runs.value_running(m, self.t) for m in self.amounts}
        order = sorted(self.amounts, key=lambda m: (1 - running[m]) / self.amounts[m])
        cover: list[int] = []
        weight = 0
        for m in order:
            if weight > self.limit:
                break
            cover.append(m)
            weight += self.amounts[m]
        if weight <= self.limit:
            return None
        for m in sorted(cover, key=lambda m: running[m]):  # minimal: drop what it need not hold
            if weight - self.amounts[m] > self.limit:
                cover.remove(m)
                weight -= self.amounts[m]
        if sum(running[m] for m in cover) <= len(cover) - 1 + COVER_VIOLATION:
            return None
        largest = max(self.amounts[m] for m in cover)
        extended = cover + [
            m for m, amount in self.amounts.items() if m not in cover and amount >= largest
        ]
        return extended, len(cover) - 1, self.t


def _knapsack(
    solver: pywraplp.Solver, runs: _Runs, limit: int, per_mission: list[tuple[int, int]], t: int
) -> _Knapsack:
    """``Σ amount_m · r_mt ≤ limit`` with its rounded forms; the row, for covers."""
    row = _Knapsack.of(runs, limit, per_mission, t)
    _at_most(solver, limit, runs.running(row.terms(), t))
    for rounded, most in row.roundings():
        _at_most(solver, most, runs.running(rounded, t))
    return row


def _staffed_variable(
    solver: pywraplp.Solver, instance: Instance, m: int, must: Collection[int]
) -> pywraplp.Variable:
    never = never_staffed(instance, m) is not None
    return solver.NumVar(1.0 if m in must else 0.0, 0.0 if never else 1.0, f"y{m}")


def _most_it_adds(instance: Instance, m: int, team: int) -> float:
    """An upper bound on what staffing mission ``m`` adds to the score (MODEL.md §7), its
    delay aside (that is on its start variables)."""
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
    return weights.value * instance.value[m] + best_team + development


class _Pools:
    """The sets of needs and of missions that get a row, and what each set can have."""

    def __init__(self, instance: Instance) -> None:
        self.instance = instance
        self.team = [self._least_team(m) for m in range(len(instance.missions))]
        self._ops: dict[tuple[str, int], list[int]] = defaultdict(list)
        for o, ops_need in enumerate(instance.ops):
            self._ops[ops_need.unit_id, ops_need.period].append(o)
        self._owned: dict[str, list[int]] = defaultdict(list)
        """Each unit's hierarchy missions."""
        for m, mission in enumerate(instance.missions):
            if not instance.is_network(m) and mission.owner_unit is not None:
                self._owned[mission.owner_unit].append(m)

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

    def need_sets(self) -> Iterable[tuple[list[int], bool]]:
        """Each need alone, then the needs of each unit's hierarchy missions; with whether
        every need of the set is a network mission's (then the network caps hold too)."""
        instance = self.instance
        for n, need in enumerate(instance.needs):
            yield [n], instance.is_network(need.mission)
        for missions in self._owned.values():
            yield [n for m in missions for n in instance.needs_of[m]], False

    def mission_sets(self) -> Iterable[list[int]]:
        """All missions, the network's, and each unit's hierarchy missions."""
        instance = self.instance
        everything = list(range(len(instance.missions)))
        yield everything
        network = [m for m in everything if instance.is_network(m)]
        if network:
            yield network
        yield from self._owned.values()

    def memberships(self, missions: Collection[int]) -> int:
        """The most memberships the candidates of ``missions`` can hold at once."""
        instance = self.instance
        people = {p for m in missions for p in instance.candidates[m]}
        return sum(instance.max_missions[p] for p in people)

    def supply(self, needs: Collection[int], network_only: bool) -> list[int]:
        """Per period, the most time the people who can give ``needs`` have for them: per
        unit, their time less the operations only they can protect."""
        instance = self.instance
        people = {p for n in needs for p in givers(instance.needs[n])}
        units = {instance.people[p].unit_id for p in people}
        totals = [0] * instance.horizon
        for unit_id in units:
            members = instance.people_of_unit[unit_id]
            for t in instance.periods:
                own = sum(instance.capacity[p][t] for p in members if p in people)
                others = sum(instance.capacity[p][t] for p in members) - own
                room = own - self._protected_by(unit_id, t, people, others)
                if network_only and (unit_id, t) in instance.network_cap:
                    room = min(room, instance.network_cap[unit_id, t])
                totals[t] += max(0, room)
        return totals

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
