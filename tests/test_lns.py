"""The neighbourhood search beside the full model: never worse than its start, always valid."""

from __future__ import annotations

import time

import pytest

from assembler import SolveSettings, Status, check
from assembler.compile.instance import Instance
from assembler.generate import generate_scenario
from assembler.results.kpis import score_of
from assembler.solver import engine, solve
from assembler.solver.greedy import greedy_solution


def test_neighbourhood_search_improves_on_its_start_and_passes_the_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(engine, "LNS_MIN_TIME_VARIABLES", 0)
    scenario = generate_scenario(people=300, missions=30, seed=5)
    start = greedy_solution(Instance(scenario))
    assert start is not None
    result = solve(scenario, SolveSettings(time_limit=4, workers=2))
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE)
    assert result.solution is not None and result.score is not None
    assert check(scenario, result.solution) == []
    assert result.score >= score_of(Instance(scenario), start)


def test_improve_alone_keeps_every_step_valid() -> None:
    from assembler.solver.lns import improve

    scenario = generate_scenario(people=200, missions=25, seed=6)
    instance = Instance(scenario)
    start = greedy_solution(instance)
    assert start is not None
    better: list[int] = []
    best = improve(
        instance,
        start,
        deadline=time.perf_counter() + 3,
        solve_sub=engine._solve_neighbourhood,
        on_better=lambda _, score: better.append(score),
    )
    assert check(instance, best) == []
    assert score_of(instance, best) >= score_of(instance, start)
    assert better == sorted(better)
