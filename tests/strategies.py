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

from assembler.domain.scenario import Development, Period, Scenario, Unit
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


STRETCH = st.sampled_from((0, 1, 1, 2))
MENTOR_LEVEL = st.integers(2, 5)
PER_MENTOR = st.integers(1, 2)
SHARE = st.sampled_from((None, None, 1.0, 0.5, 0.25, 0.1))
SHARE_SETTING = st.sampled_from((1.0, 1.0, 0.5, 0.2))
DEVELOPMENT_WEIGHT = st.sampled_from((0, 10, 50))
HORIZON = st.sampled_from((1, 3, 3, 4))


@st.composite
def v3_scenarios(draw: st.DrawFn) -> Scenario:
    """``small_scenarios`` with the parts of MODEL.md v3 drawn on or off: learners and
    mentors (``stretch_levels``, development goals on skills people hold), unit network
    caps, and — over three or four periods — missions waiting for up to two earlier ones
    (so the chains have no cycle)."""
    drawn = draw(small_scenarios())
    # Fewer commitments than v1's draws, which leave most scenarios infeasible: the v3
    # parts are then seen at work rather than behind an infeasible commitment.
    base = drawn.replace(
        missions=tuple(
            m.model_copy(update={"mandatory": m.mandatory and draw(BOOLEANS)})
            for m in drawn.missions
        ),
        locks=tuple(lock for lock in drawn.locks if lock.lock == "forbid"),
        ops_demand=drawn.ops_demand[: draw(st.integers(0, 1))],
    )
    held = sorted((row.person_id, row.skill_id) for row in base.person_skills)
    development = tuple(
        Development(person_id=p, skill_id=k, weight=draw(WEIGHT)) for p, k in held if draw(BOOLEANS)
    )
    units = tuple(
        Unit(unit_id=u, parent_id=parent, network_share_max=draw(SHARE)) for u, parent in UNITS
    )
    count = draw(HORIZON)
    periods = None
    missions = base.missions
    if count > 1:
        periods = tuple(Period(period_id=f"q{t}") for t in range(1, count + 1))
        timed = []
        for j, row in enumerate(missions):
            befores = sorted(draw(st.sets(_pick(tuple(range(j))), max_size=2))) if j else []
            first = 1 if befores else draw(st.integers(1, count))
            last = count if befores else draw(st.integers(first, count))
            duration = 1 if befores else draw(st.integers(1, last - first + 1))
            timed.append(
                row.model_copy(
                    update={
                        "earliest_start": f"q{first}",
                        "latest_end": f"q{last}",
                        "duration": duration,
                        "after": ";".join(f"m{i}" for i in befores) or None,
                    }
                )
            )
        missions = tuple(timed)
    return base.replace(
        missions=missions, periods=periods, units=units, development=development
    ).with_settings(
        stretch_levels=draw(STRETCH),
        mentor_min_level=draw(MENTOR_LEVEL),
        learners_per_mentor=draw(PER_MENTOR),
        network_share_max=draw(SHARE_SETTING),
        **{"weights.development": draw(DEVELOPMENT_WEIGHT)},
    )


@st.composite
def v3_teams(draw: st.DrawFn) -> Scenario:
    """Scenarios built for the v3 parts to matter: volunteers at levels 1–5 in one skill
    across three units (mentors and people one or two levels short side by side, with
    development goals), one to four missions of one need each over three periods, each
    waiting for up to two earlier ones, and caps on the units' network time."""
    people = [
        person(
            f"p{i}",
            unit_id=draw(_pick(("u1", "u2", "u3"))),
            fte=draw(PERSON_FTE),
            network_opt_in=True,
            skills={"k0": draw(LEVEL)},
        )
        for i in range(draw(st.integers(2, 6)))
    ]
    missions = []
    for j in range(draw(MISSIONS)):
        befores = sorted(draw(st.sets(_pick(tuple(range(j))), max_size=2))) if j else []
        missions.append(
            mission(
                f"m{j}",
                {"k0": (draw(st.sampled_from((0.3, 0.5, 0.8, 1.0))), draw(st.integers(2, 4)))},
                change_type=draw(CHANGE_TYPE),
                value=draw(VALUE),
                min_team=draw(MIN_TEAM),
                duration=1,
                after=";".join(f"m{i}" for i in befores) or None,
            )
        )
    development = tuple(
        Development(person_id=p.person_id, skill_id="k0", weight=draw(WEIGHT))
        for p, _ in people
        if draw(BOOLEANS)
    )
    units = tuple(
        Unit(unit_id=u, network_share_max=draw(SHARE)) for u in ("root", "u1", "u2", "u3")
    )
    return scenario(
        people,
        missions,
        min_allocation_fte=draw(MIN_ALLOCATION),
        network_min_units=draw(NETWORK_MIN_UNITS),
        stretch_levels=draw(STRETCH),
        mentor_min_level=draw(MENTOR_LEVEL),
        learners_per_mentor=draw(PER_MENTOR),
        network_share_max=draw(SHARE_SETTING),
        **{"weights.development": draw(DEVELOPMENT_WEIGHT)},
    ).replace(
        periods=tuple(Period(period_id=f"q{t}") for t in (1, 2, 3)),
        units=units,
        development=development,
    )
