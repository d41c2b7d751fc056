"""Validation: every rule of MODEL.md §2 gives a located, readable problem — all at once."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

import pytest

from assembler.domain.problems import Problem, ScenarioError, Severity
from assembler.io import write_scenario
from assembler.planning.edits import fix_start, pin
from assembler.validation import ScenarioReport, load_scenario, read_scenario
from builders import Rows, tiny_scenario, tiny_tables, write_csv_folder
from horizon_cases import HORIZON_CASES, QUARTERS, add_row, horizon, with_periods
from validation_cases import CASES, Case, Tables, set_cell

ALL_CASES = CASES | HORIZON_CASES


def read_edited(
    tmp_path: Path,
    edit: Callable[[Tables], object] | None = None,
    settings_toml: str | None = None,
    files: Mapping[str, str | bytes] | None = None,
) -> ScenarioReport:
    """Read ``tiny_tables()`` after ``edit`` changed them in place and ``files`` replaced some
    tables by raw file contents."""
    tables: dict[str, Rows | str | bytes] = {}
    edited = tiny_tables()
    if edit is not None:
        edit(edited)
    tables.update(edited)
    tables.update(files or {})
    return read_scenario(write_csv_folder(tmp_path / "s", tables, settings_toml))


def find(
    report: ScenarioReport,
    table: str,
    phrase: str,
    *,
    row: int | None = None,
    column: str | None = None,
    severity: Severity = Severity.ERROR,
) -> Problem:
    """The one problem at that place whose reason contains ``phrase``."""
    matches = [
        problem
        for problem in report.problems
        if problem.table == table
        and problem.row == row
        and problem.column == column
        and problem.severity is severity
        and phrase in problem.reason
    ]
    assert len(matches) == 1, "\n".join(str(problem) for problem in report.problems)
    if severity is Severity.ERROR:
        assert report.scenario is None
    return matches[0]


def only_warnings(report: ScenarioReport) -> None:
    assert report.errors == (), "\n".join(str(problem) for problem in report.errors)
    assert report.scenario is not None


def test_tiny_tables_are_clean(tmp_path: Path) -> None:
    report = read_edited(tmp_path)
    assert report.problems == ()
    assert report.ok and report.scenario == tiny_scenario()


# --------------------------------------------------------------------------- one edit, one problem


@pytest.mark.parametrize("case", list(ALL_CASES.values()), ids=list(ALL_CASES))
def test_one_edit_gives_one_located_problem(tmp_path: Path, case: Case) -> None:
    report = read_edited(tmp_path, case.edit, case.settings_toml, case.files)
    problem = find(
        report, case.table, case.phrase, row=case.row, column=case.column, severity=case.severity
    )
    for fragment in case.also:
        assert fragment in problem.reason, problem
    if case.value is not None:
        assert problem.value == case.value
    if case.severity is Severity.WARNING:
        only_warnings(report)


# --------------------------------------------------------------------------- files & headers


def test_missing_required_file(tmp_path: Path) -> None:
    report = read_edited(tmp_path, lambda t: t.pop("people"))
    find(report, "people.csv", "required file is missing from the folder")
    assert not any(problem.table == "person_skills.csv" for problem in report.problems)


def test_empty_optional_file_is_read_as_absent(tmp_path: Path) -> None:
    report = read_edited(tmp_path, files={"skills": ""})
    find(report, "skills.csv", "read as absent", severity=Severity.WARNING)
    only_warnings(report)
    assert report.scenario is not None and report.scenario.skills is None


def test_header_only_person_skills_is_allowed(tmp_path: Path) -> None:
    report = read_edited(
        tmp_path, lambda t: t.pop("locks"), files={"person_skills": "person_id,skill_id,level\n"}
    )
    assert report.errors == ()
    assert report.warnings  # now nobody can fill any need


def test_binary_garbage_never_raises(tmp_path: Path) -> None:
    garbage = bytes(range(256)) * 8
    report = read_edited(tmp_path, files={"people": garbage, "units": garbage[:200]})
    find(report, "people.csv", "is not UTF-8")
    find(report, "units.csv", "is not UTF-8")


# --------------------------------------------------------------------------- references


def test_skill_missing_from_skills_table(tmp_path: Path) -> None:
    report = read_edited(tmp_path, lambda t: t["skills"].pop(0))  # drop "py"
    for table, row in [("person_skills", 1), ("person_skills", 5), ("mission_needs", 3)]:
        find(report, f"{table}.csv", "not listed in skills.csv", row=row, column="skill_id")


def test_skills_are_not_checked_without_skills_table(tmp_path: Path) -> None:
    def edit(tables: Tables) -> None:
        del tables["skills"]
        tables["person_skills"].append({"person_id": "p1", "skill_id": "juggling", "level": "2"})

    assert read_edited(tmp_path, edit).problems == ()


def test_unit_tree_cycle_names_the_units(tmp_path: Path) -> None:
    def edit(tables: Tables) -> None:
        tables["units"][0]["parent_id"] = "lab"
        tables["units"].append({"unit_id": "solo", "name": "", "parent_id": "solo"})

    report = read_edited(tmp_path, edit)
    find(report, "units.csv", "cycle: hq → lab → hq", row=1, column="parent_id")
    find(report, "units.csv", "cycle: solo → solo", row=3, column="parent_id")


# --------------------------------------------------------------------------- cells


def test_problem_reads_well() -> None:
    problem = Problem(Severity.ERROR, "people.csv", 3, "fte", "-1", "must be > 0 and ≤ 2")
    assert str(problem) == "people.csv row 3, column fte: '-1' — must be > 0 and ≤ 2"
    assert str(Problem(Severity.WARNING, "people.csv", None, None, None, "x")) == "people.csv: x"


def test_choices_ignore_case(tmp_path: Path) -> None:
    def edit(tables: Tables) -> None:
        tables["missions"][0]["change_type"] = " Improve"
        tables["locks"][0]["lock"] = "PIN"

    assert read_edited(tmp_path, edit).scenario == tiny_scenario()


# --------------------------------------------------------------------------- warnings


def test_need_nobody_can_fill_and_mandatory_mission(tmp_path: Path) -> None:
    report = read_edited(tmp_path, lambda t: t["mission_needs"][3].update(min_level="5"))
    only_warnings(report)
    problem = find(
        report,
        "mission_needs.csv",
        "nobody is eligible",
        row=4,
        column="skill_id",
        severity=Severity.WARNING,
    )
    assert "among people who opted in" in problem.reason
    find(
        report,
        "missions.csv",
        "mandatory mission cannot be staffed",
        row=3,
        column="mandatory",
        severity=Severity.WARNING,
    )


# --------------------------------------------------------------------------- settings


def test_unknown_setting_in_toml(tmp_path: Path) -> None:
    toml = "[settings]\nops_bufer = 0.2\n\n[settings.weights]\nvalu = 3\n"
    report = read_edited(tmp_path, settings_toml=toml)
    problem = find(report, "scenario.toml", "unknown setting", column="ops_bufer")
    assert "did you mean 'ops_buffer'" in problem.reason
    problem = find(report, "scenario.toml", "unknown setting", column="weights.valu")
    assert "did you mean 'weights.value'" in problem.reason


def test_bad_overrides(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path)
    report = read_scenario(folder, overrides={"ops_buffer": -1, "weights.valeu": 3, "seed": 1})
    find(report, "settings", "must be from 0 to 10", column="ops_buffer")
    problem = find(report, "settings", "unknown setting", column="weights.valeu")
    assert "did you mean 'weights.value'" in problem.reason
    find(report, "settings", "unknown setting", column="seed")


# --------------------------------------------------------------------------- horizon


def test_horizon_tables_are_clean(tmp_path: Path) -> None:
    report = read_edited(tmp_path, with_periods)
    assert report.problems == ()
    assert report.scenario is not None and report.scenario.period_ids == QUARTERS
    assert [row.fte for row in report.scenario.ops_demand] == [0.5, 0, 0.7]


def test_an_after_chain_is_explained_to_its_end(tmp_path: Path) -> None:
    edit = horizon(
        set_cell("missions", 1, "earliest_start", "q2"),
        set_cell("missions", 2, "latest_end", "q3"),
        set_cell("missions", 4, "after", "m_renew"),
    )
    report = read_edited(tmp_path, edit)
    only_warnings(report)
    problem = find(
        report, "missions.csv", "can never run", row=4, column="after", severity=Severity.WARNING
    )
    assert problem.reason == (
        "mission 'm_innovation' can never run: it runs after 'm_renew', which runs after "
        "'m_improve'; 'm_improve' ends in q2 at the earliest (starting in q2, 1 period), so "
        "'m_renew' cannot start before q3, but to end by q3 in 2 periods it must start by q2"
    )
    find(report, "missions.csv", "can never run", row=2, column="after", severity=Severity.WARNING)


def test_missions_whose_people_have_no_time_in_their_window(tmp_path: Path) -> None:
    """p3 and p4 are the only designers missions may take; both are away in q3."""
    report = read_edited(
        tmp_path, horizon(add_row("availability", person_id="p3", period_id="q3", fte="0"))
    )
    only_warnings(report)
    reasons = {
        problem.row: problem.reason
        for problem in report.warnings
        if problem.table == "missions.csv" and problem.column == "mission_id"
    }
    assert reasons == {
        2: "mission 'm_renew' can never be staffed: every run its window allows (2 periods, "
        "starting in q2 … q3) meets a period in which nobody eligible for one of its needs "
        "has any time: design in q3",
        3: "mission 'm_transition' can never be staffed: its only run (4 periods from q1) "
        "meets a period in which nobody eligible for one of its needs has any time: design "
        "in q3; it is mandatory, so the model will be infeasible",
        4: "mission 'm_innovation' can never be staffed: every run its window allows (2 "
        "periods, starting in q2 … q3) meets a period in which nobody eligible for one of its "
        "needs has any time: design in q3",
    }


def test_a_window_that_avoids_the_leave_is_fine(tmp_path: Path) -> None:
    edit = horizon(
        add_row("availability", person_id="p3", period_id="q2", fte="0"),
        add_row("availability", person_id="p4", period_id="q2", fte="0"),
        set_cell("missions", 3, "earliest_start", "q3"),
    )
    assert read_edited(tmp_path, edit).problems == ()


def test_every_horizon_problem_is_reported_at_once(tmp_path: Path) -> None:
    def edit(tables: Tables) -> None:
        with_periods(tables)
        tables["periods"][1]["start"] = ""
        tables["missions"][0].update(after="m_improve", duration="3")
        tables["missions"][1]["latest_end"] = "q9"
        tables["availability"].append(dict(tables["availability"][0], fte="2.5"))
        tables["ops_demand"][1]["fte"] = "-1"

    report = read_edited(tmp_path, edit)
    places = {(problem.table, problem.row, problem.column) for problem in report.errors}
    assert places == {
        ("periods.csv", 2, "start"),
        ("missions.csv", 1, "after"),
        ("missions.csv", 1, "duration"),
        ("missions.csv", 2, "latest_end"),
        ("availability.csv", 3, "fte"),
        ("availability.csv", 3, "period_id"),
        ("ops_demand.csv", 2, "fte"),
    }


def test_period_starts_as_date_cells_or_text_in_a_workbook(tmp_path: Path) -> None:
    import openpyxl

    scenario = read_edited(tmp_path, with_periods).scenario
    assert scenario is not None
    write_scenario(scenario, tmp_path / "s.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "s.xlsx")
    assert isinstance(workbook["periods"]["C2"].value, datetime)
    workbook["periods"]["C3"] = "2027-04-01"
    workbook["periods"]["C4"] = datetime(2027, 7, 1, 12, 30)
    workbook.save(tmp_path / "s.xlsx")
    report = read_scenario(tmp_path / "s.xlsx")
    problem = find(report, "periods", "without a time of day", row=3, column="start")
    assert problem.value == "2027-07-01T12:30:00"
    workbook["periods"]["C4"] = datetime(2027, 7, 1)
    workbook.save(tmp_path / "s.xlsx")
    assert read_scenario(tmp_path / "s.xlsx").scenario == scenario


# --------------------------------------------------------------------------- all at once


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    def edit(tables: Tables) -> None:
        tables["people"][0]["fte"] = "-1"
        tables["people"][1]["unit_id"] = "hqq"
        tables["people"].append(dict(tables["people"][2]))
        tables["person_skills"][0]["level"] = "seven"
        tables["missions"][0]["change_type"] = "improvise"
        tables["mission_needs"][0]["fte"] = "0"
        tables["units"][0]["parent_id"] = "lab"
        tables["locks"][0]["mission_id"] = "m_nope"

    report = read_edited(tmp_path, edit, settings_toml="[settings]\nstep = 1\n")
    places = {(problem.table, problem.row, problem.column) for problem in report.errors}
    assert places >= {
        ("people.csv", 1, "fte"),
        ("people.csv", 2, "unit_id"),
        ("people.csv", 5, "person_id"),
        ("person_skills.csv", 1, "level"),
        ("missions.csv", 1, "change_type"),
        ("mission_needs.csv", 1, "fte"),
        ("units.csv", 1, "parent_id"),
        ("locks.csv", 1, "mission_id"),
        ("scenario.toml", None, "step"),
    }
    with pytest.raises(ScenarioError) as raised:
        load_scenario(tmp_path / "s")
    assert raised.value.problems == report.problems
    message = str(raised.value)
    assert message.startswith(f"the scenario has {len(report.errors)} errors")
    assert "error: people.csv row 1, column fte: '-1' — must be > 0 and ≤ 2" in message


# --------------------------------------------------------------------------- other formats


def test_json_problems_name_the_array(tmp_path: Path) -> None:
    write_scenario(tiny_scenario(), tmp_path / "s.json")
    document = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    document["people"][1]["fte"] = [1]
    document["people"][2] = "p3"
    del document["missions"][0]["value"]
    document["peple"] = []
    document["settings"]["weights"]["value"] = "high"
    (tmp_path / "s.json").write_text(json.dumps(document), encoding="utf-8")
    report = read_scenario(tmp_path / "s.json")
    find(report, "people", "is not a number", row=2, column="fte")
    find(report, "people", "must be an object", row=3)
    find(report, "missions", "is empty, but a value is required", row=1, column="value")
    find(report, "peple", "did you mean 'people'", severity=Severity.WARNING)
    find(report, "settings", "is not a number", column="weights.value")


def test_json_missing_array_and_column(tmp_path: Path) -> None:
    write_scenario(tiny_scenario(), tmp_path / "s.json")
    document = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    del document["mission_needs"]
    for row in document["people"]:
        del row["unit_id"]
    (tmp_path / "s.json").write_text(json.dumps(document), encoding="utf-8")
    report = read_scenario(tmp_path / "s.json")
    find(report, "mission_needs", "required array is missing from the JSON document")
    find(report, "people", "required column is missing", column="unit_id")


def test_workbook_problems_name_the_sheet(tmp_path: Path) -> None:
    import openpyxl

    write_scenario(tiny_scenario(), tmp_path / "s.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "s.xlsx")
    workbook["people"]["D3"] = -1  # fte of the second person
    workbook["settings"].append(["ops_bufer", 0.3])
    del workbook["locks"]
    workbook["skills"].title = "Skils"
    workbook.save(tmp_path / "s.xlsx")
    report = read_scenario(tmp_path / "s.xlsx")
    find(report, "people", "must be > 0 and ≤ 2", row=2, column="fte")
    problem = find(report, "settings", "unknown setting", row=11, column="ops_bufer")
    assert "did you mean 'ops_buffer'" in problem.reason
    find(report, "Skils", "did you mean 'skills'", severity=Severity.WARNING)


@pytest.mark.parametrize(
    ("name", "content", "phrase"),
    [
        ("s.json", b"{not json", "is not valid JSON"),
        ("s.json", b"[1, 2]", "must be a JSON object"),
        ("s.json", b'{"people": {"p1": 1}}', "must be an array"),
        ("s.json", "{}".encode("utf-16"), "is not UTF-8"),
        ("s.xlsx", b"PK\x03\x04 not really a workbook", "is not a readable Excel workbook"),
        ("s.xlsx", b"plain text", "is not a readable Excel workbook"),
        ("s.zip", b"not a zip", "is not a readable zip archive"),
        ("people.csv", b"person_id\n", "give the folder"),
        ("s.txt", b"", "not a scenario"),
    ],
)
def test_unreadable_sources_never_raise(
    tmp_path: Path, name: str, content: bytes, phrase: str
) -> None:
    (tmp_path / name).write_bytes(content)
    report = read_scenario(tmp_path / name)
    assert report.scenario is None
    assert any(phrase in problem.reason for problem in report.errors), report.problems


def test_missing_path(tmp_path: Path) -> None:
    report = read_scenario(tmp_path / "nope")
    assert [problem.reason for problem in report.problems] == ["no such file or folder"]


def test_commitments_no_plan_can_honour_are_warned_before_any_solve(tmp_path: Path) -> None:
    # Fast-track triage fixed in the winter, with P001 pinned to it: emergency has no time.
    sample = load_scenario("data/sample")
    winter = pin(fix_start(sample, "M03", "2027-Q1"), "P001", "M03")
    write_scenario(winter, tmp_path / "pinned")
    report = read_scenario(tmp_path / "pinned")
    assert report.ok
    (problem,) = report.warnings
    assert problem.table == "scenario"
    assert problem.reason.startswith("mission M03 has P001 pinned to it and needs 1 FTE")
    assert "in 2027-Q1" in problem.reason
    assert problem.reason.endswith("the model will be infeasible")
