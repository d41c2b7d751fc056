"""HiGHS beside CP-SAT (``solver.portfolio``, ``solver.milp``): a real HiGHS in its own
process on a small horizon whose optimum CP-SAT proves."""

from __future__ import annotations

import gc
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import ClassVar

import pytest

from assembler import SolveSettings, Status, check, solve
from assembler.compile.instance import Instance
from assembler.domain.scenario import Scenario
from assembler.domain.solution import Solution
from assembler.domain.solve_settings import Progress
from assembler.results.kpis import evaluate
from assembler.solver import engine
from assembler.solver.greedy import greedy_solution
from assembler.solver.milp import Milp, decode, encode, milp_of
from assembler.solver.portfolio import CP_SAT_NICENESS, HighsSearch, beside_highs
from assembler.solver.stopping import Clock
from builders import mission, person, scenario
from small_horizon import quarters


@pytest.fixture(scope="module")
def optimum() -> tuple[Scenario, Solution, int]:
    horizon = quarters()
    result = solve(horizon, SolveSettings(time_limit=20))
    assert result.status is Status.OPTIMAL and result.solution is not None
    assert result.score is not None
    return horizon, result.solution, result.score


def _warm_start(horizon: Scenario) -> tuple[Instance, Solution, int]:
    instance = Instance(horizon)
    start = greedy_solution(instance, None, Clock(math.inf, None))
    assert start is not None
    return instance, start, evaluate(instance, start).score


def test_a_plan_written_into_the_milp_columns_reads_back_the_same(
    optimum: tuple[Scenario, Solution, int],
) -> None:
    horizon, plan, _ = optimum
    instance = Instance(horizon)
    lp = milp_of(instance, math.inf)
    back = decode(instance, lp, encode(instance, lp, plan))
    assert (back.staffed, back.members, back.starts) == (plan.staffed, plan.members, plan.starts)
    assert set(back.assignments) == set(plan.assignments)
    assert set(back.ops) == set(plan.ops)


def _broken_rows(lp: Milp, values: list[float]) -> list[int]:
    broken = []
    for row, (lower, upper) in enumerate(zip(lp.row_lower, lp.row_upper, strict=True)):
        span = range(lp.starts[row], lp.starts[row + 1])
        activity = sum(lp.value[k] * values[lp.index[k]] for k in span)
        if not lower - 1e-9 <= activity <= upper + 1e-9:
            broken.append(row)
    return broken


def test_a_plan_written_into_the_milp_columns_is_a_whole_solution_worth_its_score(
    optimum: tuple[Scenario, Solution, int],
) -> None:
    """Every column has its value, the auxiliary ones included: HiGHS takes such a vector
    mid-search as it is, so it must meet every row, and be worth the plan's score."""
    horizon, plan, best = optimum
    instance = Instance(horizon)
    lp = milp_of(instance, math.inf)
    assert lp.overlap and lp.breadth
    for candidate, score in ((plan, best), _warm_start(horizon)[1:]):
        values = encode(instance, lp, candidate)
        assert len(values) == len(lp.upper)
        assert _broken_rows(lp, values) == []
        assert all(0 <= value <= upper for value, upper in zip(values, lp.upper, strict=True))
        assert sum(c * v for c, v in zip(lp.cost, values, strict=True)) == pytest.approx(score)


def test_highs_in_its_own_process_proves_the_optimum_with_a_plan_that_passes_the_check(
    optimum: tuple[Scenario, Solution, int],
) -> None:
    horizon, _, best = optimum
    instance, start, _ = _warm_start(horizon)
    answer = HighsSearch(horizon, start, time.monotonic() + 30).answer()
    assert answer is not None and answer.solution is not None
    assert answer.optimal and answer.score == best
    assert answer.bound is not None and math.floor(answer.bound + 1e-6) == best
    assert check(instance, answer.solution) == []
    assert evaluate(instance, answer.solution).score == best


def test_highs_answers_by_the_deadline_and_its_process_is_stopped() -> None:
    horizon = quarters()
    deadline = time.monotonic() + 0.3
    search = HighsSearch(horizon, None, deadline)
    search.answer()
    assert time.monotonic() < deadline + 0.5
    assert search._process.poll() is not None


