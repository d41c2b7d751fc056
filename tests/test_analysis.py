"""What-if answers against independent re-solves: the price of a mission is the difference
of two optima, a candidate's change in score is the optimum with their pin minus the best."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from assembler import Scenario, SolveSettings, Status, solve
from assembler.analysis import Candidate, Excluded, price_of, rank_candidates, why_not_on_team
from assembler.analysis.candidates import pinned
from assembler.analysis.price import forced
from assembler.cli import app
from assembler.validation import load_scenario
from builders import mission, person, scenario

SETTINGS = SolveSettings(time_limit=20, workers=2)


def optimum(s: Scenario) -> int | None:
    result = solve(s, SETTINGS)
    assert result.status in (Status.OPTIMAL, Status.INFEASIBLE)
    return result.score


@pytest.fixture(scope="module")
def sample() -> Scenario:
    return load_scenario("data/sample")


def test_the_price_of_a_mission_is_the_difference_of_two_optima(sample: Scenario) -> None:
    base = solve(sample, SETTINGS)
    assert base.solution is not None and base.score is not None
    unstaffed = [m.mission_id for m in sample.missions if m.mission_id not in base.solution.staffed]
    priced = 0
    for mission_id in unstaffed:
        price = price_of(sample, mission_id, SETTINGS, base)
        independent = optimum(forced(sample, mission_id))
        if independent is None:
            assert not price.possible and price.reasons
            continue
        assert price.possible and price.score is not None and price.score.proven
        assert price.score.low == independent - base.score
        assert price.comparison is not None
        assert mission_id in {m.mission_id for m in price.comparison.gained}
        priced += 1
    assert priced >= 2  # the sample has missions that can be bought


def test_a_staffed_mission_costs_nothing(sample: Scenario) -> None:
    base = solve(sample, SETTINGS)
    assert base.solution is not None
    staffed = sorted(base.solution.staffed)[0]
    price = price_of(sample, staffed, SETTINGS, base)
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
    reasons = {e.person_id: e.reason for e in ranking.excluded}
    assert "less than the minimum share" in reasons["c"]
    assert reasons["d"] == "level too low: k 1 < 2"
    assert reasons["e"] == "forbidden on this mission (a lock)"


def test_why_a_person_is_not_on_the_team() -> None:
    s = scenario([person("a"), person("b", skills={"k": 1})], [mission("m", {"k": (0.2, 2)})])
    answer = why_not_on_team(s, "b", "m", SETTINGS)
    assert isinstance(answer, Excluded) and answer.reason == "level too low: k 1 < 2"
    member = why_not_on_team(s, "a", "m", SETTINGS)
    assert isinstance(member, Candidate) and member.on_team


def test_explain_from_the_command_line() -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["explain", "data/sample", "--mission", "M11", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["possible"] and answer["proven"] and answer["displaced"] == ["M10"]
    unknown = runner.invoke(app, ["explain", "data/sample", "--mission", "M1"])
    assert unknown.exit_code == 2 and "did you mean 'M21'" in unknown.output
    impossible = runner.invoke(app, ["explain", "data/sample", "--mission", "M19"])
    assert impossible.exit_code == 0
    assert "it cannot be staffed" in impossible.output
