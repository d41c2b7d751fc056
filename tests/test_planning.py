"""A planner's session: load, dial, edit, solve in the background, compare, undo; the last
good plan kept through a solve without one; warnings when an edit rules out every plan;
what-if questions answered in the background; downloads named after what they hold.

Sessions that solve work on the three-quarter plan of ``small_horizon`` (solved in a
fraction of a second); those that only edit work on the sample.
"""

from __future__ import annotations

import pickle
import time
from datetime import datetime

import pytest

from assembler import Result, Scenario, SolveSettings, Status, check, solve
from assembler.domain.edits import Edit, EditKind
from assembler.domain.solve_settings import SharedStop
from assembler.generate import generate_scenario
from assembler.planning import jobs
from assembler.planning.edits import EditError, candidates
from assembler.planning.session import Link, PlanningSession, scenario_slug
from assembler.results.names import Names
from assembler.tradeoffs import Frontier
from assembler.tradeoffs.runner import one_thread
from assembler.tradeoffs.studies import frontier_study
from assembler.validation import read_scenario, read_upload
from builders import SAMPLE, dial
from small_horizon import WINTER_PEAK_LIMIT, quarters_session
from solving import solve_now


@pytest.fixture
def session() -> PlanningSession:
    report = read_scenario(SAMPLE)
    assert report.scenario is not None
    return PlanningSession(report.scenario, "sample")


@pytest.fixture
def small() -> PlanningSession:
    return quarters_session()


def test_solve_edit_resolve_compare(small: PlanningSession) -> None:
    session = small
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
    session.set_dials(dial(session, {}))
    assert session.scenario is original
    session.set_dials(dial(session, {"ops_buffer": 0.2, "weights.preference": 0}))
    dialled = session.scenario
    assert dialled.settings.ops_buffer == 0.2 and dialled.settings.weights.preference == 0
    session.set_dials(dial(session, {"ops_buffer": 0.2, "weights.preference": 0}))
    assert session.scenario is dialled
    session.edit(Edit(EditKind.DROP, "M03"))
    assert session.scenario.settings.ops_buffer == 0.2  # edits keep the dials
    assert session.dials == dial(session, {"ops_buffer": 0.2, "weights.preference": 0})


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


def test_a_good_upload_starts_afresh(small: PlanningSession) -> None:
    session = small
    solve_now(session)
    session.edit(Edit(EditKind.DROP, "m_rota"))
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


def test_an_ended_solve_counts_until_it_is_taken_in(small: PlanningSession) -> None:
    """The app polls while ``solving``: a solve that ended between two redraws must still
    count, or its plan would never be shown."""
    session = small
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
    small: PlanningSession,
) -> None:
    session = small
    elsewhere = session.scenario.with_settings(ops_buffer=0.05)
    result = solve(elsewhere, SolveSettings(time_limit=30))
    outcome = session.adopt(elsewhere, result)
    assert session.current is outcome and outcome.reports.summary.status is Status.OPTIMAL
    assert session.stale  # the dials still say 10 %
    job = session.solve(time_limit=30)
    assert job.settings.hint is result.solution
    assert job.wait(30) and session.collect()
    assert session.previous is outcome


def test_an_infeasible_solve_keeps_the_last_good_plan_and_says_why(
    small: PlanningSession,
) -> None:
    solve_now(small)
    good = small.current
    assert good is not None and small.failure is None
    small.set_dials(dial(small, {"ops_buffer": 0.4}))  # care's winter triage cannot keep 140 %
    solve_now(small)
    assert small.current is good and small.previous is None  # the plan is kept…
    failure = small.failure
    assert failure is not None and failure.outcome.result.status is Status.INFEASIBLE
    assert len(failure.reasons) == len(failure.outcome.result.conflicts)  # …and explained,
    assert failure.reasons[0].startswith("Care Unit: Triage in Q1 (winter) need")  # by name
    assert failure.ops_short and failure.highest_buffer == WINTER_PEAK_LIMIT
    assert small.stale and small.comparison() is None
    small.set_dials(dial(small, {"ops_buffer": 0.2}))
    job = small.solve(time_limit=30)
    assert job.settings.hint is good.result.solution  # still warm-started from the good plan
    assert job.wait(30) and small.collect()
    assert small.failure is None and small.previous is good  # the baseline of the comparison
    assert small.comparison() is not None


