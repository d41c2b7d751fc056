"""Report files: names and headers of §8, number and boolean formatting, formula safety."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from assembler import Instance, Scenario, Solution, SolveSettings, Status, solve
from assembler.domain.solution import OpsAssignment
from assembler.io.planner import human_headers
from assembler.io.reports import reports_xlsx_bytes, roster_csv_bytes, write_reports
from assembler.results.kpis import evaluate
from assembler.results.report import Reports, build_reports
from assembler.results.result import Result
from builders import mission, person, scenario

CSV_FILES = ["roster", "ops_allocation", "missions", "people", "ops_coverage"]
HEADERS = {
    "roster": "mission_id,mission_name,person_id,person_name,unit_id,skill_id,level,fte",
    "ops_allocation": "person_id,unit_id,skill_id,fte",
    "missions": "mission_id,name,change_type,mode,value,staffed,team_size,fte,reason",
    "people": (
        "person_id,name,unit_id,capacity_fte,ops_fte,mission_fte,free_fte,missions,mission_ids"
    ),
    "ops_coverage": "unit_id,skill_id,demand_fte,protected_fte,covered_fte,slack_fte",
}
FTE_COLUMNS = {
    "roster": ["fte"],
    "ops_allocation": ["fte"],
    "missions": ["fte"],
    "people": ["capacity_fte", "ops_fte", "mission_fte", "free_fte"],
    "ops_coverage": ["protected_fte", "covered_fte", "slack_fte"],
}
SHEETS = [
    "Roster",
    "Operations time",
    "Missions",
    "People",
    "Operations coverage",
    "Roster grid",
    "Summary",
]
"""The planner's workbook: the §8 CSV files stay for scripts."""
WORKBOOK_HEADERS = {
    "Roster": "Mission id,Mission,Person id,Person,Unit,Unit id,Skill,Skill id,Level,FTE",
    "Operations time": "Person id,Person,Unit,Unit id,Skill,Skill id,FTE",
    "Missions": "Mission id,Mission,Change type,Mode,Value,Staffed,Team size,FTE,Why not staffed",
    "People": (
        "Person id,Person,Unit,Unit id,Capacity (FTE),Operations (FTE),Missions (FTE),"
        "Free (FTE),Teams,On missions"
    ),
    "Operations coverage": (
        "Unit,Unit id,Skill,Skill id,Demand (FTE),Protected (FTE),Covered (FTE),Slack (FTE)"
    ),
    "Roster grid": "Person,Person id,Mission,Mission id,FTE",
    "Summary": "What,Figure",
}
INJECTION = '=HYPERLINK("http://evil.example","click")'


def hostile() -> Scenario:
    """Names and ids a spreadsheet would run as formulas, and FTE sums prone to float noise;
    ``-x`` is pinned so the roster is sure to show that id."""
    people = [
        person("-x", "u1", {"k": 3}, name=INJECTION),
        person("b", "u1", {"k": 3}, name="@SUM(A1)"),
    ]
    missions = [
        mission("m1", {"k": 0.35}, name="+cmd", value=2.0),
        mission("m2", {"k": 0.1 + 0.2}, name="plain"),
        mission("never", {"z": 0.2}, name="\tTabbed"),
    ]
    return scenario(people, missions, ops=[("u1", "k", 0.33)], locks=[("-x", "m1", "pin")])


@pytest.fixture(scope="module")
def reports() -> Reports:
    s = hostile()
    result = solve(s, SolveSettings(time_limit=20, workers=1))
    assert result.status is Status.OPTIMAL
    return build_reports(s, result)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def test_writes_every_table_and_the_summary(reports: Reports, tmp_path: Path) -> None:
    out = tmp_path / "new" / "dir"
    written = write_reports(reports, out)
    expected = [f"{name}.csv" for name in CSV_FILES] + ["summary.json"]
    assert [path.name for path in written] == expected
    assert sorted(p.name for p in out.iterdir()) == sorted(expected)  # no temporary files left
    for name, header in HEADERS.items():
        assert (out / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0] == header


def test_summary_json(reports: Reports, tmp_path: Path) -> None:
    write_reports(reports, tmp_path)
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary == reports.summary.to_json()
    assert summary["status"] == "optimal"


def test_fte_figures_are_plain_decimals(reports: Reports, tmp_path: Path) -> None:
    write_reports(reports, tmp_path)
    decimal = re.compile(r"-?\d+\.\d{1,2}")  # step 0.05: at most two decimals, no exponent
    for name, columns in FTE_COLUMNS.items():
        for row in read_csv(tmp_path / f"{name}.csv"):
            for column in columns:
                assert decimal.fullmatch(row[column]), (name, column, row[column])
    roster = read_csv(tmp_path / "roster.csv")
    assert {(row["mission_id"], row["fte"]) for row in roster} >= {("m1", "0.35"), ("m2", "0.3")}


def test_booleans_are_true_or_false(reports: Reports, tmp_path: Path) -> None:
    write_reports(reports, tmp_path)
    staffed = {row["mission_id"]: row["staffed"] for row in read_csv(tmp_path / "missions.csv")}
    assert staffed == {"m1": "true", "m2": "true", "never": "false"}


