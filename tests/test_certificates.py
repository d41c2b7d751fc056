"""Infeasibility named from the data alone: each certificate on a scenario built to break
it, the message naming rows and numbers, and ``solve`` answering without a search."""

from __future__ import annotations

import pytest

from assembler import Scenario, SolveSettings, Status, solve
from assembler.compile.certificates import certified, clashes
from assembler.compile.instance import Instance
from assembler.domain.scenario import Availability, Capability, Lock, Period, Skill, Unit
from assembler.generate import generate_scenario
from assembler.results.names import Names
from builders import mission, person, scenario
from small_horizon import quarters


def named(s: Scenario) -> list[str]:
    """The certified clashes, and ``solve`` reporting exactly them without searching."""
    found = clashes(Instance(s))
    result = solve(s, SolveSettings(time_limit=10))
    assert result.status is Status.INFEASIBLE
    assert list(result.conflicts) == found and result.solve_seconds == 0.0
    return found


def test_a_mandatory_mission_needing_more_of_a_capability_than_is_left() -> None:
    s = scenario(
        [person("a")],
        [mission("m", mandatory=True)],
        capabilities=[("c018", 2, 1)],
        uses=[("m", "c018", 2)],
    )
    assert named(s) == [
        "mission m is mandatory and needs 2 units of capability c018; capacity 2, "
        "1 reserved for operations: 1 left"
    ]


def test_mandatory_missions_that_together_exceed_a_capability() -> None:
    s = scenario(
        [person("a"), person("b")],
        [mission("m1", mandatory=True), mission("m2", mandatory=True)],
        capabilities=[("c", 3, 1)],
        uses=[("m1", "c", 1), ("m2", "c", 2)],
    )
    assert named(s) == [
        "missions m1, m2 must all run and together need 3 units of capability c; "
        "capacity 3, 1 reserved for operations: 2 left"
    ]


def test_a_pinned_person_the_mission_cannot_have() -> None:
    away = scenario([person("a", fte=0.05)], [mission("m")], locks=[("a", "m", "pin")])
    assert named(away) == [
        "mission m has a pinned to it and needs 0.2 FTE of k ≥ 1, but the eligible people "
        "have 0.05 FTE in all",
        "a is pinned to mission m but has 0.05 FTE, less than the minimum share of 0.1 FTE",
    ]


def test_a_pinned_person_operations_cannot_spare() -> None:
    # Operations of u1 take 1.45 of a's and b's 1.5 FTE: a's pinned 0.1 leaves them 1.4.
    # (c, in another unit, could do the mission's work: the mission itself is not short.)
    s = scenario(
        [person("a"), person("b", fte=0.5), person("c", unit_id="u2")],
        [mission("m", {"k": 0.2})],
        ops=[("u1", "k", 1.45)],
        locks=[("a", "m", "pin")],
        ops_buffer=0.0,
    )
    (found,) = named(s)
    assert found.startswith("a (pinned to m, at least 0.1 FTE) cannot be spared")
    assert "need 1.45 FTE" in found and "have 1.4 FTE" in found


def test_a_pinned_mission_whose_work_the_unit_cannot_do_beside_operations() -> None:
    s = scenario(
        [person("a"), person("b")],
        [mission("m", {"k": 0.6}, owner_unit="u1")],
        units=[("u1", None)],
        ops=[("u1", "k", 1.5)],
        locks=[("b", "m", "pin")],
        ops_buffer=0.0,
    )
    assert named(s) == [
        "mission m has b pinned to it and needs 0.6 FTE of k ≥ 1; operations of u1 "
        "need 1.5 FTE in k (demand + buffer): 2.1 FTE in all, but the people able to do "
        "this work have 2 FTE"
    ]


def test_pins_beyond_a_person_s_focus() -> None:
    s = scenario(
        [person("a", max_missions=1)],
        [mission("m1"), mission("m2")],
        locks=[("a", "m1", "pin"), ("a", "m2", "pin")],
    )
    assert named(s) == [
        "a is pinned to missions m1, m2, which all run, but may work on 1 mission at a time"
    ]


