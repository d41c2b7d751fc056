"""The plan store on real databases: SQLite always, PostgreSQL (slow) on the server the suite
starts (``store_url`` in conftest).  Versions and the optimistic check, the lifecycle, the
role policy, re-plans, and text that must come back exactly as it went in."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC

import pytest
import sqlalchemy as sa

from assembler.domain.edits import Edit, EditKind
from assembler.domain.scenario import Scenario
from assembler.domain.solve_settings import Stability
from assembler.planning.edits import apply_edits
from assembler.results.compare import compare
from assembler.results.plan import Plan, SolveRecord
from assembler.results.report import build_reports
from assembler.store import (
    Action,
    Leads,
    LifecycleError,
    NotFoundError,
    PermissionDeniedError,
    PlanStatus,
    PlanStore,
    Policy,
    Role,
    StaleVersionError,
    StoreError,
)
from assembler.store.schema import plans
from builders import mission, person, scenario, tiny_scenario
from solving import solve_once

PLANNER = {"who": "ann", "role": Role.PLANNER}
APPROVER = {"who": "boss", "role": Role.APPROVER}
EVERY = Leads.all()
HOSTILE = "O'Brien \"=HYPERLINK('http://x')\"; DROP TABLE plans; -- Ωμέγα 计划 🚀 \\ %s ?"
"""Quotes, a formula, SQL, unicode beyond the BMP, a backslash and placeholder syntax."""


def edited(case: Scenario) -> Scenario:
    """``case`` with its best mission dropped: a re-plan has something to change."""
    return apply_edits(case, [Edit(EditKind.DROP, "m_innovation")])


def released(store: PlanStore, plan_id: int) -> int:
    """``plan_id`` with every release it asks approved by a lead of every unit, so that
    an approval need not wait for them (``test_store_releases`` tests the waiting)."""
    for request in store.releases(plan_id):
        store.decide_release(
            plan_id, request.person_id, request.mission_id, approve=True, who="lead", leads=EVERY
        )
    return plan_id


def approved_plan(store: PlanStore, case: Scenario) -> int:
    _, plan = store.save("tiny", Plan(case, solve_once(case)), based_on=None, **PLANNER)
    store.propose(plan.id, **PLANNER)
    released(store, plan.id)
    store.approve(plan.id, reason="the first plan", **APPROVER)
    return plan.id


# ---------------------------------------------------------------------- versions


def test_a_saved_scenario_reads_back_equal_with_its_edits_and_dials(store: PlanStore) -> None:
    edits = (
        Edit(EditKind.PIN, "m_renew", person_id="p4"),
        Edit(EditKind.VALUE, "m_renew", value=9),
    )
    case = apply_edits(tiny_scenario(), edits).with_settings(ops_buffer=0.2)
    saved = store.save_scenario(
        "tiny", case, based_on=None, edits=edits, dials=case.settings, **PLANNER
    )
    version, loaded = store.load_scenario("tiny")
    assert loaded == case
    assert version == saved
    assert (version.version, version.based_on, version.edits) == (1, None, edits)
    assert version.dials == case.settings
    assert version.saved_at.tzinfo is UTC


def test_versions_are_numbered_and_an_unchanged_save_is_not_a_new_one(store: PlanStore) -> None:
    first = store.save_scenario("tiny", tiny_scenario(), based_on=None, **PLANNER)
    again = store.save_scenario("tiny", tiny_scenario(), based_on=1, **PLANNER)
    second = store.save_scenario("tiny", edited(tiny_scenario()), based_on=1, **PLANNER)
    assert again == first
    assert (second.version, second.based_on) == (2, 1)
    assert [v.version for v in store.versions("tiny")] == [1, 2]
    assert store.load_scenario("tiny", 1)[1] == tiny_scenario()
    assert store.scenarios() == [second]


def test_a_save_on_a_stale_version_is_refused_and_changes_nothing(store: PlanStore) -> None:
    store.save_scenario("tiny", tiny_scenario(), based_on=None, **PLANNER)
    store.save_scenario("tiny", edited(tiny_scenario()), based_on=1, who="bob", role=Role.PLANNER)
    their_edit = tiny_scenario().with_settings(ops_buffer=0.3)
    with pytest.raises(StaleVersionError) as refused:
        store.save_scenario("tiny", their_edit, based_on=1, who="cy", role=Role.PLANNER)
    message = str(refused.value)
    assert message.startswith("scenario 'tiny' was saved as version 2 by bob at ")
    assert message.endswith("; you started from version 1: reload and reapply your edits")
    assert refused.value.latest.version == 2
    with pytest.raises(StaleVersionError, match="you started from no version"):
        store.save_scenario("tiny", their_edit, based_on=None, **PLANNER)
    with pytest.raises(NotFoundError, match="has no version 7: its newest is 2"):
        store.save_scenario("tiny", their_edit, based_on=7, **PLANNER)
    with pytest.raises(NotFoundError, match="no scenario 'other'"):
        store.save_scenario("other", their_edit, based_on=1, **PLANNER)
    assert [v.saved_by for v in store.versions("tiny")] == ["ann", "bob"]


def _race(store_url: str, attempts: list[Callable[[PlanStore], object]]) -> list[object]:
    """Run each attempt on its own store (its own connections) at the same moment; each
    outcome is what the attempt returned or the exception it raised."""
    barrier = threading.Barrier(len(attempts))
    outcomes: list[object] = [None] * len(attempts)

    def run(index: int) -> None:
        with PlanStore(store_url) as own:
            barrier.wait()
            try:
                outcomes[index] = attempts[index](own)
            except Exception as error:
                outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(attempts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_planners_saving_at_once_one_wins_the_other_is_refused(
    store: PlanStore, store_url: str
) -> None:
    store.save_scenario("tiny", tiny_scenario(), based_on=None, **PLANNER)
    edits = [tiny_scenario().with_settings(ops_buffer=b) for b in (0.2, 0.3)]
    outcomes = _race(
        store_url,
        [
            lambda own, case=case, who=who: own.save_scenario(
                "tiny", case, based_on=1, who=who, role=Role.PLANNER
            )
            for case, who in zip(edits, ("ann", "bob"), strict=True)
        ],
    )
    refused = [o for o in outcomes if isinstance(o, StaleVersionError)]
    assert len(refused) == 1, outcomes
    assert "you started from version 1" in str(refused[0])
    versions = store.versions("tiny")
    assert [v.version for v in versions] == [1, 2]
    assert versions[1].saved_by == refused[0].latest.saved_by


# ---------------------------------------------------------------------- plans and lifecycle


def test_a_stored_plan_reads_back_with_its_result_and_reports(store: PlanStore) -> None:
    case = tiny_scenario()
    result = solve_once(case)
    record = SolveRecord(time_limit=10, workers=1)
    version, plan = store.save(
        "tiny", Plan(case, result, solve=record), based_on=None, note="first", **PLANNER
    )
    loaded = store.load_plan(plan.id)
    assert loaded.scenario == case
    assert loaded.result.solution == result.solution
    assert loaded.result.kpis == result.kpis
    assert (loaded.result.status, loaded.result.score) == (result.status, result.score)
    assert (plan.best_bound, plan.gap, plan.solve) == (result.best_bound, result.gap, record)
    assert plan.summary == build_reports(case, result).summary.to_json()
    assert (plan.status, plan.version_id, plan.note) == (PlanStatus.DRAFT, version.id, "first")
    expected = build_reports(case, result).tables()
    for name, frame in loaded.reports.tables().items():
        assert frame.equals(expected[name]), name


def test_an_infeasible_solve_is_stored_too(store: PlanStore) -> None:
    case = tiny_scenario().replace(people=tiny_scenario().people[:1])
    result = solve_once(case)
    assert result.solution is None
    _, plan = store.save("tiny", Plan(case, result), based_on=None, **PLANNER)
    loaded = store.load_plan(plan.id)
    assert loaded.result.solution is None and loaded.result.conflicts == result.conflicts


def test_the_lifecycle_runs_draft_proposed_approved_superseded(store: PlanStore) -> None:
    first = approved_plan(store, tiny_scenario())
    _, second = store.save(
        "tiny", Plan(tiny_scenario(), solve_once(tiny_scenario())), based_on=1, **PLANNER
    )
    with pytest.raises(LifecycleError, match="is draft: only a proposed plan can be approved"):
        store.approve(second.id, reason="too early", **APPROVER)
    store.propose(second.id, reason="ready", **PLANNER)
    with pytest.raises(LifecycleError, match="is proposed: only a draft plan can be proposed"):
        store.propose(second.id, **PLANNER)
    with pytest.raises(StoreError, match="needs a reason"):
        store.approve(second.id, reason="  ", **APPROVER)
    record = store.approve(released(store, second.id), reason="fewer moves", **APPROVER)
    assert record.status is PlanStatus.APPROVED
    assert record.approval is not None
    assert (record.approval.who, record.approval.reason) == ("boss", "fewer moves")
    assert store.plan(first).status is PlanStatus.SUPERSEDED
    assert store.approved_plan("tiny") == record
    steps = [(e.status_from, e.status_to, e.who) for e in store.events(first)]
    assert steps == [
        (None, PlanStatus.DRAFT, "ann"),
        (PlanStatus.DRAFT, PlanStatus.PROPOSED, "ann"),
        (PlanStatus.PROPOSED, PlanStatus.APPROVED, "boss"),
        (PlanStatus.APPROVED, PlanStatus.SUPERSEDED, "boss"),
    ]
    assert store.events(first)[-1].reason == f"superseded by the approval of plan {second.id}"
    assert [p.id for p in store.plans(status=PlanStatus.SUPERSEDED)] == [first]
    assert [p.id for p in store.plans("tiny")] == [second.id, first]
    assert store.plans("other") == []
    with pytest.raises(NotFoundError, match="no plan 999"):
        store.approve(999, reason="x", **APPROVER)


def test_approvals_racing_leave_one_approved_plan(store: PlanStore, store_url: str) -> None:
    ids = []
    for _ in range(2):
        _, plan = store.save(
            "tiny",
            Plan(tiny_scenario(), solve_once(tiny_scenario())),
            based_on=1 if ids else None,
            **PLANNER,
        )
        store.propose(plan.id, **PLANNER)
        ids.append(released(store, plan.id))
    outcomes = _race(
        store_url,
        [lambda own, i=i: own.approve(i, reason="mine", **APPROVER) for i in ids],
    )
    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    statuses = sorted(store.plan(i).status for i in ids)
    assert statuses == [PlanStatus.APPROVED, PlanStatus.SUPERSEDED]


def test_the_database_itself_refuses_a_second_approved_plan(store: PlanStore) -> None:
    approved_plan(store, tiny_scenario())
    _, other = store.save(
        "tiny", Plan(tiny_scenario(), solve_once(tiny_scenario())), based_on=1, **PLANNER
    )
    engine = sa.create_engine(store.url)
    try:
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
            connection.execute(
                plans.update().where(plans.c.id == other.id).values(status="approved")
            )
    finally:
        engine.dispose()


def test_roles_are_enforced_by_the_store(store: PlanStore) -> None:
    viewer = {"who": "val", "role": Role.VIEWER}
    with pytest.raises(
        PermissionDeniedError, match="val is a viewer: to save a plan takes the planner role"
    ):
        store.save_scenario("tiny", tiny_scenario(), based_on=None, **viewer)
    _, plan = store.save(
        "tiny", Plan(tiny_scenario(), solve_once(tiny_scenario())), based_on=None, **PLANNER
    )
    with pytest.raises(PermissionDeniedError):
        store.propose(plan.id, **viewer)
    store.propose(plan.id, **PLANNER)
    released(store, plan.id)
    with pytest.raises(PermissionDeniedError, match="to approve a plan takes the approver role"):
        store.approve(plan.id, reason="mine", **PLANNER)
    assert store.plan(plan.id).status is PlanStatus.PROPOSED
    assert store.approve(plan.id, reason="ok", **APPROVER).status is PlanStatus.APPROVED


def test_a_team_policy_can_lower_what_saving_takes(store_url: str) -> None:
    open_saves = Policy({Action.SAVE: Role.VIEWER, Action.APPROVE: Role.APPROVER})
    with PlanStore(store_url, policy=open_saves) as store:
        store.save_scenario("tiny", tiny_scenario(), based_on=None, who="val", role=Role.VIEWER)
        assert store.versions("tiny")[0].saved_by == "val"


# ---------------------------------------------------------------------- re-plans


def test_a_replan_stores_its_changes_against_the_approved_plan(store: PlanStore) -> None:
    reference_id = approved_plan(store, tiny_scenario())
    reference = store.load_plan(reference_id)
    assert reference.result.solution is not None
    case = edited(tiny_scenario())
    result = solve_once(
        case,
        hint=reference.result.solution,
        stability=Stability(reference.result.solution, weight=None),
    )
    _, plan = store.save("tiny", Plan(case, result).against(reference), based_on=1, **PLANNER)
    assert plan.reference_id == reference_id
    assert plan.changes == compare(reference.scenario, reference.result, case, result)
    assert [m.mission_id for m in plan.changes.lost] == ["m_innovation"]
    assert store.plan(plan.id).changes == plan.changes


# ---------------------------------------------------------------------- text


def hostile_scenario() -> Scenario:
    """Ids, names and values that break naive SQL, CSV or spreadsheets."""
    return scenario(
        [person(HOSTILE, name=HOSTILE), person("p2"), person("p3")],
        [mission("=1+1", {"k": 0.2}, name=HOSTILE), mission("m'2", {"k": 0.2})],
    )


def test_quotes_unicode_and_formulas_round_trip_intact(store: PlanStore) -> None:
    case = hostile_scenario()
    result = solve_once(case)
    _, plan = store.save(
        HOSTILE,
        Plan(case, result),
        based_on=None,
        who=HOSTILE,
        role=Role.PLANNER,
        note=HOSTILE,
        source=HOSTILE,
    )
    store.propose(plan.id, who=HOSTILE, role=Role.PLANNER, reason=HOSTILE)
    assert store.load_scenario(HOSTILE)[1] == case
    loaded = store.load_plan(plan.id)
    assert loaded.result.solution == result.solution
    record = store.plan(plan.id)
    assert (record.scenario, record.note, record.saved_by) == (HOSTILE,) * 3
    assert store.versions(HOSTILE)[0].source == HOSTILE
    assert store.events(plan.id)[-1].reason == HOSTILE
    assert [p.id for p in store.plans(HOSTILE)] == [plan.id]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "must not be empty"),
        ("name", "x" * 201, "longer than 200"),
        ("note", "a\x00b", "NUL"),
    ],
)
def test_text_no_database_keeps_intact_is_refused(
    store: PlanStore, field: str, value: str, message: str
) -> None:
    texts = {"name": "tiny", "note": "", field: value}
    with pytest.raises(StoreError, match=message):
        store.save_scenario(
            texts["name"], tiny_scenario(), based_on=None, note=texts["note"], **PLANNER
        )
    assert store.scenarios() == []


def test_a_plan_of_an_older_version_is_approved_over_a_newer_one_only_on_purpose(
    store: PlanStore,
) -> None:
    from assembler.store import OlderVersionError

    older, newer = tiny_scenario(), tiny_scenario().with_settings(ops_buffer=0.3)
    ann = {"who": "ann", "role": Role.PLANNER}
    _, old_plan = store.save("s", Plan(older, solve_once(older)), based_on=None, **ann)
    _, new_plan = store.save("s", Plan(newer, solve_once(newer)), based_on=1, **ann)
    for plan in (old_plan, new_plan):
        store.propose(plan.id, who="ann", role=Role.PLANNER)
        released(store, plan.id)
    store.approve(new_plan.id, who="bob", role=Role.APPROVER, reason="the new data")
    with pytest.raises(OlderVersionError, match="older than version 2 of the approved plan 2"):
        store.approve(old_plan.id, who="bob", role=Role.APPROVER, reason="back")
    assert store.plan(old_plan.id).status is PlanStatus.PROPOSED
    assert store.approved_plan("s").id == new_plan.id

    store.approve(old_plan.id, who="bob", role=Role.APPROVER, reason="back", over_newer=True)
    assert store.approved_plan("s").id == old_plan.id
    assert store.plan(new_plan.id).status is PlanStatus.SUPERSEDED
    assert store.events(old_plan.id)[-1].reason == ("back [approved over the newer plan 2 (s v2)]")
