"""The planner app in a real browser, as a new user meets it.

``streamlit run app.py`` serves the app; Debian's chromium (driven by Playwright, never a
downloaded browser build) opens it, solves the sample, pins someone, re-solves and
downloads the roster.  The roster is then checked against the model: the CSV alone says
nothing about operations, so the test also downloads the Excel workbook of the same plan
for its ``ops_allocation`` sheet and the edited scenario (which carries the pin) and runs
the *full* ``check`` — every rule, operations included.  A second planner raises the ops
buffer past what operations can bear and solves again: the pages say why there is no new
plan and the highest buffer that fits, and the roster exported is still the last good one.

Screenshots of every page go to the test's tmp dir and to ``/tmp/app-screens/``.

Without chromium the tests *fail* (``make test`` installs it with ``make browser``), so a
green ``make test`` always includes these runs; ``ASSEMBLER_NO_BROWSER=1`` skips them on
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
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import pandas as pd
import pytest
from playwright import sync_api

from assembler import Scenario, check
from assembler.compile.instance import Instance
from assembler.compile.protection import highest_protectable_buffer
from assembler.domain.solution import Solution
from assembler.io.roster import solution_from_reports
from assembler.planning.session import BUFFER_GRID
from assembler.validation import load_scenario, read_upload
from builders import ROOT, SAMPLE

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e_browser")]
"""Slow; and on one worker, with ``test_e2e_development``: one app server (``sample_app_url``)
and one browser for them all."""

SCREENS = Path("/tmp/app-screens")
PIN_MISSION, PIN_PERSON = "M10", "P002"
TOO_HIGH_BUFFER = 0.2
"""The sample's winter operations cannot keep 120 %."""
TIMEOUT_MS = 30_000
SOLVE_TIMEOUT_MS = 180_000
A_PLAN = re.compile(r"^(optimal|feasible)$")
"""The status of a solve that found a plan: proven optimal, or the best plan found when
the time limit ended the search."""
PLAN_SECONDS = 3
"""The time limit (the sidebar's) of a solve that needs a plan but not a proof that it is
optimal: the sample's warm start is a plan within a second, while the proof takes 10 s on
two idle cores and several times that on cores busy with the other tests."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def served_app(
    log_folder: Path,
    options: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    port: int | None = None,
) -> Iterator[str]:
    """The app served by ``streamlit run`` on ``port`` (else a free one), with more
    ``options`` and environment ``env`` if given, stopped on leaving.

    The server's output goes to a log file, not a pipe: nobody reads a pipe while the test
    runs, and a chatty server would block once its buffer filled.  The log is shown if
    the server does not start.
    """
    port = port or free_port()
    log_path = log_folder / "server.log"
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
                *options,
            ],
            cwd=ROOT,
            env=None if env is None else {**os.environ, **env},
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


class Planner:
    """A planner at the browser: waits for redraws, opens pages, solves, takes screenshots
    (to the test's tmp dir and to ``SCREENS``), failing on any exception drawn."""

    def __init__(self, page: sync_api.Page, screens: Path) -> None:
        self.page = page
        self.screens = screens
        self.solve_button = page.get_by_role("button", name="Solve", exact=True)

    def settle(self) -> None:
        """Wait until the app has finished redrawing after an interaction."""
        self.page.wait_for_timeout(250)  # the rerun a click asks for has begun
        sync_api.expect(self.page.get_by_test_id("stApp")).to_have_attribute(
            "data-test-script-state", "notRunning"
        )

    def shoot(self, name: str) -> None:
        self.settle()
        self.page.wait_for_timeout(300)  # let charts finish drawing
        self.page.screenshot(path=self.screens / f"{name}.png", full_page=True)
        shutil.copy(self.screens / f"{name}.png", SCREENS / f"{name}.png")
        assert self.page.get_by_test_id("stException").count() == 0, name

    def open_page(self, title: str) -> None:
        self.page.get_by_role("link", name=title).click()
        sync_api.expect(self.page.get_by_role("heading", name=title, exact=True)).to_be_visible()
        self.settle()

    def solve(self) -> None:
        """Press Solve and wait until its plan, or its failure, is taken in: the sidebar's
        "Last solve at …" line appears or changes (at the latest at the time limit), then
        until the page has redrawn around it."""
        last = self.last_solve
        before = last.inner_text() if last.count() else None
        self.solve_button.click()
        if before is None:
            sync_api.expect(last).to_be_visible(timeout=SOLVE_TIMEOUT_MS)
        else:
            sync_api.expect(last).not_to_have_text(before, timeout=SOLVE_TIMEOUT_MS)
        sync_api.expect(self.solve_button).to_be_enabled()
        self.settle()

    def limit_solves(self, seconds: int) -> None:
        """Set the sidebar's time limit of the solves to come (the default is 30 s)."""
        sidebar = self.page.get_by_test_id("stSidebar")
        limit = sidebar.get_by_role("spinbutton", name="Time limit (s)")
        limit.fill(str(seconds))
        limit.press("Enter")
        self.settle()
        sync_api.expect(limit).to_have_value(str(seconds))

    @property
    def last_solve(self) -> sync_api.Locator:
        """The sidebar's line on the last solve taken in (absent before the first)."""
        sidebar = self.page.get_by_test_id("stSidebar")
        return sidebar.get_by_text(re.compile(r"^Last solve at \d"))

    def download(self, label: str) -> tuple[str, bytes]:
        with self.page.expect_download() as download:
            self.page.get_by_role("button", name=label).click()
        return download.value.suggested_filename, Path(download.value.path()).read_bytes()


@contextmanager
def browser_at(url: str, browser: sync_api.Browser, screens: Path) -> Iterator[Planner]:
    """A fresh browser context (no cookies, no storage, no cache: a new person) on the app
    at ``url``, once it has drawn."""
    sync_api.expect.set_options(timeout=TIMEOUT_MS)  # a cold server imports a lot
    SCREENS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1500, "height": 1500}, accept_downloads=True)
    try:
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.goto(url)
        yield Planner(page, screens)
    finally:
        context.close()