def _short_of(instance: Instance, plan: Solution) -> Solution:
    """``plan`` without one of its missions that nothing waits for: a worse valid plan."""
    waited_for = {before for befores in instance.after for before in befores}
    dropped = next(
        mission_id
        for mission_id in sorted(plan.staffed)
        if instance.mission_index[mission_id] not in waited_for
        and not instance.missions[instance.mission_index[mission_id]].mandatory
    )
    return Solution(
        staffed=plan.staffed - {dropped},
        members=frozenset(pair for pair in plan.members if pair[1] != dropped),
        assignments=tuple(row for row in plan.assignments if row.mission_id != dropped),
        ops=plan.ops,
        starts={m: t for m, t in plan.starts.items() if m != dropped},
    )


def _worse_than(optimum: tuple[Scenario, Solution, int]) -> tuple[Instance, Solution, int]:
    """The horizon's instance and a valid plan below its optimum, with its score."""
    horizon, plan, best = optimum
    instance = Instance(horizon)
    worse = _short_of(instance, plan)
    assert check(instance, worse) == []
    worse_score = evaluate(instance, worse).score
    assert worse_score < best
    return instance, worse, worse_score


def test_a_search_dropped_without_an_answer_stops_its_process() -> None:
    search = HighsSearch(quarters(), None, time.monotonic() + 30)
    process, folder = search._process, Path(search._folder.name)
    del search
    gc.collect()
    assert process.poll() is not None
    assert not folder.exists()


def test_the_engine_takes_highs_plan_and_bound_when_cp_sat_has_less(
    optimum: tuple[Scenario, Solution, int],
) -> None:
    horizon, _, best = optimum
    instance, worse, worse_score = _worse_than(optimum)
    shown: list[Progress] = []
    settings = SolveSettings(time_limit=30, progress=shown.append)
    kept = engine._with_highs(  # the step that merges the two solvers
        instance,
        engine._Best(Status.FEASIBLE, worse, worse_score),
        HighsSearch(horizon, worse, time.monotonic() + 30),
        settings,
        engine._Relay(instance, settings, time.perf_counter()),
    )
    assert (kept.status, kept.score, kept.bound) == (Status.OPTIMAL, best, best)
    assert kept.solution is not None and check(instance, kept.solution) == []
    kpis = evaluate(instance, kept.solution)
    assert [(p.score, p.missions_staffed, p.value) for p in shown] == [
        (best, kpis.missions_staffed, kpis.value_captured)
    ]


def test_a_stopped_solve_does_not_wait_for_highs(
    optimum: tuple[Scenario, Solution, int],
) -> None:
    horizon, _, _ = optimum
    instance, start, start_score = _warm_start(horizon)
    stop = threading.Event()
    stop.set()
    settings = SolveSettings(time_limit=30, stop=stop)
    search = HighsSearch(horizon, start, time.monotonic() + 30)
    began = time.monotonic()
    kept = engine._with_highs(
        instance,
        engine._Best(Status.FEASIBLE, start, start_score),
        search,
        settings,
        engine._Relay(instance, settings, time.perf_counter()),
    )
    assert time.monotonic() - began < 2
    assert kept.score == start_score
    assert search._process.poll() is not None


def test_a_plan_offered_while_highs_runs_is_taken_and_highs_still_proves_the_optimum(
    optimum: tuple[Scenario, Solution, int],
) -> None:
    horizon, _, best = optimum
    instance, worse, worse_score = _worse_than(optimum)
    search = HighsSearch(horizon, None, time.monotonic() + 30)
    search.offer(worse_score, lambda: worse)
    search._process.wait(timeout=30)
    folder = Path(search._folder.name)
    assert (folder / "offer.taken").exists() and not (folder / "offer").exists()
    answer = search.answer()
    assert answer is not None and answer.solution is not None
    assert answer.optimal and answer.score == best
    assert check(instance, answer.solution) == []


