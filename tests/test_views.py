"""The change matrix and the per-unit capacity split behind the app's pictures."""

from __future__ import annotations

import pandas as pd

from assembler import Scenario, SolveSettings, solve
from assembler.domain.scenario import ChangeType
from assembler.domain.solution import Assignment, OpsAssignment, Solution
from assembler.planning.views import CAPACITY_USES, change_matrix, unit_capacity
from assembler.results.report import build_reports
from builders import mission, person, scenario


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


def test_unit_capacity_splits_time_by_use_and_adds_up() -> None:
    s = organisation()
    solution = Solution(
        staffed=frozenset({"fix", "net"}),
        members=frozenset({("a", "fix"), ("a", "net"), ("b", "net")}),
        assignments=(
            Assignment("a", "fix", "k", 4),
            Assignment("a", "net", "k", 2),
            Assignment("b", "net", "k", 6),
        ),
        ops=(OpsAssignment("a", "k", 7),),
    )
    table = unit_capacity(s, solution)
    assert list(table.columns) == ["unit_id", "period_id", "use", "fte"]
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


def test_unit_capacity_of_a_real_solve_matches_the_people_report() -> None:
    s = organisation()
    result = solve(s, SolveSettings(time_limit=10, workers=1))
    assert result.solution is not None
    table = unit_capacity(s, result.solution)
    people = build_reports(s, result).people
    per_unit = table.groupby("unit_id").fte.sum()
    expected = people.groupby("unit_id").capacity_fte.sum()
    pd.testing.assert_series_equal(per_unit, expected, check_names=False)
