"""Plans in a real browser: a plan saved in the app is there after a reload and in
``assembler plans list``; two plans side by side; approve, edit, re-solve and the changes
against the approved plan; and sign-in against a real OpenID Connect provider that the
test starts (``oidc-provider-mock``): a planner saves but is refused an approval, an
approver approves.

The app is served with a store of the module's own (``ASSEMBLER_DB``), which the tests
also read and seed through the library and the command line.  Plans that only need to
exist are seeded solved from the three-quarter plan of ``small_horizon`` (instant); the
sample is solved in the browser once.  Screenshots go to ``/tmp/plans-shots/``.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from secrets import token_hex as secrets_token

import pytest
from oidc_provider_mock import User as OidcUser
from oidc_provider_mock import run_server_in_thread
from playwright import sync_api
from playwright.sync_api import Browser
from typer.testing import CliRunner

from assembler import SolveSettings, solve
from assembler.cli import app as cli
from assembler.domain.edits import Edit, EditKind
from assembler.planning.edits import apply_edits
from assembler.results.plan import Plan
from assembler.store import PlanStatus, PlanStore, Role
from small_horizon import quarters
from test_e2e_browser import (
    A_PLAN,
    PLAN_SECONDS,
    Planner,
    browser_at,
    free_port,
    planner_at,
    served_app,
)
from test_store import released

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e_plans")]
"""Slow; and one app server of each kind and one browser for the module's tests, on one worker."""

SHOTS = Path("/tmp/plans-shots")
PLANNER = {"who": "seed@example.org", "role": Role.APPROVER}


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('plans-db') / 'assembler.db'}"


