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
"""

from __future__ import annotations

import math
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import accumulate

from assembler.compile.eligibility import Eligibility
from assembler.compile.instance import capacity_steps, demand_steps, protected_steps
from assembler.domain.scenario import (
    Capability,
    CapabilityKind,
    ChangeType,
    Lock,
    LockKind,
    Mission,
    MissionCapability,
    MissionNeed,
    OpsDemand,
    Person,
    PersonSkill,
    Preference,
    Scenario,
    Skill,
    Unit,
)
from assembler.domain.settings import ModelSettings

# --- the vocabulary of a generic organisation -------------------------------------------


@dataclass(frozen=True)
class _Area:
    """A functional area: what a division does, which skills it lives on, what it works on."""

    division: str
    category: str
    skills: tuple[str, ...]
    departments: tuple[str, ...]
    objects: tuple[str, ...]


_AREAS: tuple[_Area, ...] = (
    _Area(
        "Operations",
        "operations",
        (
            "Production planning",
            "Quality control",
            "Maintenance",
            "Health & safety",
            "Logistics",
            "Inventory management",
            "Shift scheduling",
            "Equipment operation",
        ),
        ("Production", "Maintenance", "Quality Assurance", "Planning", "Warehouse", "Logistics"),
        ("shift handovers", "warehouse picking", "quality checks", "deliveries", "maintenance"),
    ),
    _Area(
        "Customer Services",
        "customer",
        (
            "Customer service",
            "Complaint handling",
            "Account management",
            "Sales",
            "CRM administration",
            "Service design",
            "Contract negotiation",
        ),
        ("Contact Centre", "Field Service", "Key Accounts", "Sales", "Customer Success"),
        ("complaint handling", "onboarding", "service requests", "quotes", "renewals"),
    ),
    _Area(
        "Finance & Administration",
        "finance",
        (
            "Accounting",
            "Controlling",
            "Payroll",
            "Procurement",
            "ERP administration",
            "Risk & compliance",
            "Legal review",
            "Tax",
        ),
        ("Accounting", "Controlling", "Procurement", "Legal & Compliance", "Payroll"),
        ("month-end close", "invoicing", "purchasing", "budgeting", "audits"),
    ),
    _Area(
        "Technology",
        "technology",
        (
            "Software development",
            "Cloud infrastructure",
            "Cybersecurity",
            "Data engineering",
            "Data analysis",
            "Test automation",
            "IT support",
            "Enterprise architecture",
        ),
        ("Software Engineering", "Infrastructure", "Service Desk", "Data & Analytics", "Security"),
        ("releases", "incident handling", "reporting", "access management", "data quality"),
    ),
    _Area(
        "People & Culture",
        "people",
        ("Recruiting", "Learning & development", "Employee relations", "Labour law", "Coaching"),
        ("Talent Acquisition", "Learning", "HR Services"),
        ("hiring", "onboarding of new staff", "training", "absence handling"),
    ),
    _Area(
        "Marketing & Communication",
        "marketing",
        (
            "Marketing",
            "Content writing",
            "Market research",
            "Brand management",
            "Digital campaigns",
            "Public relations",
        ),
        ("Marketing", "Communication", "Market Insights"),
        ("campaigns", "lead generation", "the website", "customer insights"),
    ),
    _Area(
        "Research & Development",
        "research",
        (
            "Product design",
            "Prototyping",
            "Applied research",
            "Regulatory affairs",
            "UX research",
            "Product management",
        ),
        ("Product Design", "Research Lab", "Regulatory", "Product Management"),
        ("product launches", "prototyping", "certification", "the product roadmap"),
    ),
)

_CHANGE_SKILLS: tuple[str, ...] = (
    "Process improvement (lean)",
    "Change facilitation",
    "Project management",
    "Agile coaching",
    "Stakeholder management",
    "Design thinking",
    "Data literacy",
)
"""Cross-cutting skills: held across the organisation, the raw material of network missions."""

_QUALIFIERS: tuple[str, ...] = (
    "public sector",
    "B2B",
    "B2C",
    "international",
    "high-volume",
    "regulated markets",
    "mission-critical",
    "emerging tech",
)
"""Specialisations that grow the skills catalogue of large organisations beyond the base."""

_REGIONS: tuple[str, ...] = ("North", "South", "East", "West", "Central", "Coastal", "Metro")

_CAPABILITIES: tuple[tuple[str, CapabilityKind], ...] = (
    ("ERP licences", CapabilityKind.TOOL),
    ("Customer-data platform", CapabilityKind.INFORMATION),
    ("Design-sprint facilitation", CapabilityKind.PROCESS),
    ("Test lab slots", CapabilityKind.TOOL),
    ("Data warehouse capacity", CapabilityKind.INFORMATION),
    ("Cloud sandbox environments", CapabilityKind.TOOL),
    ("Change-advisory board slots", CapabilityKind.PROCESS),
    ("Analytics workbench seats", CapabilityKind.TOOL),
    ("Market research panel", CapabilityKind.INFORMATION),
    ("Legal review hours", CapabilityKind.PROCESS),
    ("Low-code platform licences", CapabilityKind.TOOL),
    ("Pilot-site agreements", CapabilityKind.PROCESS),
)

_FIRST_NAMES: tuple[str, ...] = (
    "Anna", "Bram", "Chloé", "Daan", "Emre", "Fatima", "Gerrit", "Hanna", "Ibrahim", "Joost",
    "Karin", "Lars", "Maria", "Noah", "Olga", "Pieter", "Qiu", "Rosa", "Sanne", "Tobias",
    "Umar", "Vera", "Wouter", "Xin", "Yasmin", "Zoë", "Aisha", "Bas", "Carlos", "Dewi",
    "Elif", "Femke", "Grace", "Hugo", "Isa", "Jasper", "Kofi", "Lotte", "Mohamed", "Nadia",
    "Omar", "Priya", "Ruben", "Sofia", "Thijs", "Ursula", "Vikram", "Willem", "Yusuf", "Zara",
)  # fmt: skip

_LAST_NAMES: tuple[str, ...] = (
    "de Vries", "Jansen", "Bakker", "Visser", "Smit", "Meijer", "Demir", "El Amrani",
    "Kowalski", "Nguyen", "Patel", "García", "Müller", "O'Brien", "Rossi", "Chen",
    "Mensah", "Novak", "Lindqvist", "Dubois", "van Dijk", "Mulder", "Bos", "Hendriks",
    "Kaya", "Haddou", "Singh", "Fernandes", "Schmidt", "Wang", "Kim", "Okafor", "Ivanova",
    "Hoekstra", "Brouwer", "Peeters", "Suleiman", "Larsen", "Costa", "Tanaka",
)  # fmt: skip

_MISSION_NAMES: dict[ChangeType, tuple[str, ...]] = {
    ChangeType.IMPROVE: (
        "Reduce lead time of {obj}",
        "Streamline {obj}",
        "Cut rework in {obj}",
        "First-time-right for {obj}",
        "Lean sprint on {obj}",
        "Standardise {obj} across {unit}",
    ),
    ChangeType.RENEW: (
        "{system} rollout in {unit}",
        "Automate {obj}",
        "Redesign {obj} in {unit}",
        "Migrate {obj} to the new {system}",
        "Restructure {unit}",
    ),
    ChangeType.TRANSITION: (
        "Partnership model with {partner}",
        "From transactions to partnerships with {partner}",
        "Co-create {obj} with {partner}",
        "Shared-data decisions on {obj}",
        "Self-organising teams for {obj}",
    ),
    ChangeType.INNOVATION: (
        "{tech} pilot for {obj}",
        "New service: {obj} as a subscription",
        "Sustainability offer with {partner}",
        "{tech} venture with {partner}",
    ),
}
_SYSTEMS = ("ERP", "CRM", "planning system", "data platform", "HR suite", "service portal")
_PARTNERS = ("key customers", "suppliers", "local partners", "universities", "start-ups")
_TECH = ("AI", "IoT", "Digital-twin", "Remote-monitoring", "Circular-economy", "Self-service")

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

LEAF_SIZE = 27
"""Mean people per leaf unit; sizes vary ±40 % around it (about 15-40)."""


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """``total`` split into ``parts`` positive sizes that vary ±40 % around the mean."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    sizes = [1 + math.floor(w * scale) for w in weights]
    for i in rng.sample(range(parts), total - sum(sizes)):
        sizes[i] += 1
    return sizes


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


