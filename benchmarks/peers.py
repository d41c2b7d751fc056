"""The engine and what a user would pick instead, each run the same way on one scenario.

* ``engine``  — ``assembler.solve`` (greedy warm start, tuned CP-SAT parameters);
* ``cp-sat``  — the straightforward CP-SAT formulation: the same model with CP-SAT's
  default parameters and no warm start (the model as first written);
* ``greedy``  — the constructive heuristic a planner might write (no solver at all);
* ``highs``   — the same model as a MILP, solved by HiGHS.

Every runner returns a ``Run`` with the same fields so the harness can print one table.
HiGHS and OR-Tools cannot share a process (OR-Tools bundles its own HiGHS), so each runner
imports its solver itself and the harness runs each in a fresh process.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from assembler import SolveSettings
from assembler.compile.instance import Instance
from assembler.domain.scenario import Scenario
from assembler.results.kpis import evaluate
from assembler.solver.greedy import greedy_solution

WORKERS = 2


@dataclass
class Run:
    solver: str
    build_seconds: float
    first_seconds: float | None
    seconds: float
    status: str
    score: int | None
    bound: float | None

    @property
    def gap(self) -> float | None:
        if self.score is None or self.bound is None:
            return None
        return abs(self.bound - self.score) / max(1.0, abs(self.score))


def run_engine(scenario: Scenario, limit: float) -> Run:
    from assembler.solver import solve

    started = time.perf_counter()
    first: list[float] = []

    def progress(_: object) -> None:
        if not first:
            first.append(time.perf_counter() - started)

    result = solve(scenario, SolveSettings(time_limit=limit, workers=WORKERS, progress=progress))
    return Run(
        "engine",
        result.build_seconds,
        first[0] if first else None,
        result.build_seconds + result.solve_seconds,
        str(result.status),
        result.score,
        result.best_bound,
    )


def run_plain_cpsat(scenario: Scenario, limit: float) -> Run:
    from ortools.sat.python import cp_model

    from assembler.solver.model import build_model

    started = time.perf_counter()
    model, _ = build_model(Instance(scenario))
    build = time.perf_counter() - started
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = limit
    solver.parameters.num_workers = WORKERS
    first: list[float] = []

    class FirstSolution(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            if not first:
                first.append(time.perf_counter() - started)

    status = solver.solve(model, FirstSolution())
    found = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    return Run(
        "cp-sat",
        build,
        first[0] if first else None,
        time.perf_counter() - started,
        solver.status_name(status).lower(),
        round(solver.objective_value) if found else None,
        solver.best_objective_bound if found else None,
    )


def run_greedy(scenario: Scenario, limit: float) -> Run:
    started = time.perf_counter()
    instance = Instance(scenario)
    build = time.perf_counter() - started
    plan = greedy_solution(instance)
    seconds = time.perf_counter() - started
    score = evaluate(instance, plan).score if plan is not None else None
    return Run(
        "greedy",
        build,
        seconds if plan else None,
        seconds,
        "feasible" if plan else "failed",
        score,
        None,
    )


class _Milp:
    """MODEL.md §5–7 as a MILP in HiGHS's row-wise sparse form."""

    def __init__(self) -> None:
        self.upper: list[float] = []
        self.cost: list[float] = []
        self.starts: list[int] = [0]
        self.index: list[int] = []
        self.value: list[float] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []

    def column(self, upper: float, cost: float = 0.0) -> int:
        self.upper.append(upper)
        self.cost.append(cost)
        return len(self.upper) - 1

    def row(self, terms: list[tuple[int, float]], lower: float, upper: float) -> None:
        for column, coefficient in terms:
            self.index.append(column)
            self.value.append(coefficient)
        self.starts.append(len(self.index))
        self.row_lower.append(lower)
        self.row_upper.append(upper)


