"""``solve(scenario, settings) -> Result``: the one way into the optimiser."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from ortools.sat.python import cp_model

from assembler.greedy import greedy_solution
from assembler.instance import Instance
from assembler.kpis import evaluate
from assembler.result import Result, Status, relative_gap
from assembler.scenario import Scenario
from assembler.solution import Assignment, OpsAssignment, Solution
from assembler.solve_settings import Progress, SolveSettings
from assembler.solver.diagnose import find_conflicts
from assembler.solver.model import add_hint, build_model
from assembler.solver.variables import Variables

_STATUS = {
    cp_model.OPTIMAL: Status.OPTIMAL,
    cp_model.FEASIBLE: Status.FEASIBLE,
    cp_model.INFEASIBLE: Status.INFEASIBLE,
}


class _ProgressReporter(cp_model.CpSolverSolutionCallback):
    """Forwards each improving solution to the caller's progress callback."""

    def __init__(self, settings: SolveSettings, started: float) -> None:
        super().__init__()
        self._settings = settings
        self._started = started

    def on_solution_callback(self) -> None:
        if self._settings.progress is not None:
            self._settings.progress(
                Progress(
                    seconds=time.perf_counter() - self._started,
                    score=round(self.objective_value),
                    best_bound=self.best_objective_bound,
                )
            )


def solver_parameters(solver: cp_model.CpSolver, settings: SolveSettings) -> None:
    """CP-SAT parameters; on few cores the full-problem worker runs the strongest LP.

    Membership costs make the LP bound decisive: with 2 workers CP-SAT's default
    full-problem subsolver (``default_lp``) could not close a 13-point gap on a
    150-person scenario in 20 s, while ``max_lp`` proved the optimum in 0.7 s, and on
    1,000 people reached a 1-point gap where ``default_lp`` stayed at 2.6 %.  Three or
    more workers already include ``max_lp`` in CP-SAT's portfolio.
    """
    params = solver.parameters
    params.max_time_in_seconds = settings.time_limit
    params.num_workers = settings.workers
    params.random_seed = settings.seed
    params.relative_gap_limit = settings.relative_gap
    params.log_search_progress = settings.log
    if settings.workers == 1:
        params.linearization_level = 2
    elif settings.workers == 2:
        params.subsolvers.append("max_lp")


@contextmanager
def _stoppable(solver: cp_model.CpSolver, stop: threading.Event | None) -> Iterator[None]:
    """While the search runs, a watcher ends it when ``stop`` is set by another thread."""
    if stop is None:
        yield
        return
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(0.05):
            if stop.is_set():
                solver.stop_search()
                return

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        finished.set()
        watcher.join()


def solve(scenario: Scenario, settings: SolveSettings | None = None) -> Result:
    settings = settings or SolveSettings()
    started = time.perf_counter()
    instance = Instance(scenario)
    model, variables = build_model(instance, stability=settings.stability)
    hint = settings.hint
    if hint is None and settings.greedy_hint:
        hint = greedy_solution(instance)
    if hint is not None:
        add_hint(model, instance, variables, hint)
    build_seconds = time.perf_counter() - started

    solver = cp_model.CpSolver()
    solver_parameters(solver, settings)
    solve_started = time.perf_counter()
    with _stoppable(solver, settings.stop):
        code = solver.solve(model, _ProgressReporter(settings, solve_started))
    solve_seconds = time.perf_counter() - solve_started
    status = _STATUS.get(code, Status.UNKNOWN)

    if status in (Status.OPTIMAL, Status.FEASIBLE):
        solution = extract_solution(solver, instance, variables)
        kpis = evaluate(instance, solution)
        objective = round(solver.objective_value)
        bound = solver.best_objective_bound
        return Result(
            status=status,
            score=objective if settings.stability is None else kpis.score,
            best_bound=bound,
            gap=0.0 if status is Status.OPTIMAL else relative_gap(objective, bound),
            build_seconds=build_seconds,
            solve_seconds=solve_seconds,
            solution=solution,
            kpis=kpis,
        )
    conflicts = find_conflicts(instance, settings) if status is Status.INFEASIBLE else ()
    return Result(
        status=status,
        score=None,
        best_bound=None,
        gap=None,
        build_seconds=build_seconds,
        solve_seconds=solve_seconds,
        solution=None,
        kpis=None,
        conflicts=conflicts,
    )


def extract_solution(
    solver: cp_model.CpSolver, instance: Instance, variables: Variables
) -> Solution:
    """Read the values once from the response, then keep only what is non-zero."""
    values = solver.response_proto.solution
    people, missions, needs = instance.people, instance.missions, instance.needs
    staffed = frozenset(
        missions[m].mission_id for m, y in enumerate(variables.staffed) if values[y.index]
    )
    members = frozenset(
        (people[p].person_id, missions[m].mission_id)
        for (p, m), x in variables.member.items()
        if values[x.index]
    )
    assignments = tuple(
        Assignment(
            people[p].person_id,
            missions[needs[n].mission].mission_id,
            needs[n].skill_id,
            values[a.index],
        )
        for (p, n), a in variables.time.items()
        if values[a.index]
    )
    ops = tuple(
        OpsAssignment(people[p].person_id, instance.ops[o].skill_id, values[var.index])
        for (p, o), var in variables.ops.items()
        if values[var.index]
    )
    return Solution(staffed=staffed, members=members, assignments=assignments, ops=ops)
