"""The Dask execution layer: a local cluster by default, any cluster by address."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

import assembler.tradeoffs.runner as runner_module
from assembler import Scenario, SolveSettings, cli
from assembler.io import write_scenario
from assembler.tradeoffs import Runner, RunnerError
from assembler.tradeoffs.runner import available_cores, one_thread
from assembler.tradeoffs.runs import Run, solve_run
from builders import mission, person, scenario


def small() -> Scenario:
    return scenario(
        [person("a", "u1", {"k": 3}), person("b", "u1", {"k": 3})],
        [mission("m1", {"k": 0.6}, value=2), mission("m2", {"k": 0.6}, value=1)],
        ops=[("u1", "k", 0.5)],
    )


def test_runs_come_back_in_order_with_progress() -> None:
    buffers = [0.0, 0.3, 0.5, 0.8, 1.0]
    progress: list[tuple[int, int]] = []
    shared = (small(), one_thread(SolveSettings(time_limit=10)))
    with Runner(workers=2, processes=False) as active:
        assert active.describe() == "2 local workers"
        results = active.map(
            solve_run,
            shared,
            [Run({"ops_buffer": b}) for b in buffers],
            lambda done, total: progress.append((done, total)),
        )
    # 2 FTE − 0.5·(1 + buffer) left for missions of 0.6 FTE each (1.2 in all).
    values = [r.kpis.value_captured if r.kpis else None for r in results]
    assert values == [3, 3, 3, 2, 2]
    assert progress == [(i, 5) for i in range(1, 6)]


def test_a_failing_run_raises_in_the_caller(runner: Runner) -> None:
    with pytest.raises(ValidationError):
        runner.map(solve_run, (small(), SolveSettings()), [Run({"ops_buffer": -1})])


@pytest.mark.slow  # starting worker processes takes seconds, more on a busy machine
def test_cli_sends_the_same_work_to_a_cluster_by_address(
    tmp_path: Path, process_scheduler: str
) -> None:
    address = process_scheduler
    assert address.startswith("tcp://")
    write_scenario(small(), tmp_path / "scenario")
    args = ["frontier", str(tmp_path / "scenario"), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(cli.app, [*args, "--buffers", "0,1", "--scheduler", address])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "frontier.csv").read_text().count("optimal") == 2
    assert f"2 worker threads at {address}" in result.output


def test_an_unreachable_scheduler_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runner_module, "CONNECT_TIMEOUT", "0.5s")
    write_scenario(small(), tmp_path / "scenario")
    args = ["frontier", str(tmp_path / "scenario"), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(cli.app, [*args, "--scheduler", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    assert "cannot start the runs on tcp://127.0.0.1:9" in result.output
    assert "Traceback" not in result.output


def test_more_local_workers_than_cores_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RunnerError, match="one per core"):
        Runner(workers=available_cores() + 1)
    write_scenario(small(), tmp_path / "scenario")
    args = ["frontier", str(tmp_path / "scenario"), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(cli.app, [*args, "--workers", "999"])
    assert result.exit_code == 2 and "999 local workers requested" in result.output


def test_each_task_solves_on_one_thread_without_the_callers_callbacks() -> None:
    settings = one_thread(
        SolveSettings(workers=8, progress=print, stop=threading.Event(), log=True, seed=3)
    )
    assert (settings.workers, settings.progress, settings.stop, settings.log) == (
        1,
        None,
        None,
        False,
    )
    assert settings.seed == 3


def test_a_runner_is_used_in_a_with_block() -> None:
    with pytest.raises(RuntimeError, match="with"):
        Runner().map(solve_run, (small(), SolveSettings()), [Run()])


def test_no_runs_submit_nothing(runner: Runner) -> None:
    assert runner.map(solve_run, (small(), SolveSettings()), []) == []
