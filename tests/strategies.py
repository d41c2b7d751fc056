"""Hypothesis strategy for small random scenarios that exercise every part of MODEL.md.

Rows are made by ``builders``, like every other test scenario.  Drawn sets are walked in
sorted order: a set's own order follows ``PYTHONHASHSEED``, so the same draws would give
differently ordered rows (and levels on other skills) in another process, and a
derandomised run could not be replayed exactly.
"""

from __future__ import annotations

from hypothesis import strategies as st

from assembler.domain.scenario import Scenario
from builders import mission, person, scenario

SKILLS = ("k0", "k1", "k2")
UNITS = (("root", None), ("u1", "root"), ("u2", "root"), ("u3", "u1"))
CHANGE_TYPES = ("improve", "renew", "transition", "innovation")


@st.composite
def small_scenarios(draw: st.DrawFn) -> Scenario:
    unit_ids = [u for u, _ in UNITS]
    people = [
        person(
            f"p{i}",
            unit_id=draw(st.sampled_from(unit_ids[1:])),
            fte=draw(st.sampled_from([0.25, 0.5, 0.8, 1.0])),
            network_opt_in=draw(st.booleans()),
            max_missions=draw(st.sampled_from([None, None, 0, 1, 2])),
            skills={
                skill: draw(st.integers(1, 5))
                for skill in sorted(draw(st.sets(st.sampled_from(SKILLS), min_size=1)))
            },
        )
        for i in range(draw(st.integers(1, 6)))
    ]
    missions = []
    for j in range(draw(st.integers(1, 4))):
        min_team = draw(st.integers(0, 2))
        missions.append(
            mission(
                f"m{j}",
                change_type=draw(st.sampled_from(CHANGE_TYPES)),
                value=draw(st.sampled_from([0.0, 0.5, 1.0, 2.5, 3.0])),
                mandatory=draw(st.booleans().map(lambda b: b and draw(st.booleans()))),
                min_team=min_team,
                max_team=draw(st.sampled_from([None, min_team, min_team + 1, 3])),
                owner_unit=draw(st.sampled_from([None, *unit_ids])),
                needs={
                    skill: (
                        draw(st.sampled_from([0.05, 0.1, 0.2, 0.3, 0.5])),
                        draw(st.integers(1, 4)),
                    )
                    for skill in sorted(
                        draw(st.sets(st.sampled_from(SKILLS), min_size=1, max_size=2))
                    )
                },
            )
        )
    ops = [
        (u, k, draw(st.sampled_from([0.1, 0.2, 0.4])))
        for u, k in sorted(
            draw(
                st.sets(
                    st.tuples(st.sampled_from(unit_ids[1:]), st.sampled_from(SKILLS)), max_size=2
                )
            )
        )
    ]
    mission_ids = [m.mission_id for m, _ in missions]
    person_ids = [p.person_id for p, _ in people]
    capacity = draw(st.integers(0, 3))
    capabilities = [("c", capacity, draw(st.integers(0, capacity)))]
    uses = [
        (m, "c", draw(st.integers(1, 2)))
        for m in sorted(draw(st.sets(st.sampled_from(mission_ids))))
    ]
    preferences = [
        (p, m, draw(st.integers(1, 3)))
        for p, m in draw(
            st.lists(
                st.tuples(st.sampled_from(person_ids), st.sampled_from(mission_ids)), max_size=3
            )
        )
    ]
    locks = [
        (p, m, draw(st.sampled_from(["pin", "forbid", "forbid"])))
        for p, m in sorted(
            draw(
                st.sets(
                    st.tuples(st.sampled_from(person_ids), st.sampled_from(mission_ids)), max_size=2
                )
            )
        )
    ]
    return scenario(
        people,
        missions,
        units=UNITS,
        ops=ops,
        capabilities=capabilities,
        uses=uses,
        preferences=preferences,
        locks=locks,
        step_fte=draw(st.sampled_from([0.05, 0.1])),
        ops_buffer=draw(st.sampled_from([0.0, 0.1, 0.25])),
        min_allocation_fte=draw(st.sampled_from([0.0, 0.1, 0.15])),
        max_missions_default=draw(st.integers(1, 2)),
        network_opt_in_required=draw(st.booleans()),
        network_min_units=draw(st.integers(0, 2)),
    )
