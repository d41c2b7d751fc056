"""MODEL.md §5–7 as a time-indexed MILP, for HiGHS: the engine's second solver.

Why a MILP beside CP-SAT: over a horizon CP-SAT's LP bound stays far above the optimum for
the whole limit, while HiGHS's root cuts close it.  On 1,000 people over 4 quarters
(M4 default) CP-SAT's bound at 30 s was 24.3-24.5 M; HiGHS's root LP gives 24,185,268 and
its cuts 23,890,282, against an optimum of 23,890,280 (which HiGHS's sub-MIP also finds).

This module imports no OR-Tools, and HiGHS only inside ``highs_model``: OR-Tools bundles a
HiGHS of its own and the two cannot share a process, so HiGHS runs in a process of its
own (``portfolio``).  The benchmark's HiGHS peer solves this same formulation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from assembler.compile.instance import Instance
from assembler.domain.solution import Assignment, Solution
from assembler.solver.ops_time import ops_rows

if TYPE_CHECKING:
    import highspy

Terms = list[tuple[int, float]]


@dataclass
class Milp:
    """The MILP in HiGHS's row-wise sparse form, with the columns a plan is read from."""

    upper: list[float] = field(default_factory=list)
    cost: list[float] = field(default_factory=list)
    starts: list[int] = field(default_factory=lambda: [0])
    index: list[int] = field(default_factory=list)
    value: list[float] = field(default_factory=list)
    row_lower: list[float] = field(default_factory=list)
    row_upper: list[float] = field(default_factory=list)
    staffed: list[int] = field(default_factory=list)
    """``y_m`` by mission."""
    start: dict[tuple[int, int], int] = field(default_factory=dict)
    """``b_ms`` by (mission, start); ``y_m`` itself for a mission with one start."""
    member: dict[tuple[int, int], int] = field(default_factory=dict)
    """``x_pm`` by (person, mission)."""
    given: dict[tuple[int, int, int], int] = field(default_factory=dict)
    """``a`` by (person, need, period)."""
    kept: dict[tuple[int, int], int] = field(default_factory=dict)
    """``o`` by (person, operational need)."""
    learning: dict[tuple[int, int], int] = field(default_factory=dict)
    """``g`` by (person, need)."""
    mentoring: dict[tuple[int, int], int] = field(default_factory=dict)
    """``h`` by (person, need)."""
    overlap: dict[tuple[int, int, int], int] = field(default_factory=dict)
    """``w`` by (person, mission, period): the member while the mission runs."""
    breadth: dict[tuple[int, str], int] = field(default_factory=dict)
    """``z`` by (mission, unit): the unit has a member on the mission."""

    def column(self, upper: float, cost: float = 0.0) -> int:
        self.upper.append(upper)
        self.cost.append(cost)
        return len(self.upper) - 1

    def row(self, terms: Terms, lower: float, upper: float) -> None:
        for column, coefficient in terms:
            self.index.append(column)
            self.value.append(coefficient)
        self.starts.append(len(self.index))
        self.row_lower.append(lower)
        self.row_upper.append(upper)


