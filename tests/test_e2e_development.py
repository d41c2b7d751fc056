"""The Development page in a real browser at 1280 px: a planner uploads the v3 clinic
(``tests/data/v3_clinic``), solves, and reads who learns triage under whom, the goal left
unmet and why, the roles in a team and Finance's network share against its cap.

Screenshots of each page go to the test's tmp dir and to ``/tmp/app-screens/``
(``dev-*.png``), to be looked at for cut-off text, ids and placeholders."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright import sync_api
from playwright.sync_api import Browser

from assembler.io import scenario_bytes
from assembler.validation import load_scenario
from builders import CLINIC
from test_e2e_browser import A_PLAN, Planner, browser_at

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e_browser")]
"""Slow; and on the worker of ``test_e2e_browser``, whose app server it shares."""


@pytest.fixture
def narrow_planner(sample_app_url: str, browser: Browser, tmp_path: Path) -> Iterator[Planner]:
    """A new planner on a 1280 px wide window of the app, Solve ready."""
    with browser_at(sample_app_url, browser, tmp_path) as you:
        you.page.set_viewport_size({"width": 1280, "height": 900})
        sync_api.expect(you.solve_button).to_be_enabled()
        you.settle()
        yield you


def test_the_development_page_tells_the_clinics_story(
    narrow_planner: Planner, tmp_path: Path
) -> None:
    expect, page, planner = sync_api.expect, narrow_planner.page, narrow_planner
    upload = tmp_path / "v3-clinic.zip"
    upload.write_bytes(scenario_bytes(load_scenario(CLINIC)))
    page.get_by_test_id("stSidebar").locator("input[type=file]").set_input_files(upload)
    expect(page.get_by_test_id("stSidebar").get_by_text("v3-clinic.zip").first).to_be_visible()
    planner.settle()
    planner.open_page("Overview")
    planner.solve()
    expect(page.get_by_test_id("stMetricValue").filter(has_text=A_PLAN)).to_be_visible()

    planner.open_page("Development")
    expect(page.get_by_test_id("stMetricLabel").filter(has_text="Learner places")).to_be_visible()
    expect(page.get_by_text("Left unmet, and why (1)")).to_be_visible()
    planner.shoot("dev-1-development")

    planner.open_page("Missions & teams")
    page.get_by_role("combobox", name="Mission").click()
    page.get_by_role("option", name="M01 · Fast-track triage").click()
    planner.settle()
    planner.shoot("dev-2-missions")

    planner.open_page("People & capacity")
    caps = page.get_by_role("heading", name="Network share against its cap")
    caps.scroll_into_view_if_needed()
    expect(caps).to_be_visible()
    planner.shoot("dev-3-people")
    page.mouse.move(800, 500)
    page.mouse.wheel(0, 420)
    planner.shoot("dev-3-caps-table")
    page.get_by_role("heading", name="One person's time").scroll_into_view_if_needed()
    planner.shoot("dev-4-person")

    planner.open_page("Edit & compare")
    goal = page.get_by_text("A development goal")
    goal.scroll_into_view_if_needed()
    expect(goal).to_be_visible()
    planner.shoot("dev-5-edit")
