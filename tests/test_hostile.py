"""Hostile input: nothing a user sends can hang the planner, crash it or fool it.

Each test is a probe that once failed (a bomb, a number too large, a formula without a
result, a carriage return, Ctrl-C, a crash while writing, a bad ``--out``, a bound never
proved, an app open to the network), scaled down to stay fast: the limits are lowered
through ``ASSEMBLER_MAX_…`` so a 50 MiB bomb meets a 10 MiB limit.  Where time and memory
are the point the command runs in a child process, with a timeout and its peak resident
memory measured; every test checks the message, the exit code and that nothing was lost.
"""

from __future__ import annotations

import io
import json
import os
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from sqlalchemy.exc import DatabaseError
from typer.testing import CliRunner

from assembler import SolveSettings, Status, check, load_scenario, solve
from assembler.cli import app
from assembler.cli.printing import print_summary
from assembler.domain.scenario import Scenario
from assembler.generate import generate_scenario
from assembler.io import write_scenario
from assembler.io.atomic import FolderSwap, write_durably
from assembler.io.limits import MIB, ByteBudget, LimitExceededError
from assembler.io.reports import (
    FAILED_SUMMARY_FILE,
    REPORT_FILES,
    V3_REPORT_FILES,
    table_csv_bytes,
    write_reports,
)
from assembler.io.roster import read_report_table, solution_from_reports
from assembler.results.plan import Plan
from assembler.results.report import build_reports
from assembler.solver import engine
from assembler.solver.engine import ModelInvalidError
from assembler.store.failures import describe
from assembler.validation import read_scenario, read_upload
from builders import (
    CLINIC,
    SAMPLE,
    mission,
    person,
    scenario,
    tiny_scenario,
    tiny_tables,
    write_csv_folder,
)
from hostile_support import ROOT, Command, Outcome, assembler, group_alive
from solving import solve_once

LIMITS = {"ASSEMBLER_MAX_FILE_BYTES": str(10 * MIB), "ASSEMBLER_MAX_TOTAL_BYTES": str(20 * MIB)}
"""The limits of the bomb probes: a fifth of each bomb, far above the sample."""
SECONDS = 30.0
"""The most a refused probe may take, start-up included (a few seconds on this machine)."""
PEAK_MIB = 300
"""The most memory a refused probe may hold (Python with assembler loaded: about 60 MiB)."""

runner = CliRunner()


def refused(outcome: Outcome, phrase: str) -> None:
    """Exit 2 within bounded time and memory, the reason given, no traceback."""
    assert outcome.code == 2, outcome.output
    assert phrase in outcome.err, outcome.err
    assert "Traceback" not in outcome.output
    assert outcome.seconds < SECONDS
    assert outcome.peak_mib < PEAK_MIB, f"{outcome.peak_mib:.0f} MiB"


# --------------------------------------------------------------------------- probes


@pytest.fixture(scope="module")
def sample_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "sample.xlsx"
    write_scenario(load_scenario(SAMPLE), path)
    return path