def test_text_that_looks_like_a_formula_is_neutralised(reports: Reports, tmp_path: Path) -> None:
    write_reports(reports, tmp_path)
    people = {row["name"]: row for row in read_csv(tmp_path / "people.csv")}
    assert set(people) == {"'" + INJECTION, "'@SUM(A1)"}
    assert people["'" + INJECTION]["person_id"] == "'-x"
    missions = {row["mission_id"]: row["name"] for row in read_csv(tmp_path / "missions.csv")}
    assert missions == {"m1": "'+cmd", "m2": "plain", "never": "'\tTabbed"}
    roster = read_csv(tmp_path / "roster.csv")
    ids = {row["person_id"] for row in roster}
    assert "'-x" in ids and ids <= {"'-x", "b"}


def test_negative_numbers_stay_numbers(tmp_path: Path) -> None:
    # A hand-made plan one step short on operations (protected 0.4 · 1.1 → 9 steps, 8 kept).
    s = scenario([person("a")], [mission("m")], ops=[("u1", "k", 0.4)])
    solution = Solution(
        staffed=frozenset(), members=frozenset(), assignments=(), ops=(OpsAssignment("a", "k", 8),)
    )
    kpis = evaluate(Instance(s), solution)
    result = Result(Status.FEASIBLE, kpis.score, 0.0, 0.0, 0.0, 0.0, solution, kpis)
    write_reports(build_reports(s, result), tmp_path)
    (row,) = read_csv(tmp_path / "ops_coverage.csv")
    assert row["slack_fte"] == "-0.05"
    assert row["covered_fte"] == "0.4" and row["protected_fte"] == "0.45"


def test_xlsx_is_laid_out_for_reading(reports: Reports) -> None:
    workbook = openpyxl.load_workbook(io.BytesIO(reports_xlsx_bytes(reports)))
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet["A1"].font.b
        assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:")
    roster = workbook["Roster"]
    assert roster.column_dimensions["B"].width > len("Mission")


def test_xlsx_has_every_sheet_and_safe_cells(reports: Reports, tmp_path: Path) -> None:
    written = write_reports(reports, tmp_path, fmt="xlsx")
    assert written[-1] == tmp_path / "reports.xlsx"
    assert (tmp_path / "roster.csv").exists() and (tmp_path / "summary.json").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    workbook = openpyxl.load_workbook(tmp_path / "reports.xlsx")
    assert workbook.sheetnames == SHEETS
    for name, header in WORKBOOK_HEADERS.items():
        first = next(workbook[name].iter_rows(max_row=1, values_only=True))
        assert ",".join(str(cell) for cell in first) == header
        assert not re.search(r"[a-z]_[a-z]", header)  # no snake_case header
    names = [cell.value for cell in workbook["People"]["B"][1:]]
    assert names == ["'" + INJECTION, "'@SUM(A1)"]
    assert all(cell.data_type == "s" for cell in workbook["People"]["B"])
    staffed = [cell.value for cell in workbook["Missions"]["F"][1:]]
    assert staffed == ["yes", "yes", "no"]
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Status"] == "optimal"
    assert summary["Time step (FTE)"] == 0.05
    assert summary["Ops protection buffer"] == "10%"
    assert summary["Tightest coverage: u1 · k"] == "100% of protected"
    seconds = summary["Solve time (s)"]
    assert isinstance(seconds, int | float) and seconds == round(seconds, 1)
    cells = [
        str(cell)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None  # an empty cell
    ]
    assert not {"None", "nan", "inf", "NaN"} & set(cells)


def test_download_bytes_match_the_files(reports: Reports, tmp_path: Path) -> None:
    write_reports(reports, tmp_path, fmt="xlsx")
    assert roster_csv_bytes(reports) == (tmp_path / "roster.csv").read_bytes()
    workbook = openpyxl.load_workbook(io.BytesIO(reports_xlsx_bytes(reports)))
    assert workbook.sheetnames == SHEETS


def test_a_result_without_solution_writes_headers_only(tmp_path: Path) -> None:
    s = scenario([person("a")], [mission("m")], ops=[("u1", "k", 1.0)])
    result = solve(s, SolveSettings(time_limit=20, workers=1))
    assert result.status is Status.INFEASIBLE
    write_reports(build_reports(s, result), tmp_path, fmt="xlsx")
    for name, header in HEADERS.items():
        assert (tmp_path / f"{name}.csv").read_text(encoding="utf-8") == header + "\n"
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["score"] is None and summary["conflicts"]
    workbook = openpyxl.load_workbook(tmp_path / "reports.xlsx")
    assert workbook.sheetnames == SHEETS
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Status"] == "infeasible" and summary["Clash 1"].startswith("u1: k need")
    assert summary["Value captured"] is None and summary["Score"] is None  # blank, not "None"


def test_human_headers_for_any_table() -> None:
    frame = pd.DataFrame(columns=["plan", "against", "mission_id", "unit_id", "change"])
    assert list(human_headers(frame).columns) == [
        "Plan",
        "Against",
        "Mission id",
        "Unit id",
        "Change",
    ]
