"""Validation: every rule of MODEL.md §2 gives a located, readable problem — all at once."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from assembler.io import (
    Problem,
    ScenarioError,
    ScenarioReport,
    Severity,
    load_scenario,
    read_scenario,
    write_scenario,
)
from builders import Rows, csv_text, tiny_scenario, tiny_tables, write_csv_folder

Tables = dict[str, Rows]


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


# --------------------------------------------------------------------------- files & headers


def test_missing_required_file(tmp_path: Path) -> None:
    report = read_edited(tmp_path, lambda t: t.pop("people"))
    find(report, "people.csv", "required file is missing from the folder")
    assert not any(problem.table == "person_skills.csv" for problem in report.problems)


def test_missing_required_column_suggests_a_near_header(tmp_path: Path) -> None:
    def rename(tables: Tables) -> None:
        for row in tables["people"]:
            row["Unit_ID"] = row.pop("unit_id")

    problem = find(
        read_edited(tmp_path, rename), "people.csv", "required column is missing", column="unit_id"
    )
    assert "did you mean 'Unit_ID'" in problem.reason


def test_semicolon_separated_file_gets_a_hint(tmp_path: Path) -> None:
    text = "person_id;name;unit_id\np1;Ada;hq\n"
    report = read_edited(tmp_path, files={"people": text})
    problem = find(report, "people.csv", "missing", column="person_id")
    assert "';'-separated" in problem.reason


@pytest.mark.parametrize("text", ["", "\n\n"])
def test_empty_required_file(tmp_path: Path, text: str) -> None:
    report = read_edited(tmp_path, files={"people": text})
    find(report, "people.csv", "is empty")


def test_empty_optional_file_is_read_as_absent(tmp_path: Path) -> None:
    report = read_edited(tmp_path, files={"skills": ""})
    find(report, "skills.csv", "read as absent", severity=Severity.WARNING)
    only_warnings(report)
    assert report.scenario is not None and report.scenario.skills is None


@pytest.mark.parametrize(("table", "noun"), [("people", "person"), ("missions", "mission")])
def test_required_table_without_rows(tmp_path: Path, table: str, noun: str) -> None:
    header_only = csv_text([], list(tiny_tables()[table][0]))
    find(read_edited(tmp_path, files={table: header_only}), f"{table}.csv", f"at least one {noun}")


def test_header_only_person_skills_is_allowed(tmp_path: Path) -> None:
    report = read_edited(
        tmp_path, lambda t: t.pop("locks"), files={"person_skills": "person_id,skill_id,level\n"}
    )
    assert report.errors == ()
    assert report.warnings  # now nobody can fill any need


def test_file_not_utf8_names_file_offset_and_line(tmp_path: Path) -> None:
    latin1 = "person_id,name,unit_id\np1,Ada,hq\np2,Zoë,hq\n".encode("latin-1")
    report = read_edited(tmp_path, files={"people": latin1})
    problem = find(report, "people.csv", "is not UTF-8")
    assert "offset 38" in problem.reason and "line 3" in problem.reason
    assert "0xeb" in problem.reason


def test_binary_garbage_never_raises(tmp_path: Path) -> None:
    garbage = bytes(range(256)) * 8
    report = read_edited(tmp_path, files={"people": garbage, "units": garbage[:200]})
    find(report, "people.csv", "is not UTF-8")
    find(report, "units.csv", "is not UTF-8")


def test_nul_bytes_and_nonsense_text_never_raise(tmp_path: Path) -> None:
    nonsense = '\x00\x01,\x02\n"unterminated\n' + "x" * 5000
    report = read_edited(tmp_path, files={"people": nonsense})
    assert report.scenario is None
    find(report, "people.csv", "required column is missing", column="person_id")


def test_duplicate_header_column(tmp_path: Path) -> None:
    text = "person_id,name,unit_id,name\np1,Ada,hq,Again\n"
    report = read_edited(tmp_path, files={"people": text})
    find(report, "people.csv", "column appears twice", column="name")


def test_row_with_more_cells_than_header(tmp_path: Path) -> None:
    text = "person_id,name,unit_id\np1,Ada,hq\np2,Ben,hq,surplus\n"
    report = read_edited(tmp_path, files={"people": text})
    find(report, "people.csv", "has 4 cells but the header names 3 columns", row=2)


def test_blank_lines_keep_row_numbers(tmp_path: Path) -> None:
    text = "person_id,name,unit_id,fte\np1,Ada,hq,1\n\n,,,\np2,Ben,hq,-1\n"
    report = read_edited(tmp_path, files={"people": text})
    find(report, "people.csv", "must be > 0 and ≤ 2", row=4, column="fte")


def test_unknown_csv_file_is_a_warning_with_suggestion(tmp_path: Path) -> None:
    def add(tables: Tables) -> None:
        tables["preferences "] = tables.pop("preferences")

    report = read_edited(tmp_path, add)
    problem = find(report, "preferences .csv", "ignored", severity=Severity.WARNING)
    assert "did you mean 'preferences'" in problem.reason


# --------------------------------------------------------------------------- duplicates


@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("people", "person_id"),
        ("missions", "mission_id"),
        ("units", "unit_id"),
        ("skills", "skill_id"),
        ("capabilities", "capability_id"),
    ],
)
def test_duplicate_id(tmp_path: Path, table: str, column: str) -> None:
    def duplicate(tables: Tables) -> None:
        tables[table].append(dict(tables[table][0]))

    report = read_edited(tmp_path, duplicate)
    rows = len(tiny_tables()[table]) + 1
    find(
        report,
        f"{table}.csv",
        f"duplicate {column}: already used on row 1",
        row=rows,
        column=column,
    )


@pytest.mark.parametrize(
    ("table", "pair"),
    [
        ("person_skills", "(person_id, skill_id)"),
        ("mission_needs", "(mission_id, skill_id)"),
        ("ops_demand", "(unit_id, skill_id)"),
    ],
)
def test_duplicate_pair(tmp_path: Path, table: str, pair: str) -> None:
    def duplicate(tables: Tables) -> None:
        tables[table].append(dict(tables[table][0]))

    report = read_edited(tmp_path, duplicate)
    rows = len(tiny_tables()[table]) + 1
    problem = find(
        report, f"{table}.csv", f"at most one row per {pair}", row=rows, column="skill_id"
    )
    assert "already on row 1" in problem.reason


# --------------------------------------------------------------------------- references


@pytest.mark.parametrize(
    ("table", "column", "bad", "suggestion"),
    [
        ("people", "unit_id", "hqq", "hq"),
        ("person_skills", "person_id", "p9", None),
        ("person_skills", "skill_id", "pyy", "py"),
        ("missions", "owner_unit", "labb", "lab"),
        ("mission_needs", "mission_id", "m_renow", "m_renew"),
        ("mission_needs", "skill_id", "desing", "design"),
        ("units", "parent_id", "hq2", "hq"),
        ("ops_demand", "unit_id", "nowhere", None),
        ("ops_demand", "skill_id", "opps", "ops"),
        ("mission_capabilities", "mission_id", "m_innovatoin", "m_innovation"),
        ("mission_capabilities", "capability_id", "lab_kitt", "lab_kit"),
        ("preferences", "person_id", "p33", "p3"),
        ("preferences", "mission_id", "m_inovation", "m_innovation"),
        ("locks", "person_id", "p11", "p1"),
        ("locks", "mission_id", "m_transitoin", "m_transition"),
    ],
)
def test_unknown_reference(
    tmp_path: Path, table: str, column: str, bad: str, suggestion: str | None
) -> None:
    row = 2 if table == "units" else 1
    report = read_edited(tmp_path, lambda t: t[table][row - 1].update({column: bad}))
    problem = find(report, f"{table}.csv", "unknown", row=row, column=column)
    assert problem.value == bad
    if suggestion is not None:
        assert f"did you mean {suggestion!r}" in problem.reason


def test_owner_unit_without_units_table_must_be_a_unit_of_people(tmp_path: Path) -> None:
    def edit(tables: Tables) -> None:
        del tables["units"]
        tables["missions"][0]["owner_unit"] = "elsewhere"

    problem = find(
        read_edited(tmp_path, edit), "missions.csv", "unknown unit", row=1, column="owner_unit"
    )
    assert "there is no units file" in problem.reason


def test_capability_reference_without_capabilities_table(tmp_path: Path) -> None:
    problem = find(
        read_edited(tmp_path, lambda t: t.pop("capabilities")),
        "mission_capabilities.csv",
        "unknown capability",
        row=1,
        column="capability_id",
    )
    assert "no capabilities.csv file" in problem.reason


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


@pytest.mark.parametrize(
    ("table", "column", "value", "phrase"),
    [
        ("person_skills", "level", "6", "must be from 1 to 5"),
        ("person_skills", "level", "0", "must be from 1 to 5"),
        ("mission_needs", "min_level", "9", "must be from 1 to 5"),
        ("people", "fte", "0", "must be > 0 and ≤ 2"),
        ("people", "fte", "-1", "must be > 0 and ≤ 2"),
        ("people", "fte", "2.5", "must be > 0 and ≤ 2"),
        ("mission_needs", "fte", "0", "must be > 0"),
        ("ops_demand", "fte", "-0.5", "must be > 0"),
        ("missions", "value", "-1", "must be ≥ 0"),
        ("people", "fte", "lots", "is not a number"),
        ("people", "fte", "0,5", "use a dot as decimal separator"),
        ("people", "fte", "nan", "finite"),
        ("missions", "value", "1e400", "finite"),
        ("person_skills", "level", "2.5", "must be a whole number"),
        ("people", "max_missions", "-1", "must be ≥ 0"),
        ("people", "network_opt_in", "maybe", "must be true/false/yes/no/1/0"),
        ("missions", "mandatory", "2", "must be true/false/yes/no/1/0"),
        ("capabilities", "capacity", "-1", "must be ≥ 0"),
        ("mission_capabilities", "units", "0", "must be ≥ 1"),
        ("preferences", "weight", "4", "must be from 1 to 3"),
        ("preferences", "weight", "0", "must be from 1 to 3"),
        ("people", "person_id", "  ", "is empty"),
        ("people", "unit_id", "", "is empty"),
        ("missions", "change_type", "", "is empty"),
    ],
)
def test_bad_cell(tmp_path: Path, table: str, column: str, value: str, phrase: str) -> None:
    report = read_edited(tmp_path, lambda t: t[table][0].update({column: value}))
    problem = find(report, f"{table}.csv", phrase, row=1, column=column)
    assert problem.value == value


def test_problem_reads_well() -> None:
    problem = Problem(Severity.ERROR, "people.csv", 3, "fte", "-1", "must be > 0 and ≤ 2")
    assert str(problem) == "people.csv row 3, column fte: '-1' — must be > 0 and ≤ 2"
    assert str(Problem(Severity.WARNING, "people.csv", None, None, None, "x")) == "people.csv: x"


@pytest.mark.parametrize(
    ("table", "column", "value", "suggestion"),
    [
        ("missions", "change_type", "inovation", "innovation"),
        ("capabilities", "kind", "tol", "tool"),
        ("locks", "lock", "pinn", "pin"),
    ],
)
def test_unknown_choice_suggests(
    tmp_path: Path, table: str, column: str, value: str, suggestion: str
) -> None:
    report = read_edited(tmp_path, lambda t: t[table][0].update({column: value}))
    problem = find(report, f"{table}.csv", f"unknown {column}: must be", row=1, column=column)
    assert f"did you mean {suggestion!r}" in problem.reason


def test_choices_ignore_case(tmp_path: Path) -> None:
    def edit(tables: Tables) -> None:
        tables["missions"][0]["change_type"] = " Improve"
        tables["locks"][0]["lock"] = "PIN"

    assert read_edited(tmp_path, edit).scenario == tiny_scenario()


def test_max_team_below_min_team(tmp_path: Path) -> None:
    report = read_edited(tmp_path, lambda t: t["missions"][2].update(min_team="3", max_team="2"))
    find(report, "missions.csv", "max_team must be ≥ min_team (3)", row=3, column="max_team")


def test_ops_reserved_above_capacity(tmp_path: Path) -> None:
    report = read_edited(tmp_path, lambda t: t["capabilities"][0].update(ops_reserved="3"))
    find(
        report,
        "capabilities.csv",
        "ops_reserved must be ≤ capacity (2)",
        row=1,
        column="ops_reserved",
    )


def test_mission_without_needs(tmp_path: Path) -> None:
    def edit(tables: Tables) -> None:
        tables["mission_needs"] = [
            need for need in tables["mission_needs"] if need["mission_id"] != "m_renew"
        ]

    find(
        read_edited(tmp_path, edit),
        "missions.csv",
        "mission has no needs",
        row=2,
        column="mission_id",
    )


# --------------------------------------------------------------------------- pins


@pytest.mark.parametrize(
    ("person", "mission", "why"),
    [
        ("p2", "m_transition", "has not opted in"),
        ("p1", "m_renew", "outside the branch of the owning unit 'lab'"),
        ("p3", "m_improve", "lacks every skill it needs at the level required (ops ≥ 2)"),
    ],
)
def test_impossible_pin(tmp_path: Path, person: str, mission: str, why: str) -> None:
    def edit(tables: Tables) -> None:
        tables["locks"].append({"person_id": person, "mission_id": mission, "lock": "pin"})

    problem = find(
        read_edited(tmp_path, edit), "locks.csv", "impossible pin", row=2, column="person_id"
    )
    assert why in problem.reason


def test_pinned_and_forbidden(tmp_path: Path) -> None:
    def edit(tables: Tables) -> None:
        tables["locks"].append({"person_id": "p1", "mission_id": "m_transition", "lock": "forbid"})

    find(
        read_edited(tmp_path, edit),
        "locks.csv",
        "both pinned to and forbidden",
        row=2,
        column="lock",
    )


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


def test_need_outside_owner_branch(tmp_path: Path) -> None:
    report = read_edited(
        tmp_path, lambda t: t["mission_needs"][1].update(skill_id="py", min_level="4")
    )
    only_warnings(report)
    problem = find(
        report,
        "mission_needs.csv",
        "nobody is eligible",
        row=2,
        column="skill_id",
        severity=Severity.WARNING,
    )
    assert "within the branch of unit 'lab'" in problem.reason


def test_ops_demand_nobody_can_cover(tmp_path: Path) -> None:
    report = read_edited(tmp_path, lambda t: t["ops_demand"][0].update(min_level="5"))
    only_warnings(report)
    find(
        report,
        "ops_demand.csv",
        "cannot be covered and the model will be infeasible",
        row=1,
        column="skill_id",
        severity=Severity.WARNING,
    )


def test_ops_demand_beyond_the_units_capacity(tmp_path: Path) -> None:
    report = read_edited(tmp_path, lambda t: t["ops_demand"][0].update(fte="1.7"))
    only_warnings(report)
    problem = find(
        report,
        "ops_demand.csv",
        "less than the protected",
        row=1,
        column="skill_id",
        severity=Severity.WARNING,
    )
    assert "1.8 FTE in all" in problem.reason and "protected 1.9 FTE" in problem.reason


def test_duplicate_preference(tmp_path: Path) -> None:
    report = read_edited(tmp_path, lambda t: t["preferences"].append(dict(t["preferences"][0])))
    only_warnings(report)
    find(
        report,
        "preferences.csv",
        "both rows are added up",
        row=2,
        column="mission_id",
        severity=Severity.WARNING,
    )


def test_duplicate_mission_capability(tmp_path: Path) -> None:
    report = read_edited(
        tmp_path,
        lambda t: t["mission_capabilities"].append(dict(t["mission_capabilities"][0])),
    )
    only_warnings(report)
    find(
        report,
        "mission_capabilities.csv",
        "both rows are added up",
        row=2,
        column="capability_id",
        severity=Severity.WARNING,
    )


def test_pinned_person_with_max_missions_zero(tmp_path: Path) -> None:
    report = read_edited(tmp_path, lambda t: t["people"][0].update(max_missions="0"))
    only_warnings(report)
    find(
        report,
        "locks.csv",
        "may join at most 0",
        row=1,
        column="person_id",
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


@pytest.mark.parametrize(
    ("line", "column", "phrase"),
    [
        ('ops_buffer = "lots"', "ops_buffer", "is not a number"),
        ("max_missions_default = 1.5", "max_missions_default", "must be a whole number"),
        ("network_opt_in_required = 3", "network_opt_in_required", "true/false"),
        ("step_fte = 0", "step_fte", "must be > 0 and ≤ 2"),
        ("weights = 3", "weights", "must be a table of weights"),
        ("network_min_units = [1]", "network_min_units", "single value"),
    ],
)
def test_bad_setting_in_toml(tmp_path: Path, line: str, column: str, phrase: str) -> None:
    report = read_edited(tmp_path, settings_toml=f"[settings]\n{line}\n")
    find(report, "scenario.toml", phrase, column=column)


def test_broken_toml(tmp_path: Path) -> None:
    report = read_edited(tmp_path, settings_toml="[settings\nops_buffer = \n")
    find(report, "scenario.toml", "is not valid TOML")


def test_bad_overrides(tmp_path: Path) -> None:
    folder = write_csv_folder(tmp_path)
    report = read_scenario(folder, overrides={"ops_buffer": -1, "weights.valeu": 3, "seed": 1})
    find(report, "settings", "must be ≥ 0", column="ops_buffer")
    problem = find(report, "settings", "unknown setting", column="weights.valeu")
    assert "did you mean 'weights.value'" in problem.reason
    find(report, "settings", "unknown setting", column="seed")


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
    problem = find(report, "settings", "unknown setting", row=10, column="ops_bufer")
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
