"""The figures behind the app's pictures: the change matrix, the per-unit capacity split,
operations' headroom, one person's time, the mission timeline and the names shown."""

from __future__ import annotations

import pandas as pd

from assembler import Scenario, SolveSettings, check, solve
from assembler.compile.protection import Shortfall
from assembler.domain.edits import Edit, EditKind
from assembler.domain.scenario import ChangeType
from assembler.domain.solution import Assignment, OpsAssignment, Solution
from assembler.planning.timeline import mission_timeline
from assembler.planning.views import (
    ALL_ON_OPERATIONS,
    AWAY,
    FULLY_BOOKED,
    OVER_CAPACITY,
    OVERLOADED,
    SPARE,
    capacity_in,
    change_matrix,
    loads,
    ops_headroom,
    ops_short,
    person_time,
)
from assembler.results.capacity import CAPACITY_USES, unit_capacity
from assembler.results.compare import Shift
from assembler.results.names import Names
from assembler.results.report import build_reports
from builders import mission, person, scenario
from small_horizon import quarters


def organisation() -> Scenario:
    people = [
        person("a", "u1", {"k": 3}, network_opt_in=True),
        person("b", "u2", {"k": 3}, network_opt_in=True, fte=0.5),
    ]
    missions = [
        mission("fix", {"k": 0.2}, "improve", 1.0, name="Fix", mandatory=True),
        mission("net", {"k": 0.4}, "transition", 2.0, name="Net"),
        mission("new", {"k": 0.1}, "transition", 0.5, name="New"),
    ]
    return scenario(
        people,
        missions,
        units=[("top", None), ("u1", "top"), ("u2", "top")],
        ops=[("u1", "k", 0.3)],
    )


def test_every_change_type_gets_a_cell_with_its_missions_in_order() -> None:
    s = organisation()
    before = change_matrix(s, None)
    assert list(before) == list(ChangeType)
    assert [m.mission_id for m in before[ChangeType.TRANSITION].missions] == ["net", "new"]
    assert before[ChangeType.RENEW].missions == ()
    assert before[ChangeType.IMPROVE].missions[0].mandatory
    assert all(m.staffed is None for cell in before.values() for m in cell.missions)
    solution = Solution(staffed=frozenset({"net"}), members=frozenset(), assignments=(), ops=())
    after = change_matrix(s, solution)
    assert [m.staffed for m in after[ChangeType.TRANSITION].missions] == [True, False]
    assert after[ChangeType.TRANSITION].staffed == 1
    assert after[ChangeType.IMPROVE].staffed == 0


def split_plan() -> Solution:
    """``organisation`` with a on fix and net and on operations, b on net only."""
    return Solution(
        staffed=frozenset({"fix", "net"}),
        members=frozenset({("a", "fix"), ("a", "net"), ("b", "net")}),
        assignments=(
            Assignment("a", "fix", "k", 4),
            Assignment("a", "net", "k", 2),
            Assignment("b", "net", "k", 6),
        ),
        ops=(OpsAssignment("a", "k", 7),),
    )


def test_unit_capacity_splits_time_by_use_and_adds_up() -> None:
    table = unit_capacity(organisation(), split_plan())
    assert list(table.columns) == ["unit_id", "period_id", "use", "fte", "share"]
    assert list(table.unit_id.unique()) == ["u1", "u2"]  # "top" has no people
    split = table.set_index(["unit_id", "use"]).fte
    assert split["u1"].to_dict() == {
        "operations": 0.35,
        "hierarchy missions": 0.2,
        "network missions": 0.1,
        "free": 0.35,
    }
    assert split["u2"].to_dict() == {
        "operations": 0.0,
        "hierarchy missions": 0.0,
        "network missions": 0.3,
        "free": 0.2,
    }
    assert tuple(table.use[:4]) == CAPACITY_USES
    shares = table.set_index(["unit_id", "use"]).share
    assert shares["u1", "free"] == 0.35 and shares["u2", "network missions"] == 0.6