def people_zip(path: Path, data_bytes: int, *, repeat_first: bool = True) -> Path:
    """The sample as a zip of CSVs whose ``people.csv`` repeats its first row to
    ``data_bytes`` bytes: deflate packs that about a thousand to one."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for source in sorted(SAMPLE.iterdir()):
            if source.name != "people.csv":
                archive.write(source, source.name)
                continue
            header, first = source.read_bytes().splitlines()[:2]
            line = (first if repeat_first else first.replace(b"P001", b"X")) + b"\n"
            with archive.open("people.csv", "w", force_zip64=True) as stream:
                stream.write(header + b"\n")
                stream.write(line * (data_bytes // len(line)))
    return path


def declare(path: Path, member: str, size: int) -> None:
    """Make ``path`` claim ``size`` bytes for ``member`` in both its headers."""
    data = bytearray(path.read_bytes())
    for signature, name_at, size_at in ((b"PK\x01\x02", 28, 24), (b"PK\x03\x04", 26, 22)):
        at = data.find(signature)
        while at >= 0:
            length = struct.unpack_from("<H", data, at + name_at)[0]
            start = at + (46 if signature == b"PK\x01\x02" else 30)
            if data[start : start + length] == member.encode():
                struct.pack_into("<I", data, at + size_at, size)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))


# --------------------------------------------------------------------------- 1. bounded reading


@pytest.mark.slow
def test_a_styled_cell_at_xfd1048576_is_read_in_moments(sample_xlsx: Path, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(sample_xlsx)
    workbook["units"]["XFD1048576"].number_format = "0.00"  # declares A1:XFD1048576
    workbook.save(tmp_path / "far.xlsx")
    outcome = assembler("validate", str(tmp_path / "far.xlsx"))
    assert outcome.code == 0, outcome.output
    assert "valid — 151 people, 11 units" in outcome.out
    assert outcome.seconds < SECONDS and outcome.peak_mib < PEAK_MIB


def test_a_value_at_xfd1048576_is_an_error_naming_the_cell(
    sample_xlsx: Path, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(sample_xlsx)
    workbook["units"]["XFD1048576"] = "x"
    workbook.save(tmp_path / "far.xlsx")
    data = (tmp_path / "far.xlsx").read_bytes()
    started = time.perf_counter()
    report = read_upload("far.xlsx", data)  # the app's path, in this process
    assert time.perf_counter() - started < 10
    assert report.scenario is None
    (problem,) = [p for p in report.problems if p.table == "units"]
    assert "cell XFD1048576 holds a value beyond column 256" in problem.reason
    assert "limit max_columns" in problem.reason


@pytest.mark.slow
def test_a_sheet_unpacking_past_the_limit_is_refused(sample_xlsx: Path, tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    row = b'<row><c t="inlineStr"><is><t>p</t></is></c></row>'
    with zipfile.ZipFile(sample_xlsx) as source, zipfile.ZipFile(bomb, "w", 8) as target:
        for info in source.infolist():
            data = source.read(info)
            if not info.filename.endswith("sheet1.xml"):
                target.writestr(info, data)
                continue
            head, _, tail = data.partition(b"</sheetData>")
            with target.open(info.filename, "w", force_zip64=True) as stream:
                stream.write(head + row * (50 * MIB // len(row)) + b"</sheetData>" + tail)
    assert bomb.stat().st_size < 2 * MIB
    refused(
        assembler("validate", str(bomb), env=LIMITS),
        "bomb.xlsx: entry xl/worksheets/sheet1.xml unpacks to more than 10 MiB",
    )


@pytest.mark.slow
def test_entries_that_lie_about_their_size_are_not_trusted(tmp_path: Path) -> None:
    archive = people_zip(tmp_path / "lying.zip", 50 * MIB)
    declare(archive, "people.csv", 1_000)
    outcome = assembler("validate", str(archive), env=LIMITS)
    refused(outcome, "people.csv: cannot be read: the archive is damaged (Bad CRC-32")
    assert "1 error(s)" in outcome.err


def test_budget_counts_what_a_stream_really_holds() -> None:
    """Whatever an archive declares, reading stops one chunk past the limit."""
    from assembler.io.limits import ReadLimits

    class Endless(io.RawIOBase):
        served = 0

        def read(self, size: int = -1) -> bytes:
            self.served += size
            return b"x" * size

    stream = Endless()
    with pytest.raises(LimitExceededError, match="more than 10 MiB"):
        ByteBudget(ReadLimits(max_file_bytes=10 * MIB)).read(stream)  # type: ignore[arg-type]
    assert stream.served <= 11 * MIB


@pytest.mark.slow
def test_a_zip_of_500_mib_is_refused_in_the_app_and_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    archive = people_zip(tmp_path / "big.zip", 50 * MIB)
    refused(
        assembler("validate", str(archive), env=LIMITS),
        "people.csv: unpacks to more than 10 MiB, the most one file may hold "
        "(limit max_file_bytes); refused",
    )
    for name, value in LIMITS.items():
        monkeypatch.setenv(name, value)
    report = read_upload("big.zip", archive.read_bytes())
    assert report.scenario is None
    assert any("unpacks to more than 10 MiB" in p.reason for p in report.problems)


@pytest.mark.slow
def test_a_million_problems_are_listed_as_twenty_and_a_count(tmp_path: Path) -> None:
    archive = people_zip(tmp_path / "dup.zip", 3 * MIB)
    outcome = assembler("validate", str(archive), env=LIMITS)
    refused(outcome, "duplicate person_id: already used on row 1")
    listed = [line for line in outcome.err.splitlines() if "duplicate person_id" in line]
    assert len(listed) == 20
    (summary,) = [line for line in outcome.err.splitlines() if "people.csv, column" in line]
    assert "people.csv, column person_id: 78,6" in summary
    assert "more errors like the above, not listed (only the first 20" in summary
    assert len(outcome.err.splitlines()) < 100


@pytest.mark.slow
def test_a_table_past_the_row_limit_is_not_read(tmp_path: Path) -> None:
    archive = people_zip(tmp_path / "rows.zip", 200_000, repeat_first=False)
    outcome = assembler("validate", str(archive), env={"ASSEMBLER_MAX_ROWS": "1000"})
    refused(outcome, "people.csv: row 1,001 holds data, past the 1,000 rows one table may have")


@pytest.mark.slow
def test_a_bad_limit_setting_is_named() -> None:
    outcome = assembler("validate", str(SAMPLE), env={"ASSEMBLER_MAX_ROWS": "lots"})
    assert outcome.code == 2
    assert "ASSEMBLER_MAX_ROWS='lots': a limit is a whole number ≥ 1" in outcome.err


# --------------------------------------------------------------------------- 2. numbers


@pytest.mark.parametrize(
    ("table", "column", "value", "reason"),
    [
        ("missions", "value", "1e17", "must be from 0 to 1,000,000,000"),
        ("capabilities", "capacity", "1e30", "must be from 0 to 1,000,000"),
        ("mission_needs", "fte", "1e308", "must be > 0 and ≤ 10,000"),
        ("ops_demand", "fte", "1e308", "must be from 0 to 10,000"),
        ("mission_capabilities", "units", "1e20", "must be from 1 to 1,000,000"),
    ],
)
def test_numbers_past_the_model_range_are_refused_before_solving(
    tmp_path: Path, table: str, column: str, value: str, reason: str
) -> None:
    tables = tiny_tables()
    tables[table][0][column] = value
    folder = write_csv_folder(tmp_path / "s", tables)
    for command in (["validate"], ["solve", "--out", str(tmp_path / "out")]):
        result = runner.invoke(app, [command[0], str(folder), *command[1:]])
        assert result.exit_code == 2, result.output
        assert f"{table}.csv row 1, column {column}: '{value}' — {reason}" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("weight", ["1000000000000000", "100000000000000"])
def test_weights_past_a_million_are_refused(tmp_path: Path, weight: str) -> None:
    folder = write_csv_folder(
        tmp_path / "s", tiny_tables(), f"[settings.weights]\nvalue = {weight}\n"
    )
    result = runner.invoke(app, ["validate", str(folder)])
    assert result.exit_code == 2
    assert f"column weights.value: '{weight}' — must be from 0 to 1,000,000" in result.output


def test_a_score_past_2_to_the_53_is_refused_as_a_whole(tmp_path: Path) -> None:
    tables = tiny_tables()
    for row in tables["missions"]:
        row["value"] = "1000000000"
    toml = "[settings.weights]\nvalue = 1000000\n"
    report = read_scenario(write_csv_folder(tmp_path / "s", tables, toml))
    assert report.scenario is None
    (problem,) = report.errors
    assert problem.table == "scenario" and problem.column == "weights.value"
    assert "the score could reach 400,000,000,000,000,0" in problem.reason
    assert "past 2⁵³ = 9,007,199,254,740,992" in problem.reason


def test_a_model_cp_sat_rejects_is_an_error_never_a_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def rejected(*_: object) -> None:
        raise ModelInvalidError("Possible integer overflow in objective")

    monkeypatch.setattr("assembler.solver.solve", rejected)
    out = tmp_path / "out"
    result = runner.invoke(app, ["solve", str(SAMPLE), "--out", str(out), "--quiet"])
    assert result.exit_code == 1
    assert "the solver rejected the model, so there is no plan: Possible integer overflow" in (
        result.output
    )
    assert not out.exists() and list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------- 3. formulas, text


def test_a_formula_without_a_saved_result_is_an_error(sample_xlsx: Path, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(sample_xlsx)
    sheet = workbook["mission_needs"]
    assert sheet["C1"].value == "fte"
    sheet["C3"] = "=0.25*2"  # openpyxl saves the formula and no result
    workbook.save(tmp_path / "formula.xlsx")
    report = read_scenario(tmp_path / "formula.xlsx")
    assert report.scenario is None
    assert {(p.table, p.row, p.column) for p in report.errors} == {("mission_needs", 2, "fte")}
    reasons = [problem.reason for problem in report.errors]
    assert any("cell C3 holds the formula =0.25*2 but no saved result" in r for r in reasons)


def reported(s: Scenario) -> tuple[Scenario, Path, Path]:
    result = solve_once(s)
    assert result.solution is not None
    out = Path(tempfile.mkdtemp()) / "out"
    write_reports(build_reports(s, result), out)
    return s, out / "roster.csv", out / "ops_allocation.csv"


def test_a_carriage_return_in_a_name_survives_the_roster() -> None:
    s = scenario(
        [person("p1", name="Ada\rLovelace"), person("p2", name='Ben "B" \n Bo')],
        [mission("m", {"k": 1.5}, name="line\rbreak")],
    )
    s, roster_path, ops_path = reported(s)
    assert b'"Ada\rLovelace"' in roster_path.read_bytes()
    roster = read_report_table(roster_path)
    assert set(roster["person_name"]) == {"Ada\rLovelace", 'Ben "B" \n Bo'}
    assert set(roster["mission_name"]) == {"line\rbreak"}
    rebuilt = solution_from_reports(s, roster, read_report_table(ops_path))
    assert check(s, rebuilt) == []


def test_ids_that_differ_by_a_leading_quote_stay_apart() -> None:
    s = scenario([person("=x"), person("'=x"), person("'plain")], [mission("m", {"k": 2.5})])
    s, roster_path, ops_path = reported(s)
    roster = read_report_table(roster_path)
    assert set(roster["person_id"]) == {"'=x", "''=x", "''plain"}  # as a spreadsheet shows
    rebuilt = solution_from_reports(s, roster, read_report_table(ops_path))
    assert {person_id for person_id, _ in rebuilt.members} == {"=x", "'=x", "'plain"}
    assert check(s, rebuilt) == []


def test_report_cells_that_read_as_missing_stay_text() -> None:
    frame = pd.DataFrame({"person_id": ["NA", "null", ""], "fte": [0.5, 1.0, 0.25]})
    read = read_report_table(table_csv_bytes(frame))
    assert list(read["person_id"]) == ["NA", "null", ""]


# --------------------------------------------------------------------------- 4. interrupts


def previous_reports(out: Path) -> dict[str, bytes]:
    out.mkdir(parents=True)
    files = {"roster.csv": b"previous roster\r\n", "summary.json": b'{"status": "old"}\n'}
    for name, data in files.items():
        (out / name).write_bytes(data)
    return files


def files_of(folder: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in folder.iterdir()}


@pytest.fixture(scope="module")
def organisation(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("org") / "org"
    write_scenario(generate_scenario(people=1000, missions=100, seed=7), folder)
    return folder


@pytest.mark.slow
def test_ctrl_c_stops_the_solve_and_writes_the_best_plan(
    organisation: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    previous_reports(out)
    command = Command("solve", str(organisation), "--out", str(out), "--time-limit", "120")
    command.wait_for(" score ")
    sent = time.perf_counter()
    command.signal(signal.SIGINT)
    outcome = command.wait()
    assert time.perf_counter() - sent < 20
    assert outcome.code == 0, outcome.output
    assert outcome.peak_mib < 1500
    assert "SIGINT: stopping; the best plan found so far will be written" in outcome.err
    assert "interrupted: the search stopped after" in outcome.err
    assert "the best plan found is written." in outcome.err
    assert "status      feasible" in outcome.out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["status"] == "feasible"
    s = load_scenario(organisation)
    rebuilt = solution_from_reports(
        s, read_report_table(out / "roster.csv"), read_report_table(out / "ops_allocation.csv")
    )
    assert check(s, rebuilt) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.slow
def test_a_second_ctrl_c_quits_at_once_and_keeps_the_previous_reports(
    organisation: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    previous = previous_reports(out)
    command = Command("solve", str(organisation), "--out", str(out), "--time-limit", "120")
    command.wait_for(" score ")
    command.signal(signal.SIGINT)
    command.wait_for("SIGINT: stopping")
    command.signal(signal.SIGINT)
    outcome = command.wait(timeout=30)
    assert outcome.code == 130, outcome.output
    assert "interrupted again: quitting now" in outcome.err
    assert files_of(out) == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.slow
def test_ctrl_c_to_the_whole_group_stops_a_frontier_and_keeps_its_points(
    organisation: Path, tmp_path: Path
) -> None:
    """As a terminal sends it: to the command and its Dask workers alike."""
    out = tmp_path / "frontier"
    # Buffers the operations can all bear (up to 10 %), so no point ends early as infeasible
    # and each takes its whole limit: 30 points x 3 s on 2 workers cannot end in 8 s.
    buffers = ",".join(str(step / 300) for step in range(30))
    args = ["--out", str(out), "--buffers", buffers, "--time-limit", "3", "--quiet"]
    command = Command("frontier", str(organisation), *args, group=True)
    command.wait_for("30 solves on 2 local workers")
    time.sleep(8)  # a few points solved, most still to come
    command.signal(signal.SIGINT, group=True)
    outcome = command.wait()
    assert outcome.code == 130, outcome.output
    assert "interrupted: kept" in outcome.err and "of 30; the rest were not finished" in outcome.err
    assert "Traceback" not in outcome.output and "leaked semaphore" not in outcome.output
    table = pd.read_csv(out / "frontier.csv")
    assert 1 <= len(table) < 30
    deadline = time.perf_counter() + 10  # the resource tracker leaves just after
    while group_alive(command.process.pid):
        assert time.perf_counter() < deadline, "a process of the command outlived it"
        time.sleep(0.2)


@pytest.mark.slow
def test_ctrl_c_stops_explain_candidates_at_once_and_prints_what_it_has(
    organisation: Path,
) -> None:
    mission_id = load_scenario(organisation).missions[0].mission_id
    args = ["--mission", mission_id, "--candidates", "10", "--time-limit", "30"]
    command = Command("explain", str(organisation), *args, "--budget", "300")
    time.sleep(12)  # the best plan solved and the first candidates under way
    assert command.process.poll() is None, command.stderr()
    sent = time.perf_counter()
    command.signal(signal.SIGINT)
    outcome = command.wait(timeout=60)
    assert time.perf_counter() - sent < 5, outcome.output
    assert outcome.code == 130, outcome.output
    assert "SIGINT: stopping; what is answered so far will be printed" in outcome.err
    assert "interrupted: the answer above is what was worked out before the stop." in outcome.err
    assert f"mission     {mission_id}" in outcome.out and "candidates  " in outcome.out
    assert "Traceback" not in outcome.output


# --------------------------------------------------------------------------- 5. reports as one set


WRITER = """
import sys, time
from pathlib import Path
from assembler.io.atomic import FolderSwap, write_durably
from assembler.io.reports import REPORT_FILES
with FolderSwap(Path(sys.argv[1]), REPORT_FILES) as swap:
    write_durably(swap.staging / "roster.csv", b"new roster")
    print("half written", flush=True)
    time.sleep(60)