# --- the organisation ------------------------------------------------------------------


@dataclass
class _Org:
    """The unit tree and skills catalogue under construction."""

    units: list[Unit] = field(default_factory=list)
    leaves: list[str] = field(default_factory=list)
    area_of: dict[str, _Area] = field(default_factory=dict)
    ancestors: dict[str, list[str]] = field(default_factory=dict)
    skills: list[Skill] = field(default_factory=list)
    skills_of_category: dict[str, list[str]] = field(default_factory=dict)
    home: dict[str, list[str]] = field(default_factory=dict)
    branch_skills: dict[str, list[str]] = field(default_factory=dict)

    def add_unit(self, unit_id: str, name: str, parent: str | None, area: _Area) -> None:
        self.units.append(Unit(unit_id=unit_id, name=name, parent_id=parent))
        self.area_of[unit_id] = area
        self.ancestors[unit_id] = [] if parent is None else [parent, *self.ancestors[parent]]


def _build_tree(people: int, rng: random.Random) -> _Org:
    """Divisions → departments (→ teams for big organisations), people only in the leaves."""
    org = _Org()
    n_leaves = max(min(2, people), round(people / LEAF_SIZE))
    three_levels = n_leaves > 40
    if three_levels:
        n_div = min(14, max(4, round(n_leaves ** (1 / 3))))
        n_mid = max(n_div, round(math.sqrt(n_leaves * n_div)))
    else:
        n_div = min(len(_AREAS), max(1, math.ceil(n_leaves / 3)))
        n_mid = n_leaves
    areas = rng.sample(_AREAS, len(_AREAS))
    mids: list[str] = []
    for d, dept_count in enumerate(_split(n_mid, n_div, rng), start=1):
        area = areas[(d - 1) % len(areas)]
        round_no = (d - 1) // len(areas)
        division_name = area.division if round_no == 0 else f"{area.division} {_REGIONS[round_no]}"
        division_id = f"D{d}"
        org.add_unit(division_id, division_name, None, area)
        for k in range(dept_count):
            base = area.departments[k % len(area.departments)]
            extra = k // len(area.departments)
            dept_name = base if extra == 0 else f"{base} {_REGIONS[(extra - 1) % len(_REGIONS)]}"
            dept_id = f"{division_id}.{k + 1}"
            org.add_unit(dept_id, dept_name, division_id, area)
            mids.append(dept_id)
    if three_levels:
        names = {unit.unit_id: unit.name for unit in org.units}
        for mid, team_count in zip(mids, _split(n_leaves, n_mid, rng), strict=True):
            for t in range(team_count):
                team_id = f"{mid}.{t + 1}"
                org.add_unit(team_id, f"{names[mid]} Team {t + 1}", mid, org.area_of[mid])
                org.leaves.append(team_id)
    else:
        org.leaves = mids
    return org


