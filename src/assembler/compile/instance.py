"""The scenario compiled to integer data (MODEL.md §3) and eligibility lists (§4).

Everything downstream — the CP-SAT model, the solver-independent checker, KPIs, the
explanations of unstaffed missions — reads this one object, so they all agree on what
``D_mk``, ``R_ukt``, ``cap_pt``, a mission's possible starts and "eligible" mean.  People,
missions and periods are addressed by index (their position in the scenario's tables;
periods from 0, so MODEL.md's ``t`` is ``period + 1``) to keep the large-instance paths
cheap.  Without a ``periods`` table there is one period, 0, and everything is as in v1.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from assembler.compile.eligibility import Eligibility
from assembler.domain.scenario import LockKind, Mission, OpsDemand, Person, Scenario

EPSILON = 1e-9


def capacity_steps(fte: float, step: float) -> int:
    """``cap_p = floor(fte / s + ε)``."""
    return math.floor(fte / step + EPSILON)


def demand_steps(fte: float, step: float) -> int:
    """``D = ceil(fte / s − ε)``: needs are rounded up to whole steps."""
    return math.ceil(fte / step - EPSILON)


def protected_steps(fte: float, ops_buffer: float, step: float) -> int:
    """``R = ceil(fte · (1 + buffer) / s − ε)``."""
    return math.ceil(fte * (1 + ops_buffer) / step - EPSILON)


def value_points(value: float) -> int:
    """``V = round(100 · value)``: values count to the cent in the integer score."""
    return round(100 * value)


@dataclass(frozen=True, slots=True)
class Need:
    """A mission's need ``(m, k)`` with its demand in steps and its eligible people."""

    mission: int
    skill_id: str
    min_level: int
    demand: int
    eligible: tuple[int, ...]
    learners: tuple[int, ...] = ()
    """Learner candidates (MODEL.md v3 §4): they give time here only as learners."""
    mentors: tuple[int, ...] = ()
    """Mentor candidates among ``eligible``, listed only where there are learner candidates."""

    @property
    def giving(self) -> tuple[int, ...]:
        """Everyone who may give time to the need: the eligible, then the learners."""
        return self.eligible + self.learners if self.learners else self.eligible


@dataclass(frozen=True, slots=True)
class OpsNeed:
    """An operational demand ``(u, k)`` in one period: ``required`` = ``R_ukt`` steps, kept
    by ``eligible`` (the unit's people at the ``min_level`` of the row in force then)."""

    unit_id: str
    skill_id: str
    min_level: int
    demand_fte: float
    required: int
    eligible: tuple[int, ...]
    period: int = 0


@dataclass(frozen=True, slots=True)
class CapabilityLimit:
    """A capability's free capacity for missions and which missions draw on it."""

    capability_id: str
    available: int
    usage: tuple[tuple[int, int], ...]  # (mission index, units)