"""


@pytest.mark.slow
def test_kill_9_while_writing_leaves_the_previous_set_and_no_temporary_file(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    previous = previous_reports(out)
    path = os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(out)],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert writer.stdout is not None and writer.stdout.readline() == b"half written\n"
    writer.kill()
    writer.wait()
    assert files_of(out) == previous
    assert len(list(tmp_path.iterdir())) == 2  # and the dead writer's hidden folder
    with FolderSwap(out, REPORT_FILES) as swap:
        write_durably(swap.staging / "summary.json", b"{}")
        swap.commit()
    assert files_of(out) == {"summary.json": b"{}"}
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_set_caught_between_the_two_renames_is_restored(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    aside = tmp_path / f".out.old-{dead.stdout.strip()}-abcd"
    previous = previous_reports(aside)
    with FolderSwap(tmp_path / "out", REPORT_FILES):
        pass  # entering recovers; leaving without a commit changes nothing
    assert files_of(tmp_path / "out") == previous
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_out_is_checked_before_solving(tmp_path: Path) -> None:
    a_file = tmp_path / "report.txt"
    a_file.write_text("mine")
    for out, reason in [
        (a_file, "is a file; give a folder for the files"),
        (a_file / "sub", "report.txt: is a file; give a folder for the files"),
    ]:
        started = time.perf_counter()
        result = runner.invoke(
            app, ["solve", str(SAMPLE), "--out", str(out), "--time-limit", "600"]
        )
        assert result.exit_code == 2, result.output
        assert reason in result.output and "nothing was solved" in result.output
        assert time.perf_counter() - started < 10
    assert a_file.read_text() == "mine"


@pytest.mark.slow
def test_a_folder_with_other_files_keeps_them(tmp_path: Path) -> None:
    """A user's notes, or the log a script writes into --out while the solve runs, stay:
    the reports are renamed in one by one, and owned files the new set lacks go.  The v3
    clinic writes the sample's whole set (learners too) and is optimal in moments."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    (out / FAILED_SUMMARY_FILE).write_text("{}")  # a previous failed solve's
    with (out / "run.log").open("w") as log:
        log.write("before\n")
        log.flush()
        result = runner.invoke(app, ["solve", str(CLINIC), "--out", str(out), "--quiet"])
        log.write("after\n")
    assert result.exit_code == 0, result.output
    assert (out / "notes.txt").read_text() == "keep me"
    assert (out / "run.log").read_text() == "before\nafter\n"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            "notes.txt",
            "run.log",
            *(name for name in REPORT_FILES if name.endswith(".csv")),
            *V3_REPORT_FILES,  # the clinic has learners: development.csv
            "summary.json",
        ]
    )
    assert json.loads((out / "summary.json").read_text())["status"] == "optimal"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes in read-only folders")