def _build_skills(org: _Org, people: int, rng: random.Random) -> None:
    """The catalogue: the areas in use, the change skills, then others until it is big enough.

    It grows slowly with the organisation (``20 + people / 100``, at most 150) because a
    large organisation has more specialisms, not a different profession per person.
    """
    target = min(150, 20 + people // 100)
    used = list(dict.fromkeys(org.area_of[leaf] for leaf in org.leaves))
    others = [area for area in _AREAS if area not in used]
    entries: list[tuple[str, str]] = [(s, a.category) for a in used for s in a.skills]
    entries += [(s, "change") for s in _CHANGE_SKILLS]
    for area in others:
        if len(entries) >= target:
            break
        entries += [(s, area.category) for s in area.skills]
    base = list(entries)
    for qualifier in _QUALIFIERS:
        for name, category in base:
            if len(entries) >= target:
                break
            if category != "change":
                entries.append((f"{name} ({qualifier})", category))
    for name, category in entries:
        skill_id = _slug(name)
        org.skills.append(Skill(skill_id=skill_id, name=name, category=category))
        org.skills_of_category.setdefault(category, []).append(skill_id)
    for leaf in org.leaves:
        pool = org.skills_of_category[org.area_of[leaf].category]
        home = rng.sample(pool, min(len(pool), rng.randint(4, 6)))
        home.append(rng.choice(org.skills_of_category["change"]))
        org.home[leaf] = home
        for unit in (leaf, *org.ancestors[leaf]):
            org.branch_skills.setdefault(unit, []).extend(home)
    for unit, skills in org.branch_skills.items():
        org.branch_skills[unit] = list(dict.fromkeys(skills))


@dataclass
class _Staff:
    """People, their skills and the time each keeps on operations (the ops witness)."""

    people: list[Person] = field(default_factory=list)
    skills: list[PersonSkill] = field(default_factory=list)
    level: dict[tuple[str, str], int] = field(default_factory=dict)
    in_unit: dict[str, list[Person]] = field(default_factory=dict)
    ops_steps: dict[str, int] = field(default_factory=dict)


_FTES = (1.0, 0.8, 0.5, 0.6)
_FTE_CUM_WEIGHTS = tuple(accumulate((78, 12, 7, 3)))
_SKILL_COUNTS = (3, 4, 5, 6, 7, 8)
_SKILL_COUNT_CUM_WEIGHTS = tuple(accumulate((10, 20, 25, 20, 15, 10)))
_LEVELS = (1, 2, 3, 4, 5)
_HOME_LEVEL_CUM_WEIGHTS = tuple(accumulate((8, 32, 35, 18, 7)))
_OTHER_LEVEL_CUM_WEIGHTS = tuple(accumulate((30, 40, 20, 8, 2)))
"""Per-person draws use cumulative weights: ``choices`` then skips re-summing them."""


def _build_people(org: _Org, people: int, rng: random.Random) -> _Staff:
    """People in leaf units, strongest in their unit's home skills, some in the change skills."""
    staff = _Staff()
    catalogue = [skill.skill_id for skill in org.skills]
    change = org.skills_of_category["change"]
    opt_in_rate = rng.uniform(0.30, 0.40)
    opt_in = [rng.random() < opt_in_rate for _ in range(people)]
    # a network needs volunteers: even the smallest organisation has two, in its first and
    # last unit
    opt_in[0] = opt_in[-1] = True
    width = len(str(people))
    sizes = _split(people, len(org.leaves), rng)
    number = 0
    for leaf, size in zip(org.leaves, sizes, strict=True):
        home = org.home[leaf]
        members = staff.in_unit.setdefault(leaf, [])
        for _ in range(size):
            number += 1
            draw = rng.random()
            person = Person(
                person_id=f"P{number:0{width}d}",
                name=f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}",
                unit_id=leaf,
                fte=rng.choices(_FTES, cum_weights=_FTE_CUM_WEIGHTS)[0],
                network_opt_in=opt_in[number - 1],
                max_missions=1 if draw < 0.10 else 3 if draw < 0.15 else None,
            )
            staff.people.append(person)
            members.append(person)
            count = rng.choices(_SKILL_COUNTS, cum_weights=_SKILL_COUNT_CUM_WEIGHTS)[0]
            held = rng.sample(home, min(len(home), rng.randint(2, 4)))
            levels = rng.choices(_LEVELS, cum_weights=_HOME_LEVEL_CUM_WEIGHTS, k=len(held))
            while len(held) < count:
                skill = rng.choice(change if rng.random() < 0.4 else catalogue)
                if skill not in held:
                    held.append(skill)
                    levels.append(rng.choices(_LEVELS, cum_weights=_OTHER_LEVEL_CUM_WEIGHTS)[0])
            for skill, level in zip(held, levels, strict=True):
                staff.skills.append(
                    PersonSkill(person_id=person.person_id, skill_id=skill, level=level)
                )
                staff.level[person.person_id, skill] = level
    return staff