def milp_of(instance: Instance, inf: float) -> Milp:
    """The time-indexed MILP of MODEL.md v3 (exactly v2's with v3's defaults, v1's without
    periods): ``b_mt`` per possible start (``y_m`` when there is one), ``r_mt`` as sums of
    starts, ``w_pmt`` where the focus limit can bind, ``g``/``h`` on needs with learner
    candidates, the network cap where it can bind.  Its objective is the MODEL.md score."""
    weights = instance.settings.weights
    lp = Milp()
    y = lp.staffed
    y.extend(lp.column(1, weights.value * v) for v in instance.value)
    start = lp.start
    for m, possible in enumerate(instance.starts):
        if not possible:
            lp.row([(y[m], 1.0)], 0, 0)
            continue
        for s in possible:
            cost = -float(weights.delay * instance.delay(m, s))
            if instance.is_fixed(m):
                start[m, s] = y[m]
                lp.cost[y[m]] += cost
            else:
                start[m, s] = lp.column(1, cost)
        if not instance.is_fixed(m):
            lp.row([*((start[m, s], 1.0) for s in possible), (y[m], -1.0)], 0, 0)

    def running(m: int, t: int) -> Terms:
        d = instance.duration[m]
        return [(start[m, s], 1.0) for s in instance.starts[m] if t - d < s <= t]

    x = lp.member
    for m, people in enumerate(instance.candidates):
        for p in people:
            cost = weights.preference * instance.preference.get((p, m), 0) - weights.assignment
            x[p, m] = lp.column(1, cost)
    load: dict[tuple[int, int], Terms] = {}
    share: dict[tuple[int, int, int], Terms] = {}
    given = lp.given
    network: dict[tuple[str, int], Terms] = {}
    for n, need in enumerate(instance.needs):
        m = need.mission
        for t in instance.window(m):
            supply = []
            for p in need.giving:
                bound = min(need.demand, instance.capacity[p][t])
                if bound == 0:
                    continue
                a = lp.column(bound)
                given[p, n, t] = a
                supply.append((a, 1.0))
                load.setdefault((p, t), []).append((a, 1.0))
                share.setdefault((p, m, t), []).append((a, 1.0))
                lp.row([(a, 1.0), (x[p, m], -float(bound))], -inf, 0)
                capped = (instance.people[p].unit_id, t)
                if capped in instance.network_cap and instance.is_network(m):
                    network.setdefault(capped, []).append((a, 1.0))
            demand = [(b, -float(need.demand)) for b, _ in running(m, t)]
            lp.row([*supply, *demand], 0, 0)
    for (unit_id, t), terms in network.items():  # §6.12 (v3)
        lp.row(terms, -inf, instance.network_cap[unit_id, t])

    def works_whenever_running(p: int, n: int, role: int) -> None:
        """§6.11: a learner or mentor gives ``min(A_m, D_mk)`` whenever the mission runs."""
        need = instance.needs[n]
        least = float(min(instance.min_share[need.mission], need.demand))
        if least == 0:
            return
        for t in instance.window(need.mission):
            on = running(need.mission, t)
            a = given.get((p, n, t))
            if a is None:
                lp.row([(role, 1.0), *on], -inf, 1)
            else:
                lp.row([(a, 1.0), (role, -least), *((b, -least) for b, _ in on)], -least, inf)

    development = float(weights.development)
    for n, need in enumerate(instance.needs):  # §6.11 (v3): learners under mentors
        if not need.learners:
            continue
        m = need.mission
        learners, mentors = [], []
        for p in need.learners:
            goal = instance.goal.get((p, need.skill_id), 0)
            g = lp.column(1, development * goal)
            lp.learning[p, n] = g
            learners.append((g, 1.0))
            lp.row([(g, 1.0), (x[p, m], -1.0)], -inf, 0)
            for t in instance.window(m):
                if (p, n, t) in given:
                    lp.row([(given[p, n, t], 1.0), (g, -float(need.demand))], -inf, 0)
            works_whenever_running(p, n, g)
        for p in need.mentors:
            h = lp.column(1)
            lp.mentoring[p, n] = h
            mentors.append((h, -float(instance.settings.learners_per_mentor)))
            lp.row([(h, 1.0), (x[p, m], -1.0)], -inf, 0)
            works_whenever_running(p, n, h)
        lp.row([*learners, *mentors], -inf, 0)
    for (p, m), column in x.items():
        lp.row([(column, 1.0), (y[m], -1.0)], -inf, 0)
        amount = float(instance.min_share[m])
        if amount == 0:
            continue
        for t in instance.window(m):
            terms = share.get((p, m, t), [])
            on = running(m, t)
            if instance.is_fixed(m):
                lp.row([*terms, (column, -amount)], 0, inf)
            else:
                lp.row([*terms, (column, -amount), *((b, -amount) for b, _ in on)], -amount, inf)
    for o, ops_need in enumerate(instance.ops):
        cover = []
        for p in ops_need.eligible:
            kept = lp.column(instance.capacity[p][ops_need.period])
            lp.kept[p, o] = kept
            cover.append((kept, 1.0))
            load.setdefault((p, ops_need.period), []).append((kept, 1.0))
        lp.row(cover, ops_need.required, inf)
    for (p, t), terms in load.items():
        lp.row(terms, -inf, instance.capacity[p][t])
    members: dict[int, Terms] = {m: [] for m in range(len(instance.missions))}
    focus: dict[tuple[int, int], Terms] = {}
    for (p, m), column in x.items():
        members[m].append((column, 1.0))
        for t in instance.window(m):
            if instance.is_fixed(m):
                focus.setdefault((p, t), []).append((column, 1.0))
                continue
            w = lp.column(1)  # w ≥ x + r − 1
            lp.overlap[p, m, t] = w
            lp.row([(w, 1.0), (column, -1.0), *((b, -1.0) for b, _ in running(m, t))], -1, inf)
            focus.setdefault((p, t), []).append((w, 1.0))
    for m, mission in enumerate(instance.missions):
        team = members[m]
        lp.row([*team, (y[m], -float(mission.min_team))], 0, inf)
        if mission.max_team is not None:
            lp.row([*team, (y[m], -float(mission.max_team))], -inf, 0)
        if mission.mandatory:
            lp.row([(y[m], 1.0)], 1, 1)
        if instance.needs_breadth(m):
            by_unit: dict[str, Terms] = {}
            for p in instance.candidates[m]:
                by_unit.setdefault(instance.people[p].unit_id, []).append((x[p, m], -1.0))
            zs = []
            for unit_id, unit_members in by_unit.items():
                z = lp.column(1)
                lp.breadth[m, unit_id] = z
                zs.append((z, 1.0))
                lp.row([(z, 1.0), *unit_members], -inf, 0)
            lp.row([*zs, (y[m], -float(instance.settings.network_min_units))], 0, inf)
        for before in instance.after[m]:  # MODEL.md §6.10, each mission it waits for
            lp.row([(y[m], 1.0), (y[before], -1.0)], -inf, 0)
            for s in instance.starts[m]:
                ready = [
                    (start[before, s0], 1.0)
                    for s0 in instance.starts[before]
                    if s0 + instance.duration[before] <= s
                ]
                lp.row([(start[m, s], 1.0), *((b, -1.0) for b, _ in ready)], -inf, 0)
    for (p, _), terms in focus.items():
        if len(terms) > instance.max_missions[p]:
            lp.row(terms, -inf, instance.max_missions[p])
    for limit in instance.capabilities:
        for t in instance.periods:
            use = [(b, float(units)) for m, units in limit.usage for b, _ in running(m, t)]
            if use:
                lp.row(use, -inf, limit.available)
    for p, m in instance.pins:
        if (p, m) in x:
            lp.row([(x[p, m], 1.0)], 1, 1)
        else:
            lp.row([], 1, 1)
    return lp


