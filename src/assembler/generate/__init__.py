"""Synthetic organisations of any size, for benchmarks, demos and property tests.

A generated scenario has to look like a real organisation to be a fair test of the
optimiser: a unit tree with leaf teams of 15-40 people, skills clustered by function so a
unit's operational load is coverable by its own people, operations that take most but not
all of everyone's time, and a portfolio of missions across the four change types of which
only part can be staffed.  It also has to be *feasible by construction*, because a
benchmark that is infeasible measures nothing: operational demand is derived from an
explicit allocation of people's time, and the mandatory mission and every pin are only
emitted once a concrete staffing plan (a witness) shows they fit together with operations.

Everything is drawn from one ``random.Random(seed)``, and no set is ever iterated to drive a
draw, so a seed always yields the same scenario.  The work is linear in people + missions.

The code follows the stages: ``organisation`` (units, skills, people, operations),
``portfolio`` (missions, capabilities, wishes) and ``commitments`` (mandatory mission, pins,
forbids); the words they use are data, in ``vocabulary.toml``.
"""

from __future__ import annotations

import random

from assembler.domain.scenario import Scenario
from assembler.domain.settings import ModelSettings
from assembler.generate.commitments import build_commitments, build_forbids
from assembler.generate.organisation import build_ops, build_people, build_skills, build_tree
from assembler.generate.portfolio import build_capabilities, build_missions, build_wishes

__all__ = ["generate_scenario"]


def generate_scenario(people: int, missions: int, seed: int = 0) -> Scenario:
    """A realistic synthetic organisation with ``people`` people and ``missions`` missions.

    Valid by construction (every reference resolves, every pin is eligible), feasible
    (operations coverable with the buffer, the mandatory mission and pins staffable together)
    and deterministic for ``seed``.  Default model settings apply.
    """
    if people < 1:
        raise ValueError("an organisation needs at least one person")
    if missions < 1:
        raise ValueError("a scenario needs at least one mission")
    rng = random.Random(seed)
    settings = ModelSettings.model_validate({})
    org = build_tree(people, rng)
    build_skills(org, people, rng)
    staff = build_people(org, people, rng)
    ops = build_ops(org, staff, settings, rng)
    portfolio, needs = build_missions(org, staff, missions, settings, rng)
    capabilities, uses = build_capabilities(portfolio, rng)
    scenario = Scenario(
        people=tuple(staff.people),
        person_skills=tuple(staff.skills),
        missions=tuple(portfolio),
        mission_needs=tuple(needs),
        units=tuple(org.units),
        skills=tuple(org.skills),
        ops_demand=tuple(ops),
        capabilities=tuple(capabilities),
        mission_capabilities=tuple(uses),
        preferences=tuple(build_wishes(staff, portfolio, needs, rng)),
        settings=settings,
    )
    forbids = build_forbids(scenario, rng)
    scenario = scenario.replace(locks=tuple(forbids))
    mandatory, pins = build_commitments(scenario, staff, capabilities, uses, rng)
    final = [
        m.model_copy(update={"mandatory": True}) if m.mission_id == mandatory else m
        for m in portfolio
    ]
    return scenario.replace(missions=tuple(final), locks=(*pins, *forbids))