def test_a_mandatory_mission_without_a_possible_team() -> None:
    nobody = scenario([person("a", skills={"j": 5})], [mission("m", mandatory=True)])
    assert named(nobody) == [
        "mission m is mandatory and needs k ≥ 1, but nobody eligible for it has that skill "
        "at that level"
    ]
    small = scenario([person("a")], [mission("m", mandatory=True, min_team=2)])
    assert named(small) == [
        "mission m is mandatory and needs a team of 2, but only 1 person is eligible"
    ]


def test_with_periods_the_period_is_named() -> None:
    s = scenario([person("a")], [mission("m", mandatory=True)]).replace(
        periods=(Period(period_id="q1"), Period(period_id="q2")),
        availability=(Availability(person_id="a", period_id="q2", fte=0.1),),
    )
    assert named(s) == [
        "mission m is mandatory and needs 0.2 FTE of k ≥ 1 in q2, but the eligible people "
        "have 0.1 FTE in all"
    ]


def test_a_mandatory_mission_after_one_that_cannot_finish_in_time() -> None:
    s = scenario(
        [person("a")],
        [mission("m1"), mission("m2", mandatory=True, after="m1", duration=1)],
    ).replace(periods=(Period(period_id="q1"),))
    assert named(s) == [
        "mission m2 is mandatory and runs after mission m1, which cannot end before its window does"
    ]


@pytest.mark.parametrize("people, missions", [(3000, 250)])
def test_certificates_stay_fast_on_a_large_organisation(people: int, missions: int) -> None:
    """On 3,000 people two mandatory missions wanting more licences than operations leave
    are named from the data, without building a model."""
    s = generate_scenario(people=people, missions=missions, seed=7)
    used = {row.mission_id: row for row in s.mission_capabilities}
    pair = [m for m in s.missions if m.mission_id in used][:2]
    capability = used[pair[0].mission_id].capability_id
    s = s.replace(
        missions=[m.model_copy(update={"mandatory": m in pair}) for m in s.missions],
        capabilities=[
            c.model_copy(update={"capacity": 2, "ops_reserved": 1})
            if c.capability_id == capability
            else c
            for c in s.capabilities
        ],
        mission_capabilities=[
            row.model_copy(update={"units": 2, "capability_id": capability})
            if row.mission_id in {m.mission_id for m in pair}
            else row
            for row in s.mission_capabilities
        ],
    )
    result = solve(s, SolveSettings(time_limit=30))
    assert result.status is Status.INFEASIBLE and result.solve_seconds == 0.0
    assert result.build_seconds < 5
    assert any("capacity 2, 1 reserved for operations: 1 left" in c for c in result.conflicts)


def test_clashes_told_with_the_names_planners_know() -> None:
    """Missions and people by name beside their id, skills, capabilities, units and periods
    by name alone: no id a scenario names is left bare."""
    s = scenario(
        [person("p7", "u9", {"k3": 3}, name="Ada Berg")],
        [
            mission("m1", {"k3": 0.2}, mandatory=True, name="Night rota"),
            mission("m2", {"k3": (0.2, 5)}, mandatory=True, name="Data lab"),
        ],
        units=[Unit(unit_id="u9", name="Care Unit")],
        skills=[Skill(skill_id="k3", name="Triage")],
        capabilities=[
            Capability(
                capability_id="c018", name="ERP licences", kind="tool", capacity=2, ops_reserved=1
            )
        ],
        uses=[("m1", "c018", 2)],
    )
    found = clashes(Instance(s), Names.of(s))
    assert found == [
        "mission m1 · Night rota is mandatory and needs 2 units of capability ERP licences; "
        "capacity 2, 1 reserved for operations: 1 left",
        "mission m2 · Data lab is mandatory and needs Triage ≥ 5, but nobody eligible for it "
        "has that skill at that level",
    ]
    pinned = s.replace(
        missions=[m.model_copy(update={"mandatory": False}) for m in s.missions],
        locks=[Lock(person_id="p7", mission_id="m1", lock="pin")],
        periods=(Period(period_id="q1", name="Q1 (winter)"),),
        availability=(Availability(person_id="p7", period_id="q1", fte=0),),
    )
    (away,) = [c for c in clashes(Instance(pinned), Names.of(pinned)) if "minimum share" in c]
    assert away == (
        "p7 · Ada Berg is pinned to mission m1 · Night rota but has 0 FTE in Q1 (winter), "
        "less than the minimum share of 0.1 FTE"
    )


