"""Hypothesis strategy for small random scenarios that exercise every part of MODEL.md.

Rows are made by ``builders``, like every other test scenario.  Drawn sets are walked in
sorted order: a set's own order follows ``PYTHONHASHSEED``, so the same draws would give
differently ordered rows (and levels on other skills) in another process, and a
derandomised run could not be replayed exactly.

Strategies are built once, at import or per distinct argument (``_pick``), not inside each
draw: building and validating fresh strategy objects, not drawing from them, took most of
the time of a test that draws hundreds of scenarios.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from hypothesis import strategies as st

from assembler.domain.scenario import Scenario
from builders import mission, person, scenario

SKILLS = ("k0", "k1", "k2")
UNITS = (("root", None), ("u1", "root"), ("u2", "root"), ("u3", "u1"))
CHANGE_TYPES = ("improve", "renew", "transition", "innovation")
UNIT_IDS = tuple(u for u, _ in UNITS)

BOOLEANS = st.booleans()
PERSON_UNIT = st.sampled_from(UNIT_IDS[1:])
PERSON_FTE = st.sampled_from((0.25, 0.5, 0.8, 1.0))
MAX_MISSIONS = st.sampled_from((None, None, 0, 1, 2))
PERSON_SKILLS = st.sets(st.sampled_from(SKILLS), min_size=1)
LEVEL = st.integers(1, 5)
PEOPLE = st.integers(1, 6)
MISSIONS = st.integers(1, 4)
MIN_TEAM = st.integers(0, 2)
CHANGE_TYPE = st.sampled_from(CHANGE_TYPES)
VALUE = st.sampled_from((0.0, 0.5, 1.0, 2.5, 3.0))
OWNER = st.sampled_from((None, *UNIT_IDS))
NEED_SKILLS = st.sets(st.sampled_from(SKILLS), min_size=1, max_size=2)
NEED_FTE = st.sampled_from((0.05, 0.1, 0.2, 0.3, 0.5))
NEED_LEVEL = st.integers(1, 4)
OPS = st.sets(st.tuples(PERSON_UNIT, st.sampled_from(SKILLS)), max_size=2)
OPS_FTE = st.sampled_from((0.1, 0.2, 0.4))
CAPACITY = st.integers(0, 3)
UNITS_USED = st.integers(1, 2)
WEIGHT = st.integers(1, 3)
LOCK = st.sampled_from(("pin", "forbid", "forbid"))
STEP = st.sampled_from((0.05, 0.1))
BUFFER = st.sampled_from((0.0, 0.1, 0.25))
MIN_ALLOCATION = st.sampled_from((0.0, 0.1, 0.15))
MAX_MISSIONS_DEFAULT = st.integers(1, 2)
NETWORK_MIN_UNITS = st.integers(0, 2)


@cache
def _pick(values: tuple[Any, ...]) -> st.SearchStrategy[Any]:
    """``sampled_from(values)``, built once per distinct ``values``."""
    return st.sampled_from(values)


@cache
def _pairs(person_ids: tuple[str, ...], mission_ids: tuple[str, ...]) -> st.SearchStrategy[Any]:
    """A (person, mission) pair, built once per distinct ids."""
    return st.tuples(_pick(person_ids), _pick(mission_ids))


@st.composite
def small_scenarios(draw: st.DrawFn) -> Scenario:
    people = [
        person(
            f"p{i}",
            unit_id=draw(PERSON_UNIT),
            fte=draw(PERSON_FTE),
            network_opt_in=draw(BOOLEANS),
            max_missions=draw(MAX_MISSIONS),
            skills={skill: draw(LEVEL) for skill in sorted(draw(PERSON_SKILLS))},
        )
        for i in range(draw(PEOPLE))
    ]
    missions = []
    for j in range(draw(MISSIONS)):
        min_team = draw(MIN_TEAM)
        missions.append(
            mission(
                f"m{j}",
                change_type=draw(CHANGE_TYPE),
                value=draw(VALUE),
                mandatory=draw(BOOLEANS.map(lambda b: b and draw(BOOLEANS))),
                min_team=min_team,
                max_team=draw(_pick((None, min_team, min_team + 1, 3))),
                owner_unit=draw(OWNER),
                needs={
                    skill: (draw(NEED_FTE), draw(NEED_LEVEL)) for skill in sorted(draw(NEED_SKILLS))
                },
            )
        )
    ops = [(u, k, draw(OPS_FTE)) for u, k in sorted(draw(OPS))]
    mission_ids = tuple(m.mission_id for m, _ in missions)
    person_ids = tuple(p.person_id for p, _ in people)
    capacity = draw(CAPACITY)
    capabilities = [("c", capacity, draw(st.integers(0, capacity)))]
    uses = [(m, "c", draw(UNITS_USED)) for m in sorted(draw(st.sets(_pick(mission_ids))))]
    pairs = _pairs(person_ids, mission_ids)
    preferences = [(p, m, draw(WEIGHT)) for p, m in draw(st.lists(pairs, max_size=3))]
    locks = [(p, m, draw(LOCK)) for p, m in sorted(draw(st.sets(pairs, max_size=2)))]
    return scenario(
        people,
        missions,
        units=UNITS,
        ops=ops,
        capabilities=capabilities,
        uses=uses,
        preferences=preferences,
        locks=locks,
        step_fte=draw(STEP),
        ops_buffer=draw(BUFFER),
        min_allocation_fte=draw(MIN_ALLOCATION),
        max_missions_default=draw(MAX_MISSIONS_DEFAULT),
        network_opt_in_required=draw(BOOLEANS),
        network_min_units=draw(NETWORK_MIN_UNITS),
    )
