"""The ``assembler`` command: exit codes, report files, and messages instead of tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assembler import cli
from assembler.domain.scenario import OpsDemand
from assembler.io import write_scenario
from builders import tiny_scenario, tiny_tables, write_csv_folder

REPORT_FILES = (
    "roster.csv",
    "ops_allocation.csv",
    "missions.csv",
    "people.csv",
    "ops_coverage.csv",
    "summary.json",
)
COMMANDS = ("validate", "solve", "generate", "frontier", "sweep", "stress")
runner = CliRunner()


@pytest.fixture
def scenario_dir(tmp_path: Path) -> Path:
    path = tmp_path / "scenario"
    write_scenario(tiny_scenario(), path)
    return path


def test_validate_accepts_a_valid_scenario(scenario_dir: Path) -> None:
    result = runner.invoke(cli.app, ["validate", str(scenario_dir)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_validate_lists_every_problem_and_exits_2(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["people"][0]["fte"] = "lots"
    tables["missions"][0]["change_type"] = "improvment"
    write_csv_folder(tmp_path, tables)
    result = runner.invoke(cli.app, ["validate", str(tmp_path)])
    assert result.exit_code == 2
    assert "people.csv row 1, column fte" in result.output
    assert "did you mean 'improve'" in result.output
    assert "Traceback" not in result.output


def test_solve_writes_the_report_files(scenario_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(cli.app, ["solve", str(scenario_dir), "--out", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert "status      optimal" in result.output
    for name in REPORT_FILES:
        assert (out / name).stat().st_size > 0
    header = (out / "roster.csv").read_text().splitlines()[0]
    assert header == "mission_id,mission_name,person_id,person_name,unit_id,skill_id,level,fte"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "optimal" and summary["gap"] == 0


def test_solve_overrides_ops_buffer_and_writes_excel(scenario_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ["solve", str(scenario_dir), "--out", str(out), "--ops-buffer", "0.3"]
    result = runner.invoke(cli.app, [*args, "--format", "xlsx", "--quiet"])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "summary.json").read_text())["settings"]["ops_buffer"] == 0.3
    assert (out / "reports.xlsx").stat().st_size > 0


def test_an_infeasible_scenario_exits_3_and_names_the_clash(tmp_path: Path) -> None:
    scenario = tiny_scenario()
    first = scenario.people[0]
    unit = first.unit_id
    skill = next(r.skill_id for r in scenario.person_skills if r.person_id == first.person_id)
    impossible = OpsDemand(unit_id=unit, skill_id=skill, fte=40.0)
    write_scenario(scenario.replace(ops_demand=(impossible,)), tmp_path / "scenario")
    result = runner.invoke(
        cli.app, ["solve", str(tmp_path / "scenario"), "--out", str(tmp_path / "out"), "--quiet"]
    )
    assert result.exit_code == 3, result.output
    assert "infeasible" in result.output
    assert f"operations of unit '{unit}'" in result.output


def test_reports_never_overwrite_a_scenario(scenario_dir: Path) -> None:
    before = {p.name: p.read_bytes() for p in scenario_dir.iterdir()}
    result = runner.invoke(cli.app, ["solve", str(scenario_dir), "--out", str(scenario_dir)])
    assert result.exit_code == 2
    assert {p.name: p.read_bytes() for p in scenario_dir.iterdir()} == before


def test_a_missing_scenario_exits_2_without_traceback(tmp_path: Path) -> None:
    result = runner.invoke(cli.app, ["solve", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def broken(*_: object, **__: object) -> None:
    raise RuntimeError("disk on fire")


def test_an_unexpected_error_exits_1_with_one_line(
    scenario_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("assembler.solver.solve", broken)
    result = runner.invoke(cli.app, ["solve", str(scenario_dir), "--out", str(tmp_path / "o")])
    assert result.exit_code == 1
    assert "unexpected error: RuntimeError: disk on fire" in result.output
    assert "Traceback" not in result.output


def test_debug_lets_an_unexpected_error_through(
    scenario_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("assembler.solver.solve", broken)
    args = ["solve", str(scenario_dir), "--out", str(tmp_path / "o"), "--debug"]
    result = runner.invoke(cli.app, args)
    assert result.exit_code == 1
    assert isinstance(result.exception, RuntimeError)
    assert "unexpected error" not in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_offers_debug(command: str) -> None:
    result = runner.invoke(cli.app, [command, "--help"])
    assert result.exit_code == 0
    assert "--debug" in result.output


def test_generate_writes_a_valid_scenario_and_never_overwrites(tmp_path: Path) -> None:
    out = tmp_path / "generated"
    args = ["generate", str(out), "--people", "40", "--missions", "6", "--seed", "3"]
    assert runner.invoke(cli.app, args).exit_code == 0
    assert runner.invoke(cli.app, ["validate", str(out)]).exit_code == 0
    before = (out / "people.csv").read_bytes()
    again = runner.invoke(cli.app, [*args[:2], "--people", "10"])
    assert again.exit_code == 2
    assert (out / "people.csv").read_bytes() == before


def test_deterministic_solves_write_identical_rosters(scenario_dir: Path, tmp_path: Path) -> None:
    rosters = []
    for run in ("a", "b"):
        out = tmp_path / run
        args = ["solve", str(scenario_dir), "--out", str(out), "--deterministic", "--quiet"]
        assert runner.invoke(cli.app, [*args, "--time-limit", "2"]).exit_code == 0
        rosters.append((out / "roster.csv").read_bytes())
    assert rosters[0] == rosters[1]


def test_a_failed_solve_keeps_the_previous_plan_and_names_the_bearable_buffer(
    scenario_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    good = runner.invoke(cli.app, ["solve", str(scenario_dir), "--out", str(out), "--quiet"])
    assert good.exit_code == 0, good.output
    before = {path.name: path.read_bytes() for path in out.iterdir()}
    bad = runner.invoke(
        cli.app,
        ["solve", str(scenario_dir), "--out", str(out), "--ops-buffer", "9", "--quiet"],
    )
    assert bad.exit_code == 3, bad.output
    assert "operations can be protected up to a buffer of" in bad.output
    assert "kept        the previous plan's reports" in bad.output
    after = {path.name: path.read_bytes() for path in out.iterdir()}
    failed = json.loads(after.pop("failed_summary.json"))
    assert after == before and failed["status"] == "infeasible" and failed["conflicts"]
    again = runner.invoke(cli.app, ["solve", str(scenario_dir), "--out", str(out), "--quiet"])
    assert again.exit_code == 0 and not (out / "failed_summary.json").exists()