class Instance:
    """Integer, index-based view of a scenario under its model settings."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.settings = settings = scenario.settings
        self.step = settings.step_fte
        self.eligibility = eligibility = Eligibility(scenario)

        self.period_ids = scenario.period_ids
        self.horizon = len(self.period_ids)
        """``T``: the number of periods (1 without a ``periods`` table)."""
        self.periods = range(self.horizon)
        self.period_index = {period_id: t for t, period_id in enumerate(self.period_ids)}

        self.people: tuple[Person, ...] = scenario.people
        self.person_index = {p.person_id: i for i, p in enumerate(self.people)}
        self.capacity = self._capacities()
        """``cap_pt``: ``capacity[p][t]`` steps."""
        self.max_missions = tuple(p.mission_limit(settings) for p in self.people)

        self.missions: tuple[Mission, ...] = scenario.missions
        self.mission_index = {m.mission_id: i for i, m in enumerate(self.missions)}
        self.value = tuple(value_points(m.value) for m in self.missions)
        self._timing()

        needs: list[Need] = []
        needs_of: list[list[int]] = [[] for _ in self.missions]
        for row in scenario.mission_needs:
            m = self.mission_index.get(row.mission_id)
            if m is None:
                continue
            mission = self.missions[m]
            eligible = tuple(
                sorted(self.person_index[p.person_id] for p in eligibility.candidates(mission, row))
            )
            learners = tuple(
                sorted(
                    self.person_index[p.person_id]
                    for p in eligibility.learner_candidates(mission, row)
                )
            )
            mentors: tuple[int, ...] = ()
            if learners:
                mentor_level = eligibility.mentor_level(row)
                mentors = tuple(
                    p
                    for p in eligible
                    if eligibility.level[self.people[p].person_id, row.skill_id] >= mentor_level
                )
            needs_of[m].append(len(needs))
            needs.append(
                Need(
                    m,
                    row.skill_id,
                    row.min_level,
                    demand_steps(row.fte, self.step),
                    eligible,
                    learners,
                    mentors,
                )
            )
        self.needs = tuple(needs)
        self.needs_of = tuple(tuple(n) for n in needs_of)
        self.need_index = {
            (self.missions[n.mission].mission_id, n.skill_id): i for i, n in enumerate(self.needs)
        }

        min_share = demand_steps(settings.min_allocation_fte, self.step)
        self.min_share = tuple(
            min(min_share, sum(self.needs[n].demand for n in needs_of[m]))
            for m in range(len(self.missions))
        )
        self.candidates = tuple(
            tuple(sorted({p for n in needs_of[m] for p in self.needs[n].giving}))
            for m in range(len(self.missions))
        )
        self.goal: dict[tuple[int, str], int] = {
            (self.person_index[row.person_id], row.skill_id): row.weight
            for row in scenario.development
            if row.person_id in self.person_index
        }
        """``goal_pk``: a person's development goal weight per skill (MODEL.md v3 §7)."""

        self.capped_units = {
            unit_id: share
            for unit_id in dict.fromkeys(person.unit_id for person in self.people)
            if (share := scenario.network_share(unit_id)) < 1
        }
        """Units with people whose network share is capped below 1 (MODEL.md v3 §6.12)."""
        self.network_cap = self._network_caps()
        """``N_ut`` steps per (unit, period), only where the cap can bind."""

        self.ops = tuple(self._ops_needs())
        ops_of_person: list[list[int]] = [[] for _ in self.people]
        for i, ops_need in enumerate(self.ops):
            for p in ops_need.eligible:
                ops_of_person[p].append(i)
        self.ops_of_person = tuple(tuple(o) for o in ops_of_person)

        self.capabilities = tuple(self._capability_limits())
        self.mandatory = tuple(m for m, mission in enumerate(self.missions) if mission.mandatory)
        self.pins = tuple(
            (self.person_index[lock.person_id], self.mission_index[lock.mission_id])
            for lock in scenario.locks
            if lock.lock is LockKind.PIN
            and lock.person_id in self.person_index
            and lock.mission_id in self.mission_index
        )
        self.preference = self._preference_weights()

    def _capacities(self) -> tuple[tuple[int, ...], ...]:
        """``cap_pt`` from the person's availability in ``t`` if given, else ``people.fte``."""
        given: dict[tuple[str, str], float] = {
            (row.person_id, row.period_id): row.fte for row in self.scenario.availability
        }
        return tuple(
            tuple(
                capacity_steps(given.get((person.person_id, period_id), person.fte), self.step)
                for period_id in self.period_ids
            )
            for person in self.people
        )

    def _timing(self) -> None:
        """Windows, durations and possible starts (MODEL.md §2 mission timing, §3 ``S_m``).

        A start that cannot follow the earliest possible finish of every ``after`` mission is
        dropped (its ``b`` would be 0 in every plan), so a mission chained after one that can
        never run has no start at all.  The delay still counts from the window's own start.
        """
        last = self.horizon - 1
        timings = [self.scenario.timing(mission) for mission in self.missions]
        earliest = [timing.earliest for timing in timings]
        latest = [timing.latest for timing in timings]
        duration = [timing.duration for timing in timings]
        after = [
            tuple(
                self.mission_index[before]
                for before in mission.predecessors
                if before in self.mission_index
            )
            for mission in self.missions
        ]
        self.earliest: tuple[int, ...] = tuple(earliest)
        """``e_m``: the first period of the window."""
        self.latest: tuple[int, ...] = tuple(latest)
        """``l_m``: the last period of the window."""
        self.duration: tuple[int, ...] = tuple(duration)
        """``d_m``: how many consecutive periods a staffed mission runs."""
        self.after: tuple[tuple[int, ...], ...] = tuple(after)
        """The missions that must finish before this one starts (``after``), by index."""
        starts = [
            range(e, end - d + 2) for e, end, d in zip(earliest, latest, duration, strict=True)
        ]
        for _ in range(len(starts)):  # chains resolve in at most one pass per mission
            changed = False
            for m, befores in enumerate(after):
                if not befores:
                    continue
                ready = max(
                    starts[before].start + duration[before] if starts[before] else last + 2
                    for before in befores
                )
                if starts[m] and starts[m].start < ready:
                    starts[m] = range(max(starts[m].start, ready), max(starts[m].stop, ready))
                    changed = True
            if not changed:
                break
        self.starts: tuple[range, ...] = tuple(starts)
        """``S_m``: the periods a staffed mission may start in (empty: it can never run)."""

    def window(self, mission: int) -> range:
        """Every period the mission may run in, whatever its start."""
        starts = self.starts[mission]
        if not starts:
            return range(0)
        return range(starts.start, starts[-1] + self.duration[mission])

    def run(self, mission: int, start: int) -> range:
        """The periods the mission runs in when it starts in ``start``."""
        return range(start, start + self.duration[mission])

    def is_fixed(self, mission: int) -> bool:
        """One possible start: the mission's timing is no decision (``b`` is ``y``)."""
        return len(self.starts[mission]) == 1

    def delay(self, mission: int, start: int) -> int:
        """Periods from the window's start to ``start`` (the delay term of MODEL.md §7)."""
        return start - self.earliest[mission]

    def network_limit(self, unit_id: str, t: int) -> int:
        """``N_ut = floor(share_u · Σ_{p in u} cap_pt + ε)``: the most steps the people of
        ``unit_id`` (not of its branch) give network missions in period ``t``."""
        share = self.capped_units.get(unit_id, 1.0)
        total = sum(self.capacity[p][t] for p in self.people_of_unit.get(unit_id, ()))
        return math.floor(share * total + EPSILON)

    def _network_caps(self) -> dict[tuple[str, int], int]:
        """``N_ut`` where §6.12 can bind: a capped unit in a period where its people who
        could join a network mission have more time than the cap leaves.  Elsewhere the
        constraint could never cut a plan, so it is not built (with share 1, never)."""
        if not self.capped_units:
            return {}
        volunteers = {
            p for m, people in enumerate(self.candidates) if self.is_network(m) for p in people
        }
        caps: dict[tuple[str, int], int] = {}
        for unit_id in self.capped_units:
            joining = [p for p in self.people_of_unit[unit_id] if p in volunteers]
            for t in self.periods:
                limit = self.network_limit(unit_id, t)
                if limit < sum(self.capacity[p][t] for p in joining):
                    caps[unit_id, t] = limit
        return caps

    @cached_property
    def people_of_unit(self) -> dict[str, tuple[int, ...]]:
        """Each unit's own people (not its branch's), by index."""
        found: dict[str, list[int]] = defaultdict(list)
        for i, person in enumerate(self.people):
            found[person.unit_id].append(i)
        return {unit_id: tuple(people) for unit_id, people in found.items()}

    def _ops_needs(self) -> list[OpsNeed]:
        """One need per (unit, skill, period) with a requirement: a row for the period
        replaces the blank-period row there, its ``min_level`` included; 0 FTE is none."""
        people_of_unit: dict[str, list[int]] = defaultdict(list)
        for i, person in enumerate(self.people):
            people_of_unit[person.unit_id].append(i)
        in_force: dict[tuple[str, str], list[OpsDemand | None]] = {}
        for row in self.scenario.ops_demand:  # blank-period rows first: they hold everywhere
            rows = in_force.setdefault((row.unit_id, row.skill_id), [None] * self.horizon)
            if row.period_id is None:
                rows[:] = [row] * self.horizon
        for row in self.scenario.ops_demand:  # then period rows replace them where given
            if row.period_id in self.period_index:
                in_force[row.unit_id, row.skill_id][self.period_index[row.period_id]] = row
        needs = []
        # Who can cover a demand depends on its unit, skill and level, not its period: a
        # long horizon repeats the same few, so each is worked out once.
        able: dict[tuple[str, str, int], tuple[int, ...]] = {}
        for t in self.periods:
            for (unit_id, skill_id), rows in in_force.items():
                demand = rows[t]
                if demand is None or demand.fte <= 0:
                    continue
                key = (unit_id, skill_id, demand.min_level)
                if key not in able:
                    able[key] = tuple(
                        p
                        for p in people_of_unit.get(unit_id, ())
                        if self.eligibility.can_cover(self.people[p], demand)
                    )
                eligible = able[key]
                required = protected_steps(demand.fte, self.settings.ops_buffer, self.step)
                needs.append(
                    OpsNeed(unit_id, skill_id, demand.min_level, demand.fte, required, eligible, t)
                )
        return needs

    def _capability_limits(self) -> list[CapabilityLimit]:
        usage: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for row in self.scenario.mission_capabilities:
            m = self.mission_index.get(row.mission_id)
            if m is not None:
                usage[row.capability_id].append((m, row.units))
        return [
            CapabilityLimit(
                c.capability_id, c.capacity - c.ops_reserved, tuple(usage[c.capability_id])
            )
            for c in self.scenario.capabilities
        ]

    def _preference_weights(self) -> dict[tuple[int, int], int]:
        """Summed preference weight per (person, mission) pair that has an ``x`` variable."""
        weights: dict[tuple[int, int], int] = defaultdict(int)
        for row in self.scenario.preferences:
            p = self.person_index.get(row.person_id)
            m = self.mission_index.get(row.mission_id)
            if p is not None and m is not None and self.is_candidate(p, m):
                weights[p, m] += row.weight
        return dict(weights)

    @cached_property
    def _candidate_pairs(self) -> frozenset[tuple[int, int]]:
        return frozenset((p, m) for m, people in enumerate(self.candidates) for p in people)

    @cached_property
    def _coverable(self) -> frozenset[tuple[int, str, int]]:
        return frozenset(
            (p, need.skill_id, need.period) for need in self.ops for p in need.eligible
        )

    def may_cover(self, person: int, skill_id: str, period: int) -> bool:
        """The person may keep time on the operations of their unit in that skill and
        period (MODEL.md §4): a set lookup, as checks of every plan the neighbourhood
        search merges ask it once per kept row."""
        return (person, skill_id, period) in self._coverable

    def is_candidate(self, person: int, mission: int) -> bool:
        """``x_pm`` exists: the person is eligible for some need of the mission, or (v3) a
        learner candidate for one."""
        return (person, mission) in self._candidate_pairs

    def is_network(self, mission: int) -> bool:
        return self.missions[mission].is_network

    def needs_breadth(self, mission: int) -> bool:
        """Constraint 8 applies: a network mission while ``network_min_units > 0``."""
        return self.is_network(mission) and self.settings.network_min_units > 0

    def fte(self, steps: int) -> float:
        """Steps to FTE, rounded to the step grid's decimals so reports print ``0.35``."""
        return round(steps * self.step, 10)


def chain_depths(after: Sequence[Sequence[int]]) -> list[int]:
    """Per mission, the most missions it waits for one after the other (the longest path
    back to a mission without ``after``), in topological order (Kahn's algorithm, so a
    long chain needs no recursion).  Validation refuses cycles; a mission left on one would
    keep depth 0."""
    followers: list[list[int]] = [[] for _ in after]
    waiting = [len(befores) for befores in after]
    for m, befores in enumerate(after):
        for before in befores:
            followers[before].append(m)
    depth = [0] * len(after)
    ready = [m for m, count in enumerate(waiting) if count == 0]
    while ready:
        m = ready.pop()
        for follower in followers[m]:
            depth[follower] = max(depth[follower], depth[m] + 1)
            waiting[follower] -= 1
            if waiting[follower] == 0:
                ready.append(follower)
    return depth
