"""Release requests in the store, on SQLite and PostgreSQL (slow): asked when a plan is
proposed, decided once by a lead of the member's unit, carried into a re-plan when
approved, and waited for by the approval unless an approver overrides with a reason.

The tiny scenario's plan (``builders.tiny_scenario``) puts Ada (hq) and Cy and Dee (lab)
on network missions; its answer is known, so the requests are too."""

from __future__ import annotations

import pytest

from assembler.results.plan import Plan
from assembler.store import (
    AlreadyDecidedError,
    Leads,
    LifecycleError,
    NotFoundError,
    PermissionDeniedError,
    PlanStatus,
    PlanStore,
    ReleasesPendingError,
    ReleaseStatus,
    Role,
    StoreError,
)
from builders import tiny_scenario, tiny_scenario_one_optimum
from solving import optimal
from test_store import _race

PLANNER = {"who": "ann", "role": Role.PLANNER}
APPROVER = {"who": "boss", "role": Role.APPROVER}
HQ = {"who": "hugo", "leads": Leads.of(["hq"])}
LAB = {"who": "lena", "leads": Leads.of(["lab"])}


def proposed(store: PlanStore, reference: int | None = None) -> int:
    """A proposed plan of the tiny scenario (re-planned from ``reference`` if given)."""
    case = tiny_scenario_one_optimum()
    plan = Plan(case, optimal(case))
    if reference is not None:
        plan = plan.against(store.load_plan(reference))
    latest = store.latest_version("tiny")
    _, record = store.save(
        "tiny", plan, based_on=None if latest is None else latest.version, **PLANNER
    )
    store.propose(record.id, **PLANNER)
    return record.id


def memberships(store: PlanStore, plan_id: int) -> set[tuple[str, str, str]]:
    return {(r.person_id, r.unit_id, r.mission_id) for r in store.releases(plan_id)}


def expected(store: PlanStore, plan_id: int) -> set[tuple[str, str, str]]:
    """The plan's network memberships, read from its solution."""
    plan = store.load_plan(plan_id)
    assert plan.result.solution is not None
    unit = {p.person_id: p.unit_id for p in plan.scenario.people}
    network = {m.mission_id for m in plan.scenario.missions if m.is_network}
    return {(p, unit[p], m) for p, m in plan.result.solution.members if m in network}


def test_proposing_asks_each_network_membership_of_the_members_unit(store: PlanStore) -> None:
    case = tiny_scenario()
    _, draft = store.save("tiny", Plan(case, optimal(case)), based_on=None, **PLANNER)
    assert store.releases(draft.id) == []  # a draft asks nobody yet
    store.propose(draft.id, **PLANNER)
    asked = store.releases(draft.id)
    assert {(r.person_id, r.unit_id, r.mission_id) for r in asked} == expected(store, draft.id)
    assert {r.mission_id for r in asked} <= {"m_transition", "m_innovation"}
    assert all(r.status is ReleaseStatus.REQUESTED and r.decided_by is None for r in asked)
    ada = next(r for r in asked if r.person_id == "p1")
    assert (ada.person_name, ada.unit_name) == ("Ada", "Headquarters")
    assert list(ada.time) == [""] and ada.time[""] > 0
    with pytest.raises(NotFoundError, match="no plan 99"):
        store.releases(99)


def test_a_lead_decides_only_their_units_releases_and_a_viewer_none(store: PlanStore) -> None:
    plan_id = proposed(store)
    lab = next(r for r in store.releases(plan_id) if r.unit_id == "lab")
    with pytest.raises(PermissionDeniedError, match="hugo does not lead Lab"):
        store.decide_release(plan_id, lab.person_id, lab.mission_id, approve=True, **HQ)
    for who, role_only in (("val", Leads()), ("boss", Leads())):
        with pytest.raises(PermissionDeniedError, match=f"{who} does not lead Lab"):
            store.decide_release(
                plan_id, lab.person_id, lab.mission_id, approve=True, who=who, leads=role_only
            )
    assert store.releases(plan_id, Leads.of(["hq"])) == [
        r for r in store.releases(plan_id) if r.unit_id == "hq"
    ]
    decided = store.decide_release(
        plan_id, lab.person_id, lab.mission_id, approve=False, reason="audit season", **LAB
    )
    assert (decided.status, decided.decided_by, decided.reason) == (
        ReleaseStatus.DECLINED,
        "lena",
        "audit season",
    )
    assert decided.decided_at is not None
    assert store.releases(plan_id)[[r.id for r in store.releases(plan_id)].index(lab.id)] == decided