def _milp_of(instance: Instance, inf: float) -> _Milp:
    """The time-indexed MILP of MODEL.md v3 (exactly v2's with v3's defaults, v1's without
    periods): ``b_mt`` per possible start (``y_m`` when there is one), ``r_mt`` as sums of
    starts, ``w_pmt`` where the focus limit can bind, ``g``/``h`` on needs with learner
    candidates, the network cap where it can bind."""
    weights = instance.settings.weights
    lp = _Milp()
    y = [lp.column(1, weights.value * v) for v in instance.value]
    start: dict[tuple[int, int], int] = {}
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

    def running(m: int, t: int) -> list[tuple[int, float]]:
        d = instance.duration[m]
        return [(start[m, s], 1.0) for s in instance.starts[m] if t - d < s <= t]

    x = {
        (p, m): lp.column(
            1, weights.preference * instance.preference.get((p, m), 0) - weights.assignment
        )
        for m, people in enumerate(instance.candidates)
        for p in people
    }
    load: dict[tuple[int, int], list[tuple[int, float]]] = {}
    share: dict[tuple[int, int, int], list[tuple[int, float]]] = {}
    given: dict[tuple[int, int, int], int] = {}
    network: dict[tuple[str, int], list[tuple[int, float]]] = {}
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
            learners.append((g, 1.0))
            lp.row([(g, 1.0), (x[p, m], -1.0)], -inf, 0)
            for t in instance.window(m):
                if (p, n, t) in given:
                    lp.row([(given[p, n, t], 1.0), (g, -float(need.demand))], -inf, 0)
            works_whenever_running(p, n, g)
        for p in need.mentors:
            h = lp.column(1)
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
    for need in instance.ops:
        cover = []
        for p in need.eligible:
            o = lp.column(instance.capacity[p][need.period])
            cover.append((o, 1.0))
            load.setdefault((p, need.period), []).append((o, 1.0))
        lp.row(cover, need.required, inf)
    for (p, t), terms in load.items():
        lp.row(terms, -inf, instance.capacity[p][t])
    members: dict[int, list[tuple[int, float]]] = {m: [] for m in range(len(instance.missions))}
    focus: dict[tuple[int, int], list[tuple[int, float]]] = {}
    for (p, m), column in x.items():
        members[m].append((column, 1.0))
        for t in instance.window(m):
            if instance.is_fixed(m):
                focus.setdefault((p, t), []).append((column, 1.0))
                continue
            w = lp.column(1)  # w ≥ x + r − 1
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
            by_unit: dict[str, list[tuple[int, float]]] = {}
            for p in instance.candidates[m]:
                by_unit.setdefault(instance.people[p].unit_id, []).append((x[p, m], -1.0))
            zs = []
            for unit_members in by_unit.values():
                z = lp.column(1)
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


_HIGHS_STATUS = {"kOptimal": "optimal", "kTimeLimit": "time limit"}
"""HiGHS's statuses as the table prints them (the others in HiGHS's own words)."""


def run_highs(scenario: Scenario, limit: float) -> Run:
    import highspy

    started = time.perf_counter()
    lp = _milp_of(Instance(scenario), highspy.kHighsInf)
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
    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.setOptionValue("threads", WORKERS)
    highs.passModel(model)
    build = time.perf_counter() - started
    highs.setOptionValue("time_limit", float(limit))
    highs.setOptionValue("mip_rel_gap", 0.0)
    first: list[float] = []

    def improving(*_: object) -> None:
        if not first:
            first.append(time.perf_counter() - started)

    highs.cbMipImprovingSolution.subscribe(improving)
    highs.run()
    info = highs.getInfo()
    status = highs.getModelStatus()
    found = info.primal_solution_status == 2  # kSolutionStatusFeasible
    return Run(
        "highs",
        build,
        first[0] if first else None,
        time.perf_counter() - started,
        _HIGHS_STATUS.get(status.name, highs.modelStatusToString(status).lower()),
        round(info.objective_function_value) if found else None,
        info.mip_dual_bound if found else None,
    )


PEERS: dict[str, Any] = {
    "engine": run_engine,
    "cp-sat": run_plain_cpsat,
    "greedy": run_greedy,
    "highs": run_highs,
}
