"""A planner's session with the plan store (SQLite, and PostgreSQL as slow tests): kept as
it changes and brought back by key after a reload, saved as a plan, opened from one,
re-planned against the approved plan; who may do what, from sign-in claims or a mapping.

Sessions solve the three-quarter plan of ``small_horizon`` (a fraction of a second)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from assembler.domain.edits import Edit, EditKind
from assembler.planning.access import User, local_user, signed_in_user
from assembler.planning.cases import change_summary, propose
from assembler.planning.keeping import Keeper, restore
from assembler.planning.session import PlanningSession
from assembler.planning.stored import approve, open_plan, refresh_approved, save_as
from assembler.store import (
    PermissionDeniedError,
    PlanStatus,
    PlanStore,
    Role,
    StaleVersionError,
    StoreError,
)
from assembler.store.schema import workspaces
from assembler.validation import load_scenario
from builders import SAMPLE, dial
from small_horizon import quarters, quarters_session
from solving import solve_now
from test_store import released

ANN = User("ann@example.org", Role.PLANNER, signed_in=True)
BOB = User("bob@example.org", Role.APPROVER, signed_in=True)
PIN = Edit(EditKind.PIN, "m_fast", "c1")


def kept_row(store: PlanStore, key: str) -> sa.Row[tuple[object, ...]]:
    with sa.create_engine(store.url).connect() as connection:
        return connection.execute(sa.select(workspaces).where(workspaces.c.key == key)).one()


def test_a_session_is_kept_as_it_changes_and_restored_by_its_key(store: PlanStore) -> None:
    session = quarters_session()
    keeper = Keeper(store, "k1", ANN.who)
    assert keeper.keep(session)  # the first call writes it whole
    assert not keeper.keep(session)  # nothing changed, nothing written
    session.set_dials(dial(session, {"ops_buffer": 0.05}))
    session.edit(PIN)
    assert keeper.keep(session)
    first = kept_row(store, "k1").updated_at
    assert not keeper.keep(session)
    assert kept_row(store, "k1").updated_at == first
    solve_now(session)
    assert keeper.keep(session)

    back = restore(store, "k1", ANN.who)
    assert back is not None
    assert back.source == "Quarters (test)" and back.base == session.base
    assert back.edits == (PIN,) and back.dials == dial(session, {"ops_buffer": 0.05})
    assert back.scenario == session.scenario
    assert back.current is not None and session.current is not None
    assert back.current.result.solution == session.current.result.solution
    assert back.current.result.kpis == session.current.result.kpis
    assert back.current.edits == (PIN,) and not back.stale
    assert back.unsaved  # the edits are in no stored version


def test_a_session_key_is_its_owners_only(store: PlanStore) -> None:
    Keeper(store, "k1", ANN.who).keep(quarters_session())
    assert restore(store, "k1", BOB.who) is None
    intruder = Keeper(store, "k1", BOB.who)
    assert not intruder.keep(quarters_session())
    assert intruder.problem is not None and "belongs to someone else" in intruder.problem
    assert restore(store, "unknown", ANN.who) is None


def test_save_as_stores_the_plan_and_links_the_session(store: PlanStore) -> None:
    session = quarters_session()
    session.edit(PIN)
    solve_now(session)
    assert session.unsaved
    saved = save_as(store, session, ANN, "quarters", "first cut")
    assert saved.plan is not None and saved.new_version
    assert saved.message == f"Saved plan {saved.plan.id} of quarters v1 as a draft."
    (listed,) = store.plans()
    assert (listed.id, listed.status, listed.saved_by, listed.note) == (
        saved.plan.id,
        PlanStatus.DRAFT,
        ANN.who,
        "first cut",
    )
    version, _ = store.load_scenario("quarters")
    assert version.edits == (PIN,) and version.source == "Quarters (test)"
    assert session.link is not None and session.link.label == "quarters v1"
    assert not session.unsaved
    assert session.current is not None and session.current.plan_id == saved.plan.id
    with pytest.raises(StoreError, match="stored already"):
        save_as(store, session, ANN, "quarters")

    keeper = Keeper(store, "k2", ANN.who)
    keeper.keep(session)
    assert kept_row(store, "k2").plan is None  # a stored plan is kept by its id
    back = restore(store, "k2", ANN.who)
    assert back is not None and back.link == session.link and not back.unsaved
    assert back.current is not None and back.current.plan_id == saved.plan.id
    assert back.current.edits == (PIN,)


def test_save_as_pressed_while_a_solve_runs_stores_the_plan_it_finds(store: PlanStore) -> None:
    """The sample takes seconds to solve: Save as, pressed the moment Solve is, waits for
    that solve and stores its plan, never the scenario alone."""
    session = PlanningSession(load_scenario(SAMPLE), "Riverside (test)")
    job = session.solve(time_limit=2)
    saved = save_as(store, session, ANN, "riverside", "saved at once")
    assert not job.running and not session.solving
    assert saved.plan is not None, saved.message
    assert saved.message.startswith(f"Saved plan {saved.plan.id} of riverside v1 as a draft")
    assert session.current is not None and session.current.result is job.result
    assert store.load_plan(saved.plan.id).result.solution == job.result.solution


def test_save_as_before_any_plan_says_it_stores_the_scenario_alone(store: PlanStore) -> None:
    saved = save_as(store, quarters_session(), ANN, "quarters")
    assert saved.plan is None
    assert saved.message.startswith("Saved quarters v1.") and "no plan yet" in saved.message


def test_a_save_never_overwrites_another_planners_version(store: PlanStore) -> None:
    session = quarters_session()
    save_as(store, session, ANN, "quarters")
    with pytest.raises(StoreError, match="already stored"):
        save_as(store, quarters_session(), BOB, "quarters")  # a session that did not start from it
    store.save_scenario(
        "quarters", quarters(ops_buffer=0.2), who="carol", role=Role.PLANNER, based_on=1
    )
    session.edit(PIN)
    with pytest.raises(StaleVersionError, match="saved as version 2 by carol"):
        save_as(store, session, ANN, "quarters")


def test_open_a_plan_approve_it_and_replan_against_it(store: PlanStore) -> None:
    session = quarters_session()
    solve_now(session)
    saved = save_as(store, session, ANN, "quarters")
    assert saved.plan is not None
    with pytest.raises(PermissionDeniedError, match="approver"):
        approve(store, session, ANN, saved.plan.id, "looks good")
    propose(store, ANN, saved.plan.id, "ready")
    released(store, saved.plan.id)
    approve(store, session, BOB, saved.plan.id, "covers winter")
    assert session.approved is not None and session.approved.plan_id == saved.plan.id
    assert "approved by bob@example.org" in session.approved_label

    other = quarters_session()
    opened = open_plan(store, other, saved.plan.id)
    assert opened.status is PlanStatus.APPROVED
    assert other.source == "quarters v1" and other.base_id == opened.version_id
    assert other.current is not None and other.current.plan_id == saved.plan.id
    assert other.approved is not None and other.against_approved() is None  # it is that plan
    assert not other.unsaved

    other.edit(Edit(EditKind.DROP, "m_fast"))
    assert other.unsaved
    solve_now(other)
    assert other.current.reference_id == saved.plan.id
    assert other.current.solve is not None
    assert other.current.solve.replanned_from == saved.plan.id
    changes = other.against_approved()
    assert changes is not None and [c.mission_id for c in changes.lost] == ["m_fast"]
    assert change_summary(changes).startswith("0 missions gained, 1 lost, ")
    again = save_as(store, other, ANN, "quarters", "without fast-track")
    assert again.plan is not None and again.version.version == 2
    stored = store.plan(again.plan.id)
    assert stored.reference_id == saved.plan.id
    assert stored.changes is not None and [c.mission_id for c in stored.changes.lost] == ["m_fast"]


def test_the_approved_plan_is_read_again_only_when_it_changes(store: PlanStore) -> None:
    session = quarters_session()
    solve_now(session)
    saved = save_as(store, session, ANN, "quarters")
    assert saved.plan is not None and session.approved is None
    propose(store, ANN, saved.plan.id)
    released(store, saved.plan.id)
    approve(store, session, BOB, saved.plan.id, "fine")
    approved = session.approved
    refresh_approved(store, session)
    assert session.approved is approved


def test_roles_come_from_a_claim_or_the_mapping() -> None:
    config = {"role_claim": "groups", "roles": {"approver": ["bob@example.org", "leads"]}}

    def verified(email: str, **claims: object) -> dict[str, object]:
        return {"sub": email.split("@")[0], "email": email, "email_verified": True, **claims}

    assert signed_in_user(verified("bob@example.org"), config).role is Role.APPROVER
    assert signed_in_user(verified("x@example.org", groups=["leads"]), config).role is (
        Role.APPROVER
    )
    assert signed_in_user(verified("y@example.org", groups="planner"), config).role is (
        Role.PLANNER
    )
    nobody = signed_in_user({"sub": "z", "name": "Zed"}, config)
    assert (nobody.who, nobody.role, nobody.signed_in) == ("Zed (subject z)", Role.VIEWER, True)
    assert not nobody.can_edit and "Only a planner can save" in nobody.needs_text("save")
    assert signed_in_user(verified("a@b", roles=["approver"])).role is Role.APPROVER
    assert signed_in_user(verified("a@b"), {"default_role": "planner"}).role is Role.PLANNER
    with pytest.raises(ValueError, match="not a role"):
        signed_in_user(verified("a@b"), {"roles": {"boss": ["a@b"]}})
    me = local_user()
    assert me.role is Role.APPROVER and not me.signed_in and me.who


def test_development_goal_edits_survive_a_reload_and_a_saved_version(store: PlanStore) -> None:
    """Goal edits name no mission: they are kept, restored and stored like every other."""
    session = quarters_session()
    goals = (
        Edit(EditKind.ADD_GOAL, person_id="c1", skill_id="data", weight=2),
        Edit(EditKind.ADD_GOAL, person_id="o3", skill_id="triage", weight=1),
        Edit(EditKind.REMOVE_GOAL, person_id="c1", skill_id="data"),
    )
    for goal in goals:
        session.edit(goal)
    assert [(g.person_id, g.skill_id) for g in session.scenario.development] == [("o3", "triage")]
    Keeper(store, "k3", ANN.who).keep(session)
    back = restore(store, "k3", ANN.who)
    assert back is not None and back.edits == goals
    assert back.scenario.development == session.scenario.development
    version = store.save_scenario(
        "quarters", session.scenario, based_on=None, edits=goals, who=ANN.who, role=Role.PLANNER
    )
    loaded, scenario = store.load_scenario("quarters")
    assert loaded == version and loaded.edits == goals
    assert scenario.development == session.scenario.development
