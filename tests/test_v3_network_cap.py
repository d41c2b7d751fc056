"""MODEL.md v3 §6.12, the volunteer army's cap: a unit gives network missions at most
``N_ut = floor(share · Σ cap_pt + ε)`` steps per period.

1 FTE = 20 steps; the minimum share is 2 steps; a staffed mission of value 1 scores 10,000
and each member costs 1.  Units ``u1`` (a, b: 40 steps) and ``u2`` (c: 20 steps); every
network mission needs two units.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assembler import Scenario, SolveSettings, solve
from assembler.compile.instance import Instance
from assembler.domain.scenario import Unit
from assembler.generate import generate_scenario
from assembler.io import write_scenario
from assembler.results.check import check
from assembler.results.report import build_reports
from assembler.solver.greedy import greedy_solution
from assembler.validation import read_scenario
from builders import mission, person, scenario
from solving import solved
from test_io_roundtrip import TARGETS

STAFFED = 10_000


def volunteers(*missions: tuple[str, float, float], **settings: object) -> Scenario:
    """``missions`` as (id, fte, value) transition missions for a, b (u1) and c (u2)."""
    return scenario(
        [
            person("a", "u1", network_opt_in=True),
            person("b", "u1", network_opt_in=True),
            person("c", "u2", network_opt_in=True),
        ],
        [mission(m, {"k": fte}, "transition", value=value) for m, fte, value in missions],
        **settings,
    )


def test_a_cap_of_one_is_never_built() -> None:
    assert Instance(volunteers(("m", 0.5, 1))).network_cap == {}


def test_the_cap_is_counted_in_steps_of_the_units_own_people() -> None:
    instance = Instance(volunteers(("m", 0.5, 1), network_share_max=0.1))
    # u1: floor(0.1 · 40 + ε) = 4 steps; u2: floor(0.1 · 20 + ε) = 2 steps.
    assert instance.network_cap == {("u1", 0): 4, ("u2", 0): 2}
    assert instance.network_limit("u1", 0) == 4


def test_a_tight_cap_leaves_a_network_mission_unstaffed() -> None:
    # 0.5 FTE = 10 steps, but u1 may give 4 and u2 2.
    assert solved(volunteers(("m", 0.5, 1), network_share_max=0.1)).score == 0
    # At 0.25: u1 up to 10 steps, u2 up to 5; two members from two units.
    assert solved(volunteers(("m", 0.5, 1), network_share_max=0.25)).score == STAFFED - 2


def test_a_cap_forces_the_less_valuable_mission_out() -> None:
    # Two missions of 0.3 FTE (6 steps each), each drawing on both units: with 0.2, u1
    # gives ≤ 8 and u2 ≤ 4; c gives each mission 2 steps and u1 the other 4 + 4: both fit.
    both = solved(volunteers(("m1", 0.3, 1), ("m2", 0.3, 2), network_share_max=0.2))
    assert both.score == 3 * STAFFED - 4
    # With 0.15: u1 ≤ 6, u2 ≤ 3: 9 < 12 steps, only one mission, the more valuable.
    one = solved(volunteers(("m1", 0.3, 1), ("m2", 0.3, 2), network_share_max=0.15))
    assert one.solution is not None and one.solution.staffed == {"m2"}
    assert one.score == 2 * STAFFED - 2


def test_a_units_own_share_wins_over_the_setting() -> None:
    capped = volunteers(("m", 0.5, 1)).replace(
        units=(Unit(unit_id="u1", network_share_max=0.1), Unit(unit_id="u2"))
    )
    instance = Instance(capped)
    assert instance.capped_units == {"u1": 0.1}
    result = solved(capped)  # u1 gives 4 steps at most, c the rest
    assert result.score == STAFFED - 2
    summary = build_reports(capped, result).summary.to_json()
    (share,) = summary["network_share_by_unit"]["u1"]
    assert set(summary["network_share_by_unit"]) == {"u1"} and 0.05 <= share <= 0.1


def test_the_greedy_never_breaks_the_cap() -> None:
    for share in (0.1, 0.15, 0.2, 0.25):
        s = volunteers(("m1", 0.3, 1), ("m2", 0.3, 2), network_share_max=share)
        plan = greedy_solution(Instance(s))
        assert plan is not None and check(s, plan) == []


def test_check_names_the_unit_over_its_cap() -> None:
    loose = volunteers(("m", 0.5, 1), network_share_max=0.25)
    plan = solved(loose).solution
    assert plan is not None
    tight = loose.with_settings(network_share_max=0.1)
    assert any("unit 'u1' gives network missions" in problem for problem in check(tight, plan))


def test_without_a_cap_the_summary_has_no_share_key() -> None:
    s = volunteers(("m", 0.5, 1))
    assert "network_share_by_unit" not in build_reports(s, solved(s)).summary.to_json()


@pytest.mark.parametrize("target", TARGETS)
def test_unit_shares_round_trip(tmp_path: Path, target: str) -> None:
    s = volunteers(("m", 0.5, 1), network_share_max=0.3).replace(
        units=(Unit(unit_id="u1", network_share_max=0.1), Unit(unit_id="u2"))
    )
    write_scenario(s, tmp_path / target)
    report = read_scenario(tmp_path / target)
    assert report.problems == () and report.scenario == s


def test_an_unstaffed_mission_names_the_caps_that_keep_it_out() -> None:
    s = volunteers(("m", 0.5, 1), network_share_max=0.1)
    reasons = build_reports(s, solved(s)).missions.set_index("mission_id")["reason"]
    assert reasons["m"] == (
        "the network caps of u1, u2 leave its volunteers 0.3 FTE, it needs 0.5 FTE"
    )


def test_a_generated_organisation_with_caps_and_learners_keeps_every_rule() -> None:
    """The greedy warm start, the neighbourhood search and CP-SAT together on 150 people
    over four quarters, with every unit capped at 5 % and learners on: the plan passes the
    independent check, and with it the caps."""
    s = generate_scenario(people=150, missions=20, seed=6, periods=4).with_settings(
        network_share_max=0.05, stretch_levels=1
    )
    instance = Instance(s)
    assert instance.network_cap
    start = greedy_solution(instance)
    assert start is not None and check(instance, start) == []
    result = solve(s, SolveSettings(time_limit=10, workers=1))
    assert result.solution is not None and check(s, result.solution) == []
