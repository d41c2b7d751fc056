"""The time limit is a wall-clock promise from the moment a command starts: the warm start
and the model's build check it as they go, a stop ends them too, and a scenario whose model
cannot fit the machine or the limit is refused up front with the figures."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assembler import SolveSettings, Status, check
from assembler.cli import app
from assembler.compile.instance import Instance
from assembler.compile.sizing import ModelSize, ModelTooLargeError
from assembler.io import write_scenario
from assembler.solver import engine, solve
from assembler.solver.greedy import greedy_solution
from assembler.solver.model import build_model
from assembler.solver.stopping import Clock, OutOfTimeError
from assembler.validation import feasibility, read_scenario
from small_horizon import quarters


def expired() -> Clock:
    return Clock(time.perf_counter() - 1)


def test_the_build_and_the_warm_start_give_up_once_the_time_is_up() -> None:
    instance = Instance(quarters())
    with pytest.raises(OutOfTimeError):
        build_model(instance, clock=expired())
    with pytest.raises(OutOfTimeError):
        greedy_solution(instance, clock=expired())
    stopped = threading.Event()
    stopped.set()
    with pytest.raises(OutOfTimeError):
        build_model(instance, clock=Clock(time.perf_counter() + 60, stopped))


def test_a_limit_used_up_before_the_solve_ends_it_at_once_without_a_plan() -> None:
    """A command that spent its whole limit reading the scenario gets no search."""
    started = time.perf_counter() - 30
    called = time.perf_counter()
    result = solve(quarters(), SolveSettings(time_limit=10, started=started))
    assert time.perf_counter() - called < 2
    assert result.status is Status.UNKNOWN and result.solution is None


def test_a_stop_before_the_build_ends_the_solve_as_stopped() -> None:
    stop = threading.Event()
    stop.set()
    result = solve(quarters(), SolveSettings(time_limit=60, stop=stop))
    assert result.status is Status.STOPPED and result.solution is None


def test_the_search_gets_what_reading_and_building_left() -> None:
    settings = SolveSettings(time_limit=60)
    left = engine._left_for_search(settings, Clock(time.perf_counter() + 45))
    assert 44 < left.time_limit <= 45
    assert engine._left_for_search(settings, expired()).time_limit == 0
    deterministic = SolveSettings(time_limit=60, deterministic=True)
    assert engine._left_for_search(deterministic, expired()) is deterministic


def test_a_plan_is_still_found_within_a_limit_that_leaves_time() -> None:
    scenario = quarters()
    result = solve(scenario, SolveSettings(time_limit=30, started=time.perf_counter() - 5))
    assert result.status is Status.OPTIMAL and result.solution is not None
    assert check(scenario, result.solution) == []


def test_a_model_too_large_for_the_machine_is_refused_with_its_figures() -> None:
    size = ModelSize(time_variables=3_000_000, other_variables=500_000, periods=52)
    reason = size.refusal(time_limit=60, available_mib=8 * 1024)
    assert reason is not None
    assert "3,000,000 time variables" in reason and "8.0 GiB" in reason
    assert "fewer periods (the horizon has 52)" in reason
    assert size.refusal(time_limit=None, available_mib=None) is None
    assert size.refusal(time_limit=10, available_mib=None) is not None  # 140 s to build
    small = ModelSize.of(Instance(quarters()))
    assert small.refusal(time_limit=0.01, available_mib=1024) is None  # ends at the limit


def test_the_count_before_the_build_is_the_models_own() -> None:
    instance = Instance(quarters())
    _, variables = build_model(instance)
    assert ModelSize.of(instance).time_variables == len(variables.time)


def test_solve_refuses_a_model_that_cannot_fit_before_building_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The machine's memory is what it is; pretend it is tiny rather than fill it."""
    monkeypatch.setattr(engine, "available_memory_mib", lambda: 1.0)
    with pytest.raises(ModelTooLargeError, match="more than the 1 MiB this machine has"):
        solve(quarters(), SolveSettings(time_limit=10))


def test_the_command_line_refuses_it_with_exit_2_and_writes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(engine, "available_memory_mib", lambda: 1.0)
    write_scenario(quarters(), tmp_path / "quarters")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["solve", str(tmp_path / "quarters"), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert "the model of this scenario would have" in result.output
    assert "more than the 1 MiB this machine has available" in result.output
    assert not out.exists() or not any(out.iterdir())


def test_solve_prints_the_size_of_its_model_and_the_memory_to_expect(tmp_path: Path) -> None:
    write_scenario(quarters(), tmp_path / "quarters")
    args = ["solve", str(tmp_path / "quarters"), "--out", str(tmp_path / "out"), "--quiet"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert re.search(
        r"^model\s+[\d,]+ variables \(memory expected below [\d.,]+ [MG]iB\)$", result.output, re.M
    )


def test_validation_warns_of_a_model_too_large_and_skips_the_long_checks(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(feasibility, "available_memory_mib", lambda: 1.0)
    write_scenario(quarters(), tmp_path / "quarters")
    report = read_scenario(tmp_path / "quarters")
    assert report.scenario is not None  # a warning: the file itself is fine
    (warned,) = [p for p in report.warnings if "its model would need" in p.reason]
    assert "a solve will refuse it" in warned.reason and warned.table == "scenario"