def test_unit_capacity_of_a_real_solve_matches_the_people_report() -> None:
    s = organisation()
    result = solve(s, SolveSettings(time_limit=10, workers=1))
    assert result.solution is not None
    table = unit_capacity(s, result.solution)
    people = build_reports(s, result).people
    per_unit = table.groupby("unit_id").fte.sum()
    expected = people.groupby("unit_id").capacity_fte.sum()
    pd.testing.assert_series_equal(per_unit, expected, check_names=False)


def solved_quarters() -> tuple[Scenario, Solution]:
    s = quarters()
    result = solve(s, SolveSettings(time_limit=10, workers=1))
    assert result.solution is not None and check(s, result.solution) == []
    return s, result.solution


def test_capacity_of_a_horizon_is_shown_per_period_or_as_the_mean_never_summed() -> None:
    s, solution = solved_quarters()
    table = unit_capacity(s, solution)
    assert list(table.period_id.unique()) == ["q1", "q2", "q3"]
    office = table[table.unit_id == "office"].groupby("period_id").fte.sum()
    assert office.to_dict() == {"q1": 3.0, "q2": 2.0, "q3": 3.0}  # Fay is on leave in q2
    assert (table.groupby(["unit_id", "period_id"]).share.sum().round(9) == 1).all()
    mean = capacity_in(table).set_index(["unit_id", "use"]).fte
    assert mean.groupby("unit_id").sum().round(9).to_dict() == {"care": 3.0, "office": 2.6667}
    spring = capacity_in(table, "q2").set_index(["unit_id", "use"]).fte
    assert spring.groupby("unit_id").sum().to_dict() == {"care": 3.0, "office": 2.0}
    assert spring["care", "operations"] == 2.2


def test_headroom_is_the_free_time_of_the_people_able_to_cover_a_demand() -> None:
    s = organisation()
    table = ops_headroom(s, split_plan())
    assert table.to_dict("records") == [
        {
            "unit_id": "u1",
            "skill_id": "k",
            "period_id": "",
            "demand_fte": 0.3,
            "protected_fte": 0.35,
            "covered_fte": 0.35,
            "slack_fte": 0.0,
            "headroom_fte": 0.35,  # a: 1 FTE − 0.35 operations − 0.3 on missions
            "qualified": 1,
        }
    ]


def test_headroom_per_period_sees_the_winter_peak_and_the_leave() -> None:
    s = quarters()
    result = solve(s, SolveSettings(time_limit=10, workers=1))
    assert result.solution is not None
    table = ops_headroom(s, result.solution).set_index(["unit_id", "period_id"])
    assert list(table.index) == [
        ("care", "q1"),
        ("care", "q2"),
        ("care", "q3"),
        ("office", "q1"),
        ("office", "q2"),
        ("office", "q3"),
    ]
    assert (table.slack_fte == 0).all()  # the plan keeps operations at the minimum…
    care = table.loc["care"]
    assert care.protected_fte.to_dict() == {"q1": 2.65, "q2": 2.2, "q3": 2.2}
    # …but care has time left outside the winter peak (in q2 the missions take some)
    assert care.headroom_fte["q1"] == 0.35 and care.headroom_fte["q3"] == 0.8
    assert care.headroom_fte["q2"] < 0.4  # fast-track triage takes 0.4, shared data some
    people = build_reports(s, result).people
    free = people[people.unit_id == "care"].groupby("period_id").free_fte.sum().round(9)
    assert free.to_dict() == care.headroom_fte.to_dict()  # every carer can triage


def test_one_persons_time_over_the_horizon() -> None:
    s = organisation()
    a = person_time(s, split_plan(), "a")
    assert a.to_dict("records") == [
        {"period_id": "", "use": "operations", "part": "k", "fte": 0.35, "capacity_fte": 1.0},
        {
            "period_id": "",
            "use": "hierarchy missions",
            "part": "fix",
            "fte": 0.2,
            "capacity_fte": 1.0,
        },
        {
            "period_id": "",
            "use": "network missions",
            "part": "net",
            "fte": 0.1,
            "capacity_fte": 1.0,
        },
        {"period_id": "", "use": "free", "part": "free", "fte": 0.35, "capacity_fte": 1.0},
    ]
    s, solution = solved_quarters()
    fay = person_time(s, solution, "o3")
    leave = fay[fay.period_id == "q2"]  # on leave: nothing but 0 free of 0
    assert leave[["use", "fte", "capacity_fte"]].values.tolist() == [["free", 0.0, 0.0]]
    for period, parts in person_time(s, solution, "c1").groupby("period_id"):
        assert parts.fte.sum().round(9) == parts.capacity_fte.iloc[0], period


