"""The portfolio: missions of the four change types, the capabilities they draw on, and
the volunteers' wishes.

Missions are cut to fit the organisation they are generated for (a need's level never
exceeds what the people who may fill it reach), and capabilities are sized from what the
missions ask, so both bind without making anything impossible.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

from assembler.compile.instance import demand_steps
from assembler.domain.scenario import (
    Capability,
    ChangeType,
    Mission,
    MissionCapability,
    MissionNeed,
    Person,
    Preference,
)
from assembler.domain.settings import ModelSettings
from assembler.generate.organisation import Org, Staff, slug
from assembler.generate.vocabulary import VOCABULARY, Area

_CHANGE_MIX = (
    (ChangeType.IMPROVE, 0.35),
    (ChangeType.RENEW, 0.25),
    (ChangeType.TRANSITION, 0.25),
    (ChangeType.INNOVATION, 0.15),
)
_NEED_FTES = (0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75, 1.0)
_NEED_FTE_WEIGHTS = (10, 10, 14, 12, 12, 12, 10, 8, 6, 6)
_CAPABILITY_USE = {
    ChangeType.IMPROVE: 0.15,
    ChangeType.RENEW: 0.45,
    ChangeType.TRANSITION: 0.25,
    ChangeType.INNOVATION: 0.4,
}
"""Share of missions per type that draw on a capability: system changes need tools most."""


def _quota(count: int, rng: random.Random) -> list[ChangeType]:
    """Change types in the portfolio's proportions (largest remainder), shuffled."""
    exact = [(kind, share * count) for kind, share in _CHANGE_MIX]
    counts = {kind: math.floor(x) for kind, x in exact}
    by_remainder = sorted(exact, key=lambda kx: kx[1] - math.floor(kx[1]), reverse=True)
    for kind, _ in by_remainder[: count - sum(counts.values())]:
        counts[kind] += 1
    types = [kind for kind, _ in _CHANGE_MIX for _ in range(counts[kind])]
    rng.shuffle(types)
    return types


_EVERYONE = ""
_VOLUNTEERS = "\0volunteers"
"""Keys of ``_best_levels`` next to the unit ids (which are never empty or start with NUL)."""


def _best_levels(org: Org, staff: Staff) -> dict[str, dict[str, int]]:
    """Best level per skill within each unit's branch, among volunteers and overall."""
    best: dict[str, dict[str, int]] = defaultdict(dict)
    unit_of = {p.person_id: p.unit_id for p in staff.people}
    volunteer = {p.person_id for p in staff.people if p.network_opt_in}
    for row in staff.skills:
        unit = unit_of[row.person_id]
        groups = [unit, *org.ancestors[unit], _EVERYONE]
        if row.person_id in volunteer:
            groups.append(_VOLUNTEERS)
        for group in groups:
            if row.level > best[group].get(row.skill_id, 0):
                best[group][row.skill_id] = row.level
    return best


@dataclass
class Portfolio:
    """The missions and their needs, with the functional area each works on (which is
    how a horizon chains a system change to the change of paradigm it brings along)."""

    missions: list[Mission] = field(default_factory=list)
    needs: list[MissionNeed] = field(default_factory=list)
    area: dict[str, str] = field(default_factory=dict)
    """Mission id → the category of its area."""


def build_missions(
    org: Org,
    staff: Staff,
    count: int,
    settings: ModelSettings,
    rng: random.Random,
    team_scale: float = 1.0,
) -> Portfolio:
    """Missions of all four change types with 1-4 needs each.

    Hierarchy missions mostly belong to a unit and need skills of that unit's branch;
    network missions draw on what the volunteers know, leaning on the cross-cutting change
    skills.  A need's level never exceeds the best level among the people who may fill it:
    a mission nobody could ever staff tells a benchmark nothing.  ``team_scale`` scales the
    minimum team sizes drawn (the needs grow to give every member a minimum share).
    """
    step = settings.step_fte
    min_share = demand_steps(settings.min_allocation_fte, step)
    best = _best_levels(org, staff)
    volunteers = best[_VOLUNTEERS] or best[_EVERYONE]
    change = [s for s in org.skills_of_category["change"] if s in volunteers]
    names = {unit.unit_id: unit.name for unit in org.units}
    roots = [unit.unit_id for unit in org.units if unit.parent_id is None]
    inner = [unit.unit_id for unit in org.units if unit.parent_id is not None]
    width = len(str(count))
    portfolio = Portfolio()
    for number, kind in enumerate(_quota(count, rng), start=1):
        mission_id = f"M{number:0{width}d}"
        owner: str | None = None
        if kind.is_network:
            reach = volunteers
            pool = change if change and rng.random() < 0.5 else list(reach)
            area = rng.choice(VOCABULARY.areas)
        else:
            if rng.random() < 0.8:
                owner = rng.choice(roots if rng.random() < 0.4 or not inner else inner)
            reach = best[_EVERYONE if owner is None else owner]
            home = [] if owner is None else org.branch_skills[owner]
            pool = [s for s in home if s in reach] or list(reach)
            area = org.area_of[owner] if owner else rng.choice(VOCABULARY.areas)
        n_needs = rng.choices((1, 2, 3, 4), (30, 35, 25, 10))[0]
        skills = list(dict.fromkeys(rng.choice(pool) for _ in range(n_needs)))
        ftes = rng.choices(_NEED_FTES, _NEED_FTE_WEIGHTS, k=len(skills))
        drawn = rng.choices((1, 2, 3, 4), (25, 40, 27, 8), k=len(skills))
        levels = [min(level, reach[skill]) for level, skill in zip(drawn, skills, strict=True)]
        min_team = rng.choices((1, 2, 3), (45, 35, 20) if owner else (20, 50, 30))[0]
        min_team = max(1, round(min_team * team_scale))
        # a team of n needs n times the minimum allocation; keep the mission sensible
        members_needed = max(min_team, settings.network_min_units if kind.is_network else 1)
        while sum(demand_steps(f, step) for f in ftes) < members_needed * min_share:
            ftes[0] = round(ftes[0] + min_share * step, 10)
        max_team = None
        if rng.random() < 0.3:
            max_team = max(min_team, len(skills)) + rng.randint(1, 4)
        value = min(
            100, max(1, round(math.exp(rng.gauss(2.8, 0.9)) * (1.3 if kind.is_network else 1)))
        )
        unit_name = names[owner] if owner else names[rng.choice(roots)]
        portfolio.area[mission_id] = area.category
        portfolio.missions.append(
            Mission(
                mission_id=mission_id,
                name=_mission_name(kind, area, unit_name, rng),
                change_type=kind,
                value=float(value),
                min_team=min_team,
                max_team=max_team,
                owner_unit=owner,
            )
        )
        for skill, fte, level in zip(skills, ftes, levels, strict=True):
            portfolio.needs.append(
                MissionNeed(mission_id=mission_id, skill_id=skill, fte=fte, min_level=level)
            )
    return portfolio