def test_a_failure_that_is_not_about_operations_offers_no_buffer(
    small: PlanningSession,
) -> None:
    small.edit(Edit(EditKind.MANDATORY, "m_lab"))  # nobody has data at level 5
    solve_now(small)
    assert small.current is None
    failure = small.failure
    assert failure is not None and not failure.ops_short and failure.highest_buffer is None
    assert failure.reasons == (  # by name, with what to change
        "mission m_lab · Data lab is mandatory and needs Data skills ≥ 5, but nobody eligible "
        "for it has that skill at that level. To resolve it: make m_lab · Data lab optional, "
        "or lower the level it needs.",
    )


def test_a_solve_stopped_before_any_plan_keeps_the_plan(
    small: PlanningSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    solve_now(small)
    good = small.current

    def stopped(scenario: Scenario, settings: SolveSettings) -> Result:
        return Result(Status.STOPPED, None, None, None, 0.0, 0.1, None, None)

    monkeypatch.setattr(jobs, "solve", stopped)
    solve_now(small)
    assert small.current is good and small.failure is not None
    assert small.failure.reasons == ("the solve was stopped before it found a plan",)
    assert not small.failure.ops_short


def test_an_edit_that_rules_out_every_plan_is_warned_about_when_it_is_made(
    small: PlanningSession,
) -> None:
    assert small.edit(Edit(EditKind.START, "m_fast", period_id="q1")) == ()
    warnings = small.edit(Edit(EditKind.PIN, "m_fast", "c2"))  # care has no time in winter
    assert len(warnings) == 1
    assert warnings[0] == (
        "mission m_fast · Fast-track triage has c2 · Ben Cole pinned to it and needs 0.4 FTE "
        "of Triage ≥ 3; operations of Care Unit need 2.65 FTE in Triage (demand + buffer) in "
        "Q1 (winter): 3.05 FTE in all, but the people able to do this work have 3 FTE. To "
        "resolve it: unpin c2 · Ben Cole from m_fast · Fast-track triage, or let it run outside "
        "Q1 (winter) (widen its window or move its start), or lower the ops buffer."
    )
    assert [str(edit) for edit in small.edits][-1] == "pin c2 to m_fast"  # kept all the same
    assert small.edit(Edit(EditKind.VALUE, "m_rota", value=12)) == ()  # old clashes not repeated


def test_an_edit_that_adds_a_second_clash_is_warned_about_too(small: PlanningSession) -> None:
    (first,) = small.edit(Edit(EditKind.MANDATORY, "m_lab"))  # nobody has data at level 5
    assert first.startswith("mission m_lab · Data lab is mandatory")
    small.edit(Edit(EditKind.START, "m_fast", period_id="q1"))
    (second,) = small.edit(Edit(EditKind.MANDATORY, "m_fast"))  # care has no winter time
    assert second.startswith("mission m_fast · Fast-track triage is mandatory and needs 0.4 FTE")
    assert second.endswith(
        "To resolve it: make m_fast · Fast-track triage optional, or let it "
        "run outside Q1 (winter) (widen its window or move its start), or "
        "lower the ops buffer."
    )


def test_a_pin_on_the_sample_without_winter_time_is_warned_about(
    session: PlanningSession,
) -> None:
    session.edit(Edit(EditKind.START, "M03", period_id="2027-Q1"))
    (warning,) = session.edit(Edit(EditKind.PIN, "M03", "P001"))
    names = Names.of(session.scenario)
    assert warning.startswith(
        f"mission {names.mission('M03')} has {names.person('P001')} pinned to it and needs 1 FTE"
    )
    assert " in Q1 2027" in warning and "2027-Q1" not in warning


def test_what_it_takes_and_who_could_join_are_answered_in_the_background(
    small: PlanningSession,
) -> None:
    with pytest.raises(ValueError, match="solve first"):
        small.ask_price("m_lab")
    solve_now(small)
    price = small.ask_price("m_lab", time_limit=10)
    assert small.ask_price("m_lab") is price  # asked once, answered once
    ranking = small.ask_candidates("m_fast", top=3, budget=20, time_limit=10)
    assert price.wait(30) and ranking.wait(60)
    asked = small.questions
    assert asked is not None and not asked.running
    assert price.result is not None and not price.result.possible
    assert "nobody eligible for it has that skill" in price.result.reasons[0]
    assert ranking.result is not None and ranking.result.ranked
    assert {c.person_id for c in ranking.result.ranked} <= {"c1", "c2", "c3"}
    small.set_dials(dial(small, {"weights.value": 99}))
    solve_now(small)
    assert small.questions is None  # answers belong to the plan they were asked about


def test_downloads_are_named_after_the_scenario_and_the_time(
    session: PlanningSession,
) -> None:
    moment = datetime(2026, 12, 1, 15, 30)
    assert session.file_name("roster.csv", moment) == "sample_2026-12-01_1530_roster.csv"
    session.link = Link("Winter plan 2027", 1, 1)  # saved (or opened) under that name
    saved = session.file_name("report.xlsx", moment)
    assert saved == "winter-plan-2027_2026-12-01_1530_report.xlsx"
    assert scenario_slug("Riverside Care Group (sample)") == "riverside-care-group"
    assert scenario_slug("Ziekenhuis Zuid — Q3 plan.XLSX") == "ziekenhuis-zuid-q3-plan"
    assert scenario_slug("Café Ørsted.zip") == "cafe-rsted"
    assert scenario_slug("???") == "scenario"


def test_a_shared_stop_reaches_worker_threads_of_this_process_only() -> None:
    """Dask serializes what it sends a worker: a ``SharedStop`` comes back as itself here
    (the app's workers are threads of this process), elsewhere as an event nobody sets."""
    stop = SharedStop()
    assert pickle.loads(pickle.dumps(stop)) is stop
    assert one_thread(SolveSettings(stop=stop)).stop is stop
    elsewhere = pickle.loads(pickle.dumps(stop).replace(stop.key.encode(), b"0" * 32))
    assert elsewhere is not stop and not elsewhere.is_set()


@pytest.mark.slow
def test_a_study_runs_in_the_background_and_a_stop_ends_it_keeping_the_points_solved() -> None:
    """Each point of this frontier runs to its 8 s limit (the optimum takes minutes), two at
    a time: stopped once a point is solved, the study ends without waiting for the points
    in flight, and keeps every point it counted as solved."""
    big = generate_scenario(people=600, missions=60, seed=3)
    session = PlanningSession(big, "big")
    work = frontier_study(big, SolveSettings(time_limit=8), [0.0, 0.05, 0.1, 0.15])
    job = session.start_study("frontier", work)
    assert session.start_study("frontier", work) is job  # one study at a time
    deadline = time.monotonic() + 90
    while job.done < 1 and job.running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert 1 <= job.done < 4 and job.total == 4 and session.collect_study() is None
    stopped_at = time.monotonic()
    job.stop()
    assert job.wait(30)
    assert time.monotonic() - stopped_at < 5, "the points in flight were waited for"
    assert session.collect_study() is job and not session.studying
    assert isinstance(job.result, Frontier) and job.error is None
    kept = list(job.result.table["ops_buffer"])
    assert len(kept) == len(job.result.results) == job.done < 4
    assert set(kept) <= {0.0, 0.05, 0.1, 0.15}
