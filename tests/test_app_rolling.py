"""The Plans page's **Roll forward** action, through ``streamlit.testing``: an approved plan
rolled forward to a chosen period shows what became of each mission, stores a draft of the
next version (the version chain under the list), and opens it; a viewer cannot roll."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assembler import SolveSettings, solve
from assembler.results.plan import Plan
from assembler.store import PlanStatus, PlanStore, Role
from test_app_pages import click, open_app, plain, planner, show
from test_app_plans import choose, signed_in
from test_rolling import small_rolling_plan


@pytest.fixture(autouse=True)
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store of the test's own holding the small four-period plan, approved as plan 1."""
    url = f"sqlite:///{tmp_path / 'plans.db'}"
    monkeypatch.setenv("ASSEMBLER_DB", url)
    scenario = small_rolling_plan()
    result = solve(scenario, SolveSettings(time_limit=5, workers=1))
    with PlanStore(url) as store:
        _, plan = store.save(
            "small", Plan(scenario, result), based_on=None, who="ann", role=Role.PLANNER
        )
        store.propose(plan.id, who="ann", role=Role.PLANNER)
        store.approve(plan.id, who="bob", role=Role.APPROVER, reason="the year's plan")
    return url


def rolled(at: AppTest, period: str) -> AppTest:
    show(at, "Plans")
    choose(at, 1)
    at.selectbox(key="plans.roll_at.1").set_value(period).run()
    return click(at, "Roll forward")


def test_rolling_forward_shows_each_missions_fate_and_opens_the_draft(db: str) -> None:
    at = rolled(open_app(), "q2")
    success = " ".join(plain(s.value) for s in at.success)
    assert "plan 1 (small v1) rolled forward at q2: 1 done, 1 running, 2 re-planned" in success
    assert "Stored as a draft: plan 2 (small v2)" in success
    fates = at.dataframe[-2].value  # the outcome, then the history
    assert list(fates.columns) == ["mission", "fate", "when", "what"]
    by_mission = dict(zip(fates["mission"], fates["fate"], strict=True))
    assert by_mission == {
        "early · Early": "done",
        "long · Long": "running",
        "next · Next": "re-planned",
        "late · Late": "re-planned",
        "gone · Gone": "missed",
        "chained · Chained": "missed",
    }
    assert any("Versions: small: v1 q1–q4 → v2 q2–q5" in plain(c.value) for c in at.caption)
    with PlanStore(db) as store:
        draft = store.plan(2)
        assert draft.status is PlanStatus.DRAFT and draft.reference_id == 1
        assert store.plan(1).status is PlanStatus.APPROVED  # a roll approves nothing

    click(at, "Open the draft")
    session = planner(at)
    assert session.link is not None and session.link.label == "small v2"
    assert session.scenario.period_ids == ("q2", "q3", "q4", "q5")


def test_a_viewer_cannot_roll_forward() -> None:
    carl = signed_in("carl@example.org")
    show(carl, "Plans")
    choose(carl, 1)
    assert next(b for b in carl.button if b.label == "Roll forward").disabled


def test_names_from_the_data_are_shown_as_plain_text(db: str) -> None:
    """A mission named in Markdown and a scenario name with a formula reach the page as
    the characters they are, in the message and in the table."""
    scenario = small_rolling_plan()
    named = "**Bold** [link](http://x) <b>x</b>"
    scenario = scenario.replace(
        missions=tuple(
            m.model_copy(update={"name": named}) if m.mission_id == "long" else m
            for m in scenario.missions
        )
    )
    result = solve(scenario, SolveSettings(time_limit=5, workers=1))
    hostile = "=HYPERLINK('x') *care*"
    with PlanStore(db) as store:
        _, plan = store.save(
            hostile, Plan(scenario, result), based_on=None, who="ann", role=Role.APPROVER
        )
        store.propose(plan.id, who="ann", role=Role.APPROVER)
        store.approve(plan.id, who="bob", role=Role.APPROVER, reason="ok")
    at = open_app()
    show(at, "Plans")
    choose(at, plan.id)
    at.selectbox(key=f"plans.roll_at.{plan.id}").set_value("q2").run()
    click(at, "Roll forward")
    success = " ".join(plain(s.value) for s in at.success)
    assert f"plan {plan.id} ({hostile} v1) rolled forward at q2" in success
    fates = at.dataframe[-2].value
    assert f"long · {named}" in list(fates["mission"])


def test_a_newer_version_left_out_of_the_roll_is_named(db: str) -> None:
    with PlanStore(db) as store:
        edited = small_rolling_plan().with_settings(ops_buffer=0.2)
        store.save_scenario("small", edited, who="eve", role=Role.PLANNER, based_on=1)
    at = rolled(open_app(), "q2")
    warned = " ".join(plain(w.value) for w in at.warning)
    assert "small v2, saved by eve after the approved plan's version, is not in small v3" in warned


def test_undo_this_roll_discards_its_draft_and_version(db: str) -> None:
    at = rolled(open_app(), "q2")
    click(at, "Undo this roll")
    success = " ".join(plain(s.value) for s in at.success)
    assert (
        "plan 2 (draft) discarded; the roll of plan 1 at q2 is undone: small is back at version 1"
        in success
    )
    assert not any(b.label == "Undo this roll" for b in at.button)  # the outcome went too
    with PlanStore(db) as store:
        assert [record.id for record in store.plans("small")] == [1]
        assert [version.version for version in store.versions("small")] == [1]


def test_a_draft_is_discarded_from_the_plans_page_but_not_by_a_viewer(db: str) -> None:
    with PlanStore(db) as store:
        record = store.plan(1)
        _, scenario = store.load_scenario("small")
        again = Plan(scenario.with_settings(ops_buffer=0.2), store.load_plan(1).result)
        store.save("small", again, based_on=1, who="ann", role=Role.PLANNER)
    carl = signed_in("carl@example.org")
    show(carl, "Plans")
    choose(carl, 2)
    assert next(b for b in carl.button if b.label == "Discard this draft").disabled
    assert "Only a planner can discard; you are a viewer." in [c.value for c in carl.caption]

    at = open_app()
    show(at, "Plans")
    choose(at, 2)
    at.text_input(key="plans.discard_reason.2").set_value("not needed").run()
    click(at, "Discard this draft")
    assert "plan 2 (draft) discarded" in " ".join(plain(s.value) for s in at.success)
    with PlanStore(db) as store:
        assert [r.id for r in store.plans("small")] == [record.id]
        assert [v.version for v in store.versions("small")] == [1, 2]  # no roll: v2 stays