def test_an_unwritable_folder_is_refused_before_solving(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    result = runner.invoke(app, ["solve", str(SAMPLE), "--out", str(locked / "out")])
    assert result.exit_code == 2
    assert "cannot be written: Permission denied" in result.output


# --------------------------------------------------------------------------- 6. honest bounds


def test_no_bound_is_reported_when_none_was_proved(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped the moment the warm start is reported, and the pooled bound's LP not solved
    in time: a plan, and no bound to show."""
    monkeypatch.setattr(engine, "pooled_relaxation", lambda *_: None)
    stop = threading.Event()
    s = load_scenario(SAMPLE)
    result = solve(s, SolveSettings(time_limit=60, stop=stop, progress=lambda _: stop.set()))
    assert result.status is Status.FEASIBLE and result.solution is not None
    assert result.best_bound is None and result.gap is None
    print_summary(result)
    printed = capsys.readouterr().out
    assert "(no bound yet)" in printed and "gap" not in printed
    summary = build_reports(s, result).summary.to_json()
    assert summary["status"] == "feasible"
    assert summary["best_bound"] is None and summary["gap"] is None


def test_a_time_limit_spent_reading_ends_the_solve_at_once(tmp_path: Path) -> None:
    """The limit counts from the command's start: 0.01 s is gone before the model is built,
    so the command ends at once and says there is no plan."""
    out = tmp_path / "out"
    args = ["solve", str(SAMPLE), "--out", str(out), "--time-limit", "0.01", "--quiet"]
    started = time.perf_counter()
    result = runner.invoke(app, args)
    assert time.perf_counter() - started < 10
    assert result.exit_code == 3, result.output
    assert "no solution was found within the time limit" in result.output


def test_a_stopped_search_without_a_plan_says_stopped() -> None:
    stop = threading.Event()
    stop.set()
    s = load_scenario(SAMPLE)
    result = solve(s, SolveSettings(time_limit=10, stop=stop, warm_start=False))
    assert result.status is Status.STOPPED
    assert result.solution is None and result.best_bound is None


# --------------------------------------------------------------------------- 7. the app


def test_make_run_serves_this_machine_only() -> None:
    makefile = (ROOT / "Makefile").read_text()
    assert "ADDRESS ?= 127.0.0.1" in makefile
    assert "--server.address $(ADDRESS)" in makefile


# --------------------------------------------------------------------------- 8. the terminal

TERMINAL_HOSTILE = "\x1b]0;owned\x07\x1b[2J\rX\bY\u202eevil\x9b31m\nforged line"
"""An OSC title, a screen clear, CR, BS, a bidi override, a C1 CSI and a newline."""


def stored_hostile_plan(db: str) -> int:
    """A plan whose scenario, mission names, saver, note and reasons all hold control codes."""
    case = scenario(
        [person("p1"), person("p2")],
        [mission("m1", {"k": 0.2}, name=TERMINAL_HOSTILE), mission("m2", {"k": 5})],
    )
    from assembler.store import PlanStore, Role

    with PlanStore(db) as store:
        kwargs = {"who": TERMINAL_HOSTILE, "role": Role.APPROVER, "source": "x"}
        first = solve(case, SolveSettings(time_limit=5, workers=1))
        _, base = store.save(TERMINAL_HOSTILE, Plan(case, first), based_on=None, note="a", **kwargs)
        second = solve(case.with_settings(ops_buffer=0.0), SolveSettings(time_limit=5, workers=1))
        replanned = Plan(case, second).against(store.load_plan(base.id))
        _, plan = store.save(
            TERMINAL_HOSTILE, replanned, based_on=1, note=TERMINAL_HOSTILE, **kwargs
        )
        store.propose(plan.id, who=TERMINAL_HOSTILE, role=Role.APPROVER, reason=TERMINAL_HOSTILE)
    return plan.id


def no_control_characters(text: str) -> None:
    raw = [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0]
    assert not raw, raw
    assert "\u202e" not in text
    assert "forged line" not in text.replace("\\nforged line", "")


@pytest.mark.slow
def test_control_codes_in_stored_text_are_printed_visibly(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    plan_id = stored_hostile_plan(db)
    listed = assembler("plans", "list", "--db", db)
    shown = assembler("plans", "show", str(plan_id), "--db", db)
    for outcome in (listed, shown):
        assert outcome.code == 0, outcome.output
        no_control_characters(outcome.output)
        assert (
            "\\x1b]0;owned\\x07\\x1b[2J\\rX\\x08Y\\u202eevil\\x9b31m\\nforged line" in outcome.out
        )
    assert "proposed by \\x1b]0;owned" in shown.out


@pytest.mark.slow
def test_control_codes_in_a_scenario_are_printed_visibly(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["missions"][0]["mission_id"] = "m\x1b]0;owned\x07"
    write_csv_folder(tmp_path / "s", tables)
    outcome = assembler("validate", str(tmp_path / "s"))
    assert "\\x1b]0;owned\\x07" in outcome.err, outcome.output
    no_control_characters(outcome.output)


# --------------------------------------------------------------------------- 9. the store


def stored_plans(db: str, count: int, note: str = "") -> None:
    case = tiny_scenario()
    result = solve(case, SolveSettings(time_limit=5, workers=1))
    from assembler.store import PlanStore, Role

    with PlanStore(db) as store:
        for i in range(count):
            based_on = None if i == 0 else 1  # the same scenario: one version, many plans
            store.save(
                "tiny",
                Plan(case, result),
                based_on=based_on,
                who="a",
                role=Role.APPROVER,
                note=note,
            )


def store_refused(outcome: Outcome, *phrases: str) -> None:
    """Exit 2, one line naming the store and the reason, no SQL and no traceback."""
    refused(outcome, "error: ")
    for phrase in phrases:
        assert phrase in outcome.err, outcome.err
    assert "[SQL" not in outcome.output and "SELECT" not in outcome.output
    assert "sqlalche.me" not in outcome.output and "unexpected error" not in outcome.output


@pytest.mark.slow
def test_a_garbled_store_file_is_a_clear_message(tmp_path: Path) -> None:
    noise = tmp_path / "noise.db"
    noise.write_bytes(os.urandom(20_000))
    outcome = assembler("plans", "list", "--db", f"sqlite:///{noise}")
    store_refused(outcome, f"cannot open the plan store sqlite:///{noise}: file is not a database")

    damaged = tmp_path / "damaged.db"
    stored_plans(f"sqlite:///{damaged}", 3, note="n" * 5000)
    data = bytearray(damaged.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    for at in range(2 * page, len(data), page):  # every page but the schema's, garbled
        data[at + 8 : at + 200] = b"\xff" * 192
    damaged.write_bytes(bytes(data))
    for command in (["list"], ["show", "2"]):
        # SQLite says "database disk image is malformed" or, when the damage reaches the
        # pages its schema grew into, "malformed database schema": both are a damaged file
        outcome = assembler("plans", *command, "--db", f"sqlite:///{damaged}")
        store_refused(outcome, "malformed", "the file is damaged; restore it from a backup")


@pytest.mark.parametrize(
    "reason", ["database disk image is malformed", "malformed database schema (plans)"]
)
def test_each_way_sqlite_names_a_damaged_file_says_to_restore_it(reason: str) -> None:
    """Where the damage lies decides SQLite's words; the advice is the same."""
    error = DatabaseError("SELECT 1", None, sqlite3.DatabaseError(reason))
    failure = describe(error, "sqlite:///plans.db", opening=True)
    assert failure is not None
    assert str(failure) == (
        f"cannot open the plan store sqlite:///plans.db: {reason}; "
        "the file is damaged; restore it from a backup"
    )


@pytest.mark.slow
def test_a_read_only_store_is_a_clear_message(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    stored_plans(f"sqlite:///{path}", 1)
    read_only = f"sqlite:///file:{path}?mode=ro&uri=true"  # read-only even for root
    assert assembler("plans", "list", "--db", read_only).code == 0
    outcome = assembler("plans", "propose", "1", "--db", read_only)
    store_refused(outcome, "attempt to write a readonly database", "read-only")


@pytest.mark.slow
def test_an_id_past_64_bits_is_refused_as_usage(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    for args in (["show", str(2**64)], ["diff", "1", str(2**63)], ["propose", "-1"]):
        outcome = assembler("plans", *args, "--db", db)
        assert outcome.code == 2, outcome.output
        assert "Traceback" not in outcome.output and "OverflowError" not in outcome.output


@pytest.mark.slow
@pytest.mark.parametrize(
    "url", ["mysql://planner@db/plans", "postgresql+asyncpg://db/plans", "not a url", "x://"]
)
def test_an_unsupported_url_is_a_clear_message(url: str) -> None:
    outcome = assembler("plans", "list", "--db", url)
    store_refused(outcome, "is not a database the plan store runs on")


def test_a_reader_that_stops_reading_ends_the_command_quietly(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'store.db'}"
    stored_plans(db, 40, note="n" * 4000)  # far more than a pipe holds
    path = os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])
    db_args = ["--db", db]
    child = subprocess.Popen(
        [sys.executable, "-c", "from assembler.cli import app; app()", "plans", "list", *db_args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": path},
    )
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.readline().startswith(b"id ")
    child.stdout.close()  # as `| head -1` does
    code = child.wait(60)
    err = child.stderr.read().decode()
    assert code == 141, err
    assert err == ""


def hung_server() -> tuple[socket.socket, int]:
    """A server on 127.0.0.1 that accepts every connection and never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:  # closed by the test
                return

    threading.Thread(target=accept, daemon=True).start()
    return server, int(server.getsockname()[1])


@pytest.mark.slow
def test_a_server_that_accepts_and_never_answers_ends_the_command() -> None:
    from assembler.store.engine import CONNECT_SECONDS

    server, port = hung_server()
    try:
        outcome = assembler("plans", "list", "--db", f"postgresql+psycopg://u@127.0.0.1:{port}/db")
    finally:
        server.close()
    store_refused(outcome, "(host 127.0.0.1, port", "did not answer")
    # Without the timeout the command never ends; the margin is the command's own start,
    # which took 15 s on a machine with every core busy (25.5 s in all).
    assert outcome.seconds < CONNECT_SECONDS + 45


@pytest.mark.slow
def test_postgresql_statements_are_bounded_in_time(postgresql_url: str) -> None:
    import psycopg

    from assembler.store.engine import open_engine

    engine = open_engine(postgresql_url)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "1min"
    engine.dispose()
    stored_plans(postgresql_url, 1)
    plain = postgresql_url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(plain) as holder:  # a hung client holding a lock on the plans
        holder.execute("LOCK TABLE plans IN ACCESS EXCLUSIVE MODE")
        short = postgresql_url + "&options=-c%20statement_timeout%3D2000"
        outcome = assembler("plans", "list", "--db", short)
    store_refused(outcome, "canceling statement due to statement timeout", "holds a lock")


def test_a_name_with_a_newline_stays_on_its_line_in_explain(tmp_path: Path) -> None:
    tables = tiny_tables()
    first = tables["missions"][0]
    first["name"] = "real\nforged line\x1b[2J"
    write_csv_folder(tmp_path / "s", tables)
    outcome = runner.invoke(app, ["explain", str(tmp_path / "s"), "--mission", first["mission_id"]])
    assert outcome.exit_code == 0, outcome.output
    assert f"mission     {first['mission_id']} · real\\nforged line\\x1b[2J" in outcome.output
    no_control_characters(outcome.output)