def _build_ops(
    org: _Org, staff: _Staff, settings: ModelSettings, rng: random.Random
) -> list[OpsDemand]:
    """Operational demand derived from an explicit allocation of each unit's people.

    Each qualified person keeps a share of their time on one demand skill; the demand is
    then the largest FTE whose protected requirement ``R`` fits what was allocated.  So
    every unit's demand is coverable with the buffer by construction, and ``staff.ops_steps``
    records the time that allocation uses (the free rest is what missions may take).
    """
    step, buffer = settings.step_fte, settings.ops_buffer
    demands: list[OpsDemand] = []
    for leaf in org.leaves:
        members = staff.in_unit[leaf]
        count = min(len(org.home[leaf]) - 1, rng.randint(2, 5))
        wanted: list[tuple[str, int]] = []
        for skill in org.home[leaf][:count]:
            levels = sorted(
                (staff.level.get((p.person_id, skill), 0) for p in members), reverse=True
            )
            # at least two people (or the one there is) must qualify: a realistic minimum level
            reachable = levels[min(1, len(levels) - 1)]
            min_level = min(rng.choices((1, 2, 3), (45, 40, 15))[0], reachable)
            if min_level >= 1:
                wanted.append((skill, min_level))
        qualified = [
            (p, [s for s, lvl in wanted if staff.level.get((p.person_id, s), 0) >= lvl])
            for p in members
        ]
        qualified = [(p, skills) for p, skills in qualified if skills]
        unit_steps = sum(capacity_steps(p.fte, step) for p in members)
        qualified_steps = sum(capacity_steps(p.fte, step) for p, _ in qualified)
        share = rng.uniform(0.55, 0.75) * (1 + buffer) * unit_steps / max(1, qualified_steps)
        allocated = dict.fromkeys((s for s, _ in wanted), 0)
        for person, skills in qualified:
            cap = capacity_steps(person.fte, step)
            steps = min(cap, round(cap * share))
            allocated[min(skills, key=lambda s: allocated[s])] += steps
            staff.ops_steps[person.person_id] = steps
        for skill, min_level in wanted:
            n = math.floor(allocated[skill] / (1 + buffer)) + 1
            while n > 0 and protected_steps(round(n * step, 10), buffer, step) > allocated[skill]:
                n -= 1
            if n > 0:
                demands.append(
                    OpsDemand(
                        unit_id=leaf, skill_id=skill, fte=round(n * step, 10), min_level=min_level
                    )
                )
    return demands


