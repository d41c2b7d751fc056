"""The shipped sample, Riverside Care Group: it loads cleanly and tells its story."""

from __future__ import annotations

from collections import Counter

import pytest

from assembler import Result
from assembler.domain.scenario import LockKind, Scenario
from assembler.validation import read_scenario
from builders import SAMPLE

STRUCTURALLY_UNSTAFFABLE = {
    "M09": "the pinned ERP rollout takes every ERP licence left",
    "M19": "only two volunteers reach the triage or data-analysis level it asks",
}
QUARTERS = ("2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4")


@pytest.fixture(scope="module")
def sample() -> Scenario:
    report = read_scenario(SAMPLE)
    assert [str(p) for p in report.errors] == []
    assert [str(p) for p in report.warnings] == []
    assert report.scenario is not None
    return report.scenario


def test_shape(sample: Scenario) -> None:
    assert 140 <= len(sample.people) <= 160
    assert sample.units is not None
    parent = {unit.unit_id: unit.parent_id for unit in sample.units}
    roots = {unit for unit, above in parent.items() if above is None}
    leaves = parent.keys() - set(parent.values())
    assert len(roots) == 3
    assert len(leaves) == 8
    assert {parent[leaf] for leaf in leaves} == roots  # two levels: divisions → departments
    assert {person.unit_id for person in sample.people} == leaves
    types = Counter(mission.change_type.value for mission in sample.missions)
    assert set(types) == {"improve", "renew", "transition", "innovation"}
    assert sum(mission.mandatory for mission in sample.missions) == 1
    assert sample.skills is not None and len(sample.skills) >= 20
    assert sample.ops_demand and sample.capabilities and sample.preferences
    assert {lock.lock for lock in sample.locks} == {LockKind.PIN, LockKind.FORBID}


def test_settings_are_the_model_defaults(sample: Scenario) -> None:
    assert sample.settings == type(sample.settings).model_validate({})


def test_a_year_in_four_quarters(sample: Scenario) -> None:
    """Winter peaks in emergency triage, an ERP roll-out before the shared-data mission,
    leaves and a joiner — the horizon a planner recognises."""
    assert sample.period_ids == QUARTERS
    triage = {
        row.period_id: row.fte
        for row in sample.ops_demand
        if (row.unit_id, row.skill_id) == ("emergency", "triage")
    }
    assert triage["2027-Q1"] > triage["2027-Q2"] and triage["2027-Q4"] > triage["2027-Q3"]
    missions = {mission.mission_id: mission for mission in sample.missions}
    assert missions["M15"].after == "M08" and missions["M08"].change_type.value == "renew"
    assert missions["M15"].change_type.value == "transition"
    away = [row for row in sample.availability if row.fte == 0]
    assert len({row.person_id for row in away}) >= 3  # two leaves and a joiner


def test_optimal_plan_tells_the_story(sample_optimum: tuple[Scenario, Result]) -> None:
    sample, result = sample_optimum
    assert result.status == "optimal"
    assert result.solution is not None
    staffed = result.solution.staffed
    committed = {m.mission_id for m in sample.missions if m.mandatory} | {
        lock.mission_id for lock in sample.locks if lock.lock is LockKind.PIN
    }
    assert committed <= staffed
    assert not staffed & STRUCTURALLY_UNSTAFFABLE.keys()
    assert 10 <= len(staffed) <= len(sample.missions) - 2
    starts = result.solution.starts
    # Fast-track triage waits for spring, when emergency has time beside its protected
    # operations; shared-data decisions start once the ERP roll-out has ended.
    assert QUARTERS[starts["M03"]] == "2027-Q2"
    assert starts["M15"] >= starts["M08"] + 2