@contextmanager
def planner_at(url: str, browser: sync_api.Browser, screens: Path) -> Iterator[Planner]:
    """``browser_at`` once the app is ready for a planner: Solve enabled, nothing redrawing."""
    with browser_at(url, browser, screens) as you:
        sync_api.expect(you.solve_button).to_be_enabled()
        you.settle()
        yield you


@pytest.fixture
def planner(sample_app_url: str, browser: sync_api.Browser, tmp_path: Path) -> Iterator[Planner]:
    """A fresh browser session on the app (a new planner: the sample, nothing solved)."""
    with planner_at(sample_app_url, browser, tmp_path) as you:
        yield you


def test_solve_pin_resolve_and_download_a_checked_roster(planner: Planner) -> None:
    expect, page = sync_api.expect, planner.page
    planned = page.get_by_test_id("stMetricValue").filter(has_text=A_PLAN)

    # Overview: press Solve, read the KPIs and the matrix.
    planner.shoot("0-start")
    planner.limit_solves(PLAN_SECONDS)
    planner.solve()
    expect(planned).to_be_visible()
    for label in ("Value captured", "Missions staffed", "Network FTE freed"):
        expect(page.get_by_test_id("stMetricLabel").filter(has_text=label)).to_be_visible()
    expect(page.get_by_text("Configuration changed")).to_be_visible()
    planner.shoot("1-overview")

    for name, title in (
        ("2-timeline", "Timeline"),
        ("3-missions", "Missions & teams"),
        ("4-people", "People & capacity"),
        ("5-operations", "Operations"),
    ):
        planner.open_page(title)
        planner.shoot(name)

    # Edit & compare: pin someone, re-solve (warm start), read the comparison.
    planner.open_page("Edit & compare")
    page.get_by_role("combobox", name="Mission").click()
    page.get_by_role("option", name=re.compile(f"^{PIN_MISSION} ")).click()
    planner.settle()
    page.get_by_role("combobox", name=re.compile(r"^Person")).click()
    page.get_by_role("option", name=re.compile(f"^{PIN_PERSON} ")).click()
    planner.settle()
    page.get_by_role("button", name="Pin", exact=True).click()
    expect(
        page.get_by_text(re.compile(f"^Done: pin {PIN_PERSON} · .* to {PIN_MISSION} · "))
    ).to_be_visible()
    planner.settle()
    planner.solve()
    expect(page.get_by_text("Missions gained")).to_be_visible()
    expect(page.get_by_text("People moved")).to_be_visible()
    planner.shoot("6-edit-compare")

    # Export: the roster, the workbook of the same plan, the edited scenario.
    planner.open_page("Export")
    planner.shoot("7-export")
    files = {
        label: planner.download(label)
        for label in (
            "Download roster (CSV)",
            "Download all reports (Excel)",
            "Download edited scenario (zip)",
        )
    }
    planner.open_page("Overview")
    expect(planned).to_be_visible()

    name, roster_csv = files["Download roster (CSV)"]
    assert re.fullmatch(r"riverside-care-group_\d{4}-\d\d-\d\d_\d{4}_roster\.csv", name)
    edited = _scenario(files["Download edited scenario (zip)"][1])
    assert any(
        (lock.person_id, lock.mission_id, lock.lock) == (PIN_PERSON, PIN_MISSION, "pin")
        for lock in edited.locks
    )
    solution = _plan(edited, roster_csv, files["Download all reports (Excel)"][1])
    assert (PIN_PERSON, PIN_MISSION) in solution.members
    assert check(edited, solution) == []