def _mission_name(kind: ChangeType, area: Area, unit_name: str, rng: random.Random) -> str:
    """A name from the vocabulary's patterns for ``kind``, filled from ``area`` and the
    vocabulary (the draws in this order: a seed gives the same names as ever)."""
    name = rng.choice(VOCABULARY.mission_names[kind]).format(
        obj=rng.choice(area.objects),
        unit=unit_name,
        system=rng.choice(VOCABULARY.systems),
        partner=rng.choice(VOCABULARY.partners),
        tech=rng.choice(VOCABULARY.tech),
    )
    return name[0].upper() + name[1:]


def build_capabilities(
    missions: list[Mission], rng: random.Random, scarcity: float = 1.0, most: int = 1
) -> tuple[list[Capability], list[MissionCapability]]:
    """A handful of scarce processes, information sources and tools.

    What is left for missions (capacity - ops_reserved) covers about half to four fifths of
    what the missions that use a capability ask for, so capabilities bind; ``scarcity``
    divides it further.  A mission that uses any draws on one (two for one in ten) or, with
    ``most`` above 1, on 2 up to ``most`` of them.
    """
    if not missions:
        return [], []
    chosen = VOCABULARY.capabilities[: min(len(VOCABULARY.capabilities), 3 + len(missions) // 40)]
    ids = [slug(name) for name, _ in chosen]
    uses: list[MissionCapability] = []
    demand = dict.fromkeys(ids, 0)
    for mission in missions:
        if rng.random() >= _CAPABILITY_USE[mission.change_type]:
            continue
        if most > 1:
            picks = rng.sample(ids, min(len(ids), rng.randint(2, most)))
        else:
            picks = rng.sample(ids, 2 if rng.random() < 0.1 else 1)
        for capability_id in picks:
            units = rng.choices((1, 2, 3), (60, 30, 10))[0]
            uses.append(
                MissionCapability(
                    mission_id=mission.mission_id, capability_id=capability_id, units=units
                )
            )
            demand[capability_id] += units
    capabilities = []
    for (name, kind), capability_id in zip(chosen, ids, strict=True):
        asked = demand[capability_id]
        free = (
            max(1, round(asked * rng.uniform(0.5, 0.8) / scarcity)) if asked else rng.randint(2, 6)
        )
        reserved = rng.randint(0, max(1, free // 2))
        capabilities.append(
            Capability(
                capability_id=capability_id,
                name=name,
                kind=kind,
                capacity=free + reserved,
                ops_reserved=reserved,
            )
        )
    return capabilities, uses


def build_wishes(
    staff: Staff, missions: list[Mission], needs: list[MissionNeed], rng: random.Random
) -> list[Preference]:
    """Volunteers who asked for a network mission they have a needed skill for."""
    holders: dict[str, list[Person]] = defaultdict(list)
    by_id = {p.person_id: p for p in staff.people}
    for row in staff.skills:
        holders[row.skill_id].append(by_id[row.person_id])
    needs_of: dict[str, list[MissionNeed]] = defaultdict(list)
    for need in needs:
        needs_of[need.mission_id].append(need)
    network = [m for m in missions if m.is_network]
    if not network:
        return []
    wanted = min(len(staff.people) // 4, round(1.5 * len(network)))
    seen: set[tuple[str, str]] = set()
    wishes: list[Preference] = []
    for _ in range(3 * wanted):
        if len(wishes) == wanted:
            break
        mission = rng.choice(network)
        need = rng.choice(needs_of[mission.mission_id])
        person = rng.choice(holders[need.skill_id])
        pair = (person.person_id, mission.mission_id)
        if not person.network_opt_in or pair in seen:
            continue
        seen.add(pair)
        weight = rng.choices((1, 2, 3), (50, 30, 20))[0]
        wishes.append(Preference(person_id=pair[0], mission_id=pair[1], weight=weight))
    return wishes
