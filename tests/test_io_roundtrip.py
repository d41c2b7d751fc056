"""Reading and writing scenarios: every format reads back to an equal ``Scenario``."""

from __future__ import annotations

import json
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assembler.domain.scenario import Availability, OpsDemand, Period, Person, Scenario
from assembler.domain.settings import ModelSettings, Weights
from assembler.io import write_scenario
from assembler.io.atomic import atomic_write_bytes, atomic_write_text
from assembler.validation import load_scenario, read_scenario
from builders import csv_text, tiny_scenario, tiny_tables, write_csv_folder

TARGETS = ["scenario.xlsx", "scenario.json", "scenario.zip", "scenario"]


def rich_scenario() -> Scenario:
    """``tiny_scenario`` with unknown columns, awkward floats and non-default settings."""
    base = tiny_scenario()
    people = tuple(
        Person.model_validate(
            {**person.model_dump(), "email": f"{person.person_id}@example.org", "note": "=1+1"}
        )
        for person in base.people
    )
    people = (*people[:-1], people[-1].model_copy(update={"fte": 0.1 + 0.2}))
    return base.replace(people=people).model_copy(
        update={
            "settings": ModelSettings(
                step_fte=0.025,
                ops_buffer=0.35,
                network_opt_in_required=False,
                weights=Weights(value=50, preference=3, assignment=0),
            )
        }
    )


@pytest.mark.parametrize("target", TARGETS)
def test_round_trip_is_lossless(tmp_path: Path, target: str) -> None:
    scenario = rich_scenario()
    write_scenario(scenario, tmp_path / target)
    report = read_scenario(tmp_path / target)
    assert report.problems == ()
    assert report.scenario == scenario
    assert report.scenario.people[0].model_extra == {"email": "p1@example.org", "note": "=1+1"}
    assert report.scenario.people[-1].fte == 0.1 + 0.2


def horizon_scenario(*, dated: bool = True) -> Scenario:
    """``rich_scenario`` over three months: windows, an ``after`` chain, availability (0 too),
    ops demand per month (0 too) beside a blank-period row, and a delay weight."""
    base = rich_scenario()
    periods = tuple(
        Period(
            period_id=f"2027-{month:02d}", name=name, start=date(2027, month, 1) if dated else None
        )
        for month, name in [(1, "January"), (2, "February"), (3, "")]
    )
    timing: dict[str, dict[str, Any]] = {
        "m_improve": {"earliest_start": "2027-01", "latest_end": "2027-02", "duration": 1},
        "m_renew": {"after": "m_improve", "earliest_start": "2027-02"},
        "m_innovation": {"earliest_start": "2027-02", "duration": 2},
    }
    missions = tuple(
        mission.model_copy(update=timing.get(mission.mission_id, {})) for mission in base.missions
    )
    ops_demand = (
        *base.ops_demand,
        OpsDemand(unit_id="hq", skill_id="ops", fte=0, min_level=3, period_id="2027-02"),
        OpsDemand(unit_id="lab", skill_id="design", fte=0.1 + 0.2, period_id="2027-03"),
    )
    availability = (
        Availability(person_id="p4", period_id="2027-01", fte=0),
        Availability(person_id="p3", period_id="2027-03", fte=0.35),
    )
    weights = base.settings.weights.model_copy(update={"delay": 7})
    return base.replace(
        periods=periods, missions=missions, ops_demand=ops_demand, availability=availability
    ).model_copy(update={"settings": base.settings.model_copy(update={"weights": weights})})


@pytest.mark.parametrize("dated", [True, False], ids=["dated", "undated"])
@pytest.mark.parametrize("target", TARGETS)
def test_horizon_round_trip_is_lossless(tmp_path: Path, target: str, dated: bool) -> None:
    scenario = horizon_scenario(dated=dated)
    write_scenario(scenario, tmp_path / target)
    report = read_scenario(tmp_path / target)
    assert report.problems == ()
    assert report.scenario == scenario
    assert report.scenario.settings.weights.delay == 7
    assert report.scenario.missions[1].after == "m_improve"
    assert report.scenario.ops_demand[1].fte == 0