def test_an_infeasible_solve_keeps_the_last_good_plan(planner: Planner) -> None:
    """Solve, raise the buffer past what operations can bear, solve again: the pages say
    why there is no new plan and the highest buffer that fits, and the previous roster is
    still the one exported."""
    expect, page = sync_api.expect, planner.page
    planner.limit_solves(PLAN_SECONDS)  # the infeasible solve ends in moments anyway
    planner.solve()
    expect(page.get_by_test_id("stMetricValue").filter(has_text=A_PLAN)).to_be_visible()
    dial = page.get_by_role("spinbutton", name="Ops protection buffer (%)")
    dial.fill(str(round(TOO_HIGH_BUFFER * 100)))
    dial.press("Enter")
    planner.settle()
    planner.solve()
    too_high = load_scenario(SAMPLE, {"ops_buffer": TOO_HIGH_BUFFER})
    highest = highest_protectable_buffer(
        Instance(too_high), ceiling=TOO_HIGH_BUFFER, resolution=BUFFER_GRID
    )
    assert highest is not None
    notice = page.get_by_test_id("stAlertContentError").filter(
        has_text="The last solve found no plan"
    )
    expect(notice).to_contain_text("status infeasible")
    expect(notice).to_contain_text("Emergency Care: Triage, Emergency medicine in Q1 2027")
    expect(notice).to_contain_text(
        f"the highest buffer at which they can be protected is {highest:.0%}"
    )
    planner.shoot("8-infeasible-overview")

    planner.open_page("Export")
    expect(notice).to_be_visible()
    expect(page.get_by_text("From the last good plan")).to_be_visible()
    planner.shoot("9-infeasible-export")
    _, roster_csv = planner.download("Download roster (CSV)")
    _, workbook = planner.download("Download all reports (Excel)")
    sample = load_scenario(SAMPLE)  # the plan kept was solved at the sample's own buffer
    assert check(sample, _plan(sample, roster_csv, workbook)) == []


def _scenario(zipped: bytes) -> Scenario:
    report = read_upload("scenario.zip", zipped)
    assert report.scenario is not None, [str(p) for p in report.problems]
    assert zipfile.is_zipfile(io.BytesIO(zipped))
    return report.scenario


def _plan(scenario: Scenario, roster_csv: bytes, workbook: bytes) -> Solution:
    """The plan in a downloaded roster, with the operations of the same plan's workbook
    (the CSV alone says nothing about operations, so a full ``check`` needs both)."""
    roster = pd.read_csv(io.BytesIO(roster_csv), dtype=str)
    ops = pd.read_excel(io.BytesIO(workbook), sheet_name="Operations time", dtype=str)
    return solution_from_reports(scenario, roster, ops)


def test_a_frontier_runs_in_the_background_and_a_stop_keeps_its_points(planner: Planner) -> None:
    """The Trade-offs page's frontier is a study of the session: its progress redraws on
    its own, Stop ends it (the points in flight are not waited for) and the points solved
    are shown; one of them loads as the current plan."""
    expect, page = sync_api.expect, planner.page
    planner.open_page("Trade-offs")
    seconds = page.get_by_role("spinbutton", name="Seconds per point")
    seconds.fill("60")
    seconds.press("Enter")
    planner.settle()
    page.get_by_role("button", name="Compute the frontier").click()
    counted = page.get_by_text(re.compile(r"^Solving point [1-9]\d* of \d+"))
    expect(counted).to_be_visible(timeout=SOLVE_TIMEOUT_MS)  # one point solved, no redraw asked
    planner.shoot("10-frontier-running")
    page.get_by_role("button", name="Stop").click()
    expect(page.get_by_role("button", name="Load this plan")).to_be_visible()
    expect(page.get_by_role("button", name="Compute the frontier")).to_be_enabled()
    planner.shoot("11-frontier-stopped")
    page.get_by_role("button", name="Load this plan").click()
    planner.settle()
    planner.open_page("Overview")  # the point's plan, optimal or at its 60 s limit
    status = page.get_by_test_id("stMetricValue").filter(
        has_text=re.compile("^(optimal|feasible)$")
    )
    expect(status).to_be_visible()


RELOAD_SECONDS = 6
"""Long enough for the reloaded page (about 3 s to draw) to find the solve still running."""


def test_a_reload_while_solving_shows_the_plan_that_solve_finds(planner: Planner) -> None:
    """F5 in the middle of a solve: the reloaded page still solves (or has just solved)
    and shows that solve's plan; before, the solve finished unseen and the page had none."""
    page = planner.page
    sidebar = page.get_by_test_id("stSidebar")
    planner.limit_solves(RELOAD_SECONDS)
    planner.solve_button.click()
    sync_api.expect(sidebar.get_by_text(re.compile(r"^Solving…"))).to_be_visible()
    page.reload()
    sync_api.expect(planner.last_solve).to_be_visible(timeout=SOLVE_TIMEOUT_MS)
    sync_api.expect(planner.last_solve).to_have_text(re.compile(r": (optimal|feasible) in "))
    planner.shoot("reload-during-solve")


CUT_OFF = """() => [...document.querySelectorAll(
    '[data-testid="stMetricValue"] div, [data-testid="stMetricLabel"] p'
  )].filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"""
"""The metrics whose text the page cuts off (drawn with an ellipsis)."""


def test_no_figure_is_cut_off_at_1280_px(planner: Planner) -> None:
    """A laptop's width: every metric of every page reads in full, with a plan shown."""
    planner.page.set_viewport_size({"width": 1280, "height": 900})
    planner.limit_solves(PLAN_SECONDS)
    planner.solve()
    for title in ("Overview", "Timeline", "Missions & teams", "People & capacity", "Operations"):
        planner.open_page(title)
        assert planner.page.evaluate(CUT_OFF) == [], title
