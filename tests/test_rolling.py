"""Rolling an approved plan forward (issue 24): which missions are done, running with their
team, re-planned or missed; the periods that join; and that a roll never changes the past
nor a running mission's start or team."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.strategies import DataObject

from assembler import Result, Scenario, SolveSettings, check, read_scenario, solve
from assembler.domain.scenario import Availability, Period
from assembler.domain.solution import Solution
from assembler.domain.solve_settings import Stability
from assembler.io import write_scenario
from assembler.planning import rollforward
from assembler.planning.access import User
from assembler.planning.rolling import (
    Fate,
    MissionFate,
    RollError,
    continued_periods,
    read_periods,
    roll,
)
from assembler.results.plan import Plan
from assembler.store import PlanStatus, PlanStore, Role
from builders import mission, person, scenario
from solving import optimal
from strategies import v3_teams

QUARTERS = tuple(Period(period_id=f"q{t}") for t in range(1, 5))


def small_rolling_plan() -> Scenario:
    """Four periods; the optimum (checked below) staffs ``early`` in q1, ``long`` all year
    with one member, ``next`` (after ``early``) in q2–q3 and ``late`` in q3; ``gone`` is worth
    nothing and stays unstaffed, as does ``chained`` (worth nothing too), which waits for it."""
    people = [person(f"p{i}", skills={"k": 3}) for i in range(1, 4)]
    missions = [
        mission("early", earliest_start="q1", latest_end="q1", duration=1, name="Early"),
        mission("long", name="Long"),
        mission("next", after="early", duration=2, name="Next"),
        mission("late", earliest_start="q3", duration=1, name="Late"),
        mission("gone", latest_end="q2", duration=2, value=0.0, name="Gone"),
        mission("chained", after="gone", duration=1, value=0.0, name="Chained"),
    ]
    return scenario(people, missions).replace(
        periods=QUARTERS,
        availability=(
            Availability(person_id="p1", period_id="q1", fte=0.5),
            Availability(person_id="p2", period_id="q4", fte=0.8),
        ),
    )


def _fates(rolled_fates: tuple[MissionFate, ...], fate: Fate) -> set[str]:
    return {f.mission_id for f in rolled_fates if f.fate is fate}


def _replanned(rolled_scenario: Scenario, reference: Solution) -> Result:
    """The re-plan after a roll: lexicographic, closest to the carried approved plan."""
    settings = SolveSettings(
        time_limit=10,
        workers=1,
        hint=reference,
        stability=Stability(reference, weight=None),
    )
    return solve(rolled_scenario, settings)


def test_a_roll_of_a_small_plan_checked_by_hand() -> None:
    s = small_rolling_plan()
    approved = optimal(s).solution
    assert approved is not None
    assert approved.staffed == {"early", "long", "next", "late"}
    assert approved.starts["next"] == 1 and approved.starts["late"] == 2

    rolled = roll(s, approved, "q2")

    assert rolled.left == ("q1",)
    assert rolled.scenario.period_ids == ("q2", "q3", "q4", "q5")
    assert _fates(rolled.fates, Fate.DONE) == {"early"}
    assert _fates(rolled.fates, Fate.RUNNING) == {"long"}
    assert _fates(rolled.fates, Fate.REPLANNED) == {"next", "late"}
    assert _fates(rolled.fates, Fate.MISSED) == {"gone", "chained"}
    by_id = {f.mission_id: f for f in rolled.fates}
    assert (by_id["early"].start, by_id["early"].end) == ("q1", "q1")
    assert "only 1 of its window" in by_id["gone"].reason
    assert "waits for Gone" in by_id["chained"].reason
    team = {p for p, m in approved.members if m == "long"}
    assert {m.person_id for m in by_id["long"].team} == team
    assert all(m.fte == 0.2 for m in by_id["long"].team)  # its one need, 0.2 FTE, alone

    missions = {m.mission_id: m for m in rolled.scenario.missions}
    assert set(missions) == {"long", "next", "late"}
    long = missions["long"]
    assert (long.earliest_start, long.latest_end, long.duration) == ("q2", "q4", 3)
    assert long.mandatory and long.max_team == len(team)
    assert {(lock.person_id, lock.lock) for lock in rolled.scenario.locks} == {
        (p, "pin") for p in team
    }
    assert missions["next"].after is None  # it waited for early, which is done
    assert (missions["late"].earliest_start, missions["late"].latest_end) == ("q3", "q4")
    assert {m.mission_id for m in rolled.scenario.mission_needs} == set(missions)
    # q1's availability left with q1; q5 carries the last period's (q4: no year before)
    assert {(a.person_id, a.period_id, a.fte) for a in rolled.scenario.availability} == {
        ("p2", "q4", 0.8),
        ("p2", "q5", 0.8),
    }
    assert check(rolled.scenario, rolled.reference) == []


def test_the_replan_after_a_roll_keeps_the_running_team_and_the_planned_starts() -> None:
    s = small_rolling_plan()
    approved = optimal(s).solution
    assert approved is not None
    rolled = roll(s, approved, "q2")
    result = _replanned(rolled.scenario, rolled.reference)
    assert result.solution is not None
    assert check(rolled.scenario, result.solution) == []
    assert {p for p, m in result.solution.members if m == "long"} == {
        p for p, m in approved.members if m == "long"
    }
    assert result.solution.start_of("long", 0) == 0
    # nothing gains by moving: the carried plan is kept (next in q2, late in q3)
    assert result.solution.starts["next"] == 0 and result.solution.starts["late"] == 1


def test_a_running_predecessor_keeps_its_successor_waiting() -> None:
    s = small_rolling_plan()
    approved = optimal(s).solution
    assert approved is not None
    rolled = roll(s, approved, "q3")
    assert _fates(rolled.fates, Fate.DONE) == {"early"}
    assert _fates(rolled.fates, Fate.RUNNING) == {"long", "next"}
    missions = {m.mission_id: m for m in rolled.scenario.missions}
    assert (missions["next"].earliest_start, missions["next"].duration) == ("q3", 1)
    assert check(rolled.scenario, rolled.reference) == []


def test_the_sample_rolled_at_its_second_quarter(
    sample_optimum: tuple[Scenario, Result], tmp_path: Path
) -> None:
    """The shipped sample, 2027-Q1..Q4: M08 (ERP roll-out, two quarters) runs Q1–Q2, M03
    (fast-track triage, one quarter) is planned for Q2, M15 waits for M08 and is planned for
    Q3; every other staffed mission runs the whole year. The year-long missions the optimum
    leaves out (M09, M11, M19, M20, M21) can no longer run a whole year: missed."""
    sample, result = sample_optimum
    approved = result.solution
    assert approved is not None
    rolled = roll(sample, approved, "2027-Q2")

    year_long = {"M01", "M02", "M04", "M05", "M06", "M07", "M10", "M12"}
    year_long |= {"M13", "M14", "M16", "M17", "M18"}
    assert _fates(rolled.fates, Fate.DONE) == set()
    assert _fates(rolled.fates, Fate.RUNNING) == year_long | {"M08"}
    assert _fates(rolled.fates, Fate.REPLANNED) == {"M03", "M15"}
    assert _fates(rolled.fates, Fate.MISSED) == {"M09", "M11", "M19", "M20", "M21"}
    assert rolled.value_lost == 30 + 40 + 60 + 30 + 65
    by_id = {f.mission_id: f for f in rolled.fates}
    assert (by_id["M08"].start, by_id["M08"].end) == ("2027-Q1", "2027-Q2")
    assert "P119" in {m.person_id for m in by_id["M08"].team}  # pinned in the sample
    for mission_id in year_long | {"M08"}:
        team = {p for p, m in approved.members if m == mission_id}
        assert {m.person_id for m in by_id[mission_id].team} == team

    assert rolled.added == (
        Period(period_id="2028-Q1", name="Q1 2028 (winter)", start=date(2028, 1, 1)),
    )
    new = rolled.scenario
    assert new.period_ids == ("2027-Q2", "2027-Q3", "2027-Q4", "2028-Q1")
    m15 = next(m for m in new.missions if m.mission_id == "M15")
    assert m15.after == "M08"  # M08 still runs: M15 still waits for it
    triage = {r.period_id: r.fte for r in new.ops_demand if r.skill_id == "triage"}
    assert triage == {None: 8.8, "2027-Q2": 7.6, "2027-Q3": 7.2, "2027-Q4": 9.2, "2028-Q1": 9.2}
    # P151 was away in Q1 2027, so in Q1 2028 too (the same quarter a year before)
    assert {(a.person_id, a.period_id) for a in new.availability if a.fte == 0} >= {
        ("P151", "2028-Q1")
    }
    assert all(a.period_id != "2027-Q1" for a in new.availability)
    assert check(new, rolled.reference) == []

    write_scenario(new, tmp_path / "rolled")  # what the store keeps is a valid scenario
    report = read_scenario(tmp_path / "rolled")
    assert report.scenario is not None, report.problems

    at_q3 = roll(sample, approved, "2027-Q3")
    assert _fates(at_q3.fates, Fate.DONE) == {"M03", "M08"}
    m15 = next(m for m in at_q3.scenario.missions if m.mission_id == "M15")
    assert m15.after is None  # M08 is done: the wait is over


def test_a_roll_refuses_what_it_cannot_do() -> None:
    s = small_rolling_plan()
    approved = optimal(s).solution
    assert approved is not None
    with pytest.raises(RollError, match="first period"):
        roll(s, approved, "q1")
    with pytest.raises(RollError, match="'q9' is not a period"):
        roll(s, approved, "q9")
    with pytest.raises(RollError, match="no periods"):
        roll(s.replace(periods=None, missions=s.missions[1:2]), approved, "q2")
    with pytest.raises(RollError) as refused:
        roll(s, approved, "q2", [Period(period_id="q3")])
    assert "row 1, column period_id" in str(refused.value.problems[0])


def test_periods_continue_their_cadence() -> None:
    months = [
        Period(period_id="2027-11", name="November 2027", start=date(2027, 11, 1)),
        Period(period_id="2027-12", name="December 2027", start=date(2027, 12, 1)),
    ]
    assert continued_periods(months, 2) == [
        Period(period_id="2028-01", name="", start=date(2028, 1, 1)),
        Period(period_id="2028-02", name="", start=date(2028, 2, 1)),
    ]
    assert [p.period_id for p in continued_periods(QUARTERS, 2)] == ["q5", "q6"]
    with pytest.raises(RollError, match=r"periods\.csv"):
        continued_periods([Period(period_id="spring"), Period(period_id="summer")], 1)


def test_new_periods_from_a_file_are_checked_row_by_row(tmp_path: Path) -> None:
    good = tmp_path / "next.csv"
    good.write_text("period_id,name,start\n2028-Q1,Winter,2028-01-01\n", encoding="utf-8")
    assert read_periods(good) == (
        Period(period_id="2028-Q1", name="Winter", start=date(2028, 1, 1)),
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("period_id,start\nx,2028-02-30\nx,2028-01-01\n", encoding="utf-8")
    with pytest.raises(RollError) as refused:
        read_periods(bad)
    shown = [str(problem) for problem in refused.value.problems]
    assert any(text.startswith("bad.csv row 1, column start") for text in shown)
    assert any(text.startswith("bad.csv row 2, column period_id") for text in shown)


def _roll_point(s: Scenario, approved: Solution) -> str:
    """The first period some staffed mission runs across (it started before), so the roll
    has a running mission whenever the plan allows one; else the second period."""
    for t in range(1, len(s.period_ids)):
        for mission_ in s.missions:
            if mission_.mission_id in approved.staffed:
                timing = s.timing(mission_)
                start = approved.start_of(mission_.mission_id, timing.earliest)
                if start < t < start + timing.duration:
                    return s.period_ids[t]
    return s.period_ids[1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(v3_teams(), st.data())
def test_a_roll_never_changes_the_past_nor_a_running_team(
    drawn: Scenario, data: DataObject
) -> None:
    # durations of one to three periods, so that some missions are running when it rolls
    s = drawn.replace(
        missions=tuple(
            m.model_copy(update={"duration": data.draw(st.integers(1, 3))}) for m in drawn.missions
        )
    )
    result = solve(s, SolveSettings(time_limit=5, workers=1))
    assume(result.solution is not None)
    approved = result.solution
    assert approved is not None
    at = _roll_point(s, approved)
    k = s.period_ids.index(at)
    rolled = roll(s, approved, at)
    ids = s.period_ids
    assert rolled.scenario.period_ids[: len(ids) - k] == ids[k:]
    past = set(ids[:k])
    assert not {row.period_id for row in rolled.scenario.availability} & past
    assert not {row.period_id for row in rolled.scenario.ops_demand} & past
    kept = {m.mission_id for m in rolled.scenario.missions}
    assert kept == {f.mission_id for f in rolled.fates if f.fate in (Fate.RUNNING, Fate.REPLANNED)}
    assert check(rolled.scenario, rolled.reference) == []
    for fate in rolled.fates:
        timing = s.timing(next(m for m in s.missions if m.mission_id == fate.mission_id))
        if fate.mission_id in approved.staffed:
            start = approved.start_of(fate.mission_id, timing.earliest)
            assert (fate.start, fate.end) == (ids[start], ids[start + timing.duration - 1])
            end = start + timing.duration - 1
            expected = Fate.DONE if end < k else Fate.RUNNING if start < k else Fate.REPLANNED
            assert fate.fate is expected
    replanned = _replanned(rolled.scenario, rolled.reference).solution
    assert replanned is not None
    for fate in rolled.fates:
        if fate.fate is Fate.RUNNING:
            assert fate.mission_id in replanned.staffed
            assert replanned.start_of(fate.mission_id, 0) == 0
            team = {p for p, m in replanned.members if m == fate.mission_id}
            assert team == {member.person_id for member in fate.team}


def test_a_roll_is_stored_and_read_back_on_either_database(store: PlanStore) -> None:
    """The roll's draft, its version's source and note, and the chain, on SQLite and
    PostgreSQL alike."""
    s = small_rolling_plan()
    approver = Role.APPROVER
    _, plan = store.save("small", Plan(s, optimal(s)), based_on=None, who="ann", role=approver)
    store.propose(plan.id, who="ann", role=approver)
    store.approve(plan.id, reason="ok", who="ann", role=approver)
    done = rollforward.roll_forward(store, User("ann", Role.PLANNER), plan.id, "q2", time_limit=10)
    assert done.version.label == "small v2" and done.version.source == "roll of plan 1 at q2"
    assert "done: early Early; missed: gone Gone, chained Chained" in done.version.note
    again = store.load_plan(done.record.id)
    assert again.scenario.period_ids == ("q2", "q3", "q4", "q5")
    assert done.record.reference_id == plan.id and done.record.changes is not None
    assert done.record.changes.unchanged
    assert rollforward.chain(store, "small") == "small: v1 q1–q4 → v2 q2–q5"
    assert store.plan(plan.id).status is PlanStatus.APPROVED
