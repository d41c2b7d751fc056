"""Discarding a draft (issue 24: "each roll is undoable by discarding the draft"), on SQLite
and PostgreSQL: only a draft goes, only a planner discards, and a roll's draft takes its
rolled version with it — the scenario back at the version before, so a session started
there saves again — unless something else stands on that version."""

from __future__ import annotations

import pytest

from assembler.domain.scenario import Scenario
from assembler.results.plan import Plan
from assembler.results.result import Result
from assembler.store import (
    Discarded,
    LifecycleError,
    NotFoundError,
    PermissionDeniedError,
    PlanStore,
    Role,
    ScenarioVersion,
    StaleVersionError,
)
from assembler.store.workspaces import Base, Change
from builders import tiny_scenario
from solving import solve_once
from test_store import APPROVER, PLANNER, _race, released

ROLL = "roll of plan 1 at q2"


@pytest.fixture(scope="module")
def case() -> tuple[Scenario, Result]:
    """The tiny scenario and one solve of it, shared: these tests are about the store."""
    s = tiny_scenario()
    return s, solve_once(s)


def changed(s: Scenario, buffer: float = 0.3) -> Scenario:
    """``s`` with another operations buffer: new content, which the same solve still fits."""
    return s.with_settings(ops_buffer=buffer)


def approved_and_rolled(store: PlanStore, case: tuple[Scenario, Result]) -> int:
    """Plan 1 approved on v1, and a roll's draft (plan 2) on v2, as a roll stores it."""
    s, result = case
    _, first = store.save("tiny", Plan(s, result), based_on=None, **PLANNER)
    store.propose(first.id, **PLANNER)
    released(store, first.id)
    store.approve(first.id, reason="the year's plan", **APPROVER)
    _, draft = store.save(
        "tiny", Plan(changed(s), result), based_on=1, source=ROLL, note="rolled", **PLANNER
    )
    return draft.id


def test_discarding_a_rolls_draft_undoes_the_roll(
    store: PlanStore, case: tuple[Scenario, Result]
) -> None:
    draft = approved_and_rolled(store, case)
    done = store.discard(draft, reason="rolled too early", **PLANNER)
    assert done.message == (
        "plan 2 (draft) discarded; the roll of plan 1 at q2 is undone: tiny is back at version 1"
    )
    assert done.reason == "rolled too early" and done.kept == ""
    assert [record.id for record in store.plans("tiny")] == [1]
    assert [version.version for version in store.versions("tiny")] == [1]
    assert store.events(draft) == []
    assert store.approved_plan("tiny") is not None  # the approved plan is untouched
    with pytest.raises(NotFoundError, match="has no version 2: its newest is 1"):
        store.save_scenario("tiny", changed(case[0], 0.4), based_on=2, **PLANNER)
    # a session opened on v1 before the roll saves again, as v2
    again = store.save_scenario("tiny", changed(case[0], 0.4), based_on=1, **PLANNER)
    assert again.version == 2 and again.source == ""


def test_a_draft_that_is_no_roll_goes_alone(
    store: PlanStore, case: tuple[Scenario, Result]
) -> None:
    s, result = case
    _, first = store.save("tiny", Plan(s, result), based_on=None, **PLANNER)
    _, second = store.save("tiny", Plan(changed(s), result), based_on=1, **PLANNER)
    done = store.discard(second.id, **PLANNER)
    assert done.message == "plan 2 (draft) discarded"
    assert [record.id for record in store.plans("tiny")] == [first.id]
    assert [version.version for version in store.versions("tiny")] == [1, 2]


def test_only_a_draft_is_discarded(store: PlanStore, case: tuple[Scenario, Result]) -> None:
    draft = approved_and_rolled(store, case)
    with pytest.raises(LifecycleError, match="plan 1 \\(tiny v1\\) is approved: only a draft"):
        store.discard(1, **PLANNER)
    store.propose(draft, **PLANNER)
    with pytest.raises(LifecycleError, match="is proposed: only a draft can be discarded"):
        store.discard(draft, **PLANNER)
    with pytest.raises(NotFoundError, match="there is no plan 9"):
        store.discard(9, **PLANNER)
    assert len(store.plans("tiny")) == 2 and len(store.versions("tiny")) == 2


def test_a_viewer_cannot_discard(store: PlanStore, case: tuple[Scenario, Result]) -> None:
    draft = approved_and_rolled(store, case)
    with pytest.raises(PermissionDeniedError, match="carl is a viewer: to discard a plan"):
        store.discard(draft, who="carl", role=Role.VIEWER)
    assert store.plan(draft).id == draft