@pytest.fixture(scope="module")
def plans_url(chromium: Path, db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with served_app(tmp_path_factory.mktemp("streamlit"), env={"ASSEMBLER_DB": db}) as url:
        yield url


@pytest.fixture
def planner(plans_url: str, browser: Browser, tmp_path: Path) -> Iterator[Planner]:
    with planner_at(plans_url, browser, tmp_path) as you:
        yield you


def shoot(you: Planner, name: str, height: int = 1500) -> None:
    """A screenshot to ``SHOTS``; ``height`` for a long page (the app scrolls inside its
    own frame, so a full-page screenshot ends at the window's edge)."""
    you.page.set_viewport_size({"width": 1500, "height": height})
    you.shoot(name)
    you.page.set_viewport_size({"width": 1500, "height": 1500})
    SHOTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(you.screens / f"{name}.png", SHOTS / f"{name}.png")


def seed(db: str, name: str, *, approve: bool = False, edited: bool = False) -> list[int]:
    """Store the quarters (and with ``edited`` a second version without m_fast) solved,
    the first plan approved if asked; the plan ids."""
    base = quarters()
    ids = []
    with PlanStore(db) as store:
        _, first = store.save(
            name, Plan(base, solve(base, SolveSettings())), based_on=None, **PLANNER
        )
        ids.append(first.id)
        if approve:
            store.propose(first.id, **PLANNER)
            store.approve(
                first.id,
                reason="covers the winter",
                override_releases="no lead here",
                **PLANNER,
            )
        if edited:
            second = apply_edits(base, [Edit(EditKind.DROP, "m_fast")])
            result = solve(second, SolveSettings())
            _, plan = store.save(name, Plan(second, result), based_on=1, **PLANNER)
            ids.append(plan.id)
    return ids


def choose(you: Planner, *plan_ids: int) -> None:
    """Pick plans in the Plans page's chooser."""
    page = you.page
    for plan_id in plan_ids:
        page.get_by_role("combobox", name=re.compile("^Choose a plan")).click()
        page.get_by_role("option", name=re.compile(f"^plan {plan_id} · ")).click()
        page.keyboard.press("Escape")
        you.settle()


def test_a_plan_saved_in_the_app_survives_a_reload_and_is_in_the_cli(
    planner: Planner, db: str
) -> None:
    expect, page = sync_api.expect, planner.page
    planner.limit_solves(PLAN_SECONDS)
    planner.solve()
    planner.open_page("Plans")
    page.get_by_label("Scenario name").fill("riverside")
    page.get_by_label("Note").fill("first cut")
    page.get_by_role("button", name="Save as").click()
    saved = re.compile(r"^Saved plan \d+ of riverside v1 as a draft")
    expect(page.get_by_text(saved)).to_be_visible()
    with PlanStore(db) as store:
        (plan,) = store.plans("riverside")
    assert (plan.note, plan.status) == ("first cut", PlanStatus.DRAFT)
    assert re.search(r"[?&]session=[0-9a-f]{32}", page.url)
    shoot(planner, "a1-saved")

    page.reload()
    planner.settle()
    expect(page.get_by_role("heading", name="Plans", exact=True)).to_be_visible()
    expect(page.get_by_text("Stored as riverside v1 · saved")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_contain_text("riverside v1")
    shoot(planner, "a2-after-reload")
    planner.open_page("Overview")
    expect(page.get_by_test_id("stMetricValue").filter(has_text=A_PLAN)).to_be_visible()

    listed = CliRunner().invoke(cli, ["plans", "list", "--db", db])
    assert listed.exit_code == 0, listed.output
    row = rf"^{plan.id}\s+riverside v1\s+draft\s+(optimal|feasible).*first cut$"
    assert re.search(row, listed.output, re.MULTILINE)


def test_save_as_pressed_the_moment_solve_is_stores_the_plan_that_solve_finds(
    planner: Planner, db: str
) -> None:
    """The race of a planner quicker than the solver: Save as waits for the solve it was
    pressed during and stores its plan, never the scenario alone."""
    expect, page = sync_api.expect, planner.page
    planner.limit_solves(PLAN_SECONDS)  # still solving when Save as is taken in
    planner.open_page("Plans")
    page.get_by_label("Scenario name").fill("at-once")
    planner.solve_button.click()
    page.get_by_role("button", name="Save as").click()
    saved = re.compile(r"^Saved plan \d+ of at-once v1 as a draft")
    expect(page.get_by_text(saved)).to_be_visible(timeout=180_000)
    with PlanStore(db) as store:
        (plan,) = store.plans("at-once")
        stored = store.load_plan(plan.id)
    assert stored.result.solution is not None
    expect(planner.last_solve).to_be_visible()


def test_two_plans_compare_side_by_side(planner: Planner, db: str) -> None:
    expect, page = sync_api.expect, planner.page
    first, second = seed(db, "quarters-b", edited=True)
    planner.open_page("Plans")
    shoot(planner, "b1-list")
    choose(planner, first, second)
    expect(page.get_by_role("heading", name="Side by side")).to_be_visible()
    expect(page.get_by_text(f"Changes against plan {first}")).to_be_visible()
    shoot(planner, "b2-side-by-side", 3200)
    _, data = planner.download("Download the change list (CSV)")
    text = data.decode("utf-8")
    assert "m_fast Fast-track triage is no longer staffed (value 50)" in text
    assert text.splitlines()[0] == "Plan,Against,Kind,Mission id,Person id,Unit id,Change"


def test_approve_edit_resolve_reports_the_changes_against_the_approved_plan(
    planner: Planner, db: str
) -> None:
    expect, page = sync_api.expect, planner.page
    (approved,) = seed(db, "quarters-c", approve=True)
    planner.open_page("Plans")
    choose(planner, approved)
    page.get_by_role("button", name="Open this plan").click()
    planner.settle()
    expect(page.get_by_text(f"Opened plan {approved} (quarters-c v1)")).to_be_visible()
    planner.open_page("Edit & compare")
    page.get_by_role("combobox", name="Mission").click()
    page.get_by_role("option", name=re.compile("^m_fast ")).click()
    planner.settle()
    page.get_by_role("button", name="Drop mission").click()
    planner.settle()
    planner.solve()
    expect(page.get_by_role("heading", name="Against the approved plan")).to_be_visible()
    expect(page.get_by_text(re.compile(f"^The approved plan is plan {approved} "))).to_be_visible()
    expect(page.get_by_text("m_fast · Fast-track triage (value 50)").first).to_be_visible()
    shoot(planner, "c1-against-approved", 2600)
    planner.open_page("Plans")
    expect(page.get_by_text("Against the approved plan", exact=False).first).to_be_visible()
    shoot(planner, "c2-plans-against-approved")


# ---------------------------------------------------------------------- sign-in

ANN, BOB = "ann@example.org", "bob@example.org"


@pytest.fixture(scope="module")
def provider() -> Iterator[str]:
    """A real OpenID Connect provider on this machine, with a planner and an approver."""
    verified = {"email_verified": True}
    ann = {"email": ANN, "name": "Ann Planner", "groups": ["wards"], **verified}
    bob = {"email": BOB, "name": "Bob Approver", "groups": ["approver"], **verified}
    # Eve claims Bob's address, unverified, and calls herself by it.
    eve = {"email": BOB, "email_verified": False, "name": BOB, "groups": ["wards"]}
    users = [
        OidcUser(sub="ann", claims=ann),
        OidcUser(sub="bob", claims=bob),
        OidcUser(sub="eve", claims=eve),
    ]
    with run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture(scope="module")
def team_url(
    chromium: Path, provider: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, str]]:
    """The app as a team serves it: sign-in on (an ``[auth]`` secrets file naming the
    provider; ann is a planner through the mapping, bob an approver through his groups
    claim), and a store of its own.  The URL and the store's."""
    folder = tmp_path_factory.mktemp("team")
    db = f"sqlite:///{folder / 'team.db'}"
    port = free_port()
    secrets = folder / "secrets.toml"
    secrets.write_text(
        f"""[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "{secrets_token()}"
client_id = "assembler"
client_secret = "not-checked-by-the-mock"
server_metadata_url = "{provider}/.well-known/openid-configuration"

[assembler]
role_claim = "groups"

[assembler.roles]
planner = ["{ANN}"]
approver = ["{BOB}"]
""",
        encoding="utf-8",
    )
    options = ["--secrets.files", str(secrets)]
    with served_app(folder, options, {"ASSEMBLER_DB": db}, port) as url:
        yield url, db


def sign_in(you: Planner, sub: str) -> None:
    page = you.page
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=sub, exact=True).click()
    sync_api.expect(you.solve_button).to_be_enabled()
    you.settle()


