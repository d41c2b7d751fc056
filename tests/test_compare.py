"""Comparing two solves: what the planner's edit gained, lost and moved."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assembler import Result, Scenario, Status
from assembler.cli import app as cli
from assembler.io import write_scenario
from assembler.planning.cases import change_summary
from assembler.planning.edits import drop_mission, forbid, pin, set_value
from assembler.results.compare import Learning, MissionChange, Move, compare
from assembler.results.plan import Plan
from assembler.store.codec import comparison_document, comparison_from
from assembler.store.sidebyside import _changes
from assembler.text import plural
from assembler.validation import load_scenario
from builders import CLINIC, mission, person, scenario
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


def test_learners_gained_and_lost_are_named_and_stored() -> None:
    """On the v3 clinic Ben learns triage on fast-track triage under Ana; forbidding him
    there loses that learner place, and every reader of a comparison says so."""
    before = load_scenario(CLINIC)
    first = optimal(before)
    after = forbid(before, "ben", "M01")
    second = optimal(after)
    comparison = compare(before, first, after, second)
    ben = Learning("ben", "Ben Okafor", "M01", "triage")
    assert ben in comparison.learners_lost and ben not in comparison.learners_gained
    assert not comparison.unchanged
    back = comparison_from(comparison_document(comparison))
    assert back == comparison
    older = {
        k: v
        for k, v in comparison_document(comparison).items()
        if k not in ("learners_gained", "learners_lost")
    }
    assert comparison_from(older).learners_lost == ()  # stored before learners existed
    assert "learners gained" not in change_summary(compare(before, first, before, first))
    gained, lost = len(comparison.learners_gained), len(comparison.learners_lost)
    assert f"{plural(gained, 'learner')} gained, {lost} lost" in change_summary(comparison)
    plans = [Plan(before, first, plan_id=1), Plan(after, second, plan_id=2)]
    changes = _changes(plans)
    lost = changes[changes.kind == "learner lost"]
    assert "Ben Okafor (ben) no longer learns triage on M01 Fast-track triage" in set(lost.change)


def test_plans_show_and_diff_name_the_learner_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clinic's approved plan, then a re-plan with Ben forbidden on fast-track triage:
    the command line says he no longer learns triage there."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASSEMBLER_DB", raising=False)
    clinic = load_scenario(CLINIC)
    write_scenario(clinic, tmp_path / "clinic")

    def plans(*args: str) -> str:
        result = CliRunner().invoke(cli, ["plans", *args])
        assert result.exit_code == 0, result.output
        return result.output

    plans("save", "clinic", "--name", "clinic", "--solve", "--quiet")
    plans("propose", "1")
    plans("approve", "1", "--reason", "first", "--override-releases", "a test of comparisons")
    write_scenario(forbid(clinic, "ben", "M01"), tmp_path / "clinic")
    plans("save", "clinic", "--name", "clinic", "--solve", "--quiet")
    assert "  Ben Okafor (ben) no longer learns triage on M01 Fast-track triage" in plans(
        "show", "2"
    )
    assert "Ben Okafor (ben) no longer learns triage on M01 Fast-track triage" in plans(
        "diff", "1", "2"
    )
