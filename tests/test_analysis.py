"""What-if answers against independent re-solves: the price of a mission is the difference
of two optima, a candidate's change in score is the optimum with their pin minus the best."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from assembler import Result, Scenario, SolveSettings, Status, solve
from assembler.analysis import (
    Candidate,
    Excluded,
    candidates,
    price_of,
    rank_candidates,
    why_not_on_team,
)
from assembler.analysis.candidates import Ranking, _rank, pinned
from assembler.analysis.price import Difference, forced
from assembler.cli import app
from assembler.domain.scenario import Person
from assembler.io import write_scenario
from assembler.results.names import Names
from builders import mission, person, scenario

SETTINGS = SolveSettings(time_limit=20, workers=2)


def optimum(s: Scenario) -> int | None:
    result = solve(s, SETTINGS)
    assert result.status in (Status.OPTIMAL, Status.INFEASIBLE)
    return result.score


def contested() -> Scenario:
    """Two contests whose winners are known by hand, and a mission nobody can staff.

    m1 (value 5) and m2 (value 3) both need the one room; m4 (value 4) and m5 (value 2)
    both need all of d's time; m3 needs a skill nobody has.  The optimum staffs m1 and m4,
    so staffing m2 displaces m1, staffing m5 displaces m4, and m3 cannot be staffed.
    """
    return scenario(
        [person("a"), person("b"), person("d", skills={"q": 1})],
        [
            mission("m1", {"k": 0.5}, value=5),
            mission("m2", {"k": 0.5}, value=3),
            mission("m3", {"z": 0.5}, value=9),
            mission("m4", {"q": 1.0}, value=4),
            mission("m5", {"q": 1.0}, value=2),
        ],
        capabilities=[("room", 1, 0)],
        uses=[("m1", "room", 1), ("m2", "room", 1)],
    )


def test_the_price_of_a_mission_is_the_difference_of_two_optima() -> None:
    s = contested()
    base = solve(s, SETTINGS)
    assert base.solution is not None and base.score is not None
    assert base.solution.staffed == {"m1", "m4"}
    displaced = {}
    for mission_id in ("m2", "m3", "m5"):
        price = price_of(s, mission_id, SETTINGS, base)
        independent = optimum(forced(s, mission_id))
        if independent is None:
            assert not price.possible and price.reasons
            continue
        assert price.possible and price.score is not None and price.score.proven
        assert price.score.low == independent - base.score < 0
        assert price.comparison is not None
        assert mission_id in {m.mission_id for m in price.comparison.gained}
        displaced[mission_id] = {m.mission_id for m in price.comparison.lost}
    assert displaced == {"m2": {"m1"}, "m5": {"m4"}}


def test_the_price_in_value_missions_and_people() -> None:
    """Staffing m2 (value 3) gives up m1 (value 5): the answer a planner reads says so in
    value and names, not in score points."""
    s = contested().replace(
        missions=[
            m.model_copy(
                update={"name": {"m1": "Night rota", "m2": "Data lab"}.get(m.mission_id, "")}
            )
            for m in contested().missions
        ]
    )
    base = solve(s, SETTINGS)
    price = price_of(s, "m2", SETTINGS, base)
    effect = price.effect
    assert effect is not None and effect.value == -2 and effect.displaced == ("m1",)
    assert effect.gained == ("m2",) and effect.moved >= 1
    words = effect.words(Names.of(s), staffing="m2")
    assert words.startswith("value -2 (9 → 7); m1 · Night rota no longer staffed; ")
    assert "score" not in words and "Data lab" not in words
    assert effect.mission_fte == 0  # m2 takes the time m1 had: 0.5 FTE for 0.5 FTE


def test_a_staffed_mission_costs_nothing() -> None:
    s = contested()
    base = solve(s, SETTINGS)
    price = price_of(s, "m1", SETTINGS, base)
    assert price.already_staffed and price.score is not None and price.score.low == 0


def test_candidates_are_ranked_by_the_exact_change_of_pinning_them() -> None:
    # a is on the team (cheapest); b could replace nobody for free: pinning b adds a member;
    # c has no time at all; d lacks the level; e is forbidden.
    s = scenario(
        [
            person("a"),
            person("b"),
            person("c", fte=0.05),
            person("d", skills={"k": 1}),
            person("e"),
        ],
        [mission("m", {"k": (0.5, 2)})],
        locks=[("e", "m", "forbid")],
    )
    base = solve(s, SETTINGS)
    ranking = rank_candidates(s, "m", 10, SETTINGS, base)
    scores = {c.person_id: c.score.low for c in ranking.ranked if c.score and c.score.proven}
    for person_id, delta in scores.items():
        assert delta == optimum(pinned(s, person_id, "m")) - base.score  # type: ignore[operator]
    on_team = {c.person_id for c in ranking.ranked if c.on_team}
    assert len(on_team) == 1 and scores[next(iter(on_team))] == 0
    for candidate in ranking.ranked:  # in value and people: nothing lost, b joins (or swaps)
        assert candidate.effect is not None and candidate.effect.value == 0
        assert (candidate.effect.moved == 0) is candidate.on_team
    reasons = {e.person_id: e.reason for e in ranking.excluded}
    assert reasons["c"].startswith("a pin could not hold: c is pinned to mission m but has ")
    assert "less than the minimum share" in reasons["c"]
    assert reasons["d"] == "level too low: k 1 < 2"
    assert reasons["e"] == "forbidden on this mission (a lock)"


def test_candidates_for_a_displaced_mission_cost_at_least_its_price() -> None:
    """m2 is not staffed: pinning anyone to it displaces m1, so each candidate costs the
    mission's price or more, and every exact answer is the difference of two optima."""
    s = contested()
    base = solve(s, SETTINGS)
    assert base.score is not None
    price = price_of(s, "m2", SETTINGS, base)
    assert price.score is not None and price.score.proven
    ranking = rank_candidates(s, "m2", 10, SETTINGS, base)
    assert ranking.complete and ranking.unevaluated == 0
    assert {c.person_id for c in ranking.ranked} == {"a", "b"}
    for candidate in ranking.ranked:
        assert candidate.score is not None and candidate.score.proven
        exact = optimum(pinned(s, candidate.person_id, "m2"))
        assert exact is not None and candidate.score.low == exact - base.score
        assert candidate.score.low <= price.score.low
        assert not candidate.on_team


