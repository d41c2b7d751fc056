"""The organisation: unit tree, skills catalogue, people and their operational load.

Operations come first because everything else is measured against them: the time each
person keeps on operations (``Staff.ops_steps``) is what the portfolio and the commitments
may not touch, which is how the generated scenario stays feasible by construction.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from itertools import accumulate

from assembler.compile.instance import capacity_steps, protected_steps
from assembler.domain.scenario import OpsDemand, Person, PersonSkill, Skill, Unit
from assembler.domain.settings import ModelSettings
from assembler.generate.shape import Shape
from assembler.generate.vocabulary import VOCABULARY, Area

LEAF_SIZE = 27
"""Mean people per leaf unit; sizes vary ±40 % around it (about 15-40)."""


def slug(text: str) -> str:
    """An id from a name (``"ERP licences"`` → ``erp-licences``): readable in the files."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _split(total: int, parts: int, rng: random.Random, spread: float = 0.0) -> list[int]:
    """``total`` split into ``parts`` positive sizes that vary ±40 % around the mean, or,
    with a ``spread``, log-normally (a few large parts and many small ones)."""
    if spread:
        weights = [rng.lognormvariate(0.0, spread) for _ in range(parts)]
    else:
        weights = [rng.uniform(0.6, 1.4) for _ in range(parts)]
    scale = (total - parts) / sum(weights)
    sizes = [1 + math.floor(w * scale) for w in weights]
    for i in rng.sample(range(parts), total - sum(sizes)):
        sizes[i] += 1
    return sizes


@dataclass
class Org:
    """The unit tree and skills catalogue under construction."""

    units: list[Unit] = field(default_factory=list)
    leaves: list[str] = field(default_factory=list)
    area_of: dict[str, Area] = field(default_factory=dict)
    ancestors: dict[str, list[str]] = field(default_factory=dict)
    skills: list[Skill] = field(default_factory=list)
    skills_of_category: dict[str, list[str]] = field(default_factory=dict)
    home: dict[str, list[str]] = field(default_factory=dict)
    branch_skills: dict[str, list[str]] = field(default_factory=dict)

    def add_unit(self, unit_id: str, name: str, parent: str | None, area: Area) -> None:
        self.units.append(Unit(unit_id=unit_id, name=name, parent_id=parent))
        self.area_of[unit_id] = area
        self.ancestors[unit_id] = [] if parent is None else [parent, *self.ancestors[parent]]


def _variant(names: tuple[str, ...], k: int) -> str:
    """The ``k``-th unit named from ``names``: the first round plain, then with regions."""
    base, extra = names[k % len(names)], k // len(names)
    regions = VOCABULARY.regions
    return base if extra == 0 else f"{base} {regions[(extra - 1) % len(regions)]}"


