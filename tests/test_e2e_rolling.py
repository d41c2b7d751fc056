"""Roll forward in a real browser, at 1280 px: the shipped sample's approved plan rolled
forward to its second quarter on the Plans page, what became of each mission shown, and
the stored draft opened. Screenshots go to ``/tmp/roll-shots/``."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright import sync_api
from playwright.sync_api import Browser

from assembler import Result, Scenario
from assembler.results.plan import Plan
from assembler.store import PlanStatus, PlanStore, Role
from test_e2e_browser import Planner, planner_at, served_app
from test_e2e_plans import choose

pytestmark = pytest.mark.slow
"""Slow; in the group of the sample's optimum (``conftest``), which the store holds."""

SHOTS = Path("/tmp/roll-shots")
WIDTH = 1280
SEED = "seed@example.org"


@pytest.fixture(scope="module")
def db(sample_optimum: tuple[Scenario, Result], tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store holding the sample's optimal plan (solved once for the run), approved as
    plan 1."""
    url = f"sqlite:///{tmp_path_factory.mktemp('roll-db') / 'assembler.db'}"
    sample, result = sample_optimum
    with PlanStore(url) as store:
        planned = Plan(sample, result)
        _, plan = store.save("riverside", planned, based_on=None, who=SEED, role=Role.APPROVER)
        store.propose(plan.id, who=SEED, role=Role.APPROVER)
        store.approve(
            plan.id,
            reason="the 2027 plan",
            who=SEED,
            role=Role.APPROVER,
            override_releases="the units agreed at the planning day",
        )
    return url


@pytest.fixture(scope="module")
def app_url(chromium: Path, db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_app(tmp_path_factory.mktemp("streamlit"), env={"ASSEMBLER_DB": db}) as url:
        yield url


@pytest.fixture
def planner(app_url: str, browser: Browser, tmp_path: Path) -> Iterator[Planner]:
    with planner_at(app_url, browser, tmp_path) as you:
        you.page.set_viewport_size({"width": WIDTH, "height": 1400})
        yield you


def shoot(you: Planner, name: str, height: int = 2400) -> None:
    you.page.set_viewport_size({"width": WIDTH, "height": height})
    you.shoot(name)
    you.page.set_viewport_size({"width": WIDTH, "height": 1400})
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(you.screens / f"{name}.png", SHOTS / f"{name}.png")


def test_the_sample_rolled_forward_a_quarter_on_the_plans_page(planner: Planner, db: str) -> None:
    expect, page = sync_api.expect, planner.page
    planner.open_page("Plans")
    choose(planner, 1)
    page.get_by_role("combobox", name="Roll forward to").click()
    page.get_by_role("option", name="Q2 2027 (spring)").click()
    planner.settle()
    shoot(planner, "r1-roll-forward-action")
    page.get_by_role("button", name="Roll forward", exact=True).click()
    done = re.compile(r"plan 1 \(riverside v1\) rolled forward at 2027-Q2: 0 done, 14 running")
    expect(page.get_by_text(done)).to_be_visible(timeout=120_000)
    expect(page.get_by_text("Versions: riverside: v1 2027-Q1–2027-Q4 → v2 2027-Q2–2028-Q1"))
    planner.settle()
    shoot(planner, "r2-rolled")
    with PlanStore(db) as store:
        draft = store.plan(2)
    assert (draft.status, draft.reference_id, draft.version) == (PlanStatus.DRAFT, 1, 2)

    page.get_by_role("button", name="Open the draft").click()
    planner.settle()
    expect(page.get_by_text("Opened plan 2 (riverside v2)")).to_be_visible()
    shoot(planner, "r3-draft-opened", height=1400)


def test_a_roll_is_undone_on_the_plans_page(planner: Planner, db: str) -> None:
    """Undo this roll, right after rolling: the draft and its version go, the approved plan
    stays.  It rolls to the third quarter, so that its version is a new one whether or not
    the test above rolled to the second (a roll equal to a stored version is that version)."""
    expect, page = sync_api.expect, planner.page
    with PlanStore(db) as store:
        before = [version.version for version in store.versions("riverside")]
    planner.open_page("Plans")
    choose(planner, 1)
    page.get_by_role("combobox", name="Roll forward to").click()
    page.get_by_role("option", name="Q3 2027 (summer)").click()
    planner.settle()
    page.get_by_role("button", name="Roll forward", exact=True).click()
    expect(page.get_by_role("button", name="Undo this roll")).to_be_visible(timeout=120_000)
    page.get_by_role("button", name="Undo this roll").click()
    back = f"is undone: riverside is back at version {before[-1]}"
    expect(page.get_by_text(back)).to_be_visible()
    planner.settle()
    shoot(planner, "r4-roll-undone", height=1400)
    with PlanStore(db) as store:
        assert [version.version for version in store.versions("riverside")] == before
        assert store.plan(1).status is PlanStatus.APPROVED