def test_the_timeline_has_each_missions_window_and_run() -> None:
    s, solution = solved_quarters()
    moved = [Shift("m_fast", "Fast-track triage", "q3", "q2")]
    table = mission_timeline(s, solution, moved).set_index("mission_id")
    fast, lab, data = table.loc["m_fast"], table.loc["m_lab"], table.loc["m_data"]
    assert fast.label == "m_fast · Fast-track triage" and fast.staffed
    assert (fast.window_start, fast.window_end, fast.run_start, fast.run_end) == (0, 3, 1, 2)
    assert fast.when == "runs in Q2 (spring)" and fast.moved_from == "Q3 (summer)"
    assert not lab.staffed and (lab.run_start, lab.run_end) == (0, 3)
    assert lab.when == "not staffed; could run from Q1 (winter) to Q3 (summer)"
    assert data.window_start == 1  # after the ERP roll-out, which ends in q1 at the earliest
    assert data.moved_from == ""


def test_names_stand_in_for_ids_where_the_scenario_has_them() -> None:
    names = Names.of(quarters())
    assert names.unit("care") == "Care Unit" and names.skill("admin") == "Administration"
    assert names.period("q1") == "Q1 (winter)" and names.mission("m_erp") == "m_erp · ERP roll-out"
    assert names.person("c1") == "c1 · Ada Berg"
    assert names.edit(Edit(EditKind.START, "m_fast", period_id="q3")) == (
        "start m_fast · Fast-track triage in Q3 (summer)"
    )
    assert (
        names.edit(Edit(EditKind.PIN, "m_erp", "o2")) == "pin o2 · Eli Falk to m_erp · ERP roll-out"
    )
    window = Edit(EditKind.WINDOW, "m_erp", period_id="q1", until="q2")
    assert names.edit(window) == "run m_erp · ERP roll-out within Q1 (winter) to Q2 (spring)"
    assert names.demand("care", "triage", "q1") == "Care Unit · Triage · Q1 (winter)"
    assert names.demand("care", "triage") == "Care Unit · Triage"
    short = Shortfall("care", ("triage", "admin"), 3.4, 3.0, 0, "q1")
    assert names.shortfall(short) == (
        "Care Unit: Triage, Administration in Q1 (winter) need 3.4 FTE (demand + buffer), "
        "but the people able to cover them have 3 FTE"
    )
    bare = Names.of(organisation())  # no skills table, units without names
    assert bare.unit("u1") == "u1" and bare.skill("k") == "k" and bare.person("a") == "a"
    assert bare.period("") == "the plan" and bare.unit("unknown") == "unknown"


def test_operations_that_cannot_be_protected_are_named() -> None:
    assert ops_short(quarters()) == []
    (winter,) = ops_short(quarters(ops_buffer=0.3))
    assert winter.startswith("Care Unit: Triage in Q1 (winter) need 3.15 FTE (demand + buffer)")


def test_loads_tell_the_fully_booked_from_those_operations_need() -> None:
    """Four people in one period: missions fill one, operations all of another's time,
    one is away and one has time left; a fifth asked for more than they have."""
    people = pd.DataFrame(
        {
            "capacity_fte": [1.0, 1.0, 0.0, 1.0, 0.5],
            "ops_fte": [0.4, 1.0, 0.0, 0.3, 0.4],
            "mission_fte": [0.6, 0.0, 0.0, 0.2, 0.2],
            "free_fte": [0.0, 0.0, 0.0, 0.5, -0.1],
        }
    )
    assert list(loads(people)) == [
        FULLY_BOOKED,
        ALL_ON_OPERATIONS,
        AWAY,
        SPARE,
        OVER_CAPACITY,
    ]
    assert set(OVERLOADED) == {FULLY_BOOKED, OVER_CAPACITY}
