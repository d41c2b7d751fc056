"""A planner's session: load, dial, edit, solve in the background, compare, undo."""

from __future__ import annotations

from pathlib import Path

import pytest

from assembler import SolveSettings, Status, check, solve
from assembler.planning import jobs
from assembler.planning.edits import Edit, EditError, EditKind, candidates
from assembler.planning.session import PlanningSession
from assembler.validation import read_scenario, read_upload

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"


@pytest.fixture
def session() -> PlanningSession:
    report = read_scenario(SAMPLE)
    assert report.scenario is not None
    return PlanningSession(report.scenario, "sample")


def solve_now(session: PlanningSession) -> None:
    job = session.solve(time_limit=30)
    assert job.wait(30)
    assert session.collect()


def test_solve_edit_resolve_compare(session: PlanningSession) -> None:
    assert session.current is None and session.comparison() is None and not session.stale
    solve_now(session)
    first = session.current
    assert first is not None and first.result.status is Status.OPTIMAL
    assert first.reports.summary.status is Status.OPTIMAL
    assert not session.stale and not session.collect()  # nothing new to take in

    solution = first.result.solution
    assert solution is not None
    target, mover = next(  # a staffed mission and a candidate not on its team
        (m.mission_id, p.person_id)
        for m in session.scenario.missions
        if m.mission_id in solution.staffed
        for p in candidates(session.scenario, m.mission_id)
        if (p.person_id, m.mission_id) not in solution.members
    )
    session.edit(Edit(EditKind.PIN, target, mover))
    assert session.stale and [str(e) for e in session.edits] == [f"pin {mover} to {target}"]
    job = session.solve(time_limit=30)
    assert job.settings.hint is solution  # warm start from the current plan
    assert job.wait(30) and session.collect()
    second = session.current
    assert second is not None and second.result.solution is not None
    assert (mover, target) in second.result.solution.members
    assert check(second.scenario, second.result.solution) == []
    assert session.previous is first
    comparison = session.comparison()
    assert comparison is not None
    assert any(move.person_id == mover for move in comparison.moves)
    assert comparison.score_delta is not None and comparison.score_delta <= 0


def test_dials_change_the_scenario_only_when_they_change(session: PlanningSession) -> None:
    original = session.scenario
    session.set_overrides({})
    assert session.scenario is original
    session.set_overrides({"ops_buffer": 0.2, "weights.preference": 0})
    dialled = session.scenario
    assert dialled.settings.ops_buffer == 0.2 and dialled.settings.weights.preference == 0
    session.set_overrides({"ops_buffer": 0.2, "weights.preference": 0})
    assert session.scenario is dialled
    session.edit(Edit(EditKind.DROP, "M03"))
    assert session.scenario.settings.ops_buffer == 0.2  # edits keep the dials
    assert session.overrides == {"ops_buffer": 0.2, "weights.preference": 0}


def test_undo_and_reset_replay_the_log(session: PlanningSession) -> None:
    session.edit(Edit(EditKind.DROP, "M03"))
    session.edit(Edit(EditKind.VALUE, "M02", value=1.0))
    session.undo()
    assert [str(e) for e in session.edits] == ["drop M03"]
    assert "M03" not in {m.mission_id for m in session.scenario.missions}
    assert next(m for m in session.scenario.missions if m.mission_id == "M02").value == 85.0
    session.reset_edits()
    assert session.edits == () and session.scenario == session.base
    session.undo()  # nothing to undo: no error
    assert session.edits == ()


def test_a_refused_edit_changes_nothing(session: PlanningSession) -> None:
    before = session.scenario
    with pytest.raises(EditError):
        session.edit(Edit(EditKind.PIN, "M01", "nobody"))
    assert session.scenario is before and session.edits == ()


def test_a_bad_upload_keeps_the_scenario_and_lists_the_problems(
    session: PlanningSession,
) -> None:
    session.edit(Edit(EditKind.DROP, "M03"))
    edited = session.scenario
    assert not session.load(read_upload("broken.json", b'{"people": [{"fte": 3}]}'), "broken")
    assert session.rejected == "broken"
    assert session.problems and all(p.table for p in session.problems)
    assert session.scenario is edited and len(session.edits) == 1


def test_a_good_upload_starts_afresh(session: PlanningSession) -> None:
    solve_now(session)
    session.edit(Edit(EditKind.DROP, "M03"))
    session.solve(time_limit=30)  # still running or not: the new scenario wins
    report = read_scenario(SAMPLE, {"ops_buffer": 0.3})
    assert session.load(report, "other.zip")
    assert session.source == "other.zip" and session.rejected is None
    assert session.current is None and session.previous is None and session.job is None
    assert session.edits == () and session.scenario.settings.ops_buffer == 0.3


def test_a_failing_solve_leaves_a_message(
    session: PlanningSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs, "solve", broken)
    job = session.solve(time_limit=5)
    assert job.wait(5) and session.collect()
    assert session.error is not None and "boom" in session.error
    assert session.current is None


def test_an_ended_solve_counts_until_it_is_taken_in(session: PlanningSession) -> None:
    """The app polls while ``solving``: a solve that ended between two redraws must still
    count, or its plan would never be shown."""
    first = session.solve(time_limit=30)
    assert first.wait(30) and not first.running
    assert session.solving and session.current is None
    second = session.solve(time_limit=30)  # takes the first in, then starts afresh
    assert second is not first
    assert session.current is not None and session.current.result is first.result
    assert second.settings.hint is session.current.result.solution
    assert second.wait(30) and session.collect() and not session.solving
    assert session.previous is not None and session.previous.result is first.result


def test_a_plan_solved_elsewhere_is_adopted_like_a_background_one(
    session: PlanningSession,
) -> None:
    elsewhere = session.scenario.with_settings(ops_buffer=0.05)
    result = solve(elsewhere, SolveSettings(time_limit=30))
    outcome = session.adopt(elsewhere, result)
    assert session.current is outcome and outcome.reports.summary.status is Status.OPTIMAL
    assert session.stale  # the dials still say 10 %
    job = session.solve(time_limit=30)
    assert job.settings.hint is result.solution
    assert job.wait(30) and session.collect()
    assert session.previous is outcome
