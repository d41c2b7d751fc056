"""The Plans page and the session kept in the store, through ``streamlit.testing``: save a
plan, reload the page and find everything again, unsaved edits that ask before another
scenario replaces them, two plans side by side, and sign-in with roles — a planner saves
and proposes but cannot approve, an approver approves, and a re-solve then reports its
changes against the approved plan.

Each test has a store of its own (``ASSEMBLER_DB``), so what the list shows is its own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from assembler.generate import generate_scenario
from assembler.planning.session import PlanningSession
from assembler.results.plan import Plan
from assembler.store import PlanStatus, PlanStore
from test_app_pages import (
    PLACEHOLDERS,
    ROOT,
    click,
    open_app,
    plain,
    planner,
    show,
    small_app,
    solve_in_app,
    wait,
)

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a test secret",
    "client_id": "assembler",
    "client_secret": "assembler",
    "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
}
ROLES = {"roles": {"planner": ["ann@example.org"], "approver": ["bob@example.org"]}}


@pytest.fixture(autouse=True)
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    monkeypatch.setenv("ASSEMBLER_DB", url)
    return url


def pin(at: AppTest, mission_id: str = "m_fast", person_id: str = "c1") -> None:
    show(at, "Edit & compare")
    at.selectbox(key="edit.mission").set_value(mission_id).run()
    at.selectbox(key=f"edit.person.{mission_id}").set_value(person_id).run()
    click(at, "Pin")


def drop(at: AppTest, mission_id: str) -> None:
    show(at, "Edit & compare")
    at.selectbox(key="edit.mission").set_value(mission_id).run()
    click(at, "Drop mission")


def save_as(at: AppTest, name: str, note: str = "") -> str:
    show(at, "Plans")
    at.text_input(key="plans.name").set_value(name)
    at.text_input(key="plans.note").set_value(note)
    click(at, "Save as")
    return " ".join(plain(m.value) for m in [*at.success, *at.error, *at.warning])


def choose(at: AppTest, *plan_ids: int) -> None:
    at.multiselect(key="plans.chosen").set_value(list(plan_ids)).run()
    assert not at.exception


def signed_in(email: str | None) -> AppTest:
    """The app with sign-in on, ``email`` signed in (``None``: nobody yet)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.secrets["assembler"] = ROLES
    user: dict[str, Any] = {"is_logged_in": email is not None}
    if email is not None:
        user.update(
            sub=email.split("@")[0], iss="http://localhost:9", email=email, email_verified=True
        )
    at.user = user
    at.run()
    assert not at.exception
    return at


def reloaded(at: AppTest, same_server: bool = False) -> AppTest:
    """The same address opened again: a new session of the app with the same query.  On
    another server (or after a restart: the default) only what the store kept comes back;
    on the same one the live session itself (``keeping.LiveSessions``)."""
    if not same_server:
        st.cache_resource.clear()
    again = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    again.query_params["session"] = at.query_params["session"]
    again.run()
    assert not again.exception
    return again


def test_a_saved_plan_is_listed_and_a_reload_brings_the_session_back(db: str) -> None:
    at = small_app()
    at.number_input(key="dial.ops_buffer").set_value(5.0).run()
    pin(at)
    solve_in_app(at)
    assert "Saved plan 1 of quarters v1 as a draft." in save_as(at, "quarters", "first cut")
    listed = at.dataframe[0].value
    assert list(listed.plan) == [1] and list(listed.status) == ["draft"]
    assert listed.note[0] == "first cut" and not PLACEHOLDERS.search(listed.to_string())
    assert any("Stored as quarters v1 · saved" in plain(c.value) for c in at.sidebar.caption)

    again = reloaded(at)
    back = planner(again)
    assert back.source == "Quarters (test)" and [str(e) for e in back.edits] == ["pin c1 to m_fast"]
    assert back.scenario.settings.ops_buffer == 0.05
    assert again.number_input(key="dial.ops_buffer").value == 5
    assert back.current is not None and back.current.plan_id == 1
    assert back.link is not None and back.link.label == "quarters v1" and not back.unsaved
    with PlanStore(db) as store:
        assert [plan.id for plan in store.plans("quarters")] == [1]


def test_solve_and_save_as_in_one_redraw_store_the_plan_of_one_solve(db: str) -> None:
    """Clicks quicker than a redraw reach the app together: whichever callback runs first,
    Save as stores the plan of the solve pressed with it, and that is the only solve."""
    at = small_app()
    show(at, "Plans")
    at.text_input(key="plans.name").set_value("together")
    at.button(key="solve").click()
    next(b for b in at.button if b.label == "Save as").click().run()
    assert not at.exception
    said = " ".join(plain(m.value) for m in at.success)
    assert "Saved plan 1 of together v1 as a draft." in said
    session = planner(at)
    assert not session.solving and session.current is not None and session.current.plan_id == 1
    with PlanStore(db) as store:
        assert [plan.id for plan in store.plans("together")] == [1]