def test_horizon_in_json_and_csv(tmp_path: Path) -> None:
    write_scenario(horizon_scenario(), tmp_path / "s.json")
    document = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert document["periods"][0] == {
        "period_id": "2027-01",
        "name": "January",
        "start": "2027-01-01",
    }
    assert document["availability"][0] == {"person_id": "p4", "period_id": "2027-01", "fte": 0}
    assert document["settings"]["weights"]["delay"] == 7
    write_scenario(horizon_scenario(), tmp_path / "csv")
    periods = (tmp_path / "csv" / "periods.csv").read_text(encoding="utf-8").splitlines()
    assert periods == [
        "period_id,name,start",
        "2027-01,January,2027-01-01",
        "2027-02,February,2027-02-01",
        "2027-03,,2027-03-01",
    ]
    header = (tmp_path / "csv" / "missions.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",earliest_start,latest_end,duration,after")


@pytest.mark.parametrize("target", TARGETS)
def test_without_periods_nothing_of_the_horizon_is_written(tmp_path: Path, target: str) -> None:
    scenario = horizon_scenario().replace(
        periods=None,
        availability=(),
        missions=tiny_scenario().missions,
        ops_demand=tiny_scenario().ops_demand,
    )
    write_scenario(scenario, tmp_path / target)
    assert load_scenario(tmp_path / target) == scenario
    if target == "scenario.json":
        document = json.loads((tmp_path / target).read_text(encoding="utf-8"))
        assert "periods" not in document and "availability" not in document
        assert "after" not in document["missions"][0]
        assert "period_id" not in document["ops_demand"][0]


@pytest.mark.parametrize("target", TARGETS)
def test_absent_optional_tables_stay_absent(tmp_path: Path, target: str) -> None:
    scenario = tiny_scenario().replace(units=None, skills=None, ops_demand=(), locks=())
    write_scenario(scenario, tmp_path / target)
    assert load_scenario(tmp_path / target) == scenario


def test_folder_writer_removes_stale_tables(tmp_path: Path) -> None:
    write_scenario(tiny_scenario(), tmp_path)
    assert (tmp_path / "units.csv").exists()
    without_units = tiny_scenario().replace(units=None)
    write_scenario(without_units, tmp_path)
    assert not (tmp_path / "units.csv").exists()
    assert load_scenario(tmp_path) == without_units
    assert not list(tmp_path.glob(".*.tmp"))


def test_workbook_layout(tmp_path: Path) -> None:
    write_scenario(rich_scenario(), tmp_path / "s.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "s.xlsx")
    assert "people" in workbook.sheetnames and "settings" in workbook.sheetnames
    assert "units" in workbook.sheetnames
    settings = {
        row[0]: row[1] for row in workbook["settings"].iter_rows(min_row=2, values_only=True)
    }
    assert settings["weights.value"] == 50
    assert settings["ops_buffer"] == 0.35
    header = [cell.value for cell in workbook["people"][1]]
    assert header[:3] == ["person_id", "name", "unit_id"]
    assert header[-2:] == ["email", "note"]


def test_json_layout(tmp_path: Path) -> None:
    write_scenario(tiny_scenario(), tmp_path / "s.json")
    document = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    assert document["settings"]["weights"] == {
        "value": 100,
        "preference": 10,
        "assignment": 1,
        "delay": 1,
    }
    assert document["mission_needs"][1]["fte"] == 0.35
    assert document["missions"][0]["change_type"] == "improve"


def test_csv_folder_reads_tiny_tables(tmp_path: Path) -> None:
    assert load_scenario(write_csv_folder(tmp_path)) == tiny_scenario()


def test_columns_in_any_order_and_extra_columns_kept(tmp_path: Path) -> None:
    tables = tiny_tables()
    people = [{"team_size_hint": "3", **dict(reversed(row.items()))} for row in tables["people"]]
    tables["people"] = people
    scenario = load_scenario(write_csv_folder(tmp_path, tables))
    assert scenario.people[0].model_extra == {"team_size_hint": "3"}
    write_scenario(scenario, tmp_path / "out")
    header = (tmp_path / "out" / "people.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",team_size_hint")


def test_cells_are_read_leniently(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["people"][0].update(fte=" 0.5 ", network_opt_in="YES", max_missions="2.0")
    tables["people"][1].update(network_opt_in="No", max_missions="", fte="1")
    tables["missions"][0].update(mandatory="TRUE", max_team="", min_team=" 1 ", owner_unit="")
    tables["units"][1]["parent_id"] = ""
    tables["mission_needs"][0]["min_level"] = ""
    scenario = load_scenario(write_csv_folder(tmp_path, tables))
    ada, ben = scenario.people[:2]
    assert (ada.fte, ada.network_opt_in, ada.max_missions) == (0.5, True, 2)
    assert (ben.fte, ben.network_opt_in, ben.max_missions) == (1.0, False, None)
    improve = scenario.missions[0]
    assert (improve.mandatory, improve.max_team, improve.min_team, improve.owner_unit) == (
        True,
        None,
        1,
        None,
    )
    assert scenario.units is not None and scenario.units[1].parent_id is None
    assert scenario.mission_needs[0].min_level == 1


def test_ids_are_stripped_and_names_kept(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["people"][0].update(person_id=" p1 ", name="  Ada  ")
    scenario = load_scenario(write_csv_folder(tmp_path, tables))
    assert scenario.people[0].person_id == "p1"
    assert scenario.people[0].name == "  Ada  "


def test_byte_order_mark_and_crlf(tmp_path: Path) -> None:
    write_csv_folder(tmp_path)
    people = (tmp_path / "people.csv").read_text(encoding="utf-8").replace("\n", "\r\n")
    (tmp_path / "people.csv").write_bytes(b"\xef\xbb\xbf" + people.encode())
    assert load_scenario(tmp_path) == tiny_scenario()


def test_json_accepts_native_values_and_strings(tmp_path: Path) -> None:
    write_scenario(tiny_scenario(), tmp_path / "s.json")
    document = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))
    document["people"][0].update(fte="1.0", network_opt_in="yes", max_missions=None, badge=7)
    document["people"][1].update(fte=0.8, network_opt_in=0, max_missions=1.0)
    (tmp_path / "s.json").write_text(json.dumps(document), encoding="utf-8")
    scenario = load_scenario(tmp_path / "s.json")
    assert scenario.people[0].network_opt_in is True
    assert scenario.people[0].model_extra == {"badge": "7"}
    assert scenario.people[1].max_missions == 1


@pytest.mark.parametrize("inside", ["", "my scenario/"])
def test_zip_of_csv_files(tmp_path: Path, inside: str) -> None:
    folder = write_csv_folder(tmp_path / "csv", settings_toml="[settings]\nops_buffer = 0.2\n")
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        for file in folder.iterdir():
            zipped.write(file, inside + file.name)
        zipped.writestr("__MACOSX/._people.csv", b"\x00\x05junk")
        if inside:
            zipped.writestr(inside + ".DS_Store", b"\x00junk")
    report = read_scenario(archive)
    assert report.problems == ()
    assert report.scenario == tiny_scenario().with_settings(ops_buffer=0.2)


def test_scenario_toml_settings_and_overrides(tmp_path: Path) -> None:
    toml = """
[settings]
step_fte = 0.1
network_opt_in_required = false
max_missions_default = 3

[settings.weights]
value = 7
"""
    folder = write_csv_folder(tmp_path, settings_toml=toml)
    scenario = load_scenario(folder)
    assert scenario.settings == ModelSettings(
        step_fte=0.1,
        network_opt_in_required=False,
        max_missions_default=3,
        weights=Weights(value=7),
    )
    overridden = load_scenario(
        folder, overrides={"ops_buffer": 0.2, "weights.value": 50, "step_fte": None}
    )
    assert overridden.settings.ops_buffer == 0.2
    assert overridden.settings.weights == Weights(value=50)
    assert overridden.settings.step_fte == 0.1
    nested = load_scenario(folder, overrides={"weights": {"preference": 4}, "ops_buffer": "0.3"})
    assert nested.settings.weights == Weights(value=7, preference=4)
    assert nested.settings.ops_buffer == 0.3


def test_workbook_settings_sheet_is_read(tmp_path: Path) -> None:
    write_scenario(tiny_scenario(), tmp_path / "s.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "s.xlsx")
    sheet = workbook["settings"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "ops_buffer":
            row[1].value = "0.25"
        if row[0].value == "network_opt_in_required":
            row[1].value = "no"
    workbook.save(tmp_path / "s.xlsx")
    settings = load_scenario(tmp_path / "s.xlsx").settings
    assert (settings.ops_buffer, settings.network_opt_in_required) == (0.25, False)


def test_atomic_write_replaces_without_leftovers(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    atomic_write_text(target, "old\n")
    atomic_write_bytes(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert [path.name for path in tmp_path.iterdir()] == ["report.csv"]


def test_atomic_write_leaves_target_alone_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    atomic_write_text(target, "old\n")
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(target, "\udcff")
    assert target.read_text() == "old\n"
    assert [path.name for path in tmp_path.iterdir()] == ["report.csv"]


# --------------------------------------------------------------------------- property

_ids = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789_-.", min_size=1, max_size=6)
_names = st.text(
    alphabet=st.characters(
        whitelist_categories=("L", "N", "P", "S", "Zs"), whitelist_characters="\n"
    ),
    max_size=12,
)
_fte = st.floats(min_value=0, max_value=2, exclude_min=True)


@st.composite
def _scenarios(draw: st.DrawFn) -> Scenario:
    """``tiny_scenario`` with random names, FTEs, values, ids and unknown columns on people."""
    base = tiny_scenario()
    extra = draw(st.sampled_from(["", "email", "Note with space"]))
    newcomers = [
        Person(person_id=f"x-{suffix}", unit_id="lab")
        for suffix in draw(st.lists(_ids, unique=True, max_size=3))
    ]
    people = []
    for person in (*base.people, *newcomers):
        data = person.model_dump()
        data.update(
            name=draw(_names), fte=draw(_fte), max_missions=draw(st.none() | st.integers(0, 9))
        )
        if extra:
            data[extra] = draw(_names)
        people.append(Person.model_validate(data))
    missions = [
        mission.model_copy(update={"value": draw(st.floats(0, 1e9)), "name": draw(_names)})
        for mission in base.missions
    ]
    return base.replace(people=people, missions=missions).model_copy(
        update={"settings": ModelSettings(ops_buffer=draw(st.floats(0, 10)))}
    )


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario=_scenarios(), target=st.sampled_from(TARGETS))
def test_round_trip_property(tmp_path: Path, scenario: Scenario, target: str) -> None:
    write_scenario(scenario, tmp_path / target)
    assert load_scenario(tmp_path / target) == scenario


def test_csv_text_helper_writes_header_only_for_no_rows() -> None:
    assert csv_text([], ["a", "b"]) == "a,b\n"
