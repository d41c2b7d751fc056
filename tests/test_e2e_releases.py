"""Releases in a real browser: the sample's plan (with Kotter's 10 % network cap) is
proposed; on a planner's own machine, who leads every unit, the Releases page lists each
unit's requests with its network share against the cap and their cost to operations; a
release is declined with a reason, Approve on the Plans page waits for the rest, and the
decision reaches the session's edits as a forbid that carries the reason.  Signed in
against a real OpenID Connect provider (``test_e2e_plans``), Ann, whose group leads the
Nursing Wards, sees only that unit's requests.

Screenshots at 1280 px go to ``/tmp/releases-shots/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from secrets import token_hex

import pytest
from playwright import sync_api
from playwright.sync_api import Browser

from assembler import SolveSettings, solve
from assembler.results.plan import Plan
from assembler.store import PlanStore, ReleaseStatus, Role
from assembler.validation import load_scenario
from builders import SAMPLE
from test_e2e_browser import Planner, browser_at, free_port, planner_at, served_app
from test_e2e_plans import provider, sign_in  # noqa: F401  (the provider fixture)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e_releases")]
"""Slow; and the store solved once and one browser for the module's tests, on one worker."""

SHOTS = Path("/tmp/releases-shots")
NEXT_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
"""Until the browser has drawn two more frames (the first laid out at the new size)."""


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A store holding the sample's plan under a 10 % network cap, proposed."""
    url = f"sqlite:///{tmp_path_factory.mktemp('releases-db') / 'assembler.db'}"
    capped = load_scenario(SAMPLE).with_settings(network_share_max=0.1)
    result = solve(capped, SolveSettings(time_limit=5, workers=2))  # any plan with releases
    assert result.solution is not None
    with PlanStore(url) as store:
        _, record = store.save(
            "sample", Plan(capped, result), based_on=None, who="ann", role=Role.PLANNER
        )
        store.propose(record.id, who="ann", role=Role.PLANNER)
    return url


@pytest.fixture
def planner(
    browser: Browser, db: str, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> Iterator[Planner]:
    with (
        served_app(tmp_path_factory.mktemp("streamlit"), env={"ASSEMBLER_DB": db}) as url,
        planner_at(url, browser, tmp_path) as you,
    ):
        yield you


def shoot(you: Planner, name: str, height: int = 2600) -> None:
    """A screenshot at 1280 px wide, tall enough for the page (the app scrolls inside its
    own frame), to ``SHOTS``."""
    you.page.set_viewport_size({"width": 1280, "height": height})
    you.page.evaluate(NEXT_FRAMES)  # the tables redraw for the new size
    you.shoot(name)
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(you.screens / f"{name}.png", SHOTS / f"{name}.png")


def test_a_lead_declines_a_release_and_the_replan_takes_it_with_its_reason(
    planner: Planner, db: str
) -> None:
    expect, page = sync_api.expect, planner.page
    page.set_viewport_size({"width": 1280, "height": 1400})
    with PlanStore(db) as store:
        asked = len(store.releases(1))
    planner.open_page("Releases")
    expect(
        page.get_by_text(re.compile(f"^{asked} releases asked of every unit by plan 1"))
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Network share against the cap")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame")).to_have_count(2)
    shoot(planner, "r1-releases")

    with PlanStore(db) as store:
        first = store.releases(1)[0]
    page.get_by_role("combobox", name="Request").click()
    page.get_by_role("option", name=re.compile(f"^{re.escape(first.person_name)} · ")).first.click()
    page.get_by_label("Reason").fill("year-end close: <b>all hands</b>")
    page.get_by_role("button", name="Decline release").click()
    planner.settle()
    expect(page.get_by_text(re.compile(": declined\\.$"))).to_be_visible()
    shoot(planner, "r2-declined")
    with PlanStore(db) as store:
        decided = next(r for r in store.releases(1) if r.decided)
    assert decided.status is ReleaseStatus.DECLINED
    assert decided.reason == "year-end close: <b>all hands</b>"

    planner.open_page("Plans")
    page.get_by_role("combobox", name=re.compile("^Choose a plan")).click()
    page.get_by_role("option", name=re.compile("^plan 1 · ")).click()
    page.keyboard.press("Escape")
    planner.settle()
    expect(page.get_by_role("button", name="Approve")).to_be_disabled()
    expect(page.get_by_text(f"{asked - 1} releases of this plan are not decided")).to_be_visible()
    shoot(planner, "r3-approve-waits", 1800)

    planner.open_page("Releases")
    page.get_by_role("button", name="Use these decisions in my session").click()
    planner.settle()
    expect(page.get_by_text("1 decision added to your edits")).to_be_visible()
    planner.open_page("Edit & compare")
    forbid = f"forbid {decided.person_id}"
    expect(page.get_by_text(re.compile(re.escape(forbid))).first).to_contain_text(
        "release declined by"
    )
    expect(page.get_by_text("<b>all hands</b>", exact=False).first).to_be_visible()
    shoot(planner, "r4-forbid-in-the-edits")


@pytest.fixture
def team_url(
    chromium: Path,
    provider: str,  # noqa: F811  (the fixture imported above)
    db: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """The app with sign-in on and the ``wards`` group leading the Nursing Wards."""
    folder = tmp_path_factory.mktemp("team")
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        f"""[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{token_hex()}"
client_id = "assembler"
client_secret = "not-checked-by-the-mock"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[assembler]
role_claim = "groups"

[assembler.unit_leads]
wards = ["wards"]
""",
        encoding="utf-8",
    )
    with served_app(folder, ["--secrets.files", str(secrets)], {"ASSEMBLER_DB": db}, port) as url:
        yield url


def test_a_signed_in_lead_sees_only_their_units_requests(
    team_url: str, browser: Browser, tmp_path: Path, db: str
) -> None:
    expect = sync_api.expect
    with PlanStore(db) as store:
        asked_of_all = store.releases(1)
    wards = [r for r in asked_of_all if r.unit_id == "wards"]
    theirs = {r.person_name for r in wards}
    others = {r.person_name for r in asked_of_all if r.unit_id != "wards"} - theirs
    assert wards and others
    with browser_at(team_url, browser, tmp_path) as ann:
        page = ann.page
        sign_in(ann, "ann")
        ann.open_page("Releases")
        asked = re.compile(f"^{len(wards)} releases? asked of your units by plan 1")
        expect(page.get_by_text(asked)).to_be_visible()
        requests = page.get_by_test_id("stDataFrame").nth(1)
        for name in theirs:
            expect(requests).to_contain_text(name)
        for name in others:
            expect(requests).not_to_contain_text(name)
        shoot(ann, "r5-a-wards-lead", 1800)
