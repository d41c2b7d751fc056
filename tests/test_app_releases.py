"""The Releases page through ``streamlit.testing``: a unit lead sees only their units'
requests of a proposed plan, with the unit's network share and each release's cost to its
operations, and decides them; someone who leads no unit is told so; the decisions reach
the planner's session as edits, a decline as a forbid with its reason.

The plan is the tiny scenario's optimum (``test_releases`` has its known figures): Ada
(Headquarters) on both network missions, Dee and Cy (Lab) on one each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from assembler.domain.edits import Edit, EditKind
from assembler.planning.session import PlanningSession
from assembler.results.plan import Plan
from assembler.store import PlanStore, ReleaseStatus, Role
from builders import ROOT, tiny_scenario, tiny_scenario_one_optimum
from solving import optimal
from test_app_pages import PLACEHOLDERS, click, open_app, plain, planner, texts
from test_app_plans import AUTH

LEADS = {"unit_leads": {"lab": ["lena@example.org"]}}
PAGE = "app_pages/releases.py"


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store holding plan 1 of the tiny scenario, proposed."""
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    monkeypatch.setenv("ASSEMBLER_DB", url)
    case = tiny_scenario_one_optimum()
    with PlanStore(url) as store:
        _, record = store.save(
            "tiny", Plan(case, optimal(case)), based_on=None, who="ann", role=Role.PLANNER
        )
        store.propose(record.id, who="ann", role=Role.PLANNER)
    return url


def releases_page(at: AppTest) -> AppTest:
    at.switch_page(PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Releases"
    return at


def as_lead(email: str) -> AppTest:
    """The app signed in as ``email`` (a viewer), with ``LEADS`` naming the unit leads."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.secrets["assembler"] = LEADS
    user: dict[str, Any] = {
        "is_logged_in": True,
        "sub": email.split("@")[0],
        "iss": "http://localhost:9",
        "email": email,
        "email_verified": True,
    }
    at.user = user
    at.run()
    assert not at.exception
    return releases_page(at)


def test_a_lead_sees_only_their_units_requests_and_declines_one(db: str) -> None:
    at = as_lead("lena@example.org")
    assert [plain(h.value) for h in at.subheader] == [
        "Network share against the cap",
        "Requests",
        "Decide a release",
    ]
    shares = at.dataframe[0].value
    assert shares.values.tolist() == [["Lab", 1.0, 0.3333]]  # 0.5 of 1.5 FTE, no cap
    table = at.dataframe[1].value
    assert sorted(table.person) == ["Cy", "Dee"] and set(table.unit) == {"Lab"}
    assert set(table["operations headroom"]) == {"none they cover"}  # Lab has no demand
    assert not PLACEHOLDERS.search(" ".join(texts(at)))
    with PlanStore(db) as store:
        cy = next(r for r in store.releases(1) if r.person_id == "p3")
    at.selectbox(key="releases.request").set_value(cy.id)
    at.text_input(key="releases.reason").set_value("audit season")
    click(at, "Decline release")
    assert any("Cy to New product: declined" in plain(m.value) for m in at.success)
    with PlanStore(db) as store:
        decided = next(r for r in store.releases(1) if r.person_id == "p3")
    assert (decided.status, decided.decided_by, decided.reason) == (
        ReleaseStatus.DECLINED,
        "lena@example.org",
        "audit season",
    )
    assert "audit season" in at.dataframe[1].value.reason.tolist()
    assert not any(b.label == "Use these decisions in my session" for b in at.button)  # a viewer


def test_someone_who_leads_no_unit_decides_nothing(db: str) -> None:
    at = as_lead("val@example.org")
    assert any("You lead no unit" in text for text in texts(at))
    assert not at.dataframe


def test_on_a_planners_own_machine_every_unit_and_the_decisions_reach_the_session(
    db: str,
) -> None:
    at = releases_page(open_app(PlanningSession(tiny_scenario(), "tiny")))
    assert list(at.dataframe[0].value.unit) == ["Headquarters", "Lab"]
    asked = at.dataframe[1].value
    ada = asked[asked.person == "Ada"]
    assert list(asked.unit) == ["Headquarters", "Headquarters", "Lab", "Lab"]
    assert list(ada["operations headroom"]) == ["0.35 FTE, 0.85 if kept", "0.35 FTE, 0.75 if kept"]
    with PlanStore(db) as store:
        dee = next(r for r in store.releases(1) if r.person_id == "p4")
    at.selectbox(key="releases.request").set_value(dee.id)
    click(at, "Decline release")  # without a reason: refused, with why
    assert any("needs a reason" in plain(m.value) for m in at.error)
    at.text_input(key="releases.reason").set_value("year-end close")
    click(at, "Decline release")
    click(at, "Use these decisions in my session")
    assert any("1 decision added to your edits" in plain(m.value) for m in at.success)
    with PlanStore(db) as store:
        who = next(r for r in store.releases(1) if r.person_id == "p4").decided_by
    assert planner(at).edits == (
        Edit(
            EditKind.FORBID,
            "m_transition",
            "p4",
            reason=f"release declined by {who}: year-end close",
        ),
    )
