"""Downloaded reports rebuild the very solution they were written from."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from assembler import Result, Scenario, Solution, SolveSettings, check, solve
from assembler.io.reports import (
    planner_roster_csv_bytes,
    reports_xlsx_bytes,
    roster_csv_bytes,
    table_csv_bytes,
)
from assembler.io.roster import solution_from_reports
from assembler.results.report import build_reports
from builders import mission, person, scenario


@pytest.fixture(scope="module")
def sample(sample_optimum: tuple[Scenario, Result]) -> tuple[Scenario, Solution, bytes, bytes]:
    """The sample's optimum as a planner downloads it: the roster and the workbook."""
    s, result = sample_optimum
    assert result.solution is not None
    reports = build_reports(s, result)
    return s, result.solution, planner_roster_csv_bytes(reports), reports_xlsx_bytes(reports)


def test_downloads_of_the_sample_round_trip_to_a_checked_solution(
    sample: tuple[Scenario, Solution, bytes, bytes],
) -> None:
    s, solution, roster_csv, workbook = sample
    roster = pd.read_csv(io.BytesIO(roster_csv), dtype=str)
    assert {"Person", "Mission", "Skill", "Period"} <= set(roster.columns)  # names beside ids
    ops = pd.read_excel(io.BytesIO(workbook), sheet_name="Operations time", dtype=str)
    rebuilt = solution_from_reports(s, roster, ops)
    assert check(s, rebuilt) == []
    assert rebuilt.staffed == solution.staffed
    assert rebuilt.members == solution.members
    assert set(rebuilt.assignments) == set(solution.assignments)
    assert set(rebuilt.ops) == set(solution.ops)


def test_a_roster_without_operations_fails_the_check_on_operations_only(
    sample: tuple[Scenario, Solution, bytes, bytes],
) -> None:
    """The honest reading of a roster alone: the missions hold, operations are unproven."""
    s, _, roster_csv, _ = sample
    roster = pd.read_csv(io.BytesIO(roster_csv), dtype=str)
    empty_ops = pd.DataFrame(columns=["person_id", "unit_id", "skill_id", "fte", "period_id"])
    problems = check(s, solution_from_reports(s, roster, empty_ops))
    assert problems and all(problem.startswith("operations of ") for problem in problems)


def test_the_section_8_files_round_trip_too(sample_optimum: tuple[Scenario, Result]) -> None:
    s, result = sample_optimum
    reports = build_reports(s, result)
    roster = pd.read_csv(io.BytesIO(roster_csv_bytes(reports)), dtype=str)
    ops = pd.read_csv(io.BytesIO(table_csv_bytes(reports.ops_allocation)), dtype=str)
    assert check(s, solution_from_reports(s, roster, ops)) == []


def test_identifiers_neutralised_for_spreadsheets_are_restored() -> None:
    s = scenario([person("=p1", skills={"+k": 3})], [mission("-m", {"+k": 0.25})])
    result = solve(s, SolveSettings(time_limit=10, workers=1))
    assert result.solution is not None
    reports = build_reports(s, result)
    roster = pd.read_csv(io.BytesIO(roster_csv_bytes(reports)), dtype=str)
    assert roster.loc[0, "person_id"] == "'=p1"  # as a spreadsheet user sees it
    ops = pd.read_csv(io.BytesIO(table_csv_bytes(reports.ops_allocation)), dtype=str)
    rebuilt = solution_from_reports(s, roster, ops)
    assert rebuilt.members == {("=p1", "-m")}
    assert [(a.skill_id, a.steps) for a in rebuilt.assignments] == [("+k", 5)]
    assert check(s, rebuilt) == []