def highs_model(lp: Milp) -> highspy.HighsLp:
    """``lp`` as HiGHS's model: every column integer, the score maximised."""
    import highspy
    import numpy as np

    model = highspy.HighsLp()
    model.num_col_ = len(lp.upper)
    model.num_row_ = len(lp.row_lower)
    model.sense_ = highspy.ObjSense.kMaximize
    model.col_cost_ = np.array(lp.cost)
    model.col_lower_ = np.zeros(len(lp.upper))
    model.col_upper_ = np.array(lp.upper, dtype=float)
    model.row_lower_ = np.array(lp.row_lower)
    model.row_upper_ = np.array(lp.row_upper)
    model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    model.a_matrix_.start_ = np.array(lp.starts)
    model.a_matrix_.index_ = np.array(lp.index)
    model.a_matrix_.value_ = np.array(lp.value)
    model.integrality_ = [highspy.HighsVarType.kInteger] * len(lp.upper)
    return model


def encode(instance: Instance, lp: Milp, plan: Solution) -> list[float]:
    """``plan`` as a value for every column (the inverse of ``decode``), the auxiliary
    ``w`` and ``z`` at the values the plan implies: a whole solution, which HiGHS takes as
    its incumbent as it is, at the start or in the middle of its search (``portfolio``)."""
    values = [0.0] * len(lp.upper)
    person, mission = instance.person_index, instance.mission_index
    starts: dict[int, int] = {}
    for mission_id in plan.staffed:
        m = mission[mission_id]
        values[lp.staffed[m]] = 1.0
        starts[m] = plan.start_of(mission_id, instance.earliest[m])
        start = lp.start.get((m, starts[m]))
        if start is not None:
            values[start] = 1.0
    for person_id, mission_id in plan.members:
        column = lp.member.get((person[person_id], mission[mission_id]))
        if column is not None:
            values[column] = 1.0
    for row in plan.assignments:
        n = instance.need_index[row.mission_id, row.skill_id]
        column = lp.given.get((person[row.person_id], n, row.period))
        if column is not None:
            values[column] = float(row.steps)
    ops = {(need.unit_id, need.skill_id, need.period): o for o, need in enumerate(instance.ops)}
    for kept in plan.ops:
        p = person[kept.person_id]
        o = ops.get((instance.people[p].unit_id, kept.skill_id, kept.period))
        column = None if o is None else lp.kept.get((p, o))
        if column is not None:
            values[column] = float(kept.steps)
    for roles, chosen in ((lp.learning, plan.learners), (lp.mentoring, plan.mentors)):
        for person_id, mission_id, skill_id in chosen:
            column = roles.get((person[person_id], instance.need_index[mission_id, skill_id]))
            if column is not None:
                values[column] = 1.0
    for (p, m, t), column in lp.overlap.items():
        on = values[lp.member[p, m]] > 0 and m in starts
        if on and starts[m] <= t < starts[m] + instance.duration[m]:
            values[column] = 1.0
    for (m, unit_id), column in lp.breadth.items():
        if any(
            values[lp.member[p, m]] > 0
            for p in instance.candidates[m]
            if instance.people[p].unit_id == unit_id
        ):
            values[column] = 1.0
    return values


