"""Sweeps: grid files (every mistake reported at once), data variants, one row per run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from assembler import Instance, Scenario, SolveSettings, cli
from assembler.domain.scenario import Availability, OpsDemand, Period
from assembler.io import write_scenario
from assembler.tradeoffs import (
    GridError,
    MissionValue,
    OpsLoad,
    Runner,
    SweepPlan,
    UnitCapacity,
    Variant,
    parse_grid,
    read_grid,
    sweep,
)
from builders import mission, person, scenario

GRID = """
[grid]
ops_buffer = [0.0, 0.5]
weights.preference = [0, 10]

[[variant]]
name = "u1 loses half its time"
unit_capacity = { unit = "u1", factor = 0.5 }
"""


def org() -> Scenario:
    """Two units under a root; one operational demand in u1; two missions."""
    return scenario(
        [person("a", "u1", {"k": 3}), person("b", "u2", {"k": 3}, fte=0.5)],
        [mission("m1", {"k": 0.4}, value=2), mission("m2", {"k": 0.2}, value=1)],
        units=[("root", None), ("u1", "root"), ("u2", "root")],
        ops=[("u1", "k", 0.5)],
        preferences=[("a", "m1", 2)],
    )


def test_a_small_grid_gives_one_row_per_run_on_two_workers(runner: Runner) -> None:
    plan = parse_grid(
        {
            "grid": {"ops_buffer": [0.0, 0.5], "weights": {"preference": [0, 10]}},
            "variant": [{"name": "u1 halved", "unit_capacity": {"unit": "u1", "factor": 0.5}}],
        },
        org(),
        "grid.toml",
    )
    assert len(runner.client.scheduler_info()["workers"]) == 2
    table = sweep(org(), plan, SolveSettings(time_limit=10), runner=runner)
    assert len(table) == 8 == len(plan.runs())
    assert list(table.columns[:4]) == ["run", "variant", "ops_buffer", "weights.preference"]
    assert set(table["variant"]) == {"baseline", "u1 halved"}
    assert set(zip(table["ops_buffer"], table["weights.preference"], strict=True)) == {
        (0.0, 0),
        (0.0, 10),
        (0.5, 0),
        (0.5, 10),
    }
    solved = table[table["status"] == "optimal"]
    for column in ("score", "value_captured", "missions_staffed", "network_fte"):
        assert solved[column].notna().all()
    assert solved["tightest_ops"].eq("u1/k").all()
    value = {
        (variant, buffer): (status, captured)
        for variant, buffer, status, captured in table[
            ["variant", "ops_buffer", "status", "value_captured"]
        ].itertuples(index=False)
    }
    # a keeps 0.5 (or 0.75) of 1 FTE for operations, b gives 0.5: both missions fit.  With
    # u1 halved, a has nothing left at 0 % (b alone staffs m1) and too little at 50 %.
    assert value["baseline", 0.0] == value["baseline", 0.5] == ("optimal", 3)
    assert value["u1 halved", 0.0] == ("optimal", 2)
    assert value["u1 halved", 0.5][0] == "infeasible"
    assert table[table["status"] == "infeasible"]["conflicts"].str.contains("unit 'u1'").all()


def test_the_runs_are_the_cross_product_of_the_grid_and_the_variants() -> None:
    variants = (Variant("x"), Variant("y"))
    runs = SweepPlan({"ops_buffer": (0.0, 0.1, 0.2), "network_min_units": (1, 2)}, variants).runs()
    assert len(runs) == 3 * 2 * 3
    assert runs[0].settings == {"ops_buffer": 0.0, "network_min_units": 1}
    assert [run.variant.name for run in runs[:3]] == ["baseline", "x", "y"]


def test_variants_change_time_value_and_operational_load() -> None:
    base = org()
    less = UnitCapacity("root", 0.5).apply(base)
    assert [p.fte for p in less.people] == [0.5, 0.25]
    assert MissionValue("m2", 3).apply(base).missions[1].value == 3
    assert OpsLoad("u1", 1.2, skill="k").apply(base).ops_demand[0].fte == pytest.approx(0.6)


def test_a_grid_file_is_read_with_dotted_weights(tmp_path: Path) -> None:
    path = tmp_path / "grid.toml"
    path.write_text(GRID)
    plan = read_grid(path, org())
    assert plan.grid == {"ops_buffer": (0.0, 0.5), "weights.preference": (0, 10)}
    assert plan.variants == (Variant("u1 loses half its time", (UnitCapacity("u1", 0.5),)),)


def test_every_mistake_in_a_grid_is_reported_at_once() -> None:
    document = {
        "grid": {"ops_bufer": [0.1], "network_min_units": [1, -2], "step_fte": []},
        "variants": [],
        "variant": [
            {"name": "a", "unit_capacity": {"unit": "u11", "factor": 0.5}},
            {"name": "a", "mission_value": {"mission": "m1", "factor": 2}},
            {"name": "b", "mission_valu": {"mission": "m1", "factor": 2}},
            {"name": "c", "ops_demand": {"unit": "u1", "factor": "more"}},
            {"name": "d", "unit_capacity": [{"unit": "u1"}, {"unit": "u1", "factor": 3}]},
        ],
    }
    with pytest.raises(GridError) as caught:
        parse_grid(document, org(), "grid.toml")
    messages = [str(problem) for problem in caught.value.problems]
    expected = [
        "grid.toml: variants: unknown section (did you mean 'variant'?)",
        "grid.toml: grid.ops_bufer: unknown setting (did you mean 'ops_buffer'?)",
        "grid.toml: grid.network_min_units: -2 must be from 0 to 1,000,000",
        "grid.toml: grid.step_fte: is an empty list: give at least one value",
        "grid.toml: variant 1.unit_capacity: unknown unit 'u11' (did you mean 'u1'?)",
        "grid.toml: variant 2.name: 'a' is already used; names must be unique",
        "grid.toml: variant 3.mission_valu: unknown change (did you mean 'mission_value'?)",
        "grid.toml: variant 4.ops_demand.factor: 'more' is not a number",
        "grid.toml: variant 5.unit_capacity: 'factor' is missing",
        "grid.toml: variant 5.unit_capacity: factor 3 would give someone 3 FTE, "
        "more than the 2 a person may have",
    ]
    assert messages == expected


def test_cli_sweep_writes_one_row_per_run(tmp_path: Path, dask_scheduler: str) -> None:
    write_scenario(org(), tmp_path / "scenario")
    (tmp_path / "grid.toml").write_text(GRID)
    out = tmp_path / "out"
    args = ["sweep", str(tmp_path / "scenario"), "--grid", str(tmp_path / "grid.toml")]
    result = CliRunner().invoke(cli.app, [*args, "--out", str(out), "--scheduler", dask_scheduler])
    assert result.exit_code == 0, result.output
    assert f"8 runs on 2 worker threads at {dask_scheduler}" in result.output
    table = pd.read_csv(out / "results.csv")
    assert len(table) == 8 and list(table["status"]).count("infeasible") == 2
    assert "runs        8: 6 optimal, 2 infeasible" in result.output
    assert len(pd.read_parquet(out / "results.parquet")) == 8
    assert (out / "sweep.png").read_bytes().startswith(b"\x89PNG")


def test_cli_sweep_rejects_a_bad_grid_with_file_key_and_reason(tmp_path: Path) -> None:
    write_scenario(org(), tmp_path / "scenario")
    grid = tmp_path / "grid.toml"
    grid.write_text('[grid]\n"weights.valu" = [1, 2]\nops_buffer = 0.1\n')
    args = ["sweep", str(tmp_path / "scenario"), "--grid", str(grid), "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 2
    assert "grid.toml: grid.weights.valu: unknown setting (did you mean 'weights.value'?)" in (
        result.output
    )
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_cli_sweep_rejects_a_grid_that_is_not_toml(tmp_path: Path) -> None:
    write_scenario(org(), tmp_path / "scenario")
    grid = tmp_path / "grid.toml"
    grid.write_text("[grid\nops_buffer = [0.1]\n")
    args = ["sweep", str(tmp_path / "scenario"), "--grid", str(grid), "--out", str(tmp_path / "o")]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 2
    assert "grid.toml: (file): is not valid TOML" in result.output


QUARTERS = ("2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4")


def seasons() -> Scenario:
    """``org`` over four quarters: u1's demand in k is 0.5 FTE, 0.6 in Q4 (a row of its
    own); ``a`` has 0.5 FTE in Q2."""
    base = org()
    return base.replace(
        periods=tuple(Period(period_id=q) for q in QUARTERS),
        availability=(Availability(person_id="a", period_id="2027-Q2", fte=0.5),),
        ops_demand=(
            *base.ops_demand,
            OpsDemand(unit_id="u1", skill_id="k", fte=0.6, period_id="2027-Q4"),
        ),
    )


def demand_by_period(s: Scenario) -> list[float]:
    return [round(need.demand_fte, 10) for need in Instance(s).ops]


def test_a_winter_peak_scales_the_named_periods_only() -> None:
    peak = OpsLoad("u1", 1.2, period=("2027-Q1", "2027-Q4"))
    assert demand_by_period(seasons()) == [0.5, 0.5, 0.5, 0.6]
    assert demand_by_period(peak.apply(seasons())) == [0.6, 0.5, 0.5, 0.72]
    rows = {row.period_id: row.fte for row in peak.apply(seasons()).ops_demand}
    assert rows == {None: 0.5, "2027-Q1": pytest.approx(0.6), "2027-Q4": pytest.approx(0.72)}
    assert demand_by_period(OpsLoad("u1", 2).apply(seasons())) == [1.0, 1.0, 1.0, 1.2]


def test_a_unit_loses_time_in_the_named_periods_only() -> None:
    a = 0  # a is in u1, b in u2
    halved = UnitCapacity("u1", 0.5, period=("2027-Q2", "2027-Q3")).apply(seasons())
    assert Instance(halved).capacity[a] == (20, 5, 10, 20)  # Q2's 0.5 halved, Q3 made from fte
    assert Instance(halved).capacity[1] == Instance(seasons()).capacity[1]
    throughout = UnitCapacity("u1", 0.5).apply(seasons())
    assert Instance(throughout).capacity[a] == (10, 5, 10, 10)


def test_a_horizon_sweep_moves_a_mission_away_from_the_peak() -> None:
    """``a`` keeps 0.5 FTE for operations (no buffer) and staffs ``m`` (0.5 FTE, one quarter
    of two) with the rest: a peak in q1 moves it to q2 (a period of delay); a peak in both
    leaves no time for it."""
    built = scenario(
        [person("a", "u1", {"k": 3})],
        [mission("m", {"k": 0.5}, duration=1)],
        ops=[("u1", "k", 0.5)],
        ops_buffer=0.0,
    ).replace(periods=(Period(period_id="q1"), Period(period_id="q2")))
    grid = {
        "variant": [
            {"name": "q1 peak", "ops_demand": {"unit": "u1", "factor": 1.2, "period": "q1"}},
            {"name": "peaks", "ops_demand": {"unit": "u1", "factor": 1.2, "period": ["q1", "q2"]}},
        ]
    }
    plan = parse_grid(grid, built, "grid.toml")
    with Runner(2, processes=False) as runner:
        table = sweep(built, plan, SolveSettings(time_limit=10), runner=runner)
    rows = table.set_index("variant")
    assert list(rows["score"]) == [10_000 - 1, 10_000 - 1 - 1, 0]
    assert list(rows["value_captured"]) == [1, 1, 0]


def test_grid_errors_name_unknown_periods_and_periods_without_a_horizon() -> None:
    document = {
        "variant": [
            {"name": "a", "ops_demand": {"unit": "u1", "factor": 1.2, "period": "2027-Q5"}},
            {
                "name": "b",
                "unit_capacity": {"unit": "u1", "factor": 0.9, "period": ["2027-Q1", "Q2"]},
            },
            {"name": "c", "ops_demand": {"unit": "u1", "factor": 1.2, "period": []}},
            {"name": "d", "ops_demand": {"unit": "u1", "factor": 1.2, "period": 4}},
            {"name": "e", "mission_value": {"mission": "m1", "factor": 2, "period": "2027-Q1"}},
        ]
    }
    with pytest.raises(GridError) as caught:
        parse_grid(document, seasons(), "grid.toml")
    assert [str(problem) for problem in caught.value.problems] == [
        "grid.toml: variant 1.ops_demand: unknown period '2027-Q5' (did you mean '2027-Q4'?)",
        "grid.toml: variant 2.unit_capacity: unknown period 'Q2'",
        "grid.toml: variant 3.ops_demand.period: is an empty list: give at least one period id",
        "grid.toml: variant 4.ops_demand.period: 4 is not a period id or a list of them",
        "grid.toml: variant 5.mission_value: unknown field 'period'; fields: mission, factor",
    ]
    without = {"variant": [{"ops_demand": {"unit": "u1", "factor": 1.2, "period": "2027-Q1"}}]}
    with pytest.raises(GridError) as caught:
        parse_grid(without, org(), "grid.toml")
    assert [str(problem) for problem in caught.value.problems] == [
        "grid.toml: variant 1.ops_demand: period is only for a scenario with periods, "
        "and this one has no periods table"
    ]