@pytest.mark.slow
def test_a_reload_while_solving_keeps_the_solve_and_shows_its_plan() -> None:
    """F5 during a solve: the reloaded page is the same session, still solving, and takes
    the plan in when the solve ends (the store alone cannot bring back a running solve)."""
    at = open_app(PlanningSession(generate_scenario(people=1000, missions=100, seed=1), "big"))
    at.number_input(key="dial.time_limit").set_value(4)
    at.button(key="solve").click().run()
    assert planner(at).solving
    again = reloaded(at, same_server=True)
    back = planner(again)
    assert back is planner(at) and back.solving
    wait(again, "solving")
    assert back.current is not None and back.current.result.solution is not None


def test_a_reload_brings_back_an_unsaved_plan_and_edits_too() -> None:
    at = small_app()
    solve_in_app(at)
    pin(at)
    again = reloaded(at)
    back = planner(again)
    assert back.current is not None and back.current.plan_id is None
    assert back.stale and back.unsaved and len(back.edits) == 1


def test_loading_another_scenario_over_unsaved_edits_asks_first() -> None:
    at = small_app()
    pin(at)
    click(at, "Back to the sample")
    assert planner(at).source == "Quarters (test)"  # not yet: asked first
    assert any("are not saved" in plain(m.value) for m in at.markdown)
    click(at, "Keep my edits")
    assert planner(at).source == "Quarters (test)" and len(planner(at).edits) == 1
    click(at, "Back to the sample")
    click(at, "Open it, drop my edits")
    assert planner(at).source == "Riverside Care Group (sample)" and not planner(at).edits


def test_the_question_over_unsaved_edits_counts_none_already_saved() -> None:
    """One edit saved, one more made: the dialog must not speak of two unsaved edits."""
    at = small_app()
    pin(at)
    save_as(at, "counted")
    pin(at, "m_fast", "c2")
    click(at, "Back to the sample")
    asked = " ".join(plain(m.value) for m in at.markdown)
    assert "has edits or dial changes that are not saved" in asked
    assert "2 edits" not in asked


def test_two_plans_side_by_side_with_the_change_list() -> None:
    at = small_app()
    solve_in_app(at)
    save_as(at, "quarters")
    drop(at, "m_fast")
    solve_in_app(at)
    assert "Saved plan 2 of quarters v2" in save_as(at, "quarters", "no fast-track")
    choose(at, 1, 2)
    figures = at.dataframe[1].value
    assert list(figures.columns) == ["figure", "plan 1", "plan 2"]
    assert not PLACEHOLDERS.search(figures.to_string())
    shown = figures.set_index("figure")
    assert shown.loc["Missions staffed", "plan 2"] == "3"
    assert "Care Unit · Triage · Q1 (winter)" in shown.loc["Tightest operations", "plan 1"]
    changes = at.dataframe[2].value
    assert "m_fast Fast-track triage is no longer staffed (value 50)" in set(changes.change)
    load = at.dataframe[3].value
    assert {"unit", "period", "plan 1 missions", "plan 2 missions"} <= set(load.columns)
    assert set(load.unit) <= {"Care Unit", "Back Office"}
    (download,) = at.download_button
    assert download.label == "Download the change list (CSV)"


def test_sign_in_first_then_a_planner_saves_and_only_an_approver_approves(db: str) -> None:
    nobody = signed_in(None)
    assert [b.label for b in nobody.button] == ["Sign in"] and not nobody.sidebar.button

    ann = signed_in("ann@example.org")
    assert any("Signed in as ann@example.org · planner" in plain(c.value) for c in ann.caption)
    assert "Saved sample v1." in save_as(ann, "sample", "ann's cut")  # no plan yet
    with PlanStore(db) as store:
        (version,) = store.versions("sample")
    assert (version.saved_by, version.note) == ("ann@example.org", "ann's cut")
    assert any("No plans are stored yet" in plain(i.value) for i in ann.info)

    viewer = signed_in("someone@example.org")
    show(viewer, "Plans")
    save = next(b for b in viewer.button if b.label == "Save as")
    assert save.disabled
    show(viewer, "Edit & compare")
    assert any("Only a planner can save; you are a viewer." in plain(i.value) for i in viewer.info)
    assert not [b for b in viewer.button if b.label == "Pin"]