def test_only_the_latest_better_offer_is_written() -> None:
    search = HighsSearch(quarters(), None, time.monotonic() + 30)
    search._process.kill()  # the offers alone, read here instead of by HiGHS
    folder = Path(search._folder.name)
    writing, release = threading.Event(), threading.Event()
    plans: list[int] = []

    def plan(score: int) -> Solution:
        if score == 1:
            writing.set()
            release.wait(5)  # holds the writer while the next offers arrive
        plans.append(score)
        return Solution(staffed=frozenset(), members=frozenset(), assignments=(), ops=())

    search.offer(1, lambda: plan(1))
    assert writing.wait(5)
    search.offer(2, lambda: plan(2))
    search.offer(3, lambda: plan(3))
    release.set()
    for _ in range(100):
        if plans == [1, 3] and (folder / "offer").exists():
            break
        time.sleep(0.05)
    search.offer(3, lambda: plan(30))  # no better than what was sent
    search.cancel()
    assert plans == [1, 3]


@pytest.mark.skipif(sys.platform != "linux", reason="a thread's own priority is Linux's")
def test_cp_sat_steps_back_for_highs_in_a_thread_of_its_own() -> None:
    caller = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    def search() -> tuple[int, int]:
        return threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    thread, niceness = beside_highs(search)
    assert thread != threading.get_native_id()
    assert niceness == min(19, caller + CP_SAT_NICENESS)
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == caller

    def failing() -> None:
        raise ValueError("from the search")

    with pytest.raises(ValueError, match="from the search"):
        beside_highs(failing)


class _Recorded(HighsSearch):
    started: ClassVar[list[float]] = []
    offered: ClassVar[list[tuple[int, Solution]]] = []

    def __init__(self, horizon: Scenario, start: Solution | None, deadline: float) -> None:
        _Recorded.started.append(deadline)
        super().__init__(horizon, start, deadline)

    def offer(self, score: int, plan: Callable[[], Solution]) -> None:
        _Recorded.offered.append((score, plan()))
        super().offer(score, plan)


@pytest.fixture
def portfolio_on_small_models(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    monkeypatch.setattr(engine, "PORTFOLIO_MIN_TIME_VARIABLES", 0)
    monkeypatch.setattr(engine, "PORTFOLIO_MIN_SECONDS", 0.0)
    monkeypatch.setattr(engine, "HighsSearch", _Recorded)
    _Recorded.started = []
    _Recorded.offered = []
    return _Recorded.started


def test_a_horizon_is_solved_by_both_and_proven_optimal(
    portfolio_on_small_models: list[float], optimum: tuple[Scenario, Solution, int]
) -> None:
    horizon, _, best = optimum
    result = solve(horizon, SolveSettings(time_limit=20))
    assert len(portfolio_on_small_models) == 1
    assert (result.status, result.score) == (Status.OPTIMAL, best)


def test_each_better_plan_of_cp_sat_is_offered_to_highs(
    portfolio_on_small_models: list[float], optimum: tuple[Scenario, Solution, int]
) -> None:
    """Read after the search has ended: the plans are CP-SAT's values copied in its
    callback, still whole once the response they came from is gone."""
    horizon, _, best = optimum
    instance = Instance(horizon)
    solve(horizon, SolveSettings(time_limit=20))
    scores = [score for score, _ in _Recorded.offered]
    assert scores and scores == sorted(scores) and scores[-1] == best
    for score, plan in _Recorded.offered:
        assert check(instance, plan) == []
        assert evaluate(instance, plan).score == score


@pytest.mark.parametrize(
    "settings",
    [
        SolveSettings(time_limit=20, workers=1),
        SolveSettings(time_limit=20, deterministic=True),
    ],
    ids=["one worker", "deterministic"],
)
def test_highs_is_left_out_where_it_cannot_have_a_core_or_would_change_the_answer(
    portfolio_on_small_models: list[float], settings: SolveSettings
) -> None:
    result = solve(quarters(), settings)
    assert result.status is Status.OPTIMAL
    assert portfolio_on_small_models == []


def test_highs_is_left_out_without_a_horizon(portfolio_on_small_models: list[float]) -> None:
    one_period = scenario(
        [person("p1", "u1", {"s": 3}), person("p2", "u1", {"s": 3})],
        [mission("m1", {"s": 0.5}, value=5)],
    )
    assert solve(one_period, SolveSettings(time_limit=20)).status is Status.OPTIMAL
    assert portfolio_on_small_models == []
