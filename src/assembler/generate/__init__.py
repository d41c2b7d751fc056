"""Synthetic organisations of any size, for benchmarks, demos and property tests.

A generated scenario has to look like a real organisation to be a fair test of the
optimiser: a unit tree with leaf teams of 15-40 people, skills clustered by function so a
unit's operational load is coverable by its own people, operations that take most but not
all of everyone's time, and a portfolio of missions across the four change types of which
only part can be staffed.  It also has to be *feasible by construction*, because a
benchmark that is infeasible measures nothing: operational demand is derived from an
explicit allocation of people's time, and the mandatory mission and every pin are only
emitted once a concrete staffing plan (a witness) shows they fit together with operations
(with periods: in every period, with people present while their missions run).

Everything is drawn from ``random.Random(seed)`` (a horizon from a second stream named after
the seed), and no set is ever iterated to drive a draw, so a seed always yields the same
scenario.  The work is linear in people + missions.

The code follows the stages: ``organisation`` (units, skills, people, operations),
``portfolio`` (missions, capabilities, wishes), ``horizon`` (periods, seasonal peaks, leave,
mission timing; only when periods are asked for, from a random stream of its own) and
``commitments`` (mandatory missions, pins, forbids); ``shape`` holds the knobs that make
other kinds of organisation, and the words they use are data, in ``vocabulary.toml``.
"""

from __future__ import annotations

import random

from assembler.compile.instance import capacity_steps
from assembler.domain.scenario import Scenario
from assembler.domain.settings import ModelSettings
from assembler.generate.commitments import build_commitments, build_forbids
from assembler.generate.growth import add_growth
from assembler.generate.horizon import build_horizon, unblock
from assembler.generate.organisation import build_ops, build_people, build_skills, build_tree
from assembler.generate.portfolio import build_capabilities, build_missions, build_wishes
from assembler.generate.shape import SECOND_FAMILY, SHAPES, Shape

__all__ = ["SECOND_FAMILY", "SHAPES", "Shape", "generate_scenario"]


def generate_scenario(
    people: int,
    missions: int,
    seed: int = 0,
    periods: int | None = None,
    shape: Shape | None = None,
    growth: bool = False,
) -> Scenario:
    """A realistic synthetic organisation with ``people`` people and ``missions`` missions.

    Valid by construction (every reference resolves, every pin is eligible), feasible
    (operations coverable with the buffer in every period, the mandatory missions and pins
    staffable together) and deterministic for ``seed``.  Default model settings apply.

    ``periods`` plans a horizon of that many quarters (months beyond two years): winter
    peaks, leave, joiners and leavers, mission windows and ``after`` chains; ``None`` is a
    scenario without periods (MODEL.md v1).  ``shape`` changes how the organisation is made
    (see ``Shape``); ``None`` is ``Shape()``.  Neither changes the organisation drawn for a
    seed: without them the output is exactly what it always was.  ``growth`` adds MODEL.md
    v3's parts (``generate.growth``: learners, development goals, network caps) on top,
    from a random stream of their own.
    """
    if people < 1:
        raise ValueError("an organisation needs at least one person")
    if missions < 1:
        raise ValueError("a scenario needs at least one mission")
    if periods is not None and periods < 1:
        raise ValueError("a horizon needs at least one period")
    shape = shape or Shape()
    rng = random.Random(seed)
    settings = ModelSettings.model_validate({})
    org = build_tree(people, rng, shape.tree_depth)
    build_skills(org, people, rng)
    staff = build_people(org, people, rng, shape)
    ops = build_ops(org, staff, settings, rng)
    portfolio = build_missions(org, staff, missions, settings, rng, shape.team_scale)
    capabilities, uses = build_capabilities(
        portfolio.missions, rng, shape.capability_scarcity, shape.capabilities_per_mission
    )
    scenario = Scenario(
        people=tuple(staff.people),
        person_skills=tuple(staff.skills),
        missions=tuple(portfolio.missions),
        mission_needs=tuple(portfolio.needs),
        units=tuple(org.units),
        skills=tuple(org.skills),
        ops_demand=tuple(ops),
        capabilities=tuple(capabilities),
        mission_capabilities=tuple(uses),
        preferences=tuple(build_wishes(staff, portfolio.missions, portfolio.needs, rng)),
        settings=settings,
    )
    forbids = build_forbids(scenario, rng)
    scenario = scenario.replace(locks=tuple(forbids))
    if periods is None:
        free = {
            p.person_id: [
                capacity_steps(p.fte, settings.step_fte) - staff.ops_steps.get(p.person_id, 0)
            ]
            for p in staff.people
        }
    else:
        horizon = build_horizon(
            periods, staff, ops, portfolio, settings, random.Random(f"{seed}/horizon")
        )
        scenario = unblock(
            scenario.replace(
                periods=tuple(horizon.periods),
                availability=tuple(horizon.availability),
                ops_demand=(*ops, *horizon.peaks),
                missions=tuple(horizon.missions),
            ),
            horizon,
        )
        free = horizon.free
    mandatory, pins = build_commitments(
        scenario, free, capabilities, uses, rng, shape.mandatory_share
    )
    final = [
        m.model_copy(update={"mandatory": True}) if m.mission_id in mandatory else m
        for m in scenario.missions
    ]
    generated = scenario.replace(missions=tuple(final), locks=(*pins, *forbids))
    return add_growth(generated, seed) if growth else generated
