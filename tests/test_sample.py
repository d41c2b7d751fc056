"""The shipped sample, Riverside Care Group: it loads cleanly and tells its story."""

from __future__ import annotations

from collections import Counter

import pytest

from assembler import Result
from assembler.compile.instance import Instance
from assembler.domain.scenario import LockKind, Scenario
from assembler.results.report import network_shares
from assembler.validation import read_scenario
from builders import SAMPLE

STRUCTURALLY_UNSTAFFABLE = {
    "M09": "the pinned ERP rollout takes every ERP licence left",
    "M19": "only two volunteers reach the triage or data-analysis level it asks",
}
QUARTERS = ("2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4")
NURSE = "P012"
"""William Novak, an emergency nurse at triage level 2 whose goal is triage."""
OPTIMUM = 8_000_315
"""The sample's proven optimal score (value 800 of 1025 captured, goals met included)."""


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


def test_settings_are_the_model_defaults_but_learners(sample: Scenario) -> None:
    """One level of stretch under the default mentors (level 4, two learners each); every
    other setting is the model's default."""
    assert sample.settings == type(sample.settings).model_validate({"stretch_levels": 1})


def test_goals_from_appraisals_and_a_capped_finance_unit(sample: Scenario) -> None:
    """A nurse wants to grow into triage, finance people into the change work of the
    network, which may take at most 10 % of finance's time while its ERP roll-out runs."""
    goals = {(row.person_id, row.skill_id): row.weight for row in sample.development}
    assert goals[NURSE, "triage"] == 3
    assert 4 <= len(goals) <= 8
    assert sample.units is not None
    caps = {u.unit_id: u.network_share_max for u in sample.units if u.network_share_max}
    assert caps == {"finance": 0.1}


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


def test_the_nurse_learns_triage_under_an_emergency_physician(
    sample_optimum: tuple[Scenario, Result],
) -> None:
    sample, result = sample_optimum
    assert result.score == OPTIMUM
    assert result.solution is not None
    assert (NURSE, "M03", "triage") in result.solution.learners
    # A team of two, the nurse and a mentor in triage who also covers emergency medicine
    # (or mentors the nurse in it): Jade Lindqvist is the only emergency physician who can.
    mentors = {p for p, m, k in result.solution.mentors if (m, k) == ("M03", "triage")}
    assert mentors == {"P001"}
    assert {p for p, m in result.solution.members if m == "M03"} == {"P001", NURSE}
    goals = {(row.person_id, row.skill_id) for row in sample.development}
    met = {(p, k) for p, _, k in result.solution.learners} & goals
    assert {(NURSE, "triage"), ("P127", "change-facilitation"), ("P128", "data-analysis")} <= met
    # Every goal is met but Isabel Mensah's: she does not hold partnership building yet.
    assert {person for person, _ in goals - met} == {"P130"}


def test_finance_gives_the_network_at_most_a_tenth(
    sample_optimum: tuple[Scenario, Result],
) -> None:
    sample, result = sample_optimum
    shares = network_shares(Instance(sample), result.solution)
    assert shares is not None and shares.keys() == {"finance"}
    assert len(shares["finance"]) == len(QUARTERS)
    assert all(0.03 <= share <= 0.1 for share in shares["finance"])