def test_against_a_best_plan_not_proven_the_answers_are_honest_ranges() -> None:
    """A best plan found at the limit (its bound above its score): no difference can be
    proven, so each candidate gets the range their re-plan shows, holding the exact one."""
    s = contested()
    proven = solve(s, SETTINGS)
    assert proven.score is not None
    base = dataclasses.replace(
        proven, status=Status.FEASIBLE, best_bound=proven.score + 50.0, gap=None
    )
    ranking = rank_candidates(s, "m2", 10, SETTINGS, base)
    assert {c.person_id for c in ranking.ranked} == {"a", "b"} and not ranking.complete
    for candidate in ranking.ranked:
        assert candidate.score is not None and not candidate.score.proven
        exact = optimum(pinned(s, candidate.person_id, "m2"))
        assert exact is not None
        assert candidate.score.low <= exact - proven.score <= candidate.score.high


def test_tied_candidates_are_settled_together_by_one_solve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only a knows r, so a stays on the team and anyone pinned joins as one more member
    (−1 each).  Each quick re-plan finds that, but only a solve can prove nobody does
    better: one solve with any one of the three on the team bounds them all."""
    s = scenario(
        [person("a", skills={"k": 3, "r": 3}), person("b"), person("c"), person("e")],
        [mission("m", {"r": 0.5, "k": 0.1})],
    )
    base = solve(s, SETTINGS)
    assert base.score is not None
    questions: list[frozenset[str]] = []
    real_solve = candidates.solve

    def counted(asked: Scenario, settings: SolveSettings) -> Result:
        if settings.one_of is not None:
            questions.append(settings.one_of.people)
        return real_solve(asked, settings)

    monkeypatch.setattr(candidates, "solve", counted)
    ranking = rank_candidates(s, "m", 10, SETTINGS, base)
    assert ranking.complete and questions == [frozenset({"b", "c", "e"})]
    scores = {c.person_id: c.score for c in ranking.ranked}
    assert scores == {"a": Difference(0, 0), **dict.fromkeys("bce", Difference(-1, -1))}
    for person_id in "bce":
        assert optimum(pinned(s, person_id, "m")) == base.score - 1


def test_a_candidate_no_plan_can_have_on_the_team_is_excluded_with_the_reason(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """b is the only one who knows q, and mandatory m0 needs all of b's time: no plan has b
    on m as well, though no certificate says so at once (the quick re-plan is made to find
    nothing here, as it may on a larger scenario): the solve proves it."""
    s = scenario(
        [person("a"), person("b", skills={"k": 3, "q": 3})],
        [mission("m0", {"q": 1.0}, mandatory=True), mission("m", {"k": 0.5})],
    )
    base = solve(s, SETTINGS)

    def nothing(_: Scenario, person: Person, *rest: Any) -> tuple[Candidate, None]:
        return candidates._candidate(person, False, None), None

    monkeypatch.setattr(candidates, "_quick", nothing)
    ranking = rank_candidates(s, "m", 10, SETTINGS, base)
    assert [c.person_id for c in ranking.ranked] == ["a"] and ranking.complete
    reasons = {e.person_id: e.reason for e in ranking.excluded}
    assert reasons == {
        "b": "no plan has them on the team together with the commitments and operations"
    }


def test_nobody_can_join_a_mission_that_cannot_be_staffed() -> None:
    """Two people, 1 FTE each, for a mission needing 3 FTE: each is eligible, none can join."""
    s = scenario([person("a"), person("b")], [mission("big", {"k": 3.0}, value=9)])
    ranking = rank_candidates(s, "big", 10, SETTINGS, solve(s, SETTINGS))
    assert ranking.ranked == () and ranking.complete
    (why,) = ranking.unstaffable  # said plainly, once, for the mission
    assert why.startswith("mission big is mandatory and needs 3 FTE of k ≥ 1")
    reasons = {e.person_id: e.reason for e in ranking.excluded}
    assert set(reasons) == {"a", "b"}
    assert all(reason.startswith("the mission cannot be staffed: ") for reason in reasons.values())


def test_a_ranking_stops_once_nobody_left_could_beat_the_top() -> None:
    """Six people could each join the staffed mission at no cost beyond one membership:
    with the top two exact at the best anyone can do, the rest need no evaluation."""
    s = scenario([person(f"p{i}") for i in range(6)], [mission("m", {"k": (0.5, 1)}, value=5)])
    base = solve(s, SETTINGS)
    ranking = rank_candidates(s, "m", 1, SETTINGS, base)
    assert ranking.complete and ranking.unevaluated > 0
    (best,) = ranking.ranked
    assert best.on_team and best.score is not None and best.score.low == 0


def test_why_a_person_is_not_on_the_team() -> None:
    s = scenario([person("a"), person("b", skills={"k": 1})], [mission("m", {"k": (0.2, 2)})])
    answer = why_not_on_team(s, "b", "m", SETTINGS)
    assert isinstance(answer, Excluded) and answer.reason == "level too low: k 1 < 2"
    member = why_not_on_team(s, "a", "m", SETTINGS)
    assert isinstance(member, Candidate) and member.on_team


def test_explain_from_the_command_line(tmp_path: Path) -> None:
    folder = tmp_path / "contested"
    write_scenario(contested(), folder)
    runner = CliRunner()
    result = runner.invoke(app, ["explain", str(folder), "--mission", "m2", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["possible"] and answer["proven"] and answer["displaced"] == ["m1"]
    assert answer["score_delta"] == -20_000  # value 5 for value 3 at the default weight 10,000
    unknown = runner.invoke(app, ["explain", str(folder), "--mission", "M2"])
    assert unknown.exit_code == 2 and "did you mean 'm2'" in unknown.output
    impossible = runner.invoke(app, ["explain", str(folder), "--mission", "m3"])
    assert impossible.exit_code == 0
    assert "it cannot be staffed" in impossible.output


@pytest.mark.slow
def test_the_readme_example_on_the_sample() -> None:
    """The README's `explain` example: M11 is bought by giving up M10; M19 cannot be had."""
    runner = CliRunner()
    # Each solve proves its optimum in seconds; the limit only keeps a busy machine's
    # slower proof from turning the answer into an unproven one.
    args = ["explain", "data/sample", "--mission", "M11", "--json", "--time-limit", "120"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["possible"] and answer["proven"] and answer["displaced"] == ["M10"]
    impossible = runner.invoke(app, ["explain", "data/sample", "--mission", "M19"])
    assert impossible.exit_code == 0 and "it cannot be staffed" in impossible.output


def test_an_uncertain_candidate_never_ranks_above_exact_ones() -> None:
    exact = Candidate("a", "", "u", False, Difference(-500, -500))
    bounded = Candidate("b", "", "u", False, Difference(-10, 0))
    unknown = Candidate("c", "", "u", False, None)
    assert sorted([unknown, bounded, exact], key=_rank) == [exact, bounded, unknown]
    assert Ranking("m", (exact,), (), 1, 0).unstaffable == ()
