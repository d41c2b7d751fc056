"""The planner app in a real browser, as a new user meets it.

``streamlit run app.py`` serves the app; Debian's chromium (driven by Playwright, never a
downloaded browser build) opens it, solves the sample, pins someone, re-solves and
downloads the roster.  The roster is then checked against the model: the CSV alone says
nothing about operations, so the test also downloads the Excel workbook of the same plan
for its ``ops_allocation`` sheet and the edited scenario (which carries the pin) and runs
the *full* ``check`` — every rule, operations included.

Screenshots of every page go to the test's tmp dir and to ``/tmp/app-screens/``.

Without chromium the test *fails* (``make test`` installs it with ``make browser``), so a
green ``make test`` always includes this run; ``ASSEMBLER_NO_BROWSER=1`` skips it on
purpose, on a machine where a browser cannot be installed.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright import sync_api

from assembler import check
from assembler.io.roster import solution_from_reports
from assembler.validation import read_upload

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENS = Path("/tmp/app-screens")
PIN_MISSION, PIN_PERSON = "M10", "P002"
TIMEOUT_MS = 30_000
NO_BROWSER = "ASSEMBLER_NO_BROWSER"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's chromium: a clear failure when it is missing, a skip only when asked for."""
    if os.environ.get(NO_BROWSER) == "1":
        pytest.skip(f"{NO_BROWSER}=1: the browser test is skipped on purpose")
    if not CHROMIUM.exists():
        pytest.fail(
            f"Debian's chromium is not installed at {CHROMIUM}: run `make browser` "
            f"(`make test` does), or set {NO_BROWSER}=1 to skip this test"
        )
    return CHROMIUM


@pytest.fixture(scope="module")
def app_url(chromium: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app served by ``streamlit run`` on a free port, stopped after the module.

    The server's output goes to a log file, not a pipe: nobody reads a pipe while the test
    runs, and a chatty server would block once its buffer filled.  The log is shown if
    the server does not start.
    """
    port = _free_port()
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    with log_path.open("wb") as log:  # the server holds its own copy of the descriptor
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "app.py",
                "--server.headless",
                "true",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
                "--client.toolbarMode",
                "minimal",
            ],
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as answer:
                    if answer.read() == b"ok":
                        break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    output = log_path.read_text(encoding="utf-8", errors="replace")
                    pytest.fail(f"streamlit did not start ({log_path}):\n{output}")
                time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_solve_pin_resolve_and_download_a_checked_roster(
    app_url: str, chromium: Path, tmp_path: Path
) -> None:
    expect = sync_api.expect
    expect.set_options(timeout=TIMEOUT_MS)  # the first run of a cold server imports a lot
    SCREENS.mkdir(parents=True, exist_ok=True)

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1500}, accept_downloads=True)
            page.set_default_timeout(TIMEOUT_MS)

            def settle() -> None:
                """Wait until the app has finished redrawing after an interaction."""
                page.wait_for_timeout(250)  # the rerun a click asks for has begun
                expect(page.get_by_test_id("stApp")).to_have_attribute(
                    "data-test-script-state", "notRunning"
                )

            def shoot(name: str) -> None:
                settle()
                page.wait_for_timeout(300)  # let charts finish drawing
                page.screenshot(path=tmp_path / f"{name}.png", full_page=True)
                shutil.copy(tmp_path / f"{name}.png", SCREENS / f"{name}.png")
                assert page.get_by_test_id("stException").count() == 0, name

            def open_page(title: str) -> None:
                page.get_by_role("link", name=title).click()
                expect(page.get_by_role("heading", name=title)).to_be_visible()
                settle()

            optimal = page.get_by_test_id("stMetricValue").filter(has_text="optimal")

            # Overview: press Solve, read the KPIs and the matrix.
            page.goto(app_url)
            solve = page.get_by_role("button", name="Solve", exact=True)
            expect(solve).to_be_enabled()
            settle()
            shoot("0-start")
            solve.click()
            expect(optimal).to_be_visible()
            for label in ("Value captured", "Missions staffed", "Network FTE freed"):
                expect(page.get_by_test_id("stMetricLabel").filter(has_text=label)).to_be_visible()
            expect(page.get_by_text("Configuration changed")).to_be_visible()
            shoot("1-overview")

            for name, title in (
                ("2-missions", "Missions & teams"),
                ("3-people", "People & capacity"),
                ("4-operations", "Operations"),
            ):
                open_page(title)
                shoot(name)

            # Edit & compare: pin someone, re-solve (warm start), read the comparison.
            open_page("Edit & compare")
            page.get_by_role("combobox", name="Mission").click()
            page.get_by_role("option", name=re.compile(f"^{PIN_MISSION} ")).click()
            settle()
            page.get_by_role("combobox", name=re.compile(r"^Person")).click()
            page.get_by_role("option", name=re.compile(f"^{PIN_PERSON} ")).click()
            settle()
            page.get_by_role("button", name="Pin", exact=True).click()
            expect(page.get_by_text(f"Done: pin {PIN_PERSON} to {PIN_MISSION}")).to_be_visible()
            settle()
            solve.click()
            expect(page.get_by_text("Missions gained")).to_be_visible()
            expect(page.get_by_text("People moved")).to_be_visible()
            shoot("5-edit-compare")

            # Export: the roster, the workbook of the same plan, the edited scenario.
            open_page("Export")
            shoot("6-export")
            files = {}
            for label in (
                "Download roster (CSV)",
                "Download all reports (Excel)",
                "Download edited scenario (zip)",
            ):
                with page.expect_download() as download:
                    page.get_by_role("button", name=label).click()
                files[label] = Path(download.value.path()).read_bytes()

            open_page("Overview")
            expect(optimal).to_be_visible()
        finally:
            browser.close()

    report = read_upload("scenario.zip", files["Download edited scenario (zip)"])
    assert report.scenario is not None, [str(p) for p in report.problems]
    edited = report.scenario
    assert any(
        (lock.person_id, lock.mission_id, lock.lock) == (PIN_PERSON, PIN_MISSION, "pin")
        for lock in edited.locks
    )
    assert zipfile.is_zipfile(io.BytesIO(files["Download edited scenario (zip)"]))
    roster = pd.read_csv(io.BytesIO(files["Download roster (CSV)"]), dtype=str)
    ops = pd.read_excel(
        io.BytesIO(files["Download all reports (Excel)"]), sheet_name="ops_allocation", dtype=str
    )
    solution = solution_from_reports(edited, roster, ops)
    assert (PIN_PERSON, PIN_MISSION) in solution.members
    assert check(edited, solution) == []
