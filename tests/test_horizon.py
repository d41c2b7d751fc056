"""MODEL.md v2: one tiny horizon per new family, with the optimum worked out by hand.

Under the defaults 1 FTE = 20 steps, the minimum share is 2 steps, a mission of value 1
scores 10,000, each membership costs 1 and each period of delay costs 1.  Periods are
``q1 … q4``; every test also checks the plan with ``check`` and the score from the plan.
"""

from __future__ import annotations

from typing import Any

import pytest

from assembler import Scenario
from assembler.domain.scenario import Availability, OpsDemand, Period
from assembler.planning.edits import EditError, drop_mission, fix_start, set_window
from assembler.results.compare import compare
from assembler.results.report import build_reports
from assembler.results.result import Result
from builders import mission, person, scenario
from solving import solved

STAFFED = 10_000


def horizon(
    s: Scenario, periods: int = 2, away: dict[tuple[str, str], float] | None = None
) -> Scenario:
    """``s`` over ``periods`` quarters, with ``away[(person, period)] = fte`` availability."""
    return s.replace(
        periods=tuple(Period(period_id=f"q{i}") for i in range(1, periods + 1)),
        availability=tuple(
            Availability(person_id=p, period_id=q, fte=fte) for (p, q), fte in (away or {}).items()
        ),
    )


def timed(mission_id: str, needs: dict[str, Any] | None = None, **timing: Any) -> Any:
    """A mission with timing columns (``earliest_start`` … ``after``)."""
    return mission(mission_id, needs, **timing)


def starts(result: Result) -> dict[str, int]:
    assert result.solution is not None
    return dict(result.solution.starts)


def test_a_person_away_in_one_period_of_the_run_cannot_join() -> None:
    base = scenario([person("a")], [mission("m", {"k": 0.5})])
    assert solved(horizon(base, away={("a", "q2"): 0.0})).score == 0
    assert solved(horizon(base, away={("a", "q2"): 0.5})).score == STAFFED - 1


def test_availability_replaces_fte_in_its_period_only() -> None:
    # 0.6 FTE in q1 (availability) and 0.2 in q2 (people.fte): the 0.3 need fits q1 only.
    base = scenario([person("a", fte=0.2)], [timed("m", {"k": 0.3}, duration=1)])
    result = solved(horizon(base, away={("a", "q1"): 0.6}))
    assert result.score == STAFFED - 1 and starts(result) == {"m": 0}


def test_the_optimiser_chooses_the_start_where_the_time_is() -> None:
    # Operations take all of a's time in q1 (row for q1), half in q2 (blank row).
    base = scenario(
        [person("a")],
        [timed("m", {"k": 0.5}, duration=1)],
        ops=[("u1", "k", 0.5)],
        ops_buffer=0.0,
    )
    s = horizon(base).replace(
        ops_demand=(
            OpsDemand(unit_id="u1", skill_id="k", fte=0.5),
            OpsDemand(unit_id="u1", skill_id="k", fte=1.0, period_id="q1"),
        )
    )
    result = solved(s)
    assert starts(result) == {"m": 1}
    assert result.score == STAFFED - 1 - 1  # one membership, one period of delay


def test_a_period_row_of_zero_lifts_the_requirement_there() -> None:
    base = scenario([person("a")], [timed("m", {"k": 0.5}, duration=1)], ops_buffer=0.0)
    s = horizon(base).replace(
        ops_demand=(
            OpsDemand(unit_id="u1", skill_id="k", fte=1.0),
            OpsDemand(unit_id="u1", skill_id="k", fte=0.0, period_id="q2"),
        )
    )
    result = solved(s)
    assert starts(result) == {"m": 1} and result.score == STAFFED - 2


def test_a_period_row_brings_its_own_min_level() -> None:
    # In q2 operations need 0.6 FTE; at level 1 b (0.5 FTE) covers most of it and a can
    # still give the mission 0.5, but at level 3 only a may cover it: 0.6 + 0.5 > 1.
    base = scenario(
        [person("a", skills={"k": 3}), person("b", skills={"k": 1}, fte=0.5)],
        [timed("m", {"k": (0.5, 3)}, duration=2)],
        ops_buffer=0.0,
    )

    def with_q2_level(level: int) -> Scenario:
        return horizon(base).replace(
            ops_demand=(
                OpsDemand(unit_id="u1", skill_id="k", fte=0.5),
                OpsDemand(unit_id="u1", skill_id="k", fte=0.6, min_level=level, period_id="q2"),
            )
        )

    assert solved(with_q2_level(1)).score == STAFFED - 1
    assert solved(with_q2_level(3)).score == 0


def test_the_delay_term_counts_periods_from_the_window_start() -> None:
    base = scenario([person("a")], [timed("m", {"k": 0.5}, duration=1)])
    away = {("a", "q1"): 0.0, ("a", "q2"): 0.0}
    assert solved(horizon(base, 3, away)).score == STAFFED - 1 - 2
    heavy = horizon(base, 3, away).with_settings(**{"weights.delay": 5})
    assert solved(heavy).score == STAFFED - 1 - 10
    late_window = horizon(
        scenario([person("a")], [timed("m", {"k": 0.5}, duration=1, earliest_start="q3")]),
        3,
        away,
    )
    assert solved(late_window).score == STAFFED - 1