def test_approve_then_a_resolve_reports_its_changes_against_the_approved_plan(
    db: str,
) -> None:
    ann = signed_in("ann@example.org")
    ann.session_state["planner"] = planner(small_app())
    ann.run()
    solve_in_app(ann)
    save_as(ann, "quarters")
    choose(ann, 1)
    ann.text_input(key="plans.reason.1").set_value("ready")
    click(ann, "Propose")
    assert any("Plan 1 (quarters v1) is proposed." in plain(s.value) for s in ann.success)
    approve = next(b for b in ann.button if b.label == "Approve")
    assert approve.disabled
    assert any(
        "Only an approver can approve; you are a planner." in plain(c.value) for c in ann.caption
    )

    bob = signed_in("bob@example.org")
    show(bob, "Plans")
    choose(bob, 1)
    click(bob, "Open this plan")
    assert planner(bob).source == "quarters v1"
    choose(bob, 1)
    bob.text_input(key="plans.reason.1").set_value("covers the winter")
    waiting = next(b for b in bob.button if b.label == "Approve")
    assert waiting.disabled and "not decided by the units yet" in plain(bob.warning[0].value)
    assert any("Approve waits for every release" in plain(c.value) for c in bob.caption)
    bob.text_input(key="plans.override.1").set_value("the leads meet on Monday").run()
    click(bob, "Approve")
    with PlanStore(db) as store:
        approved = store.plan(1)
        undecided = sum(not r.decided for r in store.releases(1))
    assert approved.status is PlanStatus.APPROVED and approved.approval is not None
    assert (approved.approval.who, approved.approval.reason) == (
        "bob@example.org",
        f"covers the winter [approved with {undecided} releases undecided: the leads meet "
        "on Monday]",
    )
    drop(bob, "m_fast")
    solve_in_app(bob)
    session = planner(bob)
    assert session.current is not None and session.current.reference_id == 1
    show(bob, "Edit & compare")
    headers = [h.value for h in bob.subheader]
    assert headers.index("Against the approved plan") < headers.index(
        "Compared with the previous plan"
    )
    assert any(
        "The approved plan is plan 1 (quarters v1), approved by bob" in plain(c.value)
        for c in bob.caption
    )
    assert any(
        "Lost: m_fast · Fast-track triage (value 50)" in plain(m.value) for m in bob.markdown
    )
    moved = bob.dataframe[0].value  # against the approved plan: the dropped mission by name
    assert "m_fast · Fast-track triage" in set(moved.left)
    show(bob, "Plans")
    assert any(
        "Against the approved plan" in plain(i.value) and "1 lost" in plain(i.value)
        for i in bob.info
    )


def test_approving_an_older_version_over_the_approved_plan_needs_the_confirmation(
    db: str,
) -> None:
    from assembler import SolveSettings, solve
    from assembler.store import Role
    from builders import tiny_scenario
    from test_store import released

    older, newer = tiny_scenario(), tiny_scenario().with_settings(ops_buffer=0.3)
    with PlanStore(db) as store:
        for version, case in enumerate((older, newer)):
            result = solve(case, SolveSettings(time_limit=5, workers=1))
            base = None if version == 0 else 1
            planned = Plan(case, result)
            _, plan = store.save("tiny", planned, based_on=base, who="ann", role=Role.PLANNER)
            store.propose(plan.id, who="ann", role=Role.PLANNER)
            released(store, plan.id)
        store.approve(2, who="bob", role=Role.APPROVER, reason="new data")

    bob = signed_in("bob@example.org")
    show(bob, "Plans")
    choose(bob, 1)
    confirm = bob.checkbox(key="plans.over_newer.1")
    assert "plan 2 (tiny v2), of the newer version 2" in plain(confirm.label)
    bob.text_input(key="plans.reason.1").set_value("back to v1")
    click(bob, "Approve")
    assert any("older than version 2" in plain(e.value) for e in bob.error)
    with PlanStore(db) as store:
        assert store.approved_plan("tiny").id == 2

    choose(bob, 1)
    bob.text_input(key="plans.reason.1").set_value("back to v1")
    bob.checkbox(key="plans.over_newer.1").check().run()
    click(bob, "Approve")
    assert any("Plan 1 (tiny v1) is approved." in plain(s.value) for s in bob.success)
    with PlanStore(db) as store:
        assert store.approved_plan("tiny").id == 1
        assert store.events(1)[-1].reason == "back to v1 [approved over the newer plan 2 (tiny v2)]"