def test_a_later_version_or_another_plan_keeps_the_roll(
    store: PlanStore, case: tuple[Scenario, Result]
) -> None:
    s, result = case
    draft = approved_and_rolled(store, case)
    other = store.save_plan(store.plan(draft).version_id, Plan(changed(s), result), **PLANNER)
    done = store.discard(draft, **PLANNER)
    assert done.undone is None
    assert done.kept == "the roll of plan 1 at q2 stays: plan 3 is of tiny v2 too"
    store.save_scenario("tiny", changed(s, 0.4), based_on=2, **PLANNER)
    done = store.discard(other.id, **PLANNER)
    assert done.kept == "the roll of plan 1 at q2 stays: tiny v3 was saved after it"
    assert [version.version for version in store.versions("tiny")] == [1, 2, 3]


def test_a_session_on_the_rolled_version_keeps_it_and_one_holding_the_draft_refuses(
    store: PlanStore, case: tuple[Scenario, Result]
) -> None:
    draft = approved_and_rolled(store, case)
    version_id = store.plan(draft).version_id
    _, rolled = store.load_version(version_id)
    store.workspaces.keep("k1", "bob", Change(base=Base("tiny v2", rolled, version_id)))
    store.workspaces.keep("k1", "bob", Change(plan_id=draft))
    with pytest.raises(LifecycleError, match="it is open in a session of bob"):
        store.discard(draft, **PLANNER)
    store.workspaces.keep("k1", "bob", Change(plan_id=None))
    done = store.discard(draft, **PLANNER)
    assert done.kept == "the roll of plan 1 at q2 stays: a session of bob is based on tiny v2"
    assert [version.version for version in store.versions("tiny")] == [1, 2]


def test_a_draft_another_was_replanned_from_is_refused(
    store: PlanStore, case: tuple[Scenario, Result]
) -> None:
    s, result = case
    draft = approved_and_rolled(store, case)
    replan = Plan(changed(s), result, reference_id=draft)
    store.save_plan(store.plan(draft).version_id, replan, **PLANNER)
    with pytest.raises(LifecycleError, match="plan 3 was re-planned from it"):
        store.discard(draft, **PLANNER)


def test_two_discards_at_once_one_discards(
    store: PlanStore, store_url: str, case: tuple[Scenario, Result]
) -> None:
    draft = approved_and_rolled(store, case)
    outcomes = _race(store_url, [lambda own: own.discard(draft, **PLANNER)] * 2)
    assert sorted(type(o).__name__ for o in outcomes) == ["Discarded", "NotFoundError"]
    assert [version.version for version in store.versions("tiny")] == [1]


def test_a_discard_and_a_save_on_the_rolled_version_at_once_stay_consistent(
    store: PlanStore, store_url: str, case: tuple[Scenario, Result]
) -> None:
    """Either the roll is undone and the save on top of it is refused (its version is gone),
    or the save comes first and the roll stays under it."""
    draft = approved_and_rolled(store, case)
    later = changed(case[0], 0.4)
    discarded, saved = _race(
        store_url,
        [
            lambda own: own.discard(draft, **PLANNER),
            lambda own: own.save_scenario("tiny", later, based_on=2, **PLANNER),
        ],
    )
    assert isinstance(discarded, Discarded), discarded
    numbers = [version.version for version in store.versions("tiny")]
    if isinstance(saved, ScenarioVersion):
        assert numbers == [1, 2, 3] and "tiny v3 was saved after it" in discarded.kept
    else:
        assert isinstance(saved, StaleVersionError | NotFoundError), saved
        assert numbers == [1] and discarded.undone is not None


def test_a_discard_and_a_proposal_at_once_leave_one_of_them(
    store: PlanStore, store_url: str, case: tuple[Scenario, Result]
) -> None:
    draft = approved_and_rolled(store, case)
    discarded, proposed = _race(
        store_url,
        [
            lambda own: own.discard(draft, **PLANNER),
            lambda own: own.propose(draft, **PLANNER),
        ],
    )
    if isinstance(discarded, Discarded):
        assert isinstance(proposed, NotFoundError), proposed
        assert [record.id for record in store.plans("tiny")] == [1]
    else:
        assert isinstance(discarded, LifecycleError), discarded
        assert [event.status_to for event in store.events(draft)] == ["draft", "proposed"]