def test_a_decision_is_made_once_and_a_decline_needs_a_reason(store: PlanStore) -> None:
    plan_id = proposed(store)
    ada = next(r for r in store.releases(plan_id) if r.person_id == "p1")
    with pytest.raises(StoreError, match="declining a release needs a reason"):
        store.decide_release(plan_id, "p1", ada.mission_id, approve=False, reason=" ", **HQ)
    store.decide_release(plan_id, "p1", ada.mission_id, approve=True, **HQ)
    with pytest.raises(AlreadyDecidedError, match="already approved by hugo"):
        store.decide_release(plan_id, "p1", ada.mission_id, approve=False, reason="no", **HQ)
    with pytest.raises(NotFoundError, match="asks no release of p2 to m_improve"):
        store.decide_release(plan_id, "p2", "m_improve", approve=True, **HQ)


def test_releases_are_decided_only_while_the_plan_is_proposed_or_approved(
    store: PlanStore,
) -> None:
    case = tiny_scenario()
    _, draft = store.save("tiny", Plan(case, optimal(case)), based_on=None, **PLANNER)
    with pytest.raises(LifecycleError, match="is draft: releases are decided while"):
        store.decide_release(draft.id, "p1", "m_transition", approve=True, **HQ)


def test_two_leads_deciding_one_request_at_once_keep_one_decision(
    store: PlanStore, store_url: str
) -> None:
    plan_id = proposed(store)
    lab = next(r for r in store.releases(plan_id) if r.unit_id == "lab")
    both = Leads.of(["lab"])
    outcomes = _race(
        store_url,
        [
            lambda own, approve=approve, who=who: own.decide_release(
                plan_id,
                lab.person_id,
                lab.mission_id,
                approve=approve,
                who=who,
                leads=both,
                reason=f"{who} says so",
            )
            for approve, who in ((True, "lena"), (False, "lars"))
        ],
    )
    refused = [o for o in outcomes if isinstance(o, AlreadyDecidedError)]
    assert len(refused) == 1, outcomes
    kept = next(r for r in store.releases(plan_id) if r.id == lab.id)
    assert kept.decided_by in {"lena", "lars"} and kept.reason == f"{kept.decided_by} says so"
    assert f"by {kept.decided_by}" in str(refused[0])


def test_approval_waits_for_every_release_or_an_approvers_override(store: PlanStore) -> None:
    plan_id = proposed(store)
    with pytest.raises(ReleasesPendingError, match=r"has \d releases? not yet decided"):
        store.approve(plan_id, reason="good", **APPROVER)
    assert store.plan(plan_id).status is PlanStatus.PROPOSED
    first, *others = store.releases(plan_id)
    everyone = Leads.all()
    store.decide_release(
        plan_id, first.person_id, first.mission_id, approve=True, who="x", leads=everyone
    )
    approved = store.approve(
        plan_id, reason="good", override_releases="the board meets today", **APPROVER
    )
    assert approved.approval is not None
    assert approved.approval.reason == (
        f"good [approved with {len(others)} release{'s' if len(others) != 1 else ''} "
        "undecided: the board meets today]"
    )
    # after an override the remaining ones can still be decided, for the next re-plan
    rest = others[0]
    store.decide_release(
        plan_id,
        rest.person_id,
        rest.mission_id,
        approve=False,
        reason="busy",
        who="x",
        leads=everyone,
    )


def test_all_decided_approves_without_override(store: PlanStore) -> None:
    plan_id = proposed(store)
    for request in store.releases(plan_id):
        store.decide_release(
            plan_id, request.person_id, request.mission_id, approve=True, who="x", leads=Leads.all()
        )
    assert store.approve(plan_id, reason="good", **APPROVER).status is PlanStatus.APPROVED


def test_a_replan_carries_the_approved_releases_of_its_reference(store: PlanStore) -> None:
    first = proposed(store)
    asked = store.releases(first)
    approved, declined = asked[0], asked[1]
    everyone = {"who": "lead", "leads": Leads.all()}
    store.decide_release(
        first, approved.person_id, approved.mission_id, approve=True, reason="go", **everyone
    )
    store.decide_release(
        first, declined.person_id, declined.mission_id, approve=False, reason="no", **everyone
    )
    second = proposed(store, reference=first)
    again = {(r.person_id, r.mission_id): r for r in store.releases(second)}
    carried = again[approved.person_id, approved.mission_id]
    assert (carried.status, carried.decided_by, carried.reason, carried.carried_from) == (
        ReleaseStatus.APPROVED,
        "lead",
        "go",
        first,
    )
    assert again[declined.person_id, declined.mission_id].status is ReleaseStatus.REQUESTED