def decode(instance: Instance, lp: Milp, values: list[float]) -> Solution:
    """The plan in HiGHS's column ``values`` (integral up to HiGHS's tolerance)."""

    def on(column: int) -> bool:
        return values[column] > 0.5

    def steps(column: int) -> int:
        return round(values[column])

    people, missions, needs = instance.people, instance.missions, instance.needs
    staffed = {m for m, column in enumerate(lp.staffed) if on(column)}
    assignments = tuple(
        Assignment(
            people[p].person_id,
            missions[needs[n].mission].mission_id,
            needs[n].skill_id,
            steps(column),
            t,
        )
        for (p, n, t), column in lp.given.items()
        if steps(column) > 0
    )
    starts = {}
    if instance.scenario.has_horizon:
        starts = {
            missions[m].mission_id: s
            for (m, s), column in lp.start.items()
            if m in staffed and on(column)
        }
    learners, mentors = (
        frozenset(
            (people[p].person_id, missions[needs[n].mission].mission_id, needs[n].skill_id)
            for (p, n), column in roles.items()
            if on(column)
        )
        for roles in (lp.learning, lp.mentoring)
    )
    return Solution(
        staffed=frozenset(missions[m].mission_id for m in staffed),
        members=frozenset(
            (people[p].person_id, missions[m].mission_id)
            for (p, m), column in lp.member.items()
            if on(column)
        ),
        assignments=assignments,
        ops=ops_rows(instance, {key: steps(column) for key, column in lp.kept.items()}),
        starts=starts,
        learners=learners,
        mentors=mentors,
    )