def build_tree(people: int, rng: random.Random, depth: int | None = None) -> Org:
    """Divisions → departments (→ teams for big organisations), people only in the leaves.

    ``depth`` overrides the number of levels: 1 makes every unit a root (a flat
    organisation, whose hierarchy missions reach one team), 4 puts groups between
    departments and teams (deep branches, wide reach for a division's missions).
    """
    org = Org()
    n_leaves = max(min(2, people), round(people / LEAF_SIZE))
    depth = depth or (3 if n_leaves > 40 else 2)
    areas = rng.sample(VOCABULARY.areas, len(VOCABULARY.areas))
    if depth == 1:
        for d in range(n_leaves):
            area = areas[d % len(areas)]
            org.add_unit(f"D{d + 1}", _variant(area.departments, d // len(areas)), None, area)
            org.leaves.append(f"D{d + 1}")
        return org
    if depth >= 3:
        n_div = min(n_leaves, 14, max(4, round(n_leaves ** (1 / 3))))
        n_mid = min(n_leaves, max(n_div, round(math.sqrt(n_leaves * n_div))))
    else:
        n_div = min(len(VOCABULARY.areas), max(1, math.ceil(n_leaves / 3)))
        n_mid = n_leaves
    mids: list[str] = []
    for d, dept_count in enumerate(_split(n_mid, n_div, rng), start=1):
        area = areas[(d - 1) % len(areas)]
        round_no = (d - 1) // len(areas)
        division_name = (
            area.division if round_no == 0 else f"{area.division} {VOCABULARY.regions[round_no]}"
        )
        division_id = f"D{d}"
        org.add_unit(division_id, division_name, None, area)
        for k in range(dept_count):
            dept_id = f"{division_id}.{k + 1}"
            org.add_unit(dept_id, _variant(area.departments, k), division_id, area)
            mids.append(dept_id)
    layers: list[tuple[int, str]] = []  # (units, label) of each level below departments
    if depth == 3:
        layers = [(n_leaves, "Team")]
    elif depth == 4:
        n_groups = min(n_leaves, max(n_mid, round(math.sqrt(n_leaves * n_mid))))
        layers = [(n_groups, "Group"), (n_leaves, "Team")]
    names = {unit.unit_id: unit.name for unit in org.units}
    parents = mids
    for total, label in layers:
        children: list[str] = []
        for parent, count in zip(parents, _split(total, len(parents), rng), strict=True):
            for t in range(count):
                child = f"{parent}.{t + 1}"
                names[child] = f"{names[parent]} {label} {t + 1}"
                org.add_unit(child, names[child], parent, org.area_of[parent])
                children.append(child)
        parents = children
    org.leaves = parents
    return org


def build_skills(org: Org, people: int, rng: random.Random) -> None:
    """The catalogue: the areas in use, the change skills, then others until it is big enough.

    It grows slowly with the organisation (``20 + people / 100``, at most 150) because a
    large organisation has more specialisms, not a different profession per person.
    """
    target = min(150, 20 + people // 100)
    used = list(dict.fromkeys(org.area_of[leaf] for leaf in org.leaves))
    others = [area for area in VOCABULARY.areas if area not in used]
    entries: list[tuple[str, str]] = [(s, a.category) for a in used for s in a.skills]
    entries += [(s, "change") for s in VOCABULARY.change_skills]
    for area in others:
        if len(entries) >= target:
            break
        entries += [(s, area.category) for s in area.skills]
    base = list(entries)
    for qualifier in VOCABULARY.qualifiers:
        for name, category in base:
            if len(entries) >= target:
                break
            if category != "change":
                entries.append((f"{name} ({qualifier})", category))
    for name, category in entries:
        skill_id = slug(name)
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
class Staff:
    """People, their skills and the time each keeps on operations (the ops witness)."""

    people: list[Person] = field(default_factory=list)
    skills: list[PersonSkill] = field(default_factory=list)
    level: dict[tuple[str, str], int] = field(default_factory=dict)
    in_unit: dict[str, list[Person]] = field(default_factory=dict)
    ops_steps: dict[str, int] = field(default_factory=dict)
    ops_skill: dict[str, str] = field(default_factory=dict)
    """The demand skill each person's ``ops_steps`` cover (for leave and seasonal peaks)."""


_FTES = (1.0, 0.8, 0.5, 0.6)
_FTE_CUM_WEIGHTS = tuple(accumulate((78, 12, 7, 3)))
_SKILL_COUNTS = (3, 4, 5, 6, 7, 8)
_SKILL_COUNT_CUM_WEIGHTS = tuple(accumulate((10, 20, 25, 20, 15, 10)))
_LEVELS = (1, 2, 3, 4, 5)
_HOME_LEVEL_CUM_WEIGHTS = tuple(accumulate((8, 32, 35, 18, 7)))
_OTHER_LEVEL_CUM_WEIGHTS = tuple(accumulate((30, 40, 20, 8, 2)))
"""Per-person draws use cumulative weights: ``choices`` then skips re-summing them."""


class _SkillDraw:
    """Draws the skills people hold beyond their unit's: evenly, or by a Zipf law over a
    ranking drawn once (``Shape.skill_tail``), so that a few skills are common and most are
    rare.  The even draw uses the random stream exactly as the generator always did."""

    def __init__(self, pools: list[list[str]], tail: float, rng: random.Random) -> None:
        self._rng = rng
        self._ranked: dict[int, tuple[list[str], list[float]]] = {}
        if tail:
            rank = {skill: r for r, skill in enumerate(rng.sample(pools[-1], len(pools[-1])))}
            for pool in pools:
                ranked = sorted(pool, key=rank.__getitem__)
                weights = [1 / (r + 1) ** tail for r in range(len(ranked))]
                self._ranked[id(pool)] = (ranked, list(accumulate(weights)))

    def __call__(self, pool: list[str]) -> str:
        if id(pool) not in self._ranked:
            return self._rng.choice(pool)
        ranked, cum_weights = self._ranked[id(pool)]
        return self._rng.choices(ranked, cum_weights=cum_weights)[0]


def build_people(org: Org, people: int, rng: random.Random, shape: Shape) -> Staff:
    """People in leaf units, strongest in their unit's home skills, some in the change skills.

    The shape's breadth scales how many skills each holds and its level shift moves every
    level; both apply after the draws, so the default shape draws exactly as before.  Its
    skill tail and unit size spread change the draws themselves, only when set.
    """
    staff = Staff()
    catalogue = [skill.skill_id for skill in org.skills]
    change = org.skills_of_category["change"]
    drawn_rate = rng.uniform(0.30, 0.40)
    opt_in_rate = drawn_rate if shape.opt_in_rate is None else shape.opt_in_rate
    opt_in = [rng.random() < opt_in_rate for _ in range(people)]
    # a network needs volunteers: even the smallest organisation has two, in its first and
    # last unit
    opt_in[0] = opt_in[-1] = True
    width = len(str(people))
    sizes = _split(people, len(org.leaves), rng, shape.unit_size_spread)
    draw_skill = _SkillDraw([change, catalogue], shape.skill_tail, rng)
    number = 0
    for leaf, size in zip(org.leaves, sizes, strict=True):
        home = org.home[leaf]
        members = staff.in_unit.setdefault(leaf, [])
        for _ in range(size):
            number += 1
            draw = rng.random()
            person = Person(
                person_id=f"P{number:0{width}d}",
                name=f"{rng.choice(VOCABULARY.first_names)} {rng.choice(VOCABULARY.last_names)}",
                unit_id=leaf,
                fte=rng.choices(_FTES, cum_weights=_FTE_CUM_WEIGHTS)[0],
                network_opt_in=opt_in[number - 1],
                max_missions=1 if draw < 0.10 else 3 if draw < 0.15 else None,
            )
            staff.people.append(person)
            members.append(person)
            count = rng.choices(_SKILL_COUNTS, cum_weights=_SKILL_COUNT_CUM_WEIGHTS)[0]
            count = min(len(catalogue), max(1, round(count * shape.skill_breadth)))
            held = rng.sample(home, min(len(home), rng.randint(2, 4)))
            levels = rng.choices(_LEVELS, cum_weights=_HOME_LEVEL_CUM_WEIGHTS, k=len(held))
            while len(held) < count:
                skill = draw_skill(change if rng.random() < 0.4 else catalogue)
                if skill not in held:
                    held.append(skill)
                    levels.append(rng.choices(_LEVELS, cum_weights=_OTHER_LEVEL_CUM_WEIGHTS)[0])
            for skill, drawn in zip(held, levels, strict=True):
                level = min(5, max(1, drawn + shape.level_shift))
                staff.skills.append(
                    PersonSkill(person_id=person.person_id, skill_id=skill, level=level)
                )
                staff.level[person.person_id, skill] = level
    return staff


def build_ops(
    org: Org, staff: Staff, settings: ModelSettings, rng: random.Random
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
            skill = min(skills, key=lambda s: allocated[s])
            allocated[skill] += steps
            staff.ops_steps[person.person_id] = steps
            staff.ops_skill[person.person_id] = skill
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