def test_sign_in_a_planner_saves_but_only_an_approver_approves(
    team_url: tuple[str, str], browser: Browser, tmp_path: Path
) -> None:
    url, db = team_url
    expect = sync_api.expect
    (proposed,) = seed(db, "team")
    with PlanStore(db) as store:
        store.propose(proposed, who="seed@example.org", role=Role.PLANNER)
        released(store, proposed)  # its units said yes: this test is about roles

    with browser_at(url, browser, tmp_path) as ann:
        page = ann.page
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
        expect(ann.solve_button).to_have_count(0)
        shoot(ann, "d1-sign-in")
        sign_in(ann, "ann")
        expect(page.get_by_text(f"Signed in as {ANN} · planner")).to_be_visible()
        ann.open_page("Plans")
        page.get_by_label("Scenario name").fill("ann-sample")
        page.get_by_role("button", name="Save as").click()
        expect(page.get_by_text("Saved ann-sample v1.")).to_be_visible()
        choose(ann, proposed)
        approve = page.get_by_role("button", name="Approve")
        expect(approve).to_be_disabled()
        expect(page.get_by_text("Only an approver can approve; you are a planner.")).to_be_visible()
        shoot(ann, "d2-planner-refused")
    with PlanStore(db) as store:
        (saved,) = store.versions("ann-sample")
        assert saved.saved_by == ANN
        assert store.plan(proposed).status is PlanStatus.PROPOSED

    with browser_at(url, browser, tmp_path) as bob:
        page = bob.page
        sign_in(bob, "bob")
        expect(page.get_by_text(f"Signed in as {BOB} · approver")).to_be_visible()
        bob.open_page("Plans")
        choose(bob, proposed)
        page.get_by_label("Reason for the approval").fill("covers the winter")
        page.get_by_role("button", name="Approve").click()
        expect(page.get_by_text(f"Plan {proposed} (team v1) is approved.")).to_be_visible()
        shoot(bob, "d3-approver-approved")
    with PlanStore(db) as store:
        approval = store.plan(proposed).approval
    assert approval is not None and (approval.who, approval.reason) == (BOB, "covers the winter")


def test_an_unverified_address_and_a_borrowed_name_get_no_role(
    team_url: tuple[str, str], browser: Browser, tmp_path: Path
) -> None:
    """Eve's token says bob@example.org, unverified, and so does her name: the mapping
    that makes Bob an approver does not apply, and she is shown by her own subject."""
    url, _ = team_url
    with browser_at(url, browser, tmp_path) as eve:
        page = eve.page
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="eve", exact=True).click()
        sync_api.expect(
            page.get_by_text(f"Signed in as {BOB} (subject eve) · viewer")
        ).to_be_visible()
        eve.open_page("Plans")
        sync_api.expect(page.get_by_role("button", name="Save as")).to_be_disabled()
        shoot(eve, "d4-unverified-viewer")
