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

from assembler import SolveSettings
from assembler.compile.instance import Instance
from assembler.domain.scenario import Scenario
from assembler.results.kpis import evaluate
from assembler.solver.greedy import greedy_solution
from assembler.solver.milp import highs_model, milp_of

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


_HIGHS_STATUS = {"kOptimal": "optimal", "kTimeLimit": "time limit"}
"""HiGHS's statuses as the table prints them (the others in HiGHS's own words)."""


def run_highs(scenario: Scenario, limit: float) -> Run:
    import highspy

    started = time.perf_counter()
    lp = milp_of(Instance(scenario), highspy.kHighsInf)
    model = highs_model(lp)
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
