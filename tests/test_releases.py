"""The use cases around release requests (``planning.releases``, ``results.releases``) on
the tiny scenario, whose optimal plan is known: Ada (Headquarters) gives 0.5 FTE to Data
culture and 0.4 to New product, Dee (Lab) 0.2 to Data culture, Cy (Lab) 0.3 to New
product; Headquarters' only operational demand (ops, 0.5 FTE + 10 %) has 0.35 FTE of
headroom, and Lab has none."""

from __future__ import annotations

from dataclasses import astuple
from datetime import UTC, datetime

import pytest

from assembler.domain.edits import Edit, EditKind
from assembler.planning.releases import (
    network_share,
    release_costs,
    release_edits,
    time_text,
    with_releases,
)
from assembler.results.names import Names
from assembler.results.plan import Plan
from assembler.results.releases import network_memberships
from assembler.store import Leads, PlanStore, Release, ReleaseStatus, codec
from builders import tiny_scenario, tiny_scenario_one_optimum
from small_horizon import quarters
from solving import optimal
from test_store_releases import PLANNER, proposed

EVERY = {"who": "lena", "leads": Leads.all()}


@pytest.fixture(scope="module")
def plan() -> Plan:
    case = tiny_scenario_one_optimum()
    return Plan(case, optimal(case))


def requests(plan: Plan) -> list[Release]:
    assert plan.result.solution is not None
    return [
        Release(i, 1, *astuple(m), ReleaseStatus.REQUESTED, datetime.now(UTC))
        for i, m in enumerate(network_memberships(plan.scenario, plan.result.solution))
    ]


def test_the_plans_network_memberships_are_its_requests(plan: Plan) -> None:
    assert [(r.person_name, r.unit_name, r.mission_name, r.time) for r in requests(plan)] == [
        ("Ada", "Headquarters", "Data culture", {"": 0.5}),
        ("Dee", "Lab", "Data culture", {"": 0.2}),
        ("Ada", "Headquarters", "New product", {"": 0.4}),
        ("Cy", "Lab", "New product", {"": 0.3}),
    ]


def test_a_units_network_share_against_its_cap(plan: Plan) -> None:
    shares = network_share(plan, ["hq", "lab"])
    assert shares[["unit_id", "network_fte", "capacity_fte", "share", "cap"]].values.tolist() == [
        ["hq", 0.9, 1.8, 0.5, 1.0],
        ["lab", 0.5, 1.5, 0.3333, 1.0],
    ]
    capped = Plan(plan.scenario.with_settings(network_share_max=0.6), plan.result)
    assert network_share(capped, ["hq"])["cap"].tolist() == [0.6]


def test_what_each_release_costs_its_units_operations(plan: Plan) -> None:
    costs = release_costs(plan, requests(plan))
    ada = costs[costs.release_id == 0].iloc[0]
    assert (ada.fte, ada.headroom_fte, ada.kept_headroom_fte) == (0.5, 0.35, 0.85)
    assert costs[costs.release_id == 1].headroom_fte.isna().all()  # Lab has no demand
    assert release_costs(plan, []).empty


def test_time_reads_in_fte_and_period_names() -> None:
    names = Names.of(quarters())
    base = requests_like({"q1": 0.3, "q2": 0.3})
    assert time_text(base, names) == "0.3 FTE in Q1 (winter) to Q2 (spring)"
    assert time_text(requests_like({"q2": 0.2, "q3": 0.4}), names) == (
        "0.2–0.4 FTE in Q2 (spring) to Q3 (summer)"
    )
    assert time_text(requests_like({"q3": 0.25}), names) == "0.25 FTE in Q3 (summer)"
    assert time_text(requests_like({"": 0.5}), Names.of(tiny_scenario())) == "0.5 FTE"


def requests_like(time: dict[str, float]) -> Release:
    return Release(
        1, 1, "p", "P", "u", "U", "m", "M", time, ReleaseStatus.REQUESTED, datetime.now(UTC)
    )


def test_a_replan_forbids_the_declined_and_pins_the_approved_along_its_chain(
    store: PlanStore,
) -> None:
    first = proposed(store)
    store.decide_release(first, "p4", "m_transition", approve=False, reason="audit season", **EVERY)
    store.decide_release(first, "p1", "m_innovation", approve=True, **EVERY)
    declined = Edit(
        EditKind.FORBID, "m_transition", "p4", reason="release declined by lena: audit season"
    )
    pinned = Edit(EditKind.PIN, "m_innovation", "p1", reason="released by lena")
    assert set(release_edits(store, first)) == {declined, pinned}
    assert str(declined) == "forbid p4 on m_transition (release declined by lena: audit season)"

    scenario, edits = with_releases(tiny_scenario(), store, first)
    second = Plan(scenario, optimal(scenario), edits=edits).against(store.load_plan(first))
    assert second.result.solution is not None
    assert ("p4", "m_transition") not in second.result.solution.members
    assert ("p1", "m_innovation") in second.result.solution.members
    _, record = store.save("tiny", second, based_on=1, **PLANNER)
    store.propose(record.id, **PLANNER)
    # two re-plans on, the decline still holds: it was made in an earlier plan of the chain
    assert declined in release_edits(store, record.id)
    assert store.load_version(record.version_id)[0].edits == edits
    assert with_releases(tiny_scenario(), store, None) == (tiny_scenario(), ())


def test_a_release_that_no_longer_fits_the_scenario_is_refused_by_name(store: PlanStore) -> None:
    from assembler.planning.edits import EditError

    first = proposed(store)
    store.decide_release(first, "p1", "m_innovation", approve=True, **EVERY)
    without_ada = tiny_scenario().replace(
        people=[p for p in tiny_scenario().people if p.person_id != "p1"],
        person_skills=[k for k in tiny_scenario().person_skills if k.person_id != "p1"],
    )
    with pytest.raises(EditError, match="'pin p1 to m_innovation \\(released by lena\\)' of plan"):
        with_releases(without_ada, store, first)


def test_an_edit_without_a_reason_is_stored_as_before() -> None:
    plain = Edit(EditKind.DROP, "m1")
    assert codec.edits_document([plain]) == [
        {
            "kind": "drop",
            "mission_id": "m1",
            "person_id": None,
            "value": None,
            "period_id": None,
            "until": None,
        }
    ]
    why = Edit(EditKind.FORBID, "m1", "p1", reason="no")
    assert codec.edits_from(codec.edits_document([plain, why])) == (plain, why)
