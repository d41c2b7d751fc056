"""Comparing two solves: what the planner's edit gained, lost and moved."""

from __future__ import annotations

from assembler import Result, Scenario, Status
from assembler.planning.edits import drop_mission, forbid, pin, set_value
from assembler.results.compare import MissionChange, Move, compare
from builders import mission, person, scenario
from solving import optimal


def organisation() -> Scenario:
    """Three people, each with one FTE and two missions' worth of skill; ``big`` outvalues
    ``small``, and everybody may join at most one mission."""
    people = [person(p, "u1", {"k": 3}, name=p.title(), max_missions=1) for p in ("a", "b", "c")]
    missions = [
        mission("big", {"k": 2.0}, value=5.0, name="Big", min_team=2),
        mission("small", {"k": 0.5}, value=1.0, name="Small"),
    ]
    return scenario(people, missions)


def test_identical_solves_compare_as_unchanged() -> None:
    s = organisation()
    result = optimal(s)
    comparison = compare(s, result, s, result)
    assert comparison.unchanged
    assert comparison.value_delta == 0 and comparison.score_delta == 0


def test_a_pin_swaps_people_between_teams() -> None:
    before = organisation()
    first = optimal(before)
    assert first.solution is not None and first.solution.staffed == {"big", "small"}
    (on_small,) = (p for p, m in first.solution.members if m == "small")
    mover = min(p for p, m in first.solution.members if m == "big")
    # One mission each: pinning a `big` member to `small` sends the `small` one to `big`.
    after = pin(before, mover, "small")
    comparison = compare(before, first, after, optimal(after))
    assert comparison.gained == comparison.lost == ()
    assert comparison.value_delta == 0 and comparison.score_delta == 0
    assert set(comparison.moves) == {
        Move(mover, mover.title(), "u1", ("small",), ("big",)),
        Move(on_small, on_small.title(), "u1", ("big",), ("small",)),
    }
    assert not comparison.unchanged


def test_forbidding_people_loses_a_mission() -> None:
    before = organisation()
    first = optimal(before)
    after = forbid(forbid(before, "a", "big"), "b", "big")  # one candidate left, team of 2
    second = optimal(after)
    comparison = compare(before, first, after, second)
    assert comparison.lost == (MissionChange("big", "Big", 5.0),)
    assert comparison.gained == ()
    assert comparison.value_before == 6.0 and comparison.value_after == 1.0
    assert comparison.value_delta == -5.0
    assert comparison.score_delta == (second.score or 0) - (first.score or 0) < 0


def test_a_dropped_mission_counts_as_lost_and_values_come_from_each_side() -> None:
    before = organisation()
    first = optimal(before)
    after = set_value(drop_mission(before, "small"), "big", 8.0)
    second = optimal(after)
    comparison = compare(before, first, after, second)
    assert comparison.lost == (MissionChange("small", "Small", 1.0),)
    assert comparison.value_before == 6.0 and comparison.value_after == 8.0
    assert comparison.value_delta == 2.0


def test_a_side_without_a_solution_has_no_value_and_staffs_nothing() -> None:
    before = organisation()
    first = optimal(before)
    nothing = Result(Status.INFEASIBLE, None, None, None, 0.0, 0.0, None, None)
    comparison = compare(before, first, before, nothing)
    assert {change.mission_id for change in comparison.lost} == {"big", "small"}
    assert comparison.value_after is None and comparison.value_delta is None
    assert comparison.score_delta is None
    assert all(move.joined == () for move in comparison.moves)
    assert len(comparison.moves) == 3
