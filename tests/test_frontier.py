"""The frontier (value against the ops buffer or the network cap) and the solver-free proof
that operations cannot be protected, on scenarios small enough to work out by hand."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from assembler import Instance, Scenario, SolveSettings, Status, cli, solve
from assembler.compile.protection import highest_protectable_buffer, ops_shortfalls
from assembler.domain.scenario import Lock, LockKind, OpsDemand, Period, Unit
from assembler.io import write_scenario
from assembler.tradeoffs import DEFAULT_BUFFERS, DEFAULT_CAPS, NETWORK_CAP, Runner, frontier
from assembler.tradeoffs.charts import frontier_chart
from assembler.tradeoffs.frontier import default_buffers, spaced
from builders import mission, person, scenario
from strategies import small_scenarios


def three_missions() -> Scenario:
    """Three people (3 FTE) must keep 2 FTE of operations × (1 + buffer); what is left staffs
    missions worth 3 (0.4 FTE), 2 (0.3 FTE) and 1 (0.2 FTE)."""
    return scenario(
        [person(p, "u1", {"k": 3}) for p in ("a", "b", "c")],
        [
            mission("m1", {"k": 0.4}, value=3),
            mission("m2", {"k": 0.3}, value=2),
            mission("m3", {"k": 0.2}, value=1),
        ],
        ops=[("u1", "k", 2.0)],
    )


def capped_network() -> Scenario:
    """Two volunteers of u1 (2 FTE: the cap at s leaves ``floor(40·s)`` steps to the
    network) and c of u2, whose own cap of 0 keeps them off the network whatever the dial.
    Network missions n1 (0.2 FTE, value 1) and n2 (0.4 FTE, value 3); the hierarchy's h
    (0.5 FTE, value 2) is never capped."""
    return scenario(
        [
            person("a", "u1", {"k": 3}, network_opt_in=True),
            person("b", "u1", {"k": 3}, network_opt_in=True),
            person("c", "u2", {"k": 5}, network_opt_in=True),
        ],
        [
            mission("h", {"k": 0.5}, value=2),
            mission("n1", {"k": 0.2}, change_type="innovation", value=1),
            mission("n2", {"k": 0.4}, change_type="transition", value=3),
        ],
        units=[Unit(unit_id="u1"), Unit(unit_id="u2", network_share_max=0.0)],
        network_min_units=1,
    )


CAPPED_VALUES = {0.05: 2, 0.1: 3, 0.15: 3, 0.2: 5, 0.3: 6, 0.5: 6}
"""The optimum of ``capped_network`` by cap: h alone (u1 gives 2 steps, n1 needs 4); h and
n1 (4 steps); still n1 (6 < 8 steps for n2); h and n2 (8); all three from 12 steps."""


def test_value_against_the_network_cap_worked_by_hand(runner: Runner) -> None:
    caps = list(CAPPED_VALUES)
    result = frontier(
        capped_network(), SolveSettings(time_limit=10), caps, dial=NETWORK_CAP, runner=runner
    )
    table = result.table
    assert list(table["network_share_max"]) == caps
    assert list(table["status"]) == ["optimal"] * len(caps)
    assert list(table["value_captured"]) == list(CAPPED_VALUES.values())
    assert list(table["network_fte"]) == [0.0, 0.2, 0.2, 0.4, 0.6, 0.6]
    scenario_at, plan = result.point(3)
    assert scenario_at.settings.network_share_max == 0.2
    assert plan.solution is not None and plan.solution.staffed == {"h", "n2"}
    assert result.is_of(capped_network()) and not result.is_of(three_missions())


def test_the_cap_chart_says_network_cap_in_words_and_percent(runner: Runner) -> None:
    caps = [0.05, 0.2, 0.3, 0.5]  # 30 % and 50 % give the same plan figures
    result = frontier(capped_network(), points=caps, dial=NETWORK_CAP, runner=runner)
    spec = frontier_chart(result.table, NETWORK_CAP).to_dict()
    by_cap, by_network = spec["hconcat"]
    assert by_cap["title"] == "Value vs the network cap"
    axis = by_cap["layer"][0]["encoding"]["x"]
    assert axis["title"] == "network cap (share of a unit's time)"
    assert axis["axis"]["format"] == ".0%" and axis["field"] == "network_share_max"
    assert by_network["layer"][2]["encoding"]["text"]["field"] == "label"
    (rows,) = spec["datasets"].values()
    assert [row["label"] for row in rows] == ["5%", "20%", "30–50%", ""]


def test_a_cap_outside_0_to_1_is_refused() -> None:
    with pytest.raises(ValueError, match="a network cap"):
        frontier(capped_network(), points=[0.1, 1.5], dial=NETWORK_CAP)


def test_ranges_are_spaced_as_a_planner_enters_them() -> None:
    assert spaced(0.0, 0.3, 0.1) == (0.0, 0.1, 0.2, 0.3)
    assert spaced(0.05, 0.5, 0.05) == DEFAULT_CAPS
    assert spaced(0.0, 0.25, 0.1) == (0.0, 0.1, 0.2)


def test_more_protection_never_buys_more_value(runner: Runner) -> None:
    # Free time is 1 − 2·buffer FTE: 1.0 fits all three missions, 0.8 the best pair (m1+m2),
    # 0.6 m1+m3, 0.4 m1 alone, 0.2 m3, 0 nothing; at 60 % operations no longer fit.
    buffers = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]
    result = frontier(three_missions(), SolveSettings(time_limit=10), buffers, runner=runner)
    table = result.table
    assert list(table["ops_buffer"]) == buffers
    assert list(table["status"]) == ["optimal"] * 6 + ["infeasible"]
    assert list(table["value_captured"][:6]) == [6, 5, 4, 3, 1, 0]
    scores = list(table["score"][:6])
    assert scores == sorted(scores, reverse=True)
    assert "operations of unit 'u1' in k need 3.2 FTE" in table["conflicts"].iloc[6]
    scenario_at, plan = result.point(2)
    assert scenario_at.settings.ops_buffer == 0.2
    assert plan.solution is not None and plan.solution.staffed == {"m1", "m3"}


def test_the_frontier_also_gives_network_time_freed(runner: Runner) -> None:
    volunteers = scenario(
        [
            person("a", "u1", {"k": 3}, network_opt_in=True),
            person("b", "u2", {"k": 3}, network_opt_in=True),
        ],
        [mission("net", {"k": 0.4}, change_type="innovation", value=2, min_team=2)],
        units=[("u1", None), ("u2", None)],
        ops=[("u1", "k", 0.8)],
    )
    table = frontier(volunteers, points=[0.0, 0.2], runner=runner).table
    assert list(table["network_fte"]) == [0.4, 0.0]
    assert list(table["value_captured"]) == [2, 0]


def test_a_shortfall_names_the_smallest_set_of_demands_at_fault() -> None:
    # b covers k1 and k2, c only k2: k1 alone needs 1.2 FTE, but only b (1 FTE) can give it.
    shared = scenario(
        [
            person("a", "u1", {"x": 3}),
            person("b", "u1", {"k1": 3, "k2": 3}),
            person("c", "u1", {"k2": 3}),
        ],
        [mission("m", {"x": 0.1})],
        ops=[("u1", "k1", 1.2), ("u1", "k2", 0.5)],
        ops_buffer=0.0,
    )
    (short,) = ops_shortfalls(Instance(shared))
    assert (short.unit_id, short.skill_ids, short.required_fte, short.available_fte) == (
        "u1",
        ("k1",),
        1.2,
        1.0,
    )
    assert "need 1.2 FTE" in str(short) and "have 1 FTE" in str(short)


def test_shortfalls_see_people_who_are_away_and_time_already_given() -> None:
    instance = Instance(three_missions())
    assert ops_shortfalls(instance) == []
    a = instance.person_index["a"]
    assert [s.available_fte for s in ops_shortfalls(instance, absent=[a])] == [2.0]
    assert ops_shortfalls(instance, capacity=[[20], [20], [0]])[0].required_fte == 2.2


def test_a_certified_infeasible_run_names_the_clash_without_solving() -> None:
    result = solve(three_missions().with_settings(ops_buffer=0.6), SolveSettings())
    assert result.status is Status.INFEASIBLE and result.solve_seconds == 0.0
    assert result.conflicts and "unit 'u1'" in result.conflicts[0]


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios())
def test_the_certificate_is_exact_when_nothing_is_committed(drawn: Scenario) -> None:
    """Without mandatory missions or pins, staffing nothing is always possible, so the
    scenario is feasible exactly when operations alone can be protected."""
    free = drawn.replace(
        missions=[m.model_copy(update={"mandatory": False}) for m in drawn.missions],
        locks=[lock for lock in drawn.locks if lock.lock is LockKind.FORBID],
    )
    feasible = solve(free, SolveSettings(time_limit=10, workers=1)).status in (
        Status.OPTIMAL,
        Status.FEASIBLE,
    )
    assert feasible == (ops_shortfalls(Instance(free)) == [])


def test_cli_frontier_writes_the_table_and_the_chart(tmp_path: Path, dask_scheduler: str) -> None:
    write_scenario(three_missions(), tmp_path / "scenario")
    out = tmp_path / "out"
    args = ["frontier", str(tmp_path / "scenario"), "--out", str(out), "--buffers", "0,0.3,0.6"]
    result = CliRunner().invoke(cli.app, [*args, "--scheduler", dask_scheduler, "--quiet"])
    assert result.exit_code == 0, result.output
    with (out / "frontier.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert [row["status"] for row in rows] == ["optimal", "optimal", "infeasible"]
    assert {"ops_buffer", "score", "value_captured", "network_fte", "missions_staffed"} <= set(
        rows[0]
    )
    assert rows[2]["score"] == ""
    assert (out / "frontier.png").read_bytes().startswith(b"\x89PNG")
    assert "from 60%: operations of unit 'u1'" in result.output


def test_cli_frontier_rejects_a_bad_buffer_list(tmp_path: Path) -> None:
    write_scenario(three_missions(), tmp_path / "scenario")
    args = ["frontier", str(tmp_path / "scenario"), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(cli.app, [*args, "--buffers", "0,ten"])
    assert result.exit_code == 2
    assert "'ten' is not an ops buffer" in result.output
    assert "Traceback" not in result.output


def test_cli_frontier_over_the_network_cap(tmp_path: Path, dask_scheduler: str) -> None:
    write_scenario(capped_network(), tmp_path / "scenario")
    out = tmp_path / "out"
    args = ["frontier", str(tmp_path / "scenario"), "--out", str(out), "--over", "network-cap"]
    result = CliRunner().invoke(
        cli.app, [*args, "--caps", "0.05,0.2", "--scheduler", dask_scheduler, "--quiet"]
    )
    assert result.exit_code == 0, result.output
    with (out / "frontier.csv").open() as file:
        rows = list(csv.DictReader(file))
    assert [(row["network_share_max"], row["value_captured"]) for row in rows] == [
        ("0.05", "2.0"),
        ("0.2", "5.0"),
    ]
    assert "ops_buffer" not in rows[0]
    lines = [line.split() for line in result.output.splitlines()]
    header = lines.index(["cap", "status", "value", "share", "network", "FTE", "missions", "gap"])
    assert lines[header + 1][:3] == ["5%", "optimal", "2"]
    assert lines[header + 2][:3] == ["20%", "optimal", "5"]
    assert (out / "frontier.png").read_bytes().startswith(b"\x89PNG")


def test_cli_names_the_highest_cap_a_pin_does_not_fit(tmp_path: Path, dask_scheduler: str) -> None:
    """With a pinned on n2 (0.4 FTE of u1's time) caps below 20 % have no plan: plans stop
    *up to* a cap, where a buffer stops them *from* one."""
    pinned = capped_network().replace(
        locks=(Lock(person_id="a", mission_id="n2", lock=LockKind.PIN),)
    )
    write_scenario(pinned, tmp_path / "scenario")
    args = ["frontier", str(tmp_path / "scenario"), "--out", str(tmp_path / "out")]
    args += ["--over", "network-cap", "--caps", "0.05,0.1,0.2"]
    result = CliRunner().invoke(cli.app, [*args, "--scheduler", dask_scheduler, "--quiet"])
    assert result.exit_code == 0, result.output
    assert "up to 10%: mission n2 has a pinned to it and needs 0.4 FTE" in result.output
    assert "(network_share_max: u1 at 0.1, u2 at 0)" in result.output


def test_cli_frontier_rejects_a_cap_above_1(tmp_path: Path) -> None:
    write_scenario(capped_network(), tmp_path / "scenario")
    args = ["frontier", str(tmp_path / "scenario"), "--out", str(tmp_path / "out")]
    result = CliRunner().invoke(cli.app, [*args, "--over", "network-cap", "--caps", "0.1,1.5"])
    assert result.exit_code == 2
    assert "--caps: '1.5' is not a network cap (a share from 0 to 1, e.g. 0.1)" in result.output
    assert "Traceback" not in result.output
    unknown = CliRunner().invoke(cli.app, [*args, "--over", "people"])
    assert unknown.exit_code == 2 and "Traceback" not in unknown.output


def test_the_frontier_on_a_horizon(runner: Runner) -> None:
    """``net`` (0.4 FTE, one quarter of two) needs a and b; u1's load is 0.8 FTE in q1 and
    0.5 in q2.  At 0 % a has 0.2 free in q1: net starts there.  At 20 % a has nothing left
    in q1 (0.96 → 20 steps) but 0.4 in q2: net waits a quarter.  At 30 % q1 needs 21 steps
    of a's 20: operations no longer fit.  Network FTE is 0.4 in one quarter of two."""
    built = scenario(
        [
            person("a", "u1", {"k": 3}, network_opt_in=True),
            person("b", "u2", {"k": 3}, network_opt_in=True),
        ],
        [mission("net", {"k": 0.4}, change_type="innovation", value=2, min_team=2, duration=1)],
        units=[("u1", None), ("u2", None)],
    ).replace(
        periods=(Period(period_id="q1"), Period(period_id="q2")),
        ops_demand=(
            OpsDemand(unit_id="u1", skill_id="k", fte=0.8),
            OpsDemand(unit_id="u1", skill_id="k", fte=0.5, period_id="q2"),
        ),
    )
    result = frontier(built, SolveSettings(time_limit=10), [0.0, 0.2, 0.3], runner=runner)
    table = result.table
    assert list(table["status"]) == ["optimal", "optimal", "infeasible"]
    assert list(table["score"][:2]) == [20_000 - 2, 20_000 - 2 - 1]
    assert list(table["value_captured"][:2]) == [2, 2]
    assert list(table["network_fte"][:2]) == [0.2, 0.2]
    assert table["tightest_ops"].iloc[1] == "u1/k@q1"  # all of a's q1 kept at exactly 100 %
    assert "operations of unit 'u1' in k in q1" in table["conflicts"].iloc[2]
    _, point = result.point(1)
    assert point.solution is not None and point.solution.starts == {"net": 1}
    frontier_chart(table).to_dict()


def test_the_highest_buffer_operations_bear_is_found_by_bisection() -> None:
    # 3 FTE against 2 FTE × (1 + buffer): at most 50 %.
    assert highest_protectable_buffer(Instance(three_missions())) == 0.5
    buffers = default_buffers(three_missions().with_settings(ops_buffer=0.0))
    assert buffers == DEFAULT_BUFFERS  # bears the whole default range
    two = three_missions().replace(people=three_missions().people[:2])  # 2 FTE: no buffer
    assert highest_protectable_buffer(Instance(two)) == 0.0
    tight = three_missions().replace(
        people=[p.model_copy(update={"fte": 0.8}) for p in three_missions().people]
    )  # 2.4 FTE: 20 %
    assert highest_protectable_buffer(Instance(tight)) == 0.2
    assert default_buffers(tight) == (
        0.0,
        0.02,
        0.04,
        0.06,
        0.08,
        0.1,
        0.12,
        0.14,
        0.16,
        0.18,
        0.2,
        0.22,
    )


def test_infeasible_points_are_marked_not_drawn_at_zero(runner: Runner) -> None:
    result = frontier(three_missions(), SolveSettings(time_limit=10), [0.4, 0.6], runner=runner)
    spec = frontier_chart(result.table).to_dict()
    layers = spec["hconcat"][0]["layer"]
    marks = [layer["mark"]["type"] for layer in layers]
    assert marks == ["line", "point", "rule", "text"]
    assert all("fillna" not in str(layer) for layer in layers)
    assert "!isValid(datum.value_captured)" in str(layers[2])