# --- the portfolio ----------------------------------------------------------------------

_EVERYONE = ""
_VOLUNTEERS = "\0volunteers"
"""Keys of ``_best_levels`` next to the unit ids (which are never empty or start with NUL)."""


def _best_levels(org: _Org, staff: _Staff) -> dict[str, dict[str, int]]:
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


def _build_missions(
    org: _Org, staff: _Staff, count: int, settings: ModelSettings, rng: random.Random
) -> tuple[list[Mission], list[MissionNeed]]:
    """Missions of all four change types with 1-4 needs each.

    Hierarchy missions mostly belong to a unit and need skills of that unit's branch;
    network missions draw on what the volunteers know, leaning on the cross-cutting change
    skills.  A need's level never exceeds the best level among the people who may fill it:
    a mission nobody could ever staff tells a benchmark nothing.
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
    missions: list[Mission] = []
    needs: list[MissionNeed] = []
    for number, kind in enumerate(_quota(count, rng), start=1):
        mission_id = f"M{number:0{width}d}"
        owner: str | None = None
        if kind.is_network:
            reach = volunteers
            pool = change if change and rng.random() < 0.5 else list(reach)
            area = rng.choice(_AREAS)
        else:
            if rng.random() < 0.8:
                owner = rng.choice(roots if rng.random() < 0.4 else inner)
            reach = best[_EVERYONE if owner is None else owner]
            home = [] if owner is None else org.branch_skills[owner]
            pool = [s for s in home if s in reach] or list(reach)
            area = org.area_of[owner] if owner else rng.choice(_AREAS)
        n_needs = rng.choices((1, 2, 3, 4), (30, 35, 25, 10))[0]
        skills = list(dict.fromkeys(rng.choice(pool) for _ in range(n_needs)))
        ftes = rng.choices(_NEED_FTES, _NEED_FTE_WEIGHTS, k=len(skills))
        drawn = rng.choices((1, 2, 3, 4), (25, 40, 27, 8), k=len(skills))
        levels = [min(level, reach[skill]) for level, skill in zip(drawn, skills, strict=True)]
        min_team = rng.choices((1, 2, 3), (45, 35, 20) if owner else (20, 50, 30))[0]
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
        name = rng.choice(_MISSION_NAMES[kind]).format(
            obj=rng.choice(area.objects),
            unit=unit_name,
            system=rng.choice(_SYSTEMS),
            partner=rng.choice(_PARTNERS),
            tech=rng.choice(_TECH),
        )
        missions.append(
            Mission(
                mission_id=mission_id,
                name=name[0].upper() + name[1:],
                change_type=kind,
                value=float(value),
                min_team=min_team,
                max_team=max_team,
                owner_unit=owner,
            )
        )
        for skill, fte, level in zip(skills, ftes, levels, strict=True):
            needs.append(
                MissionNeed(mission_id=mission_id, skill_id=skill, fte=fte, min_level=level)
            )
    return missions, needs


def _build_capabilities(
    missions: list[Mission], rng: random.Random
) -> tuple[list[Capability], list[MissionCapability]]:
    """A handful of scarce processes, information sources and tools.

    What is left for missions (capacity - ops_reserved) covers about half to four fifths of
    what the missions that use a capability ask for, so capabilities bind.
    """
    if not missions:
        return [], []
    chosen = _CAPABILITIES[: min(len(_CAPABILITIES), 3 + len(missions) // 40)]
    ids = [_slug(name) for name, _ in chosen]
    uses: list[MissionCapability] = []
    demand = dict.fromkeys(ids, 0)
    for mission in missions:
        if rng.random() >= _CAPABILITY_USE[mission.change_type]:
            continue
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
        free = max(1, round(asked * rng.uniform(0.5, 0.8))) if asked else rng.randint(2, 6)
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


class _Witness:
    """A concrete plan that staffs the committed missions next to the ops allocation.

    A mission is committed (made mandatory, or given a pin) only if this plan can staff it
    with the time, mission slots and capability units still free, so the generated
    commitments are jointly feasible: the plan itself is a feasible solution of MODEL.md.
    """

    def __init__(
        self,
        scenario: Scenario,
        staff: _Staff,
        capabilities: list[Capability],
        uses: list[MissionCapability],
    ) -> None:
        settings = scenario.settings
        self.eligibility = Eligibility(scenario)
        self.settings = settings
        self.step = settings.step_fte
        self.min_share = demand_steps(settings.min_allocation_fte, self.step)
        self.free = {
            p.person_id: capacity_steps(p.fte, self.step) - staff.ops_steps.get(p.person_id, 0)
            for p in staff.people
        }
        self.slots = {p.person_id: p.mission_limit(settings) for p in staff.people}
        self.unit_of = {p.person_id: p.unit_id for p in staff.people}
        self.available = {c.capability_id: c.capacity - c.ops_reserved for c in capabilities}
        self.uses: dict[str, list[MissionCapability]] = defaultdict(list)
        for use in uses:
            self.uses[use.mission_id].append(use)

    def commit(self, mission: Mission, needs: list[MissionNeed], pinned: str | None) -> bool:
        """Staff ``mission`` (with ``pinned`` on the team) in the plan if possible."""
        if any(self.available[u.capability_id] < u.units for u in self.uses[mission.mission_id]):
            return False
        demands = [demand_steps(need.fte, self.step) for need in needs]
        share = min(self.min_share, sum(demands))
        given: dict[str, int] = {}
        alloc: dict[tuple[str, int], int] = defaultdict(int)
        candidates = [self.eligibility.candidates(mission, need) for need in needs]

        def usable(person_id: str) -> int:
            if person_id not in given and self.slots[person_id] < 1:
                return 0
            return self.free[person_id] - given.get(person_id, 0)

        for k, demand in enumerate(demands):
            ids = [p.person_id for p in candidates[k]]
            ids.sort(key=lambda pid: (pid != pinned, -usable(pid)))
            remaining = demand
            for person_id in ids:
                if remaining == 0:
                    break
                take = min(usable(person_id), remaining)
                if 0 < remaining - take < share:
                    take -= share - (remaining - take)
                if take <= 0 or (person_id not in given and take < share):
                    continue
                given[person_id] = given.get(person_id, 0) + take
                alloc[person_id, k] += take
                remaining -= take
            if remaining:
                return False
        breadth = self.settings.network_min_units if mission.is_network else 0
        while len(given) < mission.min_team or len(self._units(given)) < breadth:
            if not self._widen(candidates, given, alloc, share, breadth):
                return False
        if pinned is not None and pinned not in given:
            return False
        if mission.max_team is not None and len(given) > mission.max_team:
            return False
        for person_id, steps in given.items():
            self.free[person_id] -= steps
            self.slots[person_id] -= 1
        for use in self.uses[mission.mission_id]:
            self.available[use.capability_id] -= use.units
        return True

    def _units(self, team: dict[str, int]) -> set[str]:
        return {self.unit_of[person_id] for person_id in team}

    def _widen(
        self,
        candidates: list[list[Person]],
        given: dict[str, int],
        alloc: dict[tuple[str, int], int],
        share: int,
        breadth: int,
    ) -> bool:
        """Hand one minimum share of a member's time to a new member (from a new unit if the
        network breadth is still short); the donor keeps at least a minimum share."""
        units = self._units(given)
        new_unit = len(units) < breadth
        for (donor, k), steps in list(alloc.items()):
            if steps < share or given[donor] - share < share:
                continue
            for person in candidates[k]:
                pid = person.person_id
                if pid in given or self.slots[pid] < 1 or self.free[pid] < share:
                    continue
                if new_unit and self.unit_of[pid] in units:
                    continue
                alloc[donor, k] -= share
                given[donor] -= share
                alloc[pid, k] += share
                given[pid] = share
                return True
        return False


def _build_commitments(
    scenario: Scenario,
    staff: _Staff,
    capabilities: list[Capability],
    uses: list[MissionCapability],
    rng: random.Random,
) -> tuple[str | None, list[Lock]]:
    """One mandatory mission (the easiest hierarchy mission the plan can staff) and pins."""
    witness = _Witness(scenario, staff, capabilities, uses)
    needs_of: dict[str, list[MissionNeed]] = defaultdict(list)
    for need in scenario.mission_needs:
        needs_of[need.mission_id].append(need)
    with_capability = {use.mission_id for use in uses}
    easy = sorted(
        (m for m in scenario.missions if not m.is_network and m.mission_id not in with_capability),
        key=lambda m: (
            sum(n.fte for n in needs_of[m.mission_id])
            * max(n.min_level for n in needs_of[m.mission_id]),
            m.mission_id,
        ),
    )
    mandatory = next(
        (m.mission_id for m in easy[:10] if witness.commit(m, needs_of[m.mission_id], None)), None
    )
    locks: list[Lock] = []
    missions = [m for m in scenario.missions if m.mission_id != mandatory]
    wanted = min(len(missions), 1 + len(scenario.missions) // 50)
    for mission in rng.sample(missions, min(len(missions), 3 * wanted)):
        if len(locks) == wanted:
            break
        needs = needs_of[mission.mission_id]
        people = witness.eligibility.candidates(mission, rng.choice(needs))
        if not people:
            continue
        person = rng.choice(people)
        if witness.commit(mission, needs, person.person_id):
            locks.append(
                Lock(person_id=person.person_id, mission_id=mission.mission_id, lock=LockKind.PIN)
            )
    return mandatory, locks


def _build_wishes(
    staff: _Staff, missions: list[Mission], needs: list[MissionNeed], rng: random.Random
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


def _build_forbids(scenario: Scenario, rng: random.Random) -> list[Lock]:
    """People kept off a mission they could join (a conflict of interest, a planned leave).

    Only where every need keeps at least two other candidates: a forbid should narrow the
    choice, not silently make a mission impossible.
    """
    eligibility = Eligibility(scenario)
    needs_of: dict[str, list[MissionNeed]] = defaultdict(list)
    for need in scenario.mission_needs:
        needs_of[need.mission_id].append(need)
    wanted = 1 + len(scenario.missions) // 25
    forbids: list[Lock] = []
    for mission in rng.sample(scenario.missions, min(len(scenario.missions), 3 * wanted)):
        if len(forbids) == wanted:
            break
        pools = [
            [p.person_id for p in eligibility.candidates(mission, need)]
            for need in needs_of[mission.mission_id]
        ]
        pool = rng.choice(pools)
        if not pool:
            continue
        person_id = rng.choice(pool)
        if all(len(other) >= 3 or person_id not in other for other in pools):
            forbids.append(
                Lock(person_id=person_id, mission_id=mission.mission_id, lock=LockKind.FORBID)
            )
    return forbids


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
    org = _build_tree(people, rng)
    _build_skills(org, people, rng)
    staff = _build_people(org, people, rng)
    ops = _build_ops(org, staff, settings, rng)
    portfolio, needs = _build_missions(org, staff, missions, settings, rng)
    capabilities, uses = _build_capabilities(portfolio, rng)
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
        preferences=tuple(_build_wishes(staff, portfolio, needs, rng)),
        settings=settings,
    )
    forbids = _build_forbids(scenario, rng)
    scenario = scenario.replace(locks=tuple(forbids))
    mandatory, pins = _build_commitments(scenario, staff, capabilities, uses, rng)
    final = [
        m.model_copy(update={"mandatory": True}) if m.mission_id == mandatory else m
        for m in portfolio
    ]
    return scenario.replace(missions=tuple(final), locks=(*pins, *forbids))
