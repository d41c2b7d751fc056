"""The §8 report tables: columns, one row per decision, and figures that add up."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from assembler import Instance, Scenario, SolveSettings, Status, solve
from assembler.results.report import (
    MISSIONS_COLUMNS,
    OPS_ALLOCATION_COLUMNS,
    OPS_COVERAGE_COLUMNS,
    PEOPLE_COLUMNS,
    ROSTER_COLUMNS,
    Reports,
    build_reports,
)
from builders import mission, person, scenario
from solving import optimal

SUMMARY_KEYS = {
    "status",
    "score",
    "best_bound",
    "gap",
    "value_captured",
    "value_total",
    "missions_staffed",
    "missions_total",
    "network_fte",
    "solve_seconds",
    "settings",
    "build_seconds",
    "tightest_coverage",
    "conflicts",
}


def organisation() -> Scenario:
    """Two units with operations to protect, a hierarchy and a network mission that can be
    staffed, and one mission that needs a skill nobody has."""
    people = [
        person("a", "u1", {"k": 3, "ops": 2}, name="Ann", network_opt_in=True),
        person("b", "u1", {"k": 2, "ops": 3}, name="Bob"),
        person("c", "u2", {"k": 4, "data": 2}, name="Cat", network_opt_in=True, fte=0.8),
        person("d", "u2", {"data": 3, "ops": 1}, name="Dan"),
    ]
    missions = [
        mission("m_hier", {"k": 0.35, "ops": 0.2}, "improve", 2.0, name="Tidy up"),
        mission("m_net", {"k": (0.3, 3), "data": 0.15}, "innovation", 3.0, name="New thing"),
        mission("m_none", {"quantum": 0.2}, "renew", 5.0, name="Impossible"),
    ]
    return scenario(people, missions, ops=[("u1", "ops", 0.5), ("u2", "data", 0.3)])


@pytest.fixture(scope="module")
def solved() -> tuple[Scenario, Reports]:
    s = organisation()
    return s, build_reports(s, optimal(s, time_limit=20))


def test_tables_have_the_columns_of_the_spec_in_order(solved: tuple[Scenario, Reports]) -> None:
    _, reports = solved
    assert tuple(reports.roster.columns) == ROSTER_COLUMNS
    assert tuple(reports.ops_allocation.columns) == OPS_ALLOCATION_COLUMNS
    assert tuple(reports.missions.columns) == MISSIONS_COLUMNS
    assert tuple(reports.people.columns) == PEOPLE_COLUMNS
    assert tuple(reports.ops_coverage.columns) == OPS_COVERAGE_COLUMNS
    assert list(reports.missions.columns[:8]) == [
        "mission_id", "name", "change_type", "mode", "value", "staffed", "team_size", "fte",
    ]  # fmt: skip
    assert list(reports.people.columns[:8]) == [
        "person_id", "name", "unit_id", "capacity_fte", "ops_fte", "mission_fte", "free_fte",
        "missions",
    ]  # fmt: skip
    assert list(reports.tables()) == [
        "roster", "ops_allocation", "missions", "people", "ops_coverage",
    ]  # fmt: skip


def test_roster_meets_every_need_of_a_staffed_mission(solved: tuple[Scenario, Reports]) -> None:
    s, reports = solved
    instance = Instance(s)
    roster, missions = reports.roster, reports.missions.set_index("mission_id")
    assert set(missions.index[missions["staffed"]]) == {"m_hier", "m_net"}
    for need in instance.needs:
        mission_id = instance.missions[need.mission].mission_id
        rows = roster[(roster["mission_id"] == mission_id) & (roster["skill_id"] == need.skill_id)]
        expected = instance.fte(need.demand) if missions.loc[mission_id, "staffed"] else 0.0
        assert rows["fte"].sum() == pytest.approx(expected)
    assert (roster["fte"] > 0).all()


def test_roster_rows_carry_names_unit_and_level(solved: tuple[Scenario, Reports]) -> None:
    s, reports = solved
    level = {(row.person_id, row.skill_id): row.level for row in s.person_skills}
    people = {p.person_id: p for p in s.people}
    names = {m.mission_id: m.name for m in s.missions}
    for row in reports.roster.to_dict("records"):
        assert row["level"] == level[row["person_id"], row["skill_id"]]
        assert row["person_name"] == people[row["person_id"]].name
        assert row["unit_id"] == people[row["person_id"]].unit_id
        assert row["mission_name"] == names[row["mission_id"]]


def test_roster_is_sorted_by_mission_then_person_then_skill(
    solved: tuple[Scenario, Reports],
) -> None:
    s, reports = solved
    instance = Instance(s)
    keys = [
        (
            instance.mission_index[row["mission_id"]],
            instance.person_index[row["person_id"]],
            instance.need_index[row["mission_id"], row["skill_id"]],
        )
        for row in reports.roster.to_dict("records")
    ]
    assert keys == sorted(keys)


def test_fte_figures_are_exact_decimals_of_the_grid(solved: tuple[Scenario, Reports]) -> None:
    _, reports = solved
    figures = [
        *reports.roster["fte"],
        *reports.ops_allocation["fte"],
        *reports.missions["fte"],
        *reports.people[["capacity_fte", "ops_fte", "mission_fte", "free_fte"]].to_numpy().ravel(),
        *reports.ops_coverage[["protected_fte", "covered_fte", "slack_fte"]].to_numpy().ravel(),
    ]
    assert figures
    for value in figures:
        assert value == round(value, 2)  # step 0.05: no float noise such as 0.35000000000000003


def test_missions_table_sums_the_roster(solved: tuple[Scenario, Reports]) -> None:
    _, reports = solved
    roster = reports.roster
    for row in reports.missions.to_dict("records"):
        rows = roster[roster["mission_id"] == row["mission_id"]]
        assert row["team_size"] == rows["person_id"].nunique()
        assert row["fte"] == pytest.approx(rows["fte"].sum())
        assert (row["reason"] == "") == row["staffed"]
    mode = dict(zip(reports.missions["mission_id"], reports.missions["mode"], strict=True))
    assert mode == {"m_hier": "hierarchy", "m_net": "network", "m_none": "hierarchy"}


def test_unstaffed_missions_carry_a_reason(solved: tuple[Scenario, Reports]) -> None:
    _, reports = solved
    reason = dict(zip(reports.missions["mission_id"], reports.missions["reason"], strict=True))
    assert reason["m_none"] == "nobody has skill quantum ≥ 1"


def test_people_time_adds_up(solved: tuple[Scenario, Reports]) -> None:
    s, reports = solved
    people = reports.people
    assert list(people["person_id"]) == [p.person_id for p in s.people]
    assert list(people["capacity_fte"]) == [p.fte for p in s.people]
    free = people["capacity_fte"] - people["ops_fte"] - people["mission_fte"]
    assert people["free_fte"].to_numpy() == pytest.approx(free.to_numpy())
    assert (people["free_fte"] >= 0).all()
    ops = reports.ops_allocation.groupby("person_id")["fte"].sum()
    on_missions = reports.roster.groupby("person_id")["fte"].sum()
    for row in people.to_dict("records"):
        assert row["ops_fte"] == pytest.approx(ops.get(row["person_id"], 0.0))
        assert row["mission_fte"] == pytest.approx(on_missions.get(row["person_id"], 0.0))
        joined = row["mission_ids"].split(";") if row["mission_ids"] else []
        assert row["missions"] == len(joined)
        assert set(joined) == set(
            reports.roster["mission_id"][reports.roster["person_id"] == row["person_id"]]
        )


def test_ops_coverage_is_protected_with_non_negative_slack(
    solved: tuple[Scenario, Reports],
) -> None:
    _, reports = solved
    coverage = reports.ops_coverage
    assert list(zip(coverage["unit_id"], coverage["skill_id"], strict=True)) == [
        ("u1", "ops"),
        ("u2", "data"),
    ]
    assert list(coverage["protected_fte"]) == [0.55, 0.35]  # ceil(fte · 1.1 / 0.05) steps
    assert (coverage["slack_fte"] >= 0).all()
    slack = coverage["covered_fte"] - coverage["protected_fte"]
    assert coverage["slack_fte"].to_numpy() == pytest.approx(slack.to_numpy())
    covered = reports.ops_allocation.groupby(["unit_id", "skill_id"])["fte"].sum()
    for row in coverage.to_dict("records"):
        assert row["covered_fte"] == pytest.approx(covered[row["unit_id"], row["skill_id"]])


def test_summary_is_json_and_agrees_with_the_tables(solved: tuple[Scenario, Reports]) -> None:
    s, reports = solved
    summary = reports.summary
    written = json.loads(json.dumps(summary.to_json(), allow_nan=False))
    assert set(written) >= SUMMARY_KEYS
    assert written["settings"] == s.settings.model_dump()
    assert set(written["tightest_coverage"]) == {"unit_id", "skill_id", "ratio"}
    assert summary.status is Status.OPTIMAL
    assert summary.gap == 0.0
    assert summary.score == summary.best_bound
    assert summary.missions_staffed == 2 and summary.missions_total == 3
    assert summary.value_captured == 5.0 and summary.value_total == 10.0
    network = reports.roster[reports.roster["mission_id"] == "m_net"]["fte"].sum()
    assert summary.network_fte == pytest.approx(network)
    tightest = summary.tightest_coverage
    assert tightest is not None and tightest.ratio is not None and tightest.ratio >= 1.0
    assert summary.conflicts == ()


def test_without_a_solution_tables_are_empty_and_the_summary_has_nulls() -> None:
    # One person cannot protect 1.1 FTE of operations: infeasible.
    s = scenario([person("a")], [mission("m")], ops=[("u1", "k", 1.0)])
    result = solve(s, SolveSettings(time_limit=20, workers=1))
    assert result.status is Status.INFEASIBLE
    reports = build_reports(s, result)
    for name, frame in reports.tables().items():
        assert frame.empty, name
        assert isinstance(frame, pd.DataFrame)
    assert tuple(reports.roster.columns) == ROSTER_COLUMNS
    assert tuple(reports.people.columns) == PEOPLE_COLUMNS
    summary = reports.summary
    written = json.loads(json.dumps(summary.to_json(), allow_nan=False))
    assert set(written) >= SUMMARY_KEYS
    assert summary.status is Status.INFEASIBLE
    for key in ("score", "best_bound", "gap", "value_captured", "missions_staffed", "network_fte"):
        assert written[key] is None, key
    assert summary.tightest_coverage is None and written["tightest_coverage"] is None
    assert summary.missions_total == 1 and summary.value_total == 1.0
    assert summary.conflicts
