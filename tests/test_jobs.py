"""Background solves: progress while running, a working stop, one solve at a time."""

from __future__ import annotations

import time

import pytest

from assembler import Result, Scenario, SolveSettings, Status, check
from assembler.domain.solve_settings import Progress
from assembler.generate import generate_scenario
from assembler.planning import jobs
from builders import mission, person, scenario


def tiny() -> Scenario:
    return scenario([person("a"), person("b")], [mission("m")])


def test_a_job_solves_in_the_background_and_reports_progress() -> None:
    s = tiny()
    job = jobs.start(s, SolveSettings(time_limit=10, workers=1))
    assert job.wait(10)
    assert not job.running and job.error is None
    assert job.result is not None and job.result.status is Status.OPTIMAL
    assert job.result.solution is not None and check(s, job.result.solution) == []
    assert job.progress is not None and job.progress.score == job.result.score
    assert job.history[-1] == job.progress
    elapsed = job.elapsed
    time.sleep(0.02)
    assert job.elapsed == elapsed  # frozen once finished


def test_stop_ends_a_long_solve_and_keeps_the_best_plan_so_far() -> None:
    big = generate_scenario(people=600, missions=60, seed=3)  # 40 s do not prove the optimum
    job = jobs.start(big, SolveSettings(time_limit=120, workers=2))
    try:
        deadline = time.monotonic() + 30
        while job.progress is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert job.progress is not None, "no solution found within 30 s"
        assert job.running and job.result is None
        # One solve at a time: starting again while it runs hands back the same job.
        assert jobs.start(big, SolveSettings(time_limit=1), current=job) is job
        assert not job.stopping
    finally:
        job.stop()
    assert job.stopping
    assert job.wait(30), "the solve did not stop"
    assert job.elapsed < 60  # the limit is 120 s
    assert job.result is not None and job.result.status is Status.FEASIBLE
    assert job.result.solution is not None and check(big, job.result.solution) == []
    assert job.progress is not None and job.result.score == job.progress.score


def test_a_finished_job_does_not_block_the_next_one() -> None:
    s = tiny()
    first = jobs.start(s, SolveSettings(time_limit=10, workers=1))
    assert first.wait(10)
    second = jobs.start(s, SolveSettings(time_limit=10, workers=1), current=first)
    assert second is not first
    assert second.wait(10) and second.result is not None


def test_a_solve_that_raises_is_reported_not_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(scenario: Scenario, settings: SolveSettings) -> Result:
        raise RuntimeError("solver exploded")

    monkeypatch.setattr(jobs, "solve", broken)
    job = jobs.start(tiny(), SolveSettings())
    assert job.wait(10)
    assert job.result is None
    assert isinstance(job.error, RuntimeError) and str(job.error) == "solver exploded"


def test_the_job_owns_progress_and_stop() -> None:
    foreign: list[object] = []
    job = jobs.start(tiny(), SolveSettings(time_limit=10, workers=1, progress=foreign.append))
    assert job.wait(10)
    assert foreign == [] and job.history
    assert job.settings.stop is not None and job.settings.time_limit == 10


def test_the_readout_says_no_bound_yet_rather_than_an_infinite_gap() -> None:
    job = jobs.SolveJob(tiny(), SolveSettings())  # never started: progress is fed by hand
    assert job.readout == "No plan found yet."
    job.settings.progress(Progress(0.1, 7_400_057, float("inf"), 740.0, 15))  # the warm start
    assert job.readout == "1 improving plan · 15 missions staffed · value 740 · no bound yet"
    job.settings.progress(Progress(0.5, 7_400_100, 8_025_700.0, 1_740.0, 16))
    assert job.readout == "2 improving plans · 16 missions staffed · value 1,740 · gap 8.45%"