def test_operations_that_cannot_be_protected_named() -> None:
    s = scenario(
        [person("p7", "u9", {"k3": 3}, fte=0.5, name="Ada Berg")],
        [mission("m1", {"k3": 0.2})],
        units=[Unit(unit_id="u9", name="Care Unit")],
        skills=[Skill(skill_id="k3", name="Triage")],
        ops=[("u9", "k3", 1.0)],
    )
    (found,) = clashes(Instance(s), Names.of(s))
    assert found.startswith("Care Unit: Triage need 1.1 FTE (demand + buffer)")
    assert "u9" not in found and "k3" not in found


def test_every_clash_at_once_each_with_what_to_change() -> None:
    """A mission nobody may staff and one operations leave no time for, both mandatory:
    both are named (the second was found only once the first was undone), each with the
    change that resolves it."""
    base = quarters()
    update = {"m_fast": {"mandatory": True, "latest_end": "q1"}, "m_lab": {"mandatory": True}}
    s = base.replace(
        missions=[m.model_copy(update=update.get(m.mission_id, {})) for m in base.missions]
    )
    found = certified(Instance(s), Names.of(s))
    assert [sorted(clash.missions) for clash in found] == [[3], [0]]  # m_lab, then m_fast
    lab, fast = found
    assert lab.fix == "make m_lab · Data lab optional, or lower the level it needs"
    assert fast.text.startswith("mission m_fast · Fast-track triage is mandatory and needs")
    assert "operations of Care Unit" in fast.text and "in Q1 (winter)" in fast.text
    assert fast.fix == (
        "make m_fast · Fast-track triage optional, or let it run outside Q1 (winter) (widen "
        "its window or move its start), or lower the ops buffer"
    )
    assert fast.advice == f"{fast.text}. To resolve it: {fast.fix}."
    assert named(s) == [clash.text for clash in certified(Instance(s))]  # the solver's, by id


def test_a_pin_clash_says_which_pin_to_take_off() -> None:
    s = scenario(
        [person("p7", name="Ada Berg", fte=0.05)],
        [mission("m1", name="Night rota")],
        locks=[("p7", "m1", "pin")],
    )
    fixes = [clash.fix for clash in certified(Instance(s), Names.of(s))]
    assert "unpin p7 · Ada Berg from m1 · Night rota" in fixes[0]


def test_clashes_that_share_no_one_are_told_apart() -> None:
    """Each unit's operations leave too little for its own mandatory mission: two clashes,
    not one naming both units (which would suggest the units could help each other)."""
    s = scenario(
        [person("a", "u1", {"k": 3}), person("b", "u2", {"q": 3})],
        [
            mission("m1", {"k": 0.2}, mandatory=True, owner_unit="u1"),
            mission("m2", {"q": 0.2}, mandatory=True, owner_unit="u2"),
        ],
        units=[("u1", None), ("u2", None)],
        ops=[("u1", "k", 0.8), ("u2", "q", 0.8)],
    )
    found = certified(Instance(s))
    assert [sorted(clash.missions) for clash in found] == [[0], [1]]
    assert [clash.text.split(";")[0] for clash in found] == [
        "mission m1 is mandatory and needs 0.2 FTE of k ≥ 1",
        "mission m2 is mandatory and needs 0.2 FTE of q ≥ 1",
    ]
    assert named(s) == [clash.text for clash in found]


def test_the_same_clash_in_several_periods_is_told_once() -> None:
    """Fast-track triage made mandatory over the whole year, with Ada Berg half away from
    spring: care is short in every quarter, one clash names them all."""
    base = quarters()
    half = [Availability(person_id="c1", period_id=q, fte=0.5) for q in ("q2", "q3")]
    s = base.replace(
        missions=[
            m.model_copy(update={"mandatory": m.mission_id == "m_fast", "duration": 3})
            for m in base.missions
        ],
        availability=(*base.availability, *half),
    )
    (clash,) = certified(Instance(s), Names.of(s))
    assert clash.text.count("m_fast") == 1 and " in Q1 (winter): " in clash.text
    assert clash.text.endswith("(and likewise in Q2 (spring), Q3 (summer))")
    assert clash.fix == (  # no period is left to move it to
        "make m_fast · Fast-track triage optional, or lower the ops buffer"
    )
