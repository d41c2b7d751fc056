"""Hypothesis strategy for small random scenarios that exercise every part of MODEL.md."""

from __future__ import annotations

from hypothesis import strategies as st

from assembler.domain.scenario import (
    Capability,
    Lock,
    Mission,
    MissionCapability,
    MissionNeed,
    OpsDemand,
    Person,
    PersonSkill,
    Preference,
    Scenario,
    Unit,
)
from assembler.domain.settings import ModelSettings

SKILLS = ("k0", "k1", "k2")
UNITS = (("root", None), ("u1", "root"), ("u2", "root"), ("u3", "u1"))
CHANGE_TYPES = ("improve", "renew", "transition", "innovation")


@st.composite
def small_scenarios(draw: st.DrawFn) -> Scenario:
    unit_ids = [u for u, _ in UNITS]
    people = []
    person_skills = []
    for i in range(draw(st.integers(1, 6))):
        pid = f"p{i}"
        people.append(
            Person(
                person_id=pid,
                unit_id=draw(st.sampled_from(unit_ids[1:])),
                fte=draw(st.sampled_from([0.25, 0.5, 0.8, 1.0])),
                network_opt_in=draw(st.booleans()),
                max_missions=draw(st.sampled_from([None, None, 0, 1, 2])),
            )
        )
        for skill in draw(st.sets(st.sampled_from(SKILLS), min_size=1)):
            person_skills.append(
                PersonSkill(person_id=pid, skill_id=skill, level=draw(st.integers(1, 5)))
            )
    missions = []
    needs = []
    for j in range(draw(st.integers(1, 4))):
        mid = f"m{j}"
        min_team = draw(st.integers(0, 2))
        missions.append(
            Mission(
                mission_id=mid,
                change_type=draw(st.sampled_from(CHANGE_TYPES)),
                value=draw(st.sampled_from([0.0, 0.5, 1.0, 2.5, 3.0])),
                mandatory=draw(st.booleans().map(lambda b: b and draw(st.booleans()))),
                min_team=min_team,
                max_team=draw(st.sampled_from([None, min_team, min_team + 1, 3])),
                owner_unit=draw(st.sampled_from([None, *unit_ids])),
            )
        )
        for skill in draw(st.sets(st.sampled_from(SKILLS), min_size=1, max_size=2)):
            needs.append(
                MissionNeed(
                    mission_id=mid,
                    skill_id=skill,
                    fte=draw(st.sampled_from([0.05, 0.1, 0.2, 0.3, 0.5])),
                    min_level=draw(st.integers(1, 4)),
                )
            )
    ops = [
        OpsDemand(unit_id=u, skill_id=k, fte=draw(st.sampled_from([0.1, 0.2, 0.4])))
        for u, k in draw(
            st.sets(st.tuples(st.sampled_from(unit_ids[1:]), st.sampled_from(SKILLS)), max_size=2)
        )
    ]
    mission_ids = [m.mission_id for m in missions]
    person_ids = [p.person_id for p in people]
    capacity = draw(st.integers(0, 3))
    capabilities = [
        Capability(
            capability_id="c",
            kind="tool",
            capacity=capacity,
            ops_reserved=draw(st.integers(0, capacity)),
        )
    ]
    uses = [
        MissionCapability(mission_id=m, capability_id="c", units=draw(st.integers(1, 2)))
        for m in draw(st.sets(st.sampled_from(mission_ids)))
    ]
    preferences = [
        Preference(person_id=p, mission_id=m, weight=draw(st.integers(1, 3)))
        for p, m in draw(
            st.lists(
                st.tuples(st.sampled_from(person_ids), st.sampled_from(mission_ids)), max_size=3
            )
        )
    ]
    locks = [
        Lock(person_id=p, mission_id=m, lock=draw(st.sampled_from(["pin", "forbid", "forbid"])))
        for p, m in draw(
            st.sets(
                st.tuples(st.sampled_from(person_ids), st.sampled_from(mission_ids)), max_size=2
            )
        )
    ]
    settings = ModelSettings(
        step_fte=draw(st.sampled_from([0.05, 0.1])),
        ops_buffer=draw(st.sampled_from([0.0, 0.1, 0.25])),
        min_allocation_fte=draw(st.sampled_from([0.0, 0.1, 0.15])),
        max_missions_default=draw(st.integers(1, 2)),
        network_opt_in_required=draw(st.booleans()),
        network_min_units=draw(st.integers(0, 2)),
    )
    return Scenario(
        people=tuple(people),
        person_skills=tuple(person_skills),
        missions=tuple(missions),
        mission_needs=tuple(needs),
        units=tuple(Unit(unit_id=u, parent_id=parent) for u, parent in UNITS),
        ops_demand=tuple(ops),
        capabilities=tuple(capabilities),
        mission_capabilities=tuple(uses),
        preferences=tuple(preferences),
        locks=tuple(locks),
        settings=settings,
    )