def test_a_mission_after_another_waits_for_it_to_end() -> None:
    # a can give 0.5 FTE a quarter: m1 and m2 (0.5 each) cannot share a quarter.
    base = scenario(
        [person("a", fte=0.5)],
        [
            timed("m1", {"k": 0.5}, duration=1),
            timed("m2", {"k": 0.5}, duration=1, after="m1"),
        ],
    )
    result = solved(horizon(base))
    assert starts(result) == {"m1": 0, "m2": 1}
    assert result.score == 2 * STAFFED - 2 - 1


def test_a_mission_after_one_that_cannot_run_cannot_run() -> None:
    base = scenario(
        [person("a", skills={"k": 3})],
        [
            timed("m1", {"j": 0.5}, duration=1),  # nobody has skill j
            timed("m2", {"k": 0.5}, duration=1, after="m1"),
        ],
    )
    assert solved(horizon(base)).score == 0


def test_a_mission_after_another_cannot_start_before_it_ends() -> None:
    # m1 runs both quarters: m2 (after m1) has no start left.
    base = scenario(
        [person("a"), person("b")],
        [timed("m1", {"k": 0.5}), timed("m2", {"k": 0.5}, duration=1, after="m1")],
    )
    result = solved(horizon(base))
    assert set(result.solution.staffed) == {"m1"}  # type: ignore[union-attr]


def test_focus_counts_missions_at_the_same_time() -> None:
    # a may work on one mission at a time: m2 is fixed in q1, so m1 moves to q2.
    base = scenario(
        [person("a", max_missions=1)],
        [
            timed("m1", {"k": 0.2}, duration=1),
            timed("m2", {"k": 0.2}, earliest_start="q1", latest_end="q1"),
        ],
    )
    result = solved(horizon(base))
    assert starts(result) == {"m1": 1, "m2": 0}
    assert result.score == 2 * STAFFED - 2 - 1


def test_capabilities_are_shared_period_by_period() -> None:
    base = scenario(
        [person("a"), person("b")],
        [timed("m1", {"k": 0.5}, duration=1), timed("m2", {"k": 0.5}, duration=1)],
        capabilities=[("c", 1, 0)],
        uses=[("m1", "c", 1), ("m2", "c", 1)],
    )
    result = solved(horizon(base))
    assert sorted(starts(result).values()) == [0, 1]
    assert result.score == 2 * STAFFED - 2 - 1


def test_one_period_gives_the_v1_optimum() -> None:
    base = scenario(
        [person("a", fte=0.5), person("b", unit_id="u2", network_opt_in=True)],
        [mission("m1", {"k": 0.3}), mission("m2", {"k": 0.4}, change_type="transition")],
        ops=[("u1", "k", 0.2)],
        network_min_units=1,
    )
    assert solved(horizon(base, periods=1)).score == solved(base).score


def test_reports_carry_the_period_columns() -> None:
    base = scenario([person("a")], [timed("m", {"k": 0.5}, duration=1)], ops=[("u1", "k", 0.2)])
    s = horizon(base, away={("a", "q1"): 0.3})
    reports = build_reports(s, solved(s))
    assert list(reports.roster.columns)[-1] == "period_id"
    assert reports.roster.period_id.tolist() == ["q2"]
    missions = reports.missions.set_index("mission_id")
    assert (missions.start_period["m"], missions.end_period["m"]) == ("q2", "q2")
    assert reports.people.period_id.tolist() == ["q1", "q2"]
    assert reports.ops_coverage.period_id.tolist() == ["q1", "q2"]
    summary = reports.summary.to_json()
    assert summary["periods"] == ["q1", "q2"]
    assert summary["network_fte_by_period"] == [0.0, 0.0]
    assert "periods" not in build_reports(base, solved(base)).summary.to_json()


def test_edits_move_a_window_or_fix_a_start() -> None:
    base = horizon(scenario([person("a")], [timed("m", {"k": 0.5}, duration=1)]), 3)
    fixed = fix_start(base, "m", "q3")
    assert solved(fixed).solution.starts == {"m": 2}  # type: ignore[union-attr]
    windowed = set_window(base, "m", "q2", "q3")
    result = solved(windowed)
    assert starts(result) == {"m": 1} and result.score == STAFFED - 1
    with pytest.raises(EditError, match="after the last period"):
        fix_start(horizon(scenario([person("a")], [timed("m", duration=2)]), 3), "m", "q3")
    with pytest.raises(EditError, match="longer than the window"):
        set_window(horizon(scenario([person("a")], [timed("m", duration=2)]), 3), "m", "q2", "q2")


def test_a_mission_others_follow_cannot_be_dropped() -> None:
    s = horizon(scenario([person("a")], [timed("m1", duration=1), timed("m2", after="m1")]))
    with pytest.raises(EditError, match="m2 runs after it"):
        drop_mission(s, "m1")


def test_a_comparison_names_missions_moved_in_time() -> None:
    base = horizon(scenario([person("a")], [timed("m", {"k": 0.5}, duration=1)]), 3)
    before, after = solved(base), solved(fix_start(base, "m", "q3"))
    comparison = compare(base, before, fix_start(base, "m", "q3"), after)
    assert [(s.mission_id, s.start_before, s.start_after) for s in comparison.shifts] == [
        ("m", "q1", "q3")
    ]
    assert not comparison.unchanged
